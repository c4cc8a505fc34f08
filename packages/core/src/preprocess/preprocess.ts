/**
 * From the given sequences to the network's input tensor, with the record that undoes every
 * step: checks, RAS reorientation, crop to the brain, normalisation, optional resampling, padding.
 * Depends on core's contracts, errors, volume, orientation and the other files of this folder.
 */
import { SEQUENCES, TEACHER_SEQUENCES, type Sequence } from '../contracts.js';
import { InputQualityError, InvalidVolumeError, ModalityMismatchError } from '../errors.js';
import { reorientArray, rasReorientation } from '../orientation/index.js';
import type { Vec3, Volume, VoxelArray } from '../volume.js';
import { checkGridPair, checkSameGrid } from './grid.js';
import { ncdhwToNdhwc } from './layout.js';
import { brainMask, maskBoundingBox } from './mask.js';
import { normaliseInMask, type NormalisationStats } from './normalise.js';
import { checkInputQuality } from './quality.js';
import type { PadOption, Preprocessed, PreprocessOptions, PreprocessRecord } from './record.js';
import { resampledShape, resampleGrid } from './resample.js';
import { shiftGrid } from './shift.js';
import { checkVoxelValues } from './values.js';

const isVolume = (v: unknown): v is Volume =>
  typeof v === 'object' &&
  v !== null &&
  ArrayBuffer.isView((v as Volume).data) &&
  Array.isArray((v as Volume).shape);

function toVec3(name: string, value: number | Vec3, check: (n: number) => boolean): Vec3 {
  const vec = (typeof value === 'number' ? [value, value, value] : value) as Vec3;
  if (!Array.isArray(vec) || vec.length !== 3 || !vec.every(check)) {
    throw new RangeError(`preprocess: ${name} is out of range; got ${JSON.stringify(value)}`);
  }
  return [...vec];
}

/** Network grid `[i, j, k]` and the offset of the working grid in it, for a pad option. */
export function planPadding(working: Vec3, pad: PadOption): { offset: Vec3; shape: Vec3 } {
  if ('multiple' in pad) {
    const m = pad.multiple;
    if (!(Number.isInteger(m) && m >= 1)) {
      throw new RangeError(`preprocess: pad.multiple must be a whole number >= 1; got ${m}`);
    }
    const shape = working.map((n) => Math.ceil(n / m) * m) as Vec3;
    return { shape, offset: shape.map((t, a) => Math.floor((t - working[a]) / 2)) as Vec3 };
  }
  const dhw = pad.shape;
  if (!Array.isArray(dhw) || dhw.length !== 3 || !dhw.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(
      `preprocess: pad.shape must be [depth, height, width], whole numbers >= 1; got ${dhw}`,
    );
  }
  const shape: Vec3 = [dhw[2], dhw[1], dhw[0]];
  // centred: pad floor(extra / 2) before; crop the way MONAI's centre crop does
  const offset = shape.map((t, a) =>
    t >= working[a] ? Math.floor((t - working[a]) / 2) : Math.floor(t / 2) - Math.floor(working[a] / 2),
  ) as Vec3;
  return { shape, offset };
}

/**
 * Prepares sequences for the network: the reference's preprocessing, each step an option.
 *
 * Steps: check that the sequences share one grid; refuse (or zero) NaN and infinite voxels, and
 * refuse a sequence that is zero everywhere (see `checkVoxelValues`); check
 * that the inputs look skull-stripped and co-registered (warnings, or an `InputQualityError` when
 * `strict`); reorient to RAS; brain mask (every given sequence non-zero, or `options.mask`); crop
 * to its bounding box plus `margin`; normalise each channel inside the mask; resample to
 * `targetSpacing` when given; pad (or centre-crop) to the network grid; lay out the tensor.
 * @param inputs - the sequences, all on one grid; any voxel order
 * @param options - see {@link PreprocessOptions}
 * @returns the tensor (`[1, C, D, H, W]` NCDHW by default, D = k, H = j, W = i in RAS order), the
 *   channel order, the brain mask on the network grid, the record for `restoreToOriginal`, and
 *   warnings
 * @throws ModalityMismatchError when a channel is missing or grids differ; InvalidVolumeError on
 *   NaN or infinite voxels; InputQualityError when a sequence is zero everywhere, when the brain
 *   mask is empty, or when `strict` and a check fails; TypeError and RangeError on bad arguments
 * @example
 * ```ts
 * const { tensor, shape, record } = preprocess({ flair, t1, t2 }, { channels: ['flair', 't1', 't2'] });
 * // shape: [1, 3, D, H, W], each of D, H, W a multiple of 16
 * ```
 */
