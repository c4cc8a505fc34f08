/**
 * Comparing two label maps the way the browser tests need: the share of identical voxels, and
 * Dice per BraTS region, counted here in plain loops (not with hadnet's metrics code).
 */

/** BraTS regions by their label values in the `'brats'` convention. */
export const REGION_LABELS = Object.freeze({ ET: [4], TC: [1, 4], WT: [1, 2, 4] });

/** Share of voxels with the same label. */
export function identicalShare(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`identicalShare: ${a.length} voxels against ${b.length}`);
  let same = 0;
  for (let v = 0; v < a.length; v++) if (a[v] === b[v]) same++;
  return same / a.length;
}

/** Dice of one region, 2|A∩B| / (|A| + |B|); 1 when both are empty. */
export function regionDice(a: ArrayLike<number>, b: ArrayLike<number>, labels: readonly number[]): number {
  let inA = 0;
  let inB = 0;
  let both = 0;
  for (let v = 0; v < a.length; v++) {
    const x = labels.includes(a[v]);
    const y = labels.includes(b[v]);
    if (x) inA++;
    if (y) inB++;
    if (x && y) both++;
  }
  return inA + inB === 0 ? 1 : (2 * both) / (inA + inB);
}

/** Voxels of each label value. */
export function labelCounts(a: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let v = 0; v < a.length; v++) counts.set(a[v], (counts.get(a[v]) ?? 0) + 1);
  return counts;
}
