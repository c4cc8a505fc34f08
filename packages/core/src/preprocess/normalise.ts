/**
 * Intensity normalisation of one sequence inside the brain mask: the reference's (`'hadnet'`) or
 * MONAI's non-zero channel-wise z-score (`'zscore'`). Depends on core's volume only.
 */
import type { VoxelArray } from '../volume.js';

/**
 * `'hadnet'`: z-score with the mask's mean and standard deviation, clip above at +3, then
 * `(z - min z) / (3 - min z)` into [0, 1], min z taken over the whole (cropped) array as the
 * reference does. `'zscore'`: `(x - mean) / std` (MONAI's `NormalizeIntensity` with `nonzero`
 * and `channel_wise`). Both give 0 outside the mask.
 */
export type Normalisation = 'hadnet' | 'zscore';

/** What a normalisation measured on one sequence: enough to repeat it. */
export interface NormalisationStats {
  /** Mean inside the mask. */
  mean: number;
  /** Population standard deviation inside the mask (1 when it was 0, as in MONAI). */
  std: number;
  /** `'hadnet'` only: the smallest z of the array, the low end of the [0, 1] rescale. */
  minZ?: number;
}

/**
 * Normalises one sequence inside a mask.
 * @param data - the sequence's voxels (any layout)
 * @param mask - non-zero inside the brain; same length and layout
 * @param method - `'hadnet'` or `'zscore'`, see {@link Normalisation}
 * @returns a new `Float32Array` (0 outside the mask) and the statistics used
 * @throws RangeError when the mask is empty or lengths differ
 * @example
 * ```ts
 * const { values, stats } = normaliseInMask(flair.data, mask, 'hadnet');
 * ```
 */
export function normaliseInMask(
  data: VoxelArray,
  mask: Uint8Array,
  method: Normalisation,
): { values: Float32Array; stats: NormalisationStats } {
  if (method !== 'hadnet' && method !== 'zscore') {
    throw new RangeError(`normaliseInMask: method must be 'hadnet' or 'zscore'; got ${String(method)}`);
  }
  if (data.length !== mask.length) {
    throw new RangeError(`normaliseInMask: data holds ${data.length} voxels but the mask ${mask.length}`);
  }

  // mean and population standard deviation inside the mask, in two passes
  let count = 0;
  let sum = 0;
  for (let v = 0; v < data.length; v++) {
    if (mask[v] !== 0) {
      count++;
      sum += data[v];
    }
  }
  if (count === 0) throw new RangeError('normaliseInMask: the mask is empty');
  const mean = sum / count;
  let squares = 0;
  for (let v = 0; v < data.length; v++) if (mask[v] !== 0) squares += (data[v] - mean) ** 2;
  const std = Math.sqrt(squares / count) || 1;

  const values = new Float32Array(data.length);
  if (method === 'zscore') {
    for (let v = 0; v < data.length; v++) if (mask[v] !== 0) values[v] = (data[v] - mean) / std;
    return { values, stats: { mean, std } };
  }

  // the reference: z-score, clip above at +3, rescale from [min z, 3] to [0, 1]
  let minZ = Infinity;
  for (let v = 0; v < data.length; v++) minZ = Math.min(minZ, (data[v] - mean) / std);
  minZ = Math.min(minZ, 3);
  const range = 3 - minZ || 1;
  for (let v = 0; v < data.length; v++) {
    if (mask[v] !== 0) values[v] = (Math.min((data[v] - mean) / std, 3) - minZ) / range;
  }
  return { values, stats: { mean, std, minZ } };
}
