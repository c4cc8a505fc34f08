import { describe, expect, it } from 'vitest';
import { percentile, percentileOfSorted } from './percentile.js';

describe('percentile (linear interpolation, numpy default)', () => {
  it('interpolates between the order statistics around rank (n - 1) · q / 100', () => {
    // n = 5: rank 3.8, 4 + 0.8 · (5 - 4)
    expect(percentileOfSorted([1, 2, 3, 4, 5], 95)).toBeCloseTo(4.8, 12);
    // sorted [1, 1, 2, 3, 4, 5, 6, 9]: rank 6.65, 6 + 0.65 · (9 - 6) = 7.95
    expect(percentile([3, 1, 4, 1, 5, 9, 2, 6], 95)).toBeCloseTo(7.95, 12);
    // n = 2: rank 0.95, 0 + 0.95 · 10
    expect(percentile([10, 0], 95)).toBeCloseTo(9.5, 12);
    expect(percentile([10, 0], 50)).toBe(5);
  });

  it('gives the extremes at 0 and 100 and the value itself for one value', () => {
    expect(percentile([7, 3, 9], 0)).toBe(3);
    expect(percentile([7, 3, 9], 100)).toBe(9);
    expect(percentile([42], 95)).toBe(42);
  });

  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses an empty set and q outside [0, 100]', () => {
    expect(() => percentile([], 95)).toThrow(/holds no value/);
    expect(() => percentile([1], 101)).toThrow(/q must be in \[0, 100\]; got 101/);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});
