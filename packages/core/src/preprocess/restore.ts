/**
 * Between the inputs' grid and the network grid, for any per-voxel array: `toNetworkGrid` takes
 * a map (a label map, a mask) the way `preprocess` took the images; `restoreToOriginal` puts a
 * result (labels, probabilities, uncertainty) back onto the inputs' grid and voxel order.
 * Depends on core's volume, orientation and the other files of this folder.
 */
import { reorientArray } from '../orientation/index.js';
import { spacingFromAffine, type Vec3, type Volume, type VoxelArray } from '../volume.js';
import { ncdhwToNdhwc, ndhwcToNcdhw, type TensorLayout } from './layout.js';
import type { PreprocessRecord } from './record.js';
import { resampleGrid, type Interpolation } from './resample.js';
import { shiftGrid } from './shift.js';

/** Options of {@link restoreToOriginal}. */
export interface RestoreOptions {
  /**
   * How the resampling is undone, when `preprocess` resampled: `'nearest'` for label maps,
   * `'linear'` (trilinear) for probabilities and uncertainty. Without resampling both move voxels
   * unchanged. @defaultValue `'nearest'`
   */
  interpolation?: Interpolation;
  /** Channels in `values`. @defaultValue `values.length` / network voxels */
  channels?: number;
  /**
   * Return one class-index map (`Uint8Array`): the channel of highest value per voxel (the first
   * on ties), taken after interpolation, so probabilities come back trilinear, then argmax.
   * @defaultValue false
   */
  argmax?: boolean;
  /**
   * Value of voxels outside the network's view (cropped away or centre-cropped): one for all
   * channels or one per channel, e.g. `[1, 0, 0, 0]` for probabilities. With `argmax` those
   * voxels are class 0. @defaultValue 0
   */
  fill?: number | readonly number[];
  /** Layout of `values`. @defaultValue `record.layout` */
  layout?: TensorLayout;
}

function networkVoxels(record: PreprocessRecord): number {
  const [x, y, z] = record.pad.shape;
  return x * y * z;
}

function channelCount(fn: string, values: VoxelArray, record: PreprocessRecord, channels?: number): number {
  const voxels = networkVoxels(record);
  const count = channels ?? values.length / voxels;
  if (!(Number.isInteger(count) && count >= 1) || values.length !== count * voxels) {
    throw new RangeError(
      `${fn}: values hold ${values.length} numbers; the network grid [${record.networkShape.join(', ')}] ` +
        `(depth, height, width) needs ${voxels} per channel${channels === undefined ? '' : ` x ${channels} channels`}`,
    );
  }
  return count;
}

function argmaxChannels(data: VoxelArray, channels: number): Uint8Array {
  const voxels = data.length / channels;
  const out = new Uint8Array(voxels);
  for (let v = 0; v < voxels; v++) {
    let best = data[v];
    for (let c = 1; c < channels; c++) {
      if (data[c * voxels + v] > best) {
        best = data[c * voxels + v];
        out[v] = c;
      }
    }
  }
  return out;
}

/**
 * Puts a per-voxel result on the network grid back onto the inputs' grid and voxel order: undo
 * padding or centre-cropping, undo resampling (with `interpolation`), optionally argmax, undo the
 * crop (outside filled with `fill`, or class 0), undo the reorientation.
 * @param values - `[1, C, D, H, W]` (NCDHW) or `[1, D, H, W, C]` (NDHWC) on the network grid
 * @param record - `preprocess`'s record
 * @param options - see {@link RestoreOptions}
 * @returns one volume per channel (one with `argmax`) on the reference sequence's grid, with its
 *   affine and header: the input's array type for `'nearest'`, `Float32Array` for `'linear'`,
 *   `Uint8Array` class indices with `argmax`
 * @example
 * ```ts
 * const [classes] = restoreToOriginal(probabilities, record, { interpolation: 'linear', argmax: true });
 * const labels = classesToLabels(classes.data, 'brats');
 * ```
 */
