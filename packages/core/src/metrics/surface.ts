/**
 * Mask geometry for the surface distances: bounding boxes, crops and surface voxels (a mask
 * minus its 6-connected erosion). Depends on nothing.
 */
import type { Vec3 } from '../volume.js';

/** An inclusive voxel box: `min[a] <= index[a] <= max[a]` along each axis a = i, j, k. */
export interface VoxelBox {
  min: Vec3;
  max: Vec3;
}

/**
 * The smallest box holding every non-zero voxel, or `undefined` for an empty mask.
 * Layout: `mask[i + nx * (j + ny * k)]`, `shape = [nx, ny, nz]`.
 */
export function boundingBox(mask: ArrayLike<number>, shape: Vec3): VoxelBox | undefined {
  const [nx, ny, nz] = shape;
  const min: Vec3 = [nx, ny, nz];
  const max: Vec3 = [-1, -1, -1];
  let v = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        if (mask[v] === 0) continue;
        if (i < min[0]) min[0] = i;
        if (i > max[0]) max[0] = i;
        if (j < min[1]) min[1] = j;
        if (j > max[1]) max[1] = j;
        if (k < min[2]) min[2] = k;
        if (k > max[2]) max[2] = k;
      }
    }
  }
  return max[0] < 0 ? undefined : { min, max };
}

/** The smallest box holding both boxes. */
export function unionBox(a: VoxelBox, b: VoxelBox): VoxelBox {
  return {
    min: [Math.min(a.min[0], b.min[0]), Math.min(a.min[1], b.min[1]), Math.min(a.min[2], b.min[2])],
    max: [Math.max(a.max[0], b.max[0]), Math.max(a.max[1], b.max[1]), Math.max(a.max[2], b.max[2])],
  };
}

/** The number of voxels of a box along i, j, k. */
export function boxShape(box: VoxelBox): Vec3 {
  return [box.max[0] - box.min[0] + 1, box.max[1] - box.min[1] + 1, box.max[2] - box.min[2] + 1];
}

/**
 * Copies a box out of a mask as 0/1 bytes, in the same i-fastest layout with the box's shape.
 */
export function cropMask(mask: ArrayLike<number>, shape: Vec3, box: VoxelBox): Uint8Array {
  const [nx, ny] = shape;
  const [cx, cy, cz] = boxShape(box);
  const out = new Uint8Array(cx * cy * cz);
  let o = 0;
  for (let k = 0; k < cz; k++) {
    for (let j = 0; j < cy; j++) {
      const row = box.min[0] + nx * (box.min[1] + j + ny * (box.min[2] + k));
      for (let i = 0; i < cx; i++, o++) out[o] = mask[row + i] !== 0 ? 1 : 0;
    }
  }
  return out;
}

/**
 * Surface voxels: the mask minus its erosion by the 6-connected cross, so a voxel is on the
 * surface when it is inside and at least one of its six face neighbours is outside. Voxels past
 * the grid's edge count as outside (scipy's `binary_erosion` default, `border_value=0`), so a
 * mask touching the edge has a surface there.
 *
 * Layout: `mask[i + nx * (j + ny * k)]`, `shape = [nx, ny, nz]`; the result has the same layout.
 * Cropping a mask to any box that holds it does not change its surface.
 */
export function surfaceVoxels(mask: ArrayLike<number>, shape: Vec3): Uint8Array {
  const [nx, ny, nz] = shape;
  const sx = 1;
  const sy = nx;
  const sz = nx * ny;
  const out = new Uint8Array(mask.length);
  let v = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        if (mask[v] === 0) continue;
        const interior =
          i > 0 &&
          i < nx - 1 &&
          j > 0 &&
          j < ny - 1 &&
          k > 0 &&
          k < nz - 1 &&
          mask[v - sx] !== 0 &&
          mask[v + sx] !== 0 &&
          mask[v - sy] !== 0 &&
          mask[v + sy] !== 0 &&
          mask[v - sz] !== 0 &&
          mask[v + sz] !== 0;
        if (!interior) out[v] = 1;
      }
    }
  }
  return out;
}
