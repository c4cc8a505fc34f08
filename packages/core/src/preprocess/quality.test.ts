import { describe, expect, it } from 'vitest';
import { identityAffine, type Volume } from '../volume.js';
import { checkInputQuality } from './quality.js';

// a 20³ grid; the "brain" is the box [5, 15)³ (1000 voxels, 12.5% of the field of view)
const n = 20;
function volume(inside: (i: number, j: number, k: number) => boolean, value = 100): Volume {
  const data = new Int16Array(n * n * n);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) if (inside(i, j, k)) data[i + n * (j + n * k)] = value;
  return { data, shape: [n, n, n], spacing: [1, 1, 1], affine: identityAffine() };
}
const inBox = (x: number) => x >= 5 && x < 15;
const brain = (shift = 0) => volume((i, j, k) => inBox(i - shift) && inBox(j) && inBox(k));

describe('checkInputQuality', () => {
  it('passes skull-stripped, co-registered inputs, and measures them', () => {
    const { warnings, measures } = checkInputQuality({ flair: brain(), t1: brain(), t2: brain() });
    expect(warnings).toEqual([]);
    expect(measures.nonzeroFraction.flair).toBe(0.125);
    expect(measures.borderFraction.t1).toBe(0);
    expect(measures.maskOverlap['flair/t2']).toBe(1);
  });

  it('passes a sequence that covers fewer slices inside the others', () => {
    const partial = volume((i, j, k) => inBox(i) && inBox(j) && k >= 8 && k < 12);
    expect(checkInputQuality({ flair: partial, t1: brain() }).warnings).toEqual([]);
  });

  it('warns when one sequence is shifted: 7 of 10 slices overlap', () => {
    const { warnings, measures } = checkInputQuality(
      { flair: brain(), t1: brain(3), t2: brain() },
      { names: { t1: 'case/t1.nii.gz' } },
    );
    expect(measures.maskOverlap['flair/t1']).toBe(0.7);
    expect(warnings).toEqual([
      'flair and t1 (case/t1.nii.gz) do not look co-registered: only 70.0% of the smaller non-zero region ' +
        'lies inside the other (expected at least 90.0%)',
      't1 (case/t1.nii.gz) and t2 do not look co-registered: only 70.0% of the smaller non-zero region ' +
        'lies inside the other (expected at least 90.0%)',
    ]);
  });

  it('warns when a background is filled, or the edges are non-zero', () => {
    const filled = volume((i, j, k) => inBox(i) && inBox(j) && inBox(k), 100);
    filled.data = filled.data.map((x) => (x === 0 ? 3 : x));
    const { warnings } = checkInputQuality({ flair: filled });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^flair does not look skull-stripped: 100.0% of the field of view is non-zero/,
    );

    // a hollow shell on the six faces: 27.1% non-zero (under the threshold) but every edge voxel
    const shell = volume((i, j, k) => [i, j, k].some((x) => x === 0 || x === n - 1));
    const found = checkInputQuality({ t2: shell });
    expect(found.measures.nonzeroFraction.t2).toBeCloseTo((8000 - 18 ** 3) / 8000, 12);
    expect(found.measures.borderFraction.t2).toBe(1);
    expect(found.warnings[0]).toMatch(/t2 does not look skull-stripped: 27.1% .* and 100.0% of its edges/);
  });

  it('throws an InputQualityError listing the findings when strict', () => {
    expect(() => checkInputQuality({ flair: brain(), t1: brain(3) }, { strict: true })).toThrow(
      expect.objectContaining({
        code: 'INPUT_QUALITY',
        message: expect.stringMatching(/flair and t1 do not look co-registered/),
      }),
    );
    expect(() =>
      checkInputQuality({ flair: brain(), t1: brain(3) }, { minMaskOverlap: 0.6, strict: true }),
    ).not.toThrow();
  });

  it('refuses thresholds outside [0, 1]', () => {
    expect(() => checkInputQuality({ flair: brain() }, { maxBorderFraction: 2 })).toThrow(
      /maxBorderFraction must be a fraction in \[0, 1\]; got 2/,
    );
  });
});