export function preprocess(
  inputs: Partial<Record<Sequence, Volume>>,
  options: PreprocessOptions = {},
): Preprocessed {
  // convert the arguments
  if (typeof inputs !== 'object' || inputs === null) {
    throw new TypeError(`preprocess: inputs must be an object of volumes by sequence; got ${inputs}`);
  }
  const given = Object.entries(inputs).filter((e): e is [Sequence, Volume] => e[1] !== undefined);
  const channels = [...(options.channels ?? TEACHER_SEQUENCES.filter((s) => inputs[s] !== undefined))];
  const margin = toVec3('margin', options.margin ?? 0, (n) => Number.isInteger(n) && n >= 0);
  const method = options.normalisation ?? 'hadnet';
  const pad = options.pad ?? { multiple: 16 };
  const layout = options.layout ?? 'NCDHW';
  const names = options.names ?? {};

  // one block of checks
  for (const [key, volume] of given) {
    if (!SEQUENCES.includes(key)) {
      throw new RangeError(`preprocess: unknown sequence '${key}'; expected one of ${SEQUENCES.join(', ')}`);
    }
    if (!isVolume(volume)) {
      throw new TypeError(`preprocess: inputs.${key} must be a Volume; got ${typeof volume}`);
    }
    const [nx, ny, nz] = volume.shape;
    if (volume.data.length !== nx * ny * nz) {
      throw new InvalidVolumeError(
        `preprocess: inputs.${key} holds ${volume.data.length} voxels, but its shape ${volume.shape.join('x')} ` +
          `needs ${nx * ny * nz}`,
      );
    }
  }
  if (channels.length === 0) throw new ModalityMismatchError('preprocess: no sequence given');
  if (new Set(channels).size !== channels.length) {
    throw new RangeError(`preprocess: channels repeats a sequence: ${channels.join(', ')}`);
  }
  const missing = channels.filter((s) => inputs[s] === undefined);
  if (missing.length > 0) {
    throw new ModalityMismatchError(
      `preprocess: the channels ${channels.join(', ')} need ${missing.join(', ')}, which ` +
        `${missing.length === 1 ? 'is' : 'are'} not given (given: ${given.map(([s]) => s).join(', ') || 'none'})`,
    );
  }
  if (method !== 'hadnet' && method !== 'zscore') {
    throw new RangeError(`preprocess: normalisation must be 'hadnet' or 'zscore'; got ${String(method)}`);
  }
  if (layout !== 'NCDHW' && layout !== 'NDHWC') {
    throw new RangeError(`preprocess: layout must be 'NCDHW' or 'NDHWC'; got ${String(layout)}`);
  }
  const targetSpacing =
    options.targetSpacing === undefined
      ? undefined
      : toVec3('targetSpacing', options.targetSpacing, (n) => n > 0 && Number.isFinite(n));
  checkSameGrid(inputs, { names, tolerance: options.gridTolerance });
  const reference: Sequence = inputs.flair !== undefined ? 'flair' : channels[0];
  const referenceVolume = inputs[reference]!;
  if (options.mask !== undefined) {
    if (!isVolume(options.mask)) throw new TypeError('preprocess: options.mask must be a Volume');
    checkGridPair('preprocess', [reference, referenceVolume], ['mask', options.mask], {
      names,
      tolerance: options.gridTolerance,
    });
  }

  // refuse or zero NaN and infinite voxels; refuse a sequence that is zero everywhere
  const checked = checkVoxelValues(Object.fromEntries(given), { names, nonFinite: options.nonFinite });
  const { volumes, replacedNonFinite } = checked;
  const warnings = [...checked.warnings];

  // check that the inputs look skull-stripped and co-registered
  const quality = checkInputQuality(volumes, { ...options.quality, strict: options.strict, names });
  warnings.push(...quality.warnings);

  // reorient to RAS
  const reorientation = rasReorientation(
    referenceVolume.shape,
    referenceVolume.affine,
    referenceVolume.header,
  );
  const ras = (data: VoxelArray) => reorientArray(data, reorientation);
  const rasShape = reorientation.rasShape;

  // brain mask, and crop to its bounding box
  const rasMask =
    options.mask !== undefined
      ? ras(options.mask.data)
      : ras(brainMask(given.map(([key]) => volumes[key]!.data)));
  const mask = new Uint8Array(rasMask.length);
  let brainVoxels = 0;
  for (let v = 0; v < mask.length; v++) {
    if (rasMask[v] !== 0) {
      mask[v] = 1;
      brainVoxels++;
    }
  }
  if (brainVoxels === 0) {
    throw new InputQualityError(
      options.mask !== undefined
        ? 'preprocess: options.mask is empty: no voxel is non-zero'
        : `preprocess: the brain mask is empty: no voxel is non-zero in every sequence (${given.map(([s]) => s).join(', ')})`,
    );
  }
  const box = maskBoundingBox(mask, rasShape, [margin[0], margin[1], margin[2]]);
  const cropOffset = box.start.map((s) => -s) as Vec3;
  const cropMask = shiftGrid(mask, rasShape, box.size, cropOffset);
  const cropVoxels = box.size[0] * box.size[1] * box.size[2];

  // normalise each channel inside the mask
  const stacked = new Float32Array(channels.length * cropVoxels);
  const stats: Partial<Record<Sequence, NormalisationStats>> = {};
  channels.forEach((key, c) => {
    const cropped = shiftGrid(ras(volumes[key]!.data), rasShape, box.size, cropOffset);
    const normalised = normaliseInMask(cropped, cropMask, method);
    stacked.set(normalised.values, c * cropVoxels);
    stats[key] = normalised.stats;
  });

  // resample to the working spacing
  let working: Float32Array = stacked;
  let workingMask: Uint8Array = cropMask;
  let workingShape: Vec3 = box.size;
  let resample: PreprocessRecord['resample'];
  if (targetSpacing !== undefined) {
    const spacing = rasSpacing(referenceVolume, reorientation.axes);
    const shape = resampledShape(box.size, spacing, targetSpacing);
    if (shape.some((n, a) => n !== box.size[a])) {
      working = resampleGrid(stacked, box.size, shape, { channels: channels.length }) as Float32Array;
      workingMask = resampleGrid(cropMask, box.size, shape, { interpolation: 'nearest' }) as Uint8Array;
      workingShape = shape;
    }
    const actual = shape.map((n, a) => (box.size[a] * spacing[a]) / n) as Vec3;
    resample = { shape, spacing: actual, targetSpacing };
  }

  // pad (or centre-crop) to the network grid, and lay out the tensor
  const padding = planPadding(workingShape, pad);
  const ncdhw = shiftGrid(working, workingShape, padding.shape, padding.offset, {
    channels: channels.length,
  });
  const networkMask = shiftGrid(workingMask, workingShape, padding.shape, padding.offset);
  const [w, h, d] = padding.shape;
  const record: PreprocessRecord = {
    channels,
    reference,
    reorientation,
    crop: { ...box, margin },
    ...(resample === undefined ? {} : { resample }),
    pad: padding,
    networkShape: [d, h, w],
    normalisation: { method, stats },
    layout,
    replacedNonFinite,
  };
  return {
    tensor: layout === 'NCDHW' ? ncdhw : ncdhwToNdhwc(ncdhw, channels.length),
    layout,
    shape: layout === 'NCDHW' ? [1, channels.length, d, h, w] : [1, d, h, w, channels.length],
    channels,
    mask: networkMask,
    record,
    warnings,
    quality: quality.measures,
  };
}

/** Voxel size along the RAS grid's axes. */
function rasSpacing(volume: Volume, axes: readonly number[]): Vec3 {
  const spacing: Vec3 = [0, 0, 0];
  for (let s = 0; s < 3; s++) spacing[axes[s]] = volume.spacing[s];
  return spacing;
}
