import { describe, expect, it } from 'vitest';
import type { Affine, Vec3, Volume } from '../volume.js';
import { evaluateSegmentation } from './evaluate.js';

/** A 5 x 1 x 1 volume of 2 x 1 x 1 mm voxels (voxel volume 2 mm³). */
function line(values: number[], dx = 2): Volume {
  const affine: Affine = [
    [dx, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  return { data: Uint8Array.from(values), shape: [values.length, 1, 1] as Vec3, spacing: [dx, 1, 1], affine };
}

describe('evaluateSegmentation', () => {
  // voxel:  0  1  2  3  4       (2 mm apart along i; on a one-voxel-thick line all are surface)
  // truth:  4  1  2  0  0       ET {0}     TC {0, 1}     WT {0, 1, 2}
  // pred:   4  4  2  2  0       ET {0, 1}  TC {0, 1}     WT {0, 1, 2, 3}
  const truth = line([4, 1, 2, 0, 0]);
  const pred = line([4, 4, 2, 2, 0]);

  it('gives the hand-worked metrics of each region', () => {
    const { regions, uncertainty } = evaluateSegmentation({ pred, truth });
    expect(uncertainty).toBeUndefined();
    // ET: TP 1, FP 1 (voxel 1), FN 0, TN 3: Dice 2/3, sens 1, spec 3/4.
    // HD: pred → truth 0, 2 mm; truth → pred 0; pooled [0, 0, 2]: rank 1.9 → 0.9 · 2 = 1.8.
    // volumes: 2 and 1 voxels of 2 mm³ = 0.004 and 0.002 mL
    expect(regions.ET.dice).toBeCloseTo(2 / 3, 12);
    expect(regions.ET.hd95).toBeCloseTo(1.8, 12);
    expect(regions.ET.sensitivity).toBe(1);
    expect(regions.ET.specificity).toBe(0.75);
    expect(regions.ET.volumeMl.pred).toBeCloseTo(0.004, 15);
    expect(regions.ET.volumeMl.truth).toBeCloseTo(0.002, 15);
    // TC: identical masks
    expect(regions.TC).toEqual({
      dice: 1,
      hd95: 0,
      sensitivity: 1,
      specificity: 1,
      volumeMl: regions.TC.volumeMl,
    });
    expect(regions.TC.volumeMl.pred).toBeCloseTo(0.004, 15);
    // WT: TP 3, FP 1 (voxel 3), TN 1 (voxel 4): Dice 6/7, spec 1/2.
    // HD: pred → truth 0, 0, 0, 2; truth → pred 0, 0, 0; 7 values, rank 5.7 → 0.7 · 2 = 1.4
    expect(regions.WT.dice).toBeCloseTo(6 / 7, 12);
    expect(regions.WT.hd95).toBeCloseTo(1.4, 12);
    expect(regions.WT.specificity).toBe(0.5);
    expect(regions.WT.volumeMl.truth).toBeCloseTo(0.006, 15);
  });

  it('counts specificity inside the brain mask', () => {
    // brain = voxels 0..3: ET TN {2, 3} and FP {1}: 2/3; WT TN none, FP {3}: 0
    const { regions } = evaluateSegmentation({ pred, truth, brainMask: line([1, 1, 1, 1, 0]) });
    expect(regions.ET.specificity).toBeCloseTo(2 / 3, 12);
    expect(regions.WT.specificity).toBe(0);
  });

  it('reads ET as 3 in the brats2023 convention', () => {
    const { regions } = evaluateSegmentation({
      pred: line([3, 3, 2, 2, 0]),
      truth: line([3, 1, 2, 0, 0]),
      labelConvention: 'brats2023',
    });
    expect(regions.ET.dice).toBeCloseTo(2 / 3, 12);
    expect(regions.WT.dice).toBeCloseTo(6 / 7, 12);
  });

  it('scores uncertainty maps per region', () => {
    // every voxel certain (0): nothing is ever filtered, so FTP = FTN = 0 and the Dice curve is
    // flat at the region's Dice: ET score (2/3 + 1 + 1) / 3
    const zero = line([0, 0, 0, 0, 0]);
    const r = evaluateSegmentation({ pred, truth, uncertainty: { ET: zero, TC: zero, WT: zero } });
    expect(r.uncertainty?.ET?.aucDice).toBeCloseTo(2 / 3, 12);
    expect(r.uncertainty?.ET?.score).toBeCloseTo((2 / 3 + 2) / 3, 12);
    expect(r.uncertainty?.TC?.score).toBe(1);
    expect(Object.keys(r.uncertainty ?? {})).toEqual(['ET', 'TC', 'WT']);
  });

  it('refuses labels outside the convention, hinting at the other one', () => {
    expect(() =>
      evaluateSegmentation({ pred: line([3, 0, 0, 0, 0]), truth, names: { pred: 'p.nii.gz' } }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_VOLUME',
        message: expect.stringMatching(
          /pred \(p\.nii\.gz\): .*holds label 3; the 'brats' convention .*'brats2023'/,
        ),
      }),
    );
  });

  it('refuses inputs on different grids, naming both files and the field', () => {
    const names = { pred: 'a.nii.gz', truth: 'b.nii.gz' };
    expect(() => evaluateSegmentation({ pred, truth: line([0, 0, 0, 0]), names })).toThrow(
      expect.objectContaining({
        code: 'MODALITY_MISMATCH',
        message: expect.stringMatching(
          /pred \(a\.nii\.gz\) and truth \(b\.nii\.gz\) .*shape \[5, 1, 1\] vs \[4, 1, 1\]/,
        ),
      }),
    );
    expect(() => evaluateSegmentation({ pred, truth: line([4, 1, 2, 0, 0], 2.5), names })).toThrow(
      /affine\[0\]\[0\] is 2 vs 2\.5/,
    );
  });

  it('refuses uncertainty maps outside [0, 100]', () => {
    expect(() =>
      evaluateSegmentation({
        pred,
        truth,
        uncertainty: { WT: line([0, 0, 101, 0, 0]) },
        names: { uncertainty: { WT: 'unc_whole.nii.gz' } },
      }),
    ).toThrow(/uncertainty\.WT \(unc_whole\.nii\.gz\) holds 101 at voxel index 2/);
  });
});
