import { describe, expect, it } from 'vitest';
import { normaliseInMask } from './normalise.js';

describe('normaliseInMask', () => {
  // inside the mask: 2, 4, 6 → mean 4, population std √(8/3) = 1.632993
  const data = Float32Array.of(0, 2, 4, 6);
  const mask = Uint8Array.of(0, 1, 1, 1);

  it("'zscore' is (x - mean) / std inside the mask and 0 outside", () => {
    const { values, stats } = normaliseInMask(data, mask, 'zscore');
    expect(stats.mean).toBe(4);
    expect(stats.std).toBeCloseTo(1.632993, 6);
    expect(Array.from(values).map((x) => +x.toFixed(5))).toEqual([0, -1.22474, 0, 1.22474]);
  });

  it("'hadnet' rescales z from [min z, 3] to [0, 1], min z over the whole array", () => {
    // z: -2.449490 (the background 0), -1.224745, 0, 1.224745; range 3 + 2.449490 = 5.449490
    const { values, stats } = normaliseInMask(data, mask, 'hadnet');
    expect(stats.minZ).toBeCloseTo(-2.44949, 5);
    expect(Array.from(values).map((x) => +x.toFixed(5))).toEqual([0, 0.22474, 0.44949, 0.67423]);
  });

  it("'hadnet' clips z above +3 to 1", () => {
    // nine voxels of 0 and one of 10 inside the mask: mean 1, std 3, z of 10 = 3 exactly; 13 → 4
    const spiky = Float32Array.from([...new Array<number>(9).fill(0), 10]);
    const { values } = normaliseInMask(spiky, new Uint8Array(10).fill(1), 'hadnet');
    // min z = -1/3; 0 → 0, 10 → (3 + 1/3) / (3 + 1/3) = 1
    expect(values[0]).toBe(0);
    expect(values[9]).toBeCloseTo(1, 6);
    // 99 zeros and one 100: mean 1, std √99, z of 100 = √99 ≈ 9.95, clipped to 3 → 1
    const over = Float32Array.from({ length: 100 }, (_, v) => (v === 99 ? 100 : 0));
    const clipped = normaliseInMask(
      over,
      Uint8Array.from(over, () => 1),
      'hadnet',
    );
    expect(clipped.stats.std).toBeCloseTo(Math.sqrt(99), 9);
    expect(clipped.values[99]).toBe(1);
  });

  it('divides by 1 when the sequence is constant inside the mask, and refuses an empty mask', () => {
    expect(Array.from(normaliseInMask(Float32Array.of(5, 5), Uint8Array.of(1, 1), 'zscore').values)).toEqual([
      0, 0,
    ]);
    expect(() => normaliseInMask(Float32Array.of(5), Uint8Array.of(0), 'zscore')).toThrow(/mask is empty/);
  });
});
