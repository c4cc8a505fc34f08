/** The FLAIR-hyperintensity baseline of the default model's test, on arrays worked out by hand. */
import { describe, expect, it } from 'vitest';
import { binaryDice, flairBaselineMask, percentileOf, sortedBrainFlair } from './helpers/flair-baseline.js';

describe('the FLAIR hyperintensity baseline', () => {
  // background 0 is not brain; the brain holds 1..10 in shuffled order
  const flair = [0, 7, 3, 0, 10, 1, 9, 2, 0, 8, 4, 6, 5];

  it('takes the percentile of the brain only, by nearest rank', () => {
    const sorted = sortedBrainFlair(flair);
    expect(Array.from(sorted)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentileOf(sorted, 50)).toBe(5); // index floor(0.5 * 9) = 4
    expect(percentileOf(sorted, 90)).toBe(9); // index floor(0.9 * 9) = 8
    expect(percentileOf(sorted, 100)).toBe(10);
  });

  it('marks the brain voxels strictly above the threshold', () => {
    expect(Array.from(flairBaselineMask(flair, 50))).toEqual([0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0]);
    expect(Array.from(flairBaselineMask(flair, 90))).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('scores with Dice: 2|A∩B| / (|A| + |B|), 1 for two empty masks', () => {
    expect(binaryDice([1, 1, 0, 0], [1, 0, 1, 0])).toBe(0.5);
    expect(binaryDice([0, 4, 2, 0], [0, 1, 1, 0])).toBe(1); // any label above 0 counts
    expect(binaryDice([0, 0], [0, 0])).toBe(1);
  });
});
