import { describe, expect, it } from 'vitest';
import { identityAffine, type Volume } from '../volume.js';
import { fillOutsideBrain, restrictToBrainMask } from './brain-mask.js';

describe('restrictToBrainMask', () => {
  // voxels:         0  1  2  3  4  5  6
  const classes = [0, 1, 2, 3, 3, 0, 2];
  const mask = Uint8Array.of(1, 1, 0, 0, 1, 0, 1);

  it('sets tumour outside the mask to background and counts it', () => {
    const data = Uint8Array.from(classes);
    const record = restrictToBrainMask(data, mask, true);
    // outside the mask: voxels 2 (ED), 3 (ET) and 5 (background): two tumour voxels
    expect(record).toEqual({
      applied: true,
      rule: 'all-sequences-nonzero',
      brainVoxels: 4,
      tumourVoxelsOutside: 2,
    });
    expect(Array.from(data)).toEqual([0, 1, 0, 0, 3, 0, 2]);
  });

  it('only counts when not asked to apply', () => {
    const data = Uint8Array.from(classes);
    expect(restrictToBrainMask(data, mask, false).tumourVoxelsOutside).toBe(2);
    expect(Array.from(data)).toEqual(classes);
  });

  it('refuses a mask of another size', () => {
    expect(() => restrictToBrainMask(new Uint8Array(3), new Uint8Array(2), true)).toThrow(
      new RangeError('restrictToBrainMask: the mask holds 2 voxels; the class map 3'),
    );
  });
});

describe('fillOutsideBrain', () => {
  const map = (values: number[]): Volume => ({
    data: Float32Array.from(values),
    shape: [values.length, 1, 1],
    spacing: [1, 1, 1],
    affine: identityAffine(),
  });

  it('sets each map to its own value outside the mask', () => {
    const maps = [map([0.2, 0.2, 0.2]), map([0.8, 0.8, 0.8])];
    fillOutsideBrain(maps, Uint8Array.of(0, 1, 0), [1, 0]);
    expect(Array.from(maps[0].data)).toEqual([1, Math.fround(0.2), 1]);
    expect(Array.from(maps[1].data)).toEqual([0, Math.fround(0.8), 0]);
  });

  it('refuses maps or values that do not fit', () => {
    expect(() => fillOutsideBrain([map([1, 2])], new Uint8Array(3), [0])).toThrow(
      /map 0 holds 2 voxels; the mask 3/,
    );
    expect(() => fillOutsideBrain([map([1])], new Uint8Array(1), [])).toThrow(/1 maps but 0 values/);
  });
});