export function restoreToOriginal(
  values: VoxelArray,
  record: PreprocessRecord,
  options: RestoreOptions = {},
): Volume[] {
  const interpolation = options.interpolation ?? 'nearest';
  const channels = channelCount('restoreToOriginal', values, record, options.channels);
  const layout = options.layout ?? record.layout;
  const { crop, pad, reorientation } = record;
  const working: Vec3 = record.resample?.shape ?? crop.size;

  // undo the padding, then the resampling
  let data = layout === 'NDHWC' && channels > 1 ? ndhwcToNcdhw(values, channels) : values;
  const unpadded = pad.offset.map((o) => -o) as Vec3;
  data = shiftGrid(data, pad.shape, working, unpadded, { channels, fill: options.fill });
  if (record.resample !== undefined)
    data = resampleGrid(data, working, crop.size, { interpolation, channels });
  if (interpolation === 'linear' && !(data instanceof Float32Array)) data = Float32Array.from(data);

  // argmax, then undo the crop and the reorientation
  let outChannels = channels;
  let fill = options.fill;
  if (options.argmax === true) {
    data = argmaxChannels(data, channels);
    outChannels = 1;
    fill = 0;
  }
  data = shiftGrid(data, crop.size, reorientation.rasShape, crop.start, { channels: outChannels, fill });
  data = reorientArray(data, reorientation, { direction: 'fromRas', channels: outChannels });

  // one volume per channel, on the reference grid
  const [nx, ny, nz] = reorientation.sourceShape;
  const voxels = nx * ny * nz;
  return Array.from({ length: outChannels }, (_, c) => ({
    data: outChannels === 1 ? data : data.slice(c * voxels, (c + 1) * voxels),
    shape: [nx, ny, nz],
    spacing: spacingFromAffine(reorientation.sourceAffine),
    affine: reorientation.sourceAffine.map((row) => [...row]) as Volume['affine'],
    ...(reorientation.sourceHeader === undefined ? {} : { header: reorientation.sourceHeader }),
  }));
}

/**
 * Takes a per-voxel map on the inputs' grid (a label map, a mask, an uncertainty map) to the
 * network grid the way `preprocess` took the images: reorient, crop, resample (with
 * `interpolation`), pad with `fill`. What training needs for its targets.
 * @param values - `channels` volumes on the inputs' grid, in the inputs' voxel order
 * @param record - `preprocess`'s record
 * @param options - `interpolation` (`'nearest'` for labels), `channels`, `fill` and the output `layout`
 * @defaultValue interpolation `'nearest'`, channels 1, fill 0, layout `record.layout`
 * @returns `[1, C, D, H, W]` or `[1, D, H, W, C]`: the input's array type for `'nearest'`,
 *   `Float32Array` for `'linear'`
 * @example
 * ```ts
 * const target = toNetworkGrid(labelsToClasses(seg.data, 'brats'), record);
 * ```
 */
export function toNetworkGrid(
  values: VoxelArray,
  record: PreprocessRecord,
  options: { interpolation?: Interpolation; channels?: number; fill?: number; layout?: TensorLayout } = {},
): VoxelArray {
  const interpolation = options.interpolation ?? 'nearest';
  const channels = options.channels ?? 1;
  const { crop, pad, reorientation } = record;
  const [nx, ny, nz] = reorientation.sourceShape;
  if (values.length !== channels * nx * ny * nz) {
    throw new RangeError(
      `toNetworkGrid: values hold ${values.length} numbers; ${channels} channels of the inputs' grid ` +
        `${nx}x${ny}x${nz} need ${channels * nx * ny * nz}`,
    );
  }
  let data = reorientArray(values, reorientation, { channels });
  data = shiftGrid(data, reorientation.rasShape, crop.size, crop.start.map((s) => -s) as Vec3, { channels });
  let working: Vec3 = crop.size;
  if (record.resample !== undefined) {
    data = resampleGrid(data, crop.size, record.resample.shape, { interpolation, channels });
    working = record.resample.shape;
  }
  if (interpolation === 'linear' && !(data instanceof Float32Array)) data = Float32Array.from(data);
  data = shiftGrid(data, working, pad.shape, pad.offset, { channels, fill: options.fill });
  return (options.layout ?? record.layout) === 'NDHWC' && channels > 1 ? ncdhwToNdhwc(data, channels) : data;
}
