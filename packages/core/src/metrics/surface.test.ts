import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../volume.js';
import { boundingBox, cropMask, surfaceVoxels } from './surface.js';

const count = (a: Uint8Array) => a.reduce((s, x) => s + x, 0);

function cube(shape: Vec3, from: Vec3, to: Vec3): Uint8Array {
  const [nx, ny] = shape;
  const m = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let k = from[2]; k <= to[2]; k++)
    for (let j = from[1]; j <= to[1]; j++)
      for (let i = from[0]; i <= to[0]; i++) m[i + nx * (j + ny * k)] = 1;
  return m;
}

describe('surfaceVoxels (mask minus its 6-connected erosion)', () => {
  it('keeps all but the centre of a 3 x 3 x 3 cube inside a larger grid', () => {
    const s = surfaceVoxels(cube([5, 5, 5], [1, 1, 1], [3, 3, 3]), [5, 5, 5]);
    expect(count(s)).toBe(26);
    expect(s[2 + 5 * (2 + 5 * 2)]).toBe(0);
  });

  it('treats voxels past the grid edge as outside', () => {
    // the whole 3 x 3 x 3 grid is the mask: only its centre has six neighbours inside
    expect(count(surfaceVoxels(new Uint8Array(27).fill(1), [3, 3, 3]))).toBe(26);
    // a 5 x 5 x 1 slab: every voxel lacks its k neighbours, so all 25 are surface
    expect(count(surfaceVoxels(new Uint8Array(25).fill(1), [5, 5, 1]))).toBe(25);
  });

  it('counts edge-only contact as outside: a 4 x 4 x 4 cube has 64 - 8 surface voxels', () => {
    // interior = the 2 x 2 x 2 core, whose six face neighbours all lie in the cube
    expect(count(surfaceVoxels(cube([6, 6, 6], [1, 1, 1], [4, 4, 4]), [6, 6, 6]))).toBe(56);
  });

  it('is unchanged by cropping to a box that holds the mask', () => {
    const shape: Vec3 = [8, 7, 6];
    const mask = cube(shape, [2, 1, 1], [5, 4, 3]);
    mask[7 + 8 * (6 + 7 * 5)] = 1;
    const box = boundingBox(mask, shape)!;
    expect(box).toEqual({ min: [2, 1, 1], max: [7, 6, 5] });
    const cropped = surfaceVoxels(cropMask(mask, shape, box), [6, 6, 5]);
    expect(count(cropped)).toBe(count(surfaceVoxels(mask, shape)));
    expect(boundingBox(new Uint8Array(8), [2, 2, 2])).toBeUndefined();
  });
});
