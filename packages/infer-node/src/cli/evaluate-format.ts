/**
 * How `hadnet evaluate` prints: the region and uncertainty tables, and progress on stderr. Depends
 * on @hadnet/core's metric types.
 */
import { REGIONS, type Region, type SegmentationEvaluation, type UncertaintyScore } from '@hadnet/core';

/** `x` with `digits` decimals. */
export const fixed = (x: number, digits: number): string => x.toFixed(digits);

/** A record with one value per region, in the JSON's key order ET, TC, WT. */
export function byRegion<T>(f: (region: Region) => T): Record<Region, T> {
  return { ET: f('ET'), TC: f('TC'), WT: f('WT') };
}

/** One case's metrics: a header row, then one row per region. */
export function regionTable(result: SegmentationEvaluation): string[] {
  const head = ['region', 'Dice', 'HD95 mm', 'sensitivity', 'specificity', 'pred mL', 'truth mL'];
  const rows = REGIONS.map((r) => {
    const m = result.regions[r];
    return [
      r,
      fixed(m.dice, 4),
      fixed(m.hd95, 2),
      fixed(m.sensitivity, 4),
      fixed(m.specificity, 4),
      fixed(m.volumeMl.pred, 2),
      fixed(m.volumeMl.truth, 2),
    ];
  });
  return [head, ...rows].map((cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(8) : c.padStart(13))).join(''),
  );
}

/** QU-BraTS scores: a header row, then one row per region that has them. */
export function uncertaintyTable(scores: Partial<Record<Region, UncertaintyScore>>): string[] {
  const head = ['region', 'AUC Dice', 'AUC FTP', 'AUC FTN', 'score'];
  const rows = REGIONS.filter((r) => scores[r]).map((r) => {
    const u = scores[r]!;
    return [r, fixed(u.aucDice, 4), fixed(u.aucFtp, 4), fixed(u.aucFtn, 4), fixed(u.score, 4)];
  });
  return [head, ...rows].map((cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(8) : c.padStart(11))).join(''),
  );
}

/** The folder table's header: case, then Dice and HD95 per region. */
export function caseTableHeader(): string {
  return (
    `${'case'.padEnd(28)}${REGIONS.map((r) => `Dice ${r}`.padStart(9)).join('')}` +
    REGIONS.map((r) => `HD95 ${r}`.padStart(9)).join('')
  );
}

/** One row of the folder table; `note` follows the numbers. */
export function caseTableRow(id: string, result: SegmentationEvaluation, note = ''): string {
  return (
    `${id.padEnd(28)}${REGIONS.map((g) => fixed(result.regions[g].dice, 4).padStart(9)).join('')}` +
    REGIONS.map((g) => fixed(result.regions[g].hd95, 2).padStart(9)).join('') +
    (note === '' ? '' : `  ${note}`)
  );
}

/** Progress on stderr: a bar on a terminal, plain lines otherwise. */
export function progress(done: number, total: number, label: string): void {
  if (process.stderr.isTTY) {
    const width = 24;
    const filled = Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${label.padEnd(30)}`,
    );
    if (done === total) process.stderr.write('\n');
  } else if (done < total) {
    process.stderr.write(`hadnet: evaluate: case ${done + 1}/${total} ${label}\n`);
  }
}
