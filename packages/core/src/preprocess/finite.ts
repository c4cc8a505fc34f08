/**
 * NaN and infinite voxels: refused with an error naming the sequence and the count, or replaced
 * by 0 when asked. Depends on core's volume and errors.
 */
import { InvalidVolumeError } from '../errors.js';
import type { Volume, VoxelArray } from '../volume.js';

/** What to do with NaN and infinite voxels. */
export type NonFiniteMode = 'error' | 'zero';

/** Number of NaN or infinite values in an array (always 0 for integer arrays). */
export function countNonFinite(data: VoxelArray): number {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return 0;
  let count = 0;
  for (let v = 0; v < data.length; v++) if (!Number.isFinite(data[v])) count++;
  return count;
}

/**
 * Checks a volume for NaN and infinite voxels.
 * @param volume - the volume to check
 * @param options - `name`: the sequence or file quoted in messages; `mode`: `'error'` refuses,
 *   `'zero'` returns a copy with those voxels set to 0; `caller`: the function the message names
 * @defaultValue mode `'error'`, caller `'preprocess'`
 * @returns the volume itself when every voxel is finite, else (mode `'zero'`) the repaired copy,
 *   with the count of replaced voxels
 * @throws InvalidVolumeError naming the sequence and the count (mode `'error'`)
 */
export function handleNonFinite(
  volume: Volume,
  options: { name: string; mode?: NonFiniteMode; caller?: string },
): { volume: Volume; replaced: number } {
  const mode = options.mode ?? 'error';
  if (mode !== 'error' && mode !== 'zero') {
    throw new RangeError(`handleNonFinite: mode must be 'error' or 'zero'; got ${String(mode)}`);
  }
  const count = countNonFinite(volume.data);
  if (count === 0) return { volume, replaced: 0 };
  if (mode === 'error') {
    throw new InvalidVolumeError(
      `${options.caller ?? 'preprocess'}: ${options.name} holds ${count} NaN or infinite voxels of ${volume.data.length}; ` +
        `repair the file, or set them to 0 (segment()'s nonFinite: 'zero', hadnet segment's --zero-non-finite)`,
    );
  }
  const data = volume.data.slice() as Float32Array | Float64Array;
  for (let v = 0; v < data.length; v++) if (!Number.isFinite(data[v])) data[v] = 0;
  return { volume: { ...volume, data }, replaced: count };
}
