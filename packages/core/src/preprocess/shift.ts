/**
 * Moving voxels between two grids that differ by a whole-voxel offset: cropping, padding,
 * centre-cropping and their inverses are all this one copy. Depends on core's volume only.
 */
import type { Vec3, VoxelArray } from '../volume.js';

/** Options of {@link shiftGrid}. */
export interface ShiftGridOptions {
  /** Volumes stored one after another, each `[nx, ny, nz]` with i fastest. @defaultValue 1 */
  channels?: number;
  /** Value of target voxels with no source voxel: one for all channels, or one per channel. @defaultValue 0 */
  fill?: number | readonly number[];
}

/**
 * Copies voxels into a grid of another shape: `target[p] = source[p - offset]` where that source
 * voxel exists, `fill` elsewhere. A negative offset crops (the target starts inside the source),
 * a positive one pads.
 * @param source - `channels` volumes, layout `source[i + nx * (j + ny * (k + nz * c))]`
 * @param sourceShape - `[nx, ny, nz]` of the source
 * @param targetShape - `[nx, ny, nz]` of the target
 * @param offset - where source voxel (0, 0, 0) lands in the target, `[i, j, k]`
 * @returns a new array of the source's type, `channels` target volumes
 * @example
 * ```ts
 * // crop the box starting at (10, 20, 5), of size 100x120x90
 * const cropped = shiftGrid(data, [240, 240, 155], [100, 120, 90], [-10, -20, -5]);
 * ```
 */
export function shiftGrid<T extends VoxelArray>(
  source: T,
  sourceShape: Vec3,
  targetShape: Vec3,
  offset: Vec3,
  options: ShiftGridOptions = {},
): T {
  const channels = options.channels ?? 1;
  const fills =
    typeof options.fill === 'object' ? options.fill : new Array<number>(channels).fill(options.fill ?? 0);
  const [sx, sy, sz] = sourceShape;
  const [tx, ty, tz] = targetShape;
  const sourceVoxels = sx * sy * sz;
  const targetVoxels = tx * ty * tz;
  if (source.length !== channels * sourceVoxels) {
    throw new RangeError(
      `shiftGrid: source holds ${source.length} values, but ${channels} channels of ${sourceShape.join('x')} ` +
        `need ${channels * sourceVoxels}`,
    );
  }
  if (fills.length !== channels) {
    throw new RangeError(
      `shiftGrid: fill must give one value per channel (${channels}); got ${fills.length}`,
    );
  }

  // the target range that has source voxels, per axis
  const from = offset.map((o) => Math.max(o, 0));
  const to = offset.map((o, a) => Math.min(targetShape[a], sourceShape[a] + o));
  const target = new (source.constructor as new (length: number) => T)(channels * targetVoxels);
  for (let c = 0; c < channels; c++) {
    const base = c * targetVoxels;
    if (fills[c] !== 0) target.fill(fills[c], base, base + targetVoxels);
    if (to.some((t, a) => t <= from[a])) continue;
    for (let k = from[2]; k < to[2]; k++) {
      for (let j = from[1]; j < to[1]; j++) {
        const row = c * sourceVoxels + (k - offset[2]) * sx * sy + (j - offset[1]) * sx - offset[0];
        target.set(source.subarray(row + from[0], row + to[0]), base + (k * ty + j) * tx + from[0]);
      }
    }
  }
  return target;
}
