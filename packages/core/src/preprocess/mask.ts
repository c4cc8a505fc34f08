/**
 * The brain mask (voxels where every given sequence is non-zero, the reference's rule) and its
 * bounding box. Depends on core's volume and errors.
 */
import { InvalidVolumeError } from '../errors.js';
import type { Vec3, VoxelArray } from '../volume.js';

/** A box of voxels: `start` and `size` along i, j, k. */
export interface VoxelBox {
  /** First voxel `[i, j, k]`. */
  start: Vec3;
  /** Extent `[nx, ny, nz]` in voxels. */
  size: Vec3;
}

/**
 * The reference's brain mask: 1 where every array is non-zero, 0 elsewhere.
 * @param arrays - voxel arrays of one grid, any layout (the mask keeps it)
 * @returns a new `Uint8Array`
 * @example
 * ```ts
 * const mask = brainMask([flair.data, t1.data, t2.data]);
 * ```
 */
export function brainMask(arrays: readonly VoxelArray[]): Uint8Array {
  if (arrays.length === 0) throw new RangeError('brainMask: needs at least one array; got none');
  const n = arrays[0].length;
  for (const [s, array] of arrays.entries()) {
    if (array.length !== n) {
      throw new RangeError(`brainMask: arrays[${s}] holds ${array.length} voxels; arrays[0] holds ${n}`);
    }
  }
  const mask = new Uint8Array(n).fill(1);
  for (const array of arrays) {
    for (let v = 0; v < n; v++) if (array[v] === 0) mask[v] = 0;
  }
  return mask;
}

/**
 * The smallest box that holds every non-zero voxel of a mask, grown by a margin on each side and
 * clipped to the grid.
 * @param mask - non-zero inside, layout `mask[i + nx * (j + ny * k)]`
 * @param shape - `[nx, ny, nz]`
 * @param margin - voxels added on both sides along i, j, k
 * @defaultValue margin `[0, 0, 0]`
 * @throws InvalidVolumeError when the mask is empty
 */
export function maskBoundingBox(mask: VoxelArray, shape: Vec3, margin: Vec3 = [0, 0, 0]): VoxelBox {
  const [nx, ny, nz] = shape;
  const lo: Vec3 = [nx, ny, nz];
  const hi: Vec3 = [-1, -1, -1];
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        if (mask[v] === 0) continue;
        if (i < lo[0]) lo[0] = i;
        if (i > hi[0]) hi[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k < lo[2]) lo[2] = k;
        hi[2] = k;
      }
    }
  }
  if (hi[2] < 0) throw new InvalidVolumeError('maskBoundingBox: the mask is empty: no voxel is non-zero');
  const start = lo.map((l, a) => Math.max(l - margin[a], 0)) as Vec3;
  const end = hi.map((h, a) => Math.min(h + margin[a], shape[a] - 1)) as Vec3;
  return { start, size: end.map((e, a) => e - start[a] + 1) as Vec3 };
}
