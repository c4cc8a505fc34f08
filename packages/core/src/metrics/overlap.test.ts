import { describe, expect, it } from 'vitest';
import {
  confusionCounts,
  dice,
  diceFromCounts,
  sensitivityFromCounts,
  specificityFromCounts,
} from './overlap.js';

describe('overlap metrics', () => {
  it('gives Dice 2|P∩T| / (|P| + |T|)', () => {
    // P = {0, 1}, T = {0, 2}: 2·1 / (2 + 2) = 0.5
    expect(dice(new Uint8Array([1, 1, 0, 0]), new Uint8Array([1, 0, 1, 0]))).toBe(0.5);
    // P = {0, 1, 2}, T = {1}: 2·1 / (3 + 1) = 0.5; P = {0}, T = {0}: 1
    expect(dice([1, 1, 1, 0], [0, 1, 0, 0])).toBe(0.5);
    expect(dice([1, 0], [1, 0])).toBe(1);
  });

  it('scores two empty masks 1 and one empty mask 0', () => {
    expect(dice(new Uint8Array(5), new Uint8Array(5))).toBe(1);
    expect(dice([0, 0, 1], [0, 0, 0])).toBe(0);
  });

  it('counts true negatives and false positives for specificity inside the brain mask only', () => {
    // voxel:  0   1   2   3   4   5
    // pred:   1   1   0   0   1   0
    // truth:  1   0   1   0   0   0
    // brain:  1   1   1   1   0   0
    // TP {0}; FP {1, 4}, of which {1} in the brain; FN {2}; TN {3, 5}, of which {3} in the brain
    const c = confusionCounts([1, 1, 0, 0, 1, 0], [1, 0, 1, 0, 0, 0], [1, 1, 1, 1, 0, 0]);
    expect(c).toEqual({
      truePositives: 1,
      falsePositives: 2,
      falseNegatives: 1,
      trueNegativesInBrain: 1,
      falsePositivesInBrain: 1,
    });
    // sensitivity 1 / (1 + 1); specificity 1 / (1 + 1); Dice 2 / (2 + 2 + 1)
    expect(sensitivityFromCounts(c)).toBe(0.5);
    expect(specificityFromCounts(c)).toBe(0.5);
    expect(diceFromCounts(c)).toBeCloseTo(0.4, 15);
    // without a brain mask the whole grid counts: TN {3, 5}, FP {1, 4}: 2 / 4
    expect(specificityFromCounts(confusionCounts([1, 1, 0, 0, 1, 0], [1, 0, 1, 0, 0, 0]))).toBe(0.5);
  });

  it('gives sensitivity 1 for an empty truth and specificity 1 when the brain holds no negative', () => {
    const c = confusionCounts([0, 1], [0, 0], [0, 0]);
    expect(sensitivityFromCounts(c)).toBe(1);
    expect(specificityFromCounts(c)).toBe(1);
  });

  it('refuses masks of different lengths, naming both', () => {
    expect(() => confusionCounts([1, 0], [1, 0, 0])).toThrow(/truth holds 3 voxels but pred holds 2/);
    expect(() => confusionCounts([1, 0], [1, 0], [1])).toThrow(RangeError);
  });
});
