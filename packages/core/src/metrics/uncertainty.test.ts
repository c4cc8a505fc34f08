import { describe, expect, it } from 'vitest';
import {
  QU_BRATS_EPSILON,
  areaUnderCurve,
  scoreUncertainty,
  uncertaintyCurves,
  uncertaintyThresholds,
} from './uncertainty.js';

describe('QU-BraTS uncertainty scoring', () => {
  it('uses 41 thresholds from 100 down to 0 by default', () => {
    const t = uncertaintyThresholds();
    expect(t).toHaveLength(41);
    expect(t[0]).toBe(100);
    expect(t[1]).toBe(97.5);
    expect(t[40]).toBe(0);
    expect(uncertaintyThresholds(4)).toEqual([100, 75, 50, 25, 0]);
    expect(() => uncertaintyThresholds(0)).toThrow(/steps must be a positive integer; got 0/);
  });

  it('takes trapezoid areas for decreasing x as positive', () => {
    // x = 100, 50, 0; y = 1, 1, 0: 50 · 1 + 50 · 0.5
    expect(areaUnderCurve([100, 50, 0], [1, 1, 0])).toBe(75);
    expect(areaUnderCurve([0, 50, 100], [0, 1, 1])).toBe(75);
  });

  // A hand-worked case, 4 steps (thresholds 100, 75, 50, 25, 0):
  //   voxel:  0    1    2    3    4    5    6    7
  //   truth:  1    1    1    0    0    0    0    0
  //   pred:   1    1    0    1    0    0    0    0
  //   unc:   10   60   80   90    0   30    0  100
  //   brain:  1    1    1    1    1    1    1    0
  //   kind:  TP   TP   FN   FP   TN   TN   TN   TN outside the brain
  // A voxel is filtered out when its uncertainty is > the threshold.
  //   th 100: nothing out.          TP 2, FP 1, FN 1: Dice 4/6. FTP 0/2. FTN 0/3.
  //   th  75: out 2, 3, 7.          TP 2:             Dice 1.   FTP 0.   FTN 0 (7 is outside).
  //   th  50: out 1, 2, 3, 7.       TP 1:             Dice 1.   FTP 1/2. FTN 0.
  //   th  25: out 1, 2, 3, 5, 7.    TP 1:             Dice 1.   FTP 1/2. FTN 1/3.
  //   th   0: out 0, 1, 2, 3, 5, 7. nothing left:     Dice 1.   FTP 2/2. FTN 1/3.
  // Areas (width 25, / 100):
  //   Dice: 25 · ((2/3 + 1)/2 + 1 + 1 + 1) / 100 = 23/24
  //   FTP:  25 · (0 + 1/4 + 1/2 + 3/4) / 100 = 0.375
  //   FTN:  25 · (0 + 0 + 1/6 + 1/3) / 100 = 0.125
  //   score: (23/24 + 0.625 + 0.875) / 3 = 59/72
  const truth = new Uint8Array([1, 1, 1, 0, 0, 0, 0, 0]);
  const pred = new Uint8Array([1, 1, 0, 1, 0, 0, 0, 0]);
  const uncertainty = new Uint8Array([10, 60, 80, 90, 0, 30, 0, 100]);
  const brainMask = new Uint8Array([1, 1, 1, 1, 1, 1, 1, 0]);

  it('gives the hand-worked curves', () => {
    const c = uncertaintyCurves({ pred, truth, uncertainty, brainMask, steps: 4 });
    expect(c.thresholds).toEqual([100, 75, 50, 25, 0]);
    const expected = {
      dice: [4 / 6, 1, 1, 1, 1],
      ftp: [0, 0, 1 / 2, 1 / 2, 1],
      ftn: [0, 0, 0, 1 / 3, 1 / 3],
    };
    for (const key of ['dice', 'ftp', 'ftn'] as const) {
      c[key].forEach((value, i) => expect(value).toBeCloseTo(expected[key][i], 6));
    }
    // the reference's eps in the ratio's denominator: 1 / (2 + eps), not exactly 1/2
    expect(c.ftp[2]).toBe(1 / (2 + QU_BRATS_EPSILON));
  });

  it('gives the hand-worked areas and the combined score', () => {
    const s = scoreUncertainty({ pred, truth, uncertainty, brainMask, steps: 4 });
    expect(s.aucDice).toBeCloseTo(23 / 24, 12);
    expect(s.aucFtp).toBeCloseTo(0.375, 6);
    expect(s.aucFtn).toBeCloseTo(0.125, 6);
    expect(s.score).toBeCloseTo(59 / 72, 6);
  });

  it('keeps a voxel whose uncertainty equals the threshold (strictly greater is filtered)', () => {
    // one TP at uncertainty 50, 4 steps: filtered only at 25 and 0, so FTP = [0, 0, 0, 1, 1];
    // area 25 · (0 + 0 + 1/2 + 1) / 100 = 0.375 (filtering at >= would give 0.625)
    const s = scoreUncertainty({ pred: [1], truth: [1], uncertainty: [50], steps: 4 });
    expect(s.aucFtp).toBeCloseTo(0.375, 6);
    // one TP at 2.5 with the default 40 steps: filtered only at threshold 0; FTP area is one
    // half-trapezoid 2.5 · 1/2 / 100 = 0.0125. Dice: at 0 nothing is left (both empty) = 1.
    const t = scoreUncertainty({ pred: [1], truth: [1], uncertainty: new Float32Array([2.5]) });
    expect(t.aucFtp).toBeCloseTo(0.0125, 6);
    expect(t.aucDice).toBe(1);
    // no true negative at all: FTN stays 0 / eps = 0
    expect(t.aucFtn).toBe(0);
    expect(t.score).toBeCloseTo((1 + (1 - 0.0125) + 1) / 3, 6);
  });

  it('scores a perfect prediction with zero uncertainty 1', () => {
    const m = new Uint8Array([1, 0, 1, 0]);
    expect(scoreUncertainty({ pred: m, truth: m, uncertainty: new Uint8Array(4) })).toEqual({
      aucDice: 1,
      aucFtp: 0,
      aucFtn: 0,
      score: 1,
    });
  });

  it('refuses uncertainties outside [0, 100] and arrays of other lengths', () => {
    expect(() => scoreUncertainty({ pred: [1, 0], truth: [1, 0], uncertainty: [0, 255] })).toThrow(
      /uncertainty holds 255 at voxel index 1; expected \[0, 100\]/,
    );
    expect(() => scoreUncertainty({ pred: [1], truth: [1], uncertainty: [Number.NaN] })).toThrow(RangeError);
    expect(() => scoreUncertainty({ pred: [1, 0], truth: [1], uncertainty: [0, 0] })).toThrow(
      /truth holds 1 voxels but pred holds 2/,
    );
  });
});
