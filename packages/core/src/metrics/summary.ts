/**
 * Summaries of several cases' evaluations: their mean, and a CSV with one row per case. Runtime-
 * free (the caller writes the text where it wants). Depends on evaluate.ts's types.
 */
import { REGIONS, type Region } from '../labels/regions.js';
import type { RegionMetrics, SegmentationEvaluation } from './evaluate.js';
import type { UncertaintyScore } from './uncertainty.js';

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * The case-wise mean of every metric. HD95 means include the grid diagonal of cases where one mask
 * is empty, as BraTS rankings do. Uncertainty means are over the cases that have scores for the
 * region; the field is absent when no case has any.
 *
 * @param results - at least one case
 */
export function meanEvaluation(results: readonly SegmentationEvaluation[]): SegmentationEvaluation {
  if (results.length === 0) throw new RangeError('meanEvaluation: results holds no case; need at least one');
  const regions = {} as Record<Region, RegionMetrics>;
  for (const r of REGIONS) {
    const all = results.map((x) => x.regions[r]);
    regions[r] = {
      dice: mean(all.map((m) => m.dice)),
      hd95: mean(all.map((m) => m.hd95)),
      sensitivity: mean(all.map((m) => m.sensitivity)),
      specificity: mean(all.map((m) => m.specificity)),
      volumeMl: {
        pred: mean(all.map((m) => m.volumeMl.pred)),
        truth: mean(all.map((m) => m.volumeMl.truth)),
      },
    };
  }
  const uncertainty: Partial<Record<Region, UncertaintyScore>> = {};
  for (const r of REGIONS) {
    const all = results.flatMap((x) => (x.uncertainty?.[r] ? [x.uncertainty[r]] : []));
    if (all.length === 0) continue;
    uncertainty[r] = {
      aucDice: mean(all.map((u) => u.aucDice)),
      aucFtp: mean(all.map((u) => u.aucFtp)),
      aucFtn: mean(all.map((u) => u.aucFtn)),
      score: mean(all.map((u) => u.score)),
    };
  }
  return Object.keys(uncertainty).length > 0 ? { regions, uncertainty } : { regions };
}

/**
 * One CSV line per case: `case`, then for ET, TC and WT in turn `<R>_dice`, `<R>_hd95`,
 * `<R>_sensitivity`, `<R>_specificity`, `<R>_volume_pred_ml`, `<R>_volume_truth_ml`, and, when any
 * case has uncertainty scores, `<R>_unc_auc_dice`, `<R>_unc_auc_ftp`, `<R>_unc_auc_ftn`,
 * `<R>_unc_score` (empty cells where a case has none). Numbers at full precision; `\n` line ends.
 *
 * @example
 * evaluationsCsv([{ case: 'Brats18_X_1', result }, { case: 'mean', result: meanEvaluation([result]) }]);
 */
export function evaluationsCsv(rows: readonly { case: string; result: SegmentationEvaluation }[]): string {
  const withUncertainty = rows.some((r) => r.result.uncertainty !== undefined);
  const base = ['dice', 'hd95', 'sensitivity', 'specificity', 'volume_pred_ml', 'volume_truth_ml'];
  const unc = withUncertainty ? ['unc_auc_dice', 'unc_auc_ftp', 'unc_auc_ftn', 'unc_score'] : [];
  const header = ['case', ...REGIONS.flatMap((r) => [...base, ...unc].map((c) => `${r}_${c}`))];
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [header.join(',')];
  for (const { case: id, result } of rows) {
    const cells = REGIONS.flatMap((r) => {
      const m = result.regions[r];
      const u = result.uncertainty?.[r];
      const metrics = [m.dice, m.hd95, m.sensitivity, m.specificity, m.volumeMl.pred, m.volumeMl.truth];
      const scores = !withUncertainty ? [] : u ? [u.aucDice, u.aucFtp, u.aucFtn, u.score] : ['', '', '', ''];
      return [...metrics, ...scores].map(String);
    });
    lines.push([quote(id), ...cells].join(','));
  }
  return `${lines.join('\n')}\n`;
}
