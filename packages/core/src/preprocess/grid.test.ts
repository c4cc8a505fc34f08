import { describe, expect, it } from 'vitest';
import { identityAffine, type Affine, type Volume } from '../volume.js';
import { checkSameGrid } from './grid.js';

function volume(shape: [number, number, number], affine: Affine = identityAffine()): Volume {
  return { data: new Uint8Array(shape[0] * shape[1] * shape[2]), shape, spacing: [1, 1, 1], affine };
}

describe('checkSameGrid', () => {
  it('accepts equal grids, -0 against 0, and differences within the tolerance', () => {
    const a = identityAffine();
    const b = identityAffine();
    b[0][1] = -0;
    b[1][3] = 0.0009;
    expect(() => checkSameGrid({ flair: volume([2, 3, 4], a), t1: volume([2, 3, 4], b) })).not.toThrow();
  });

  it('names both sequences, their files and the shapes when shapes differ', () => {
    const call = () =>
      checkSameGrid(
        { flair: volume([2, 3, 4]), t2: volume([2, 3, 5]) },
        { names: { flair: 'case/flair.nii.gz', t2: 'case/t2.nii.gz' } },
      );
    expect(call).toThrow(
      /flair \(case\/flair.nii.gz\) and t2 \(case\/t2.nii.gz\) are on different grids: shape 2x3x4 vs 2x3x5/,
    );
    expect(call).toThrow(expect.objectContaining({ code: 'MODALITY_MISMATCH' }));
  });

  it('names the affine entry and both values when an affine differs beyond the tolerance', () => {
    const moved = identityAffine();
    moved[1][3] = 239.5;
    expect(() => checkSameGrid({ flair: volume([2, 2, 2]), t1: volume([2, 2, 2], moved) })).toThrow(
      /flair and t1 are on different grids: affine\[1\]\[3\] 0 vs 239.5 \(tolerance 0.001 mm\)/,
    );
    expect(() =>
      checkSameGrid({ flair: volume([2, 2, 2]), t1: volume([2, 2, 2], moved) }, { tolerance: 240 }),
    ).not.toThrow();
  });
});
