import { describe, expect, it } from 'vitest';
import { identityAffine, type Volume } from '../volume.js';
import { checkVoxelValues } from './values.js';

const volume = (data: Volume['data']): Volume => ({
  data,
  shape: [data.length, 1, 1],
  spacing: [1, 1, 1],
  affine: identityAffine(),
});

describe('checkVoxelValues', () => {
  it('passes finite, non-empty volumes through untouched', () => {
    const flair = volume(Int16Array.of(0, 3, 5));
    const t1 = volume(Float32Array.of(1, 0, 2));
    const checked = checkVoxelValues({ flair, t1 });
    expect(checked.volumes.flair).toBe(flair);
    expect(checked.volumes.t1).toBe(t1);
    expect(checked.replacedNonFinite).toEqual({});
    expect(checked.warnings).toEqual([]);
  });

  it('refuses NaN and infinite voxels by default, naming the caller, the sequence, its file and the count', () => {
    const t2 = volume(Float32Array.of(1, NaN, Infinity, 4));
    expect(() => checkVoxelValues({ t2 }, { caller: 'segment', names: { t2: 'case/t2.nii.gz' } })).toThrow(
      expect.objectContaining({
        code: 'INVALID_VOLUME',
        message:
          "segment: t2 (case/t2.nii.gz) holds 2 NaN or infinite voxels of 4; repair the file, or set them to 0 (segment()'s nonFinite: 'zero', hadnet segment's --zero-non-finite)",
      }),
    );
  });

  it("sets them to 0 with nonFinite: 'zero', on a copy, with one warning per sequence", () => {
    const data = Float64Array.of(-Infinity, 2, NaN);
    const checked = checkVoxelValues({ t1: volume(data) }, { nonFinite: 'zero', names: { t1: 't1.nii' } });
    expect(Array.from(checked.volumes.t1!.data)).toEqual([0, 2, 0]);
    expect(Number.isNaN(data[2])).toBe(true);
    expect(checked.replacedNonFinite).toEqual({ t1: 2 });
    expect(checked.warnings).toEqual(['t1 (t1.nii): 2 NaN or infinite voxels set to 0']);
  });

  it('refuses a sequence that is zero everywhere, also when only NaN made it non-zero', () => {
    const flair = volume(Int16Array.of(1, 2));
    expect(() => checkVoxelValues({ flair, t1: volume(new Uint8Array(2)) })).toThrow(
      expect.objectContaining({
        code: 'INPUT_QUALITY',
        message: expect.stringMatching(/^preprocess: t1 is 0 in all 2 voxels: it holds no image/),
      }),
    );
    expect(() =>
      checkVoxelValues({ flair, t2: volume(Float32Array.of(NaN, 0)) }, { nonFinite: 'zero' }),
    ).toThrow(/^preprocess: t2 is 0 in all 2 voxels once its 1 NaN or infinite voxels were set to 0/);
  });
});
