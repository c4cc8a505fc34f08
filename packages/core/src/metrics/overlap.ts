/**
 * Overlap metrics of two binary masks: Dice, sensitivity, specificity, as CONTRACTS.md "Metrics"
 * defines them. Masks are arrays in which any non-zero value means "inside".
 */

/** Voxel counts of a prediction against a truth. */
export interface ConfusionCounts {
  /** Inside both masks, over the whole grid. */
  truePositives: number;
  /** Inside the prediction only, over the whole grid. */
  falsePositives: number;
  /** Inside the truth only, over the whole grid. */
  falseNegatives: number;
  /** Outside both masks and inside the brain mask (the whole grid when none is given). */
  trueNegativesInBrain: number;
  /** Inside the prediction only and inside the brain mask (the whole grid when none is given). */
  falsePositivesInBrain: number;
}

function checkLengths(caller: string, arrays: Record<string, ArrayLike<number> | undefined>): void {
  const entries = Object.entries(arrays).filter((e): e is [string, ArrayLike<number>] => e[1] !== undefined);
  const [firstName, first] = entries[0];
  for (const [name, a] of entries.slice(1)) {
    if (a.length !== first.length) {
      throw new RangeError(
        `${caller}: ${name} holds ${a.length} voxels but ${firstName} holds ${first.length}; they must share one grid`,
      );
    }
  }
}

/**
 * Counts true and false positives and negatives.
 *
 * @param pred - predicted mask (non-zero = inside)
 * @param truth - reference mask, same length
 * @param brainMask - where true negatives and false positives are counted for specificity;
 *   the whole grid when omitted
 */
export function confusionCounts(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  brainMask?: ArrayLike<number>,
): ConfusionCounts {
  checkLengths('confusionCounts', { pred, truth, brainMask });
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tnIn = 0;
  let fpIn = 0;
  for (let v = 0; v < pred.length; v++) {
    const p = pred[v] !== 0;
    const t = truth[v] !== 0;
    const inBrain = brainMask === undefined || brainMask[v] !== 0;
    if (p && t) tp++;
    else if (p) {
      fp++;
      if (inBrain) fpIn++;
    } else if (t) fn++;
    else if (inBrain) tnIn++;
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegativesInBrain: tnIn,
    falsePositivesInBrain: fpIn,
  };
}

/**
 * Dice from counts: 2|P∩T| / (|P| + |T|), and 1 when both masks are empty (the BraTS rule; the
 * reference's training code adds 1 to numerator and denominator instead, hadnet does not).
 */
export function diceFromCounts(c: ConfusionCounts): number {
  const denominator = 2 * c.truePositives + c.falsePositives + c.falseNegatives;
  return denominator === 0 ? 1 : (2 * c.truePositives) / denominator;
}

/**
 * Sensitivity TP / (TP + FN) over the whole grid. An empty truth leaves nothing to find and
 * nothing missed: 1, as Dice's both-empty rule.
 */
export function sensitivityFromCounts(c: ConfusionCounts): number {
  const denominator = c.truePositives + c.falseNegatives;
  return denominator === 0 ? 1 : c.truePositives / denominator;
}

/**
 * Specificity TN / (TN + FP) inside the brain mask. 1 when the brain mask holds no voxel outside
 * the truth (no negative to get wrong).
 */
export function specificityFromCounts(c: ConfusionCounts): number {
  const denominator = c.trueNegativesInBrain + c.falsePositivesInBrain;
  return denominator === 0 ? 1 : c.trueNegativesInBrain / denominator;
}

/**
 * Dice of two binary masks, 1 when both are empty.
 *
 * @example
 * dice(new Uint8Array([1, 1, 0, 0]), new Uint8Array([1, 0, 1, 0])); // 2·1 / (2 + 2) = 0.5
 */
export function dice(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  return diceFromCounts(confusionCounts(pred, truth));
}
