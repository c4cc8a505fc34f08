/**
 * A crop of a volume as a smaller NIfTI volume on the same world grid: the voxels of a box, with
 * the affine's origin moved to the box's first voxel.
 */
import type { Affine, Vec3, Volume } from '@hadnet/core';

/** The box `[start, start + size)` of `volume`, as a volume of its own (no header: the writer builds one). */
export function cropVolume(volume: Volume, start: Vec3, size: Vec3): Volume {
  const [nx, ny] = volume.shape;
  const [sx, sy, sz] = size;
  const data = new (volume.data.constructor as new (n: number) => Volume['data'])(sx * sy * sz);
  for (let k = 0; k < sz; k++) {
    for (let j = 0; j < sy; j++) {
      for (let i = 0; i < sx; i++) {
        data[i + sx * (j + sy * k)] = volume.data[start[0] + i + nx * (start[1] + j + ny * (start[2] + k))];
      }
    }
  }
  const a = volume.affine;
  const origin = [0, 1, 2].map((r) => a[r][0] * start[0] + a[r][1] * start[1] + a[r][2] * start[2] + a[r][3]);
  const affine = a.map((row, r) => (r < 3 ? [row[0], row[1], row[2], origin[r]] : [...row])) as Affine;
  return { data, shape: [...size], spacing: [...volume.spacing], affine };
}
