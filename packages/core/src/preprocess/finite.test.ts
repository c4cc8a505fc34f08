import { describe, expect, it } from 'vitest';
import { identityAffine, type Volume } from '../volume.js';
import { countNonFinite, handleNonFinite } from './finite.js';

const volume = (data: Volume['data']): Volume => ({
  data,
  shape: [data.length, 1, 1],
  spacing: [1, 1, 1],
  affine: identityAffine(),
});

describe('non-finite voxels', () => {
  it('counts NaN and both infinities, and nothing in integer arrays', () => {
    expect(countNonFinite(Float32Array.of(1, NaN, Infinity, -Infinity, 0))).toBe(3);
    expect(countNonFinite(Int16Array.of(1, 2))).toBe(0);
  });

  it('refuses them by default, naming the sequence and the count', () => {
    expect(() => handleNonFinite(volume(Float64Array.of(NaN, 1, NaN)), { name: 't1 (t1.nii)' })).toThrow(
      /t1 \(t1.nii\) holds 2 NaN or infinite voxels of 3/,
    );
  });

  it("sets them to 0 with mode 'zero', on a copy", () => {
    const data = Float32Array.of(NaN, 5, -Infinity);
    const { volume: repaired, replaced } = handleNonFinite(volume(data), { name: 't2', mode: 'zero' });
    expect(replaced).toBe(2);
    expect(Array.from(repaired.data)).toEqual([0, 5, 0]);
    expect(Number.isNaN(data[0])).toBe(true);
  });
});
