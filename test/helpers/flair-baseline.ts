/**
 * The simple baseline that the default model must beat (issue "The main job"): whole tumour =
 * FLAIR hyperintensity, every brain voxel whose FLAIR is above a fixed percentile of the brain's
 * FLAIR intensities. The brain is where the FLAIR is non-zero (BraTS images are skull-stripped
 * with zero outside). Worked out here without hadnet's preprocessing, on the file's own grid.
 * May depend on: nothing but plain arrays.
 */

/**
 * The percentile chosen on the nine training cases of the default model's split by
 * `npx tsx scripts/flair-baseline-percentile.ts` (mean WT Dice over those cases, percentiles 50 to
 * 99.5 in steps of 0.5); the test cases were not read.
 */
export const FLAIR_BASELINE_PERCENTILE = 90;

/**
 * The brain's FLAIR intensities, sorted ascending (the brain: FLAIR > 0).
 * @param flair - FLAIR intensities, any voxel order
 */
export function sortedBrainFlair(flair: ArrayLike<number>): Float64Array {
  const brain: number[] = [];
  for (let v = 0; v < flair.length; v++) if (flair[v] > 0) brain.push(flair[v]);
  return Float64Array.from(brain).sort();
}

/**
 * The percentile of sorted intensities by nearest rank: the value at index
 * floor(p / 100 * (n - 1)).
 */
export function percentileOf(sorted: Float64Array, percentile: number): number {
  return sorted[Math.floor((percentile / 100) * (sorted.length - 1))];
}

/** 1 where the FLAIR is in the brain (> 0) and above `threshold`. */
export function flairAbove(flair: ArrayLike<number>, threshold: number): Uint8Array {
  const mask = new Uint8Array(flair.length);
  for (let v = 0; v < flair.length; v++) if (flair[v] > 0 && flair[v] > threshold) mask[v] = 1;
  return mask;
}

/**
 * The baseline's whole-tumour mask: brain voxels whose FLAIR is above the brain's FLAIR at
 * `percentile` (in [0, 100], nearest rank).
 * @param flair - FLAIR intensities, any voxel order
 * @returns 1 inside the baseline's whole tumour
 */
export function flairBaselineMask(flair: ArrayLike<number>, percentile: number): Uint8Array {
  return flairAbove(flair, percentileOf(sortedBrainFlair(flair), percentile));
}

/** Dice of two binary masks of equal length (1 when both are empty). */
export function binaryDice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let both = 0;
  let sa = 0;
  let sb = 0;
  for (let v = 0; v < a.length; v++) {
    const x = a[v] > 0;
    const y = b[v] > 0;
    if (x) sa++;
    if (y) sb++;
    if (x && y) both++;
  }
  return sa + sb === 0 ? 1 : (2 * both) / (sa + sb);
}
