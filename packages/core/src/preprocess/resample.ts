/**
 * Resampling a grid to another shape over the same extent (the voxel centres of both grids
 * spread evenly over it, as `align_corners = false` in PyTorch): trilinear for images and
 * probabilities, nearest for labels. Depends on core's volume only.
 */
import type { Vec3, VoxelArray } from '../volume.js';

/** `'linear'`: trilinear (separable, edges clamped); `'nearest'`: the closest source voxel. */
export type Interpolation = 'linear' | 'nearest';

/**
 * The shape of a grid resampled from `spacing` to `targetSpacing` over the same extent:
 * `max(1, round(n · spacing / targetSpacing))` per axis.
 */
export function resampledShape(shape: Vec3, spacing: Vec3, targetSpacing: Vec3): Vec3 {
  return shape.map((n, a) => Math.max(1, Math.round((n * spacing[a]) / targetSpacing[a]))) as Vec3;
}

function resampleAxis(
  data: VoxelArray,
  shape: Vec3,
  axis: number,
  length: number,
  interpolation: Interpolation,
  channels: number,
): VoxelArray {
  const n = shape[axis];
  const inner = axis === 0 ? 1 : axis === 1 ? shape[0] : shape[0] * shape[1];
  const outer = (channels * shape[0] * shape[1] * shape[2]) / (inner * n);
  const linear = interpolation === 'linear';
  const out = linear
    ? new Float32Array(inner * length * outer)
    : new (data.constructor as new (length: number) => VoxelArray)(inner * length * outer);

  // per target index: the source neighbours and the weight of the upper one
  const lower = new Int32Array(length);
  const upper = new Int32Array(length);
  const weight = new Float64Array(length);
  for (let x = 0; x < length; x++) {
    const position = ((x + 0.5) * n) / length - 0.5;
    if (linear) {
      const clamped = Math.min(Math.max(position, 0), n - 1);
      lower[x] = Math.floor(clamped);
      upper[x] = Math.min(lower[x] + 1, n - 1);
      weight[x] = clamped - lower[x];
    } else {
      lower[x] = Math.min(Math.floor(position + 0.5), n - 1);
    }
  }

  for (let o = 0; o < outer; o++) {
    for (let x = 0; x < length; x++) {
      const to = (o * length + x) * inner;
      const a = (o * n + lower[x]) * inner;
      if (!linear || weight[x] === 0) {
        for (let i = 0; i < inner; i++) out[to + i] = data[a + i];
        continue;
      }
      const b = (o * n + upper[x]) * inner;
      const w = weight[x];
      for (let i = 0; i < inner; i++) out[to + i] = data[a + i] * (1 - w) + data[b + i] * w;
    }
  }
  return out;
}

/**
 * Resamples `channels` volumes to a new shape over the same extent, one axis after another.
 * Source position of target voxel x along an axis: `(x + 0.5) · n / m - 0.5` (n source voxels,
 * m target voxels); the same shape gives back the very same values.
 * @param data - layout `data[i + nx * (j + ny * (k + nz * c))]`
 * @param shape - `[nx, ny, nz]` of the source
 * @param targetShape - `[nx, ny, nz]` of the result
 * @param options - `interpolation` and `channels`
 * @defaultValue interpolation `'linear'`, channels 1
 * @returns `Float32Array` for `'linear'`; an array of the source's type for `'nearest'`
 */
export function resampleGrid(
  data: VoxelArray,
  shape: Vec3,
  targetShape: Vec3,
  options: { interpolation?: Interpolation; channels?: number } = {},
): VoxelArray {
  const interpolation = options.interpolation ?? 'linear';
  const channels = options.channels ?? 1;
  if (interpolation !== 'linear' && interpolation !== 'nearest') {
    throw new RangeError(
      `resampleGrid: interpolation must be 'linear' or 'nearest'; got ${String(interpolation)}`,
    );
  }
  if (data.length !== channels * shape[0] * shape[1] * shape[2]) {
    throw new RangeError(
      `resampleGrid: data holds ${data.length} values, but ${channels} channels of ${shape.join('x')} ` +
        `need ${channels * shape[0] * shape[1] * shape[2]}`,
    );
  }
  let current = data;
  const currentShape: Vec3 = [...shape];
  for (let axis = 0; axis < 3; axis++) {
    if (currentShape[axis] === targetShape[axis]) continue;
    current = resampleAxis(current, currentShape, axis, targetShape[axis], interpolation, channels);
    currentShape[axis] = targetShape[axis];
  }
  if (current === data) return interpolation === 'linear' ? Float32Array.from(data) : data.slice();
  return current;
}
