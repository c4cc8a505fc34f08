import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../volume.js';
import { resampledShape, resampleGrid } from './resample.js';
import { shiftGrid } from './shift.js';

describe('resampleGrid', () => {
  it('interpolates linearly with voxel centres spread over the same extent', () => {
    // 4 voxels 0..3 to 8: source positions 0.5x - 0.25, clamped to [0, 3]
    const out = resampleGrid(Float32Array.of(0, 1, 2, 3), [4, 1, 1], [8, 1, 1]);
    expect(Array.from(out)).toEqual([0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]);
    // 8 to 4 averages pairs: positions 2x + 0.5
    const down = resampleGrid(Float32Array.of(0, 2, 4, 6, 8, 10, 12, 14), [8, 1, 1], [4, 1, 1]);
    expect(Array.from(down)).toEqual([1, 5, 9, 13]);
  });

  it('picks the nearest voxel, keeps the array type, and undoes an integer upsampling exactly', () => {
    const labels = Uint8Array.from({ length: 3 * 2 * 2 }, (_, v) => (v * 7) % 5);
    const up = resampleGrid(labels, [3, 2, 2], [6, 4, 6], { interpolation: 'nearest' });
    expect(up).toBeInstanceOf(Uint8Array);
    // along i: 0 0 1 1 2 2
    expect(Array.from(up.subarray(0, 6))).toEqual([
      labels[0],
      labels[0],
      labels[1],
      labels[1],
      labels[2],
      labels[2],
    ]);
    const back = resampleGrid(up, [6, 4, 6], [3, 2, 2], { interpolation: 'nearest' });
    expect(Array.from(back)).toEqual(Array.from(labels));
  });

  it('works channel by channel and gives the same values back for the same shape', () => {
    const two = Float32Array.of(1, 3, 10, 30);
    expect(Array.from(resampleGrid(two, [2, 1, 1], [4, 1, 1], { channels: 2 }))).toEqual([
      1, 1.5, 2.5, 3, 10, 15, 25, 30,
    ]);
    expect(Array.from(resampleGrid(two, [2, 1, 1], [2, 1, 1], { channels: 2 }))).toEqual([1, 3, 10, 30]);
  });

  it('plans the shape from spacings', () => {
    expect(resampledShape([240, 240, 155], [1, 1, 1], [2, 2, 2])).toEqual([120, 120, 78]);
    expect(resampledShape([3, 3, 3], [1, 1, 1], [10, 10, 10])).toEqual([1, 1, 1]);
  });
});

describe('shiftGrid', () => {
  it('crops, pads with a fill per channel, and round-trips', () => {
    const shape: Vec3 = [3, 2, 1];
    const data = Int16Array.of(1, 2, 3, 4, 5, 6);
    expect(Array.from(shiftGrid(data, shape, [2, 1, 1], [-1, -1, 0]))).toEqual([5, 6]);
    const padded = shiftGrid(data, shape, [5, 2, 1], [1, 0, 0], { fill: 9 });
    expect(padded).toBeInstanceOf(Int16Array);
    expect(Array.from(padded)).toEqual([9, 1, 2, 3, 9, 9, 4, 5, 6, 9]);
    expect(Array.from(shiftGrid(padded, [5, 2, 1], shape, [-1, 0, 0]))).toEqual(Array.from(data));
    const twoChannels = shiftGrid(Float32Array.of(1, 2), [1, 1, 1], [2, 1, 1], [1, 0, 0], {
      channels: 2,
      fill: [7, 8],
    });
    expect(Array.from(twoChannels)).toEqual([7, 1, 8, 2]);
  });
});
