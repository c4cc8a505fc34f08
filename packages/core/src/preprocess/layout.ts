import type { VoxelArray } from '../volume.js';

/**
 * Tensor layouts at the network boundary: NCDHW (ONNX) and NDHWC (tfjs), batch 1, with
 * D = k, H = j, W = i of the RAS grid (CONTRACTS.md "Geometry and layout"). Depends on core's volume.
 */

/**
 * `'NCDHW'`: `[batch, channels, depth, height, width]`, the memory of the channels' volumes one
 * after another (ONNX). `'NDHWC'`: `[batch, depth, height, width, channels]`, channels
 * interleaved per voxel (tfjs).
 */
export type TensorLayout = 'NCDHW' | 'NDHWC';

function check(fn: string, data: ArrayLike<number>, channels: number): number {
  if (!(Number.isInteger(channels) && channels >= 1) || data.length % channels !== 0) {
    throw new RangeError(`${fn}: ${data.length} values do not split into ${channels} channels`);
  }
  return data.length / channels;
}

/**
 * Interleaves channels: `[1, C, D, H, W]` (NCDHW) to `[1, D, H, W, C]` (NDHWC).
 * @param data - NCDHW values
 * @param channels - C
 * @returns a new array of the input's type
 */
export function ncdhwToNdhwc<T extends VoxelArray>(data: T, channels: number): T {
  const voxels = check('ncdhwToNdhwc', data, channels);
  const out = new (data.constructor as new (length: number) => T)(data.length);
  for (let c = 0; c < channels; c++) {
    for (let v = 0; v < voxels; v++) out[v * channels + c] = data[c * voxels + v];
  }
  return out;
}

/**
 * Separates channels: `[1, D, H, W, C]` (NDHWC) to `[1, C, D, H, W]` (NCDHW).
 * @param data - NDHWC values
 * @param channels - C
 * @returns a new array of the input's type
 */
export function ndhwcToNcdhw<T extends VoxelArray>(data: T, channels: number): T {
  const voxels = check('ndhwcToNcdhw', data, channels);
  const out = new (data.constructor as new (length: number) => T)(data.length);
  for (let c = 0; c < channels; c++) {
    for (let v = 0; v < voxels; v++) out[c * voxels + v] = data[v * channels + c];
  }
  return out;
}
