/**
 * QU-BraTS uncertainty scoring (BraTS 2019-2020 uncertainty task), one region at a time.
 *
 * Every definition below follows the reference evaluation code, GitHub RagMeh11/QU-BraTS, file
 * `BraTS_Seg_Uncertainty.py` (commit 3f7693a), read line by line:
 * - thresholds: `np.arange(0, 100 + eps, 100 / num_points)` reversed, `num_points = 40` by
 *   default: 41 values k · (100 / steps) for k = steps … 0 (`evaluate()`). That holds under the
 *   NumPy 1 of 2020, where `100.0 + np.float32 eps` is a float64 just above 100. Under NumPy 2
 *   (NEP 50) the sum is a float32 equal to 100, `arange` stops before 100, and the reference
 *   silently drops threshold 100 (40 points); hadnet keeps the 41 points the challenge intended;
 * - at each threshold, voxels whose uncertainty is strictly greater than it are filtered out
 *   (`unc_mask[uncertainties > th] = 0` in `make()`);
 * - filtered Dice: Dice of prediction and truth both multiplied by that mask, over the whole grid
 *   (not the brain mask), 1 when both are empty (`dice_metric()`);
 * - filtered true positive ratio: (TP before filtering − TP after) / (TP before + eps), true
 *   positives counted inside the brain mask, eps = float32 machine epsilon (`ftp_ratio_metric()`);
 *   the filtered true negative ratio likewise for TN (`ftn_ratio_metric()`);
 * - areas: `sklearn.metrics.auc(thresholds, values) / 100`, the trapezoid rule over the
 *   thresholds (sklearn takes the decreasing x-axis into account, so areas are positive).
 * The reference code stops at the three areas. The combined score is not in it: it is the
 * QU-BraTS papers' ranking score (Mehta et al., "Uncertainty Evaluation Metric for Brain Tumour
 * Segmentation", MIDL 2020 short paper; Mehta et al., MELBA 2022), which rewards a high filtered
 * Dice area and penalises filtering correct voxels: score = (AUC Dice + (1 − AUC FTP) +
 * (1 − AUC FTN)) / 3, the form the project believed, kept here.
 *
 * hadnet computes in float64 where the reference sums and divides in float32; results agree to
 * about 1e-7. Depends on nothing.
 */

/** float32 machine epsilon, 2⁻²³, as `np.finfo(np.float32).eps` in the reference. */
export const QU_BRATS_EPSILON = 2 ** -23;

/** Options of {@link uncertaintyCurves} and {@link scoreUncertainty}. */
export interface UncertaintyScoringOptions {
  /** Predicted region mask, any layout; non-zero = inside. */
  pred: ArrayLike<number>;
  /** Reference region mask, same layout. */
  truth: ArrayLike<number>;
  /** The region's uncertainty per voxel, in [0, 100] (100 = most uncertain), same layout. */
  uncertainty: ArrayLike<number>;
  /** Where true positives and negatives are counted for FTP and FTN; the whole grid when omitted. */
  brainMask?: ArrayLike<number>;
  /**
   * Number of threshold steps between 100 and 0; the curves have `steps + 1` points.
   * @defaultValue 40
   */
  steps?: number;
}

/** The three QU-BraTS curves, one value per threshold, thresholds from 100 down to 0. */
export interface UncertaintyCurves {
  /** Descending: `steps + 1` values from 100 to 0. */
  thresholds: number[];
  /** Dice of the voxels left after filtering. */
  dice: number[];
  /** Filtered true positive ratio: the share of the brain's true positives filtered out. */
  ftp: number[];
  /** Filtered true negative ratio: the share of the brain's true negatives filtered out. */
  ftn: number[];
}

/** The QU-BraTS areas and combined score of one region. */
export interface UncertaintyScore {
  /** Area under filtered Dice over thresholds, normalised to [0, 1]. Higher is better. */
  aucDice: number;
  /** Area under the filtered true positive ratio, in [0, 1]. Lower is better. */
  aucFtp: number;
  /** Area under the filtered true negative ratio, in [0, 1]. Lower is better. */
  aucFtn: number;
  /** `(aucDice + (1 − aucFtp) + (1 − aucFtn)) / 3`, in [0, 1]. Higher is better. */
  score: number;
}

/**
 * The thresholds, from 100 down to 0: `k · (100 / steps)` for k = steps … 0, computed as numpy's
 * `arange` computes them.
 * @example
 * uncertaintyThresholds(4); // [100, 75, 50, 25, 0]
 */
export function uncertaintyThresholds(steps = 40): number[] {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`uncertaintyThresholds: steps must be a positive integer; got ${steps}`);
  }
  const step = 100 / steps;
  const out: number[] = [];
  for (let k = steps; k >= 0; k--) out.push(k * step);
  return out;
}

/**
 * Area under a curve by the trapezoid rule, for x increasing or decreasing (the area is then
 * positive, as sklearn's `auc`).
 * @example
 * areaUnderCurve([100, 50, 0], [1, 1, 0]); // 50 · 1 + 50 · 0.5 = 75
 */
export function areaUnderCurve(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2) {
    throw new RangeError(
      `areaUnderCurve: x and y need the same length, at least 2; got ${x.length} and ${y.length}`,
    );
  }
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return Math.abs(area);
}

/** Kinds of voxel counted per bin. */
const Kind = {
  TruePositive: 0,
  FalsePositive: 1,
  FalseNegative: 2,
  TruePositiveInBrain: 3,
  TrueNegativeInBrain: 4,
} as const;

/**
 * The filtered Dice, FTP and FTN curves of one region.
 *
 * Each voxel is binned once by how many thresholds lie strictly below its uncertainty; the counts
 * left at every threshold then come from cumulative sums, so the cost is one pass over the grid
 * whatever the number of steps.
 *
 * @throws RangeError when the arrays differ in length or an uncertainty is outside [0, 100] or NaN
 */
export function uncertaintyCurves(options: UncertaintyScoringOptions): UncertaintyCurves {
  const { pred, truth, uncertainty, brainMask } = options;
  const steps = options.steps ?? 40;
  const descending = uncertaintyThresholds(steps);
  const ascending = [...descending].reverse();
  for (const [name, a] of [
    ['truth', truth],
    ['uncertainty', uncertainty],
    ['brainMask', brainMask],
  ] as const) {
    if (a !== undefined && a.length !== pred.length) {
      throw new RangeError(
        `uncertaintyCurves: ${name} holds ${a.length} voxels but pred holds ${pred.length}; they must share one grid`,
      );
    }
  }

  // bin of a value u: the number of thresholds strictly below u (integers 0..100 from a table)
  const binOf = (u: number): number => {
    let lo = 0;
    let hi = ascending.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ascending[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const integerBins = Int32Array.from({ length: 101 }, (_, u) => binOf(u));

  // histogram of bins per kind of voxel
  const bins = ascending.length + 1;
  const histogram = Array.from({ length: 5 }, () => new Float64Array(bins));
  for (let v = 0; v < pred.length; v++) {
    const u = uncertainty[v];
    if (!(u >= 0 && u <= 100)) {
      throw new RangeError(
        `uncertaintyCurves: uncertainty holds ${u} at voxel index ${v}; expected [0, 100]`,
      );
    }
    const b = Number.isInteger(u) ? integerBins[u] : binOf(u);
    const p = pred[v] !== 0;
    const t = truth[v] !== 0;
    const inBrain = brainMask === undefined || brainMask[v] !== 0;
    if (p && t) {
      histogram[Kind.TruePositive][b]++;
      if (inBrain) histogram[Kind.TruePositiveInBrain][b]++;
    } else if (p) histogram[Kind.FalsePositive][b]++;
    else if (t) histogram[Kind.FalseNegative][b]++;
    else if (inBrain) histogram[Kind.TrueNegativeInBrain][b]++;
  }

  // at ascending threshold k, voxels with bin > k are filtered out: keep the cumulative counts
  const kept = histogram.map((h) => {
    const c = new Float64Array(bins);
    let sum = 0;
    for (let b = 0; b < bins; b++) c[b] = sum += h[b];
    return c;
  });
  const total = (kind: number) => kept[kind][bins - 1];
  const diceAsc: number[] = [];
  const ftpAsc: number[] = [];
  const ftnAsc: number[] = [];
  for (let k = 0; k < ascending.length; k++) {
    const tp = kept[Kind.TruePositive][k];
    const denominator = 2 * tp + kept[Kind.FalsePositive][k] + kept[Kind.FalseNegative][k];
    diceAsc.push(denominator === 0 ? 1 : (2 * tp) / denominator);
    const tpBrain = total(Kind.TruePositiveInBrain);
    ftpAsc.push((tpBrain - kept[Kind.TruePositiveInBrain][k]) / (tpBrain + QU_BRATS_EPSILON));
    const tnBrain = total(Kind.TrueNegativeInBrain);
    ftnAsc.push((tnBrain - kept[Kind.TrueNegativeInBrain][k]) / (tnBrain + QU_BRATS_EPSILON));
  }
  return {
    thresholds: descending,
    dice: diceAsc.reverse(),
    ftp: ftpAsc.reverse(),
    ftn: ftnAsc.reverse(),
  };
}

/**
 * The QU-BraTS areas under the curves of {@link uncertaintyCurves}, each divided by 100, and the
 * combined score `(aucDice + (1 − aucFtp) + (1 − aucFtn)) / 3`.
 *
 * @example
 * // a perfect prediction with every voxel certain (uncertainty 0): nothing is ever filtered,
 * // Dice stays 1, FTP and FTN stay 0: aucDice 1, aucFtp 0, aucFtn 0, score 1
 * scoreUncertainty({ pred: m, truth: m, uncertainty: new Uint8Array(m.length) });
 */
export function scoreUncertainty(options: UncertaintyScoringOptions): UncertaintyScore {
  const curves = uncertaintyCurves(options);
  const aucDice = areaUnderCurve(curves.thresholds, curves.dice) / 100;
  const aucFtp = areaUnderCurve(curves.thresholds, curves.ftp) / 100;
  const aucFtn = areaUnderCurve(curves.thresholds, curves.ftn) / 100;
  return { aucDice, aucFtp, aucFtn, score: (aucDice + (1 - aucFtp) + (1 - aucFtn)) / 3 };
}
