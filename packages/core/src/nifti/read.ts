/**
 * `readNifti` and `readNiftiHeader`: NIfTI-1 and NIfTI-2 bytes (plain or gzip, single file or
 * .hdr/.img pair) to a {@link Volume}, synchronously, with no runtime dependency. Checks every
 * size a header declares against the bytes really present before allocating anything for them.
 */
import { InvalidVolumeError, UnsupportedVolumeError } from '../errors.js';
import { spacingFromAffine, type Vec3, type Volume } from '../volume.js';
import { NIFTI_DATATYPES } from './datatypes.js';
import { gunzip, gunzipRange, isGzip } from './gzip.js';
import type { NiftiHeader } from './header.js';
import { NIFTI2_HEADER_BYTES, parseNiftiHeader } from './parse-header.js';
import { applyScaling, decodeVoxels, scalingApplies } from './voxels.js';

/** Options of {@link readNifti}. */
export interface ReadNiftiOptions {
  /**
   * The `.img` file of a `.hdr`/`.img` pair (plain or gzip) when `bytes` is the `.hdr`. Required
   * for a pair header (magic `ni1`/`ni2`); refused for a single-file NIfTI.
   */
  imageBytes?: Uint8Array | ArrayBuffer;
  /**
   * Which volume to read from a file that holds several (the product of dim[4] to dim[7] is
   * above 1: a 4D time series, a 5D vector image). Counted from 0 in memory order. Without it,
   * such files are refused.
   */
  frame?: number;
  /** The file name that error messages and warnings use. @defaultValue `'the input'` */
  name?: string;
}

/** Options of {@link readNiftiHeader}. */
export interface ReadNiftiHeaderOptions {
  /** The file name that error messages use. @defaultValue `'the input'` */
  name?: string;
}

/** Sizes beyond this do not fit one typed array in every JavaScript engine. */
const MAX_VOLUME_BYTES = 2 ** 31 - 1;

/**
 * Reads a NIfTI header alone: works on `.hdr` files and on the first bytes of any NIfTI file.
 * gzip is recognised by its magic bytes and only as much as the header needs is inflated.
 *
 * @param bytes - a whole file, or at least its header (and, for the extension list, the bytes up
 *   to vox_offset)
 * @param options - see {@link ReadNiftiHeaderOptions}
 * @returns the header, with the affine chosen by the NIfTI rule (see docs/nifti.md)
 * @throws InvalidVolumeError for bytes that are not NIfTI, or corrupt gzip
 * @throws UnsupportedVolumeError for an Analyze 7.5 header
 * @example
 * ```ts
 * const header = readNiftiHeader(bytes, { name: 'flair.nii.gz' });
 * header.dims; // [3, 240, 240, 155, 1, 1, 1, 1]
 * ```
 */
export function readNiftiHeader(
  bytes: Uint8Array | ArrayBuffer,
  options: ReadNiftiHeaderOptions = {},
): NiftiHeader {
  const input = toBytes('readNiftiHeader', 'bytes', bytes);
  const context = { caller: 'readNiftiHeader', name: options.name ?? 'the input' };
  if (!isGzip(input)) return parseNiftiHeader(input, context);

  // Inflate the header, then (for the extension list) up to vox_offset.
  const head = gunzip(input, { limit: NIFTI2_HEADER_BYTES, caller: context.caller, name: context.name });
  const peek = parseNiftiHeader(head, { ...context, warn: false });
  const end = peek.storage === 'single' ? peek.voxOffset : Infinity;
  if (head.length >= end) return parseNiftiHeader(head, context);
  return parseNiftiHeader(gunzip(input, { limit: end, caller: context.caller, name: context.name }), context);
}

/**
 * Reads a NIfTI-1 or NIfTI-2 volume: `.nii`, `.nii.gz`, or a `.hdr`/`.img` pair (either part
 * gzipped or not), little- or big-endian.
 *
 * - gzip is recognised by its magic bytes; every member of a multi-member stream is read.
 * - `vox_offset` is trusted, so header extensions are skipped whatever their content.
 * - `scl_slope`/`scl_inter` are applied when the slope is finite and non-zero (0 or NaN means
 *   "as stored"); the data are then Float32Array (Float64Array for float64 and 64-bit integers).
 *   Without scaling the stored type is kept: Uint8Array, Int8Array, Uint16Array, Int16Array,
 *   Uint32Array, Int32Array, Float32Array or Float64Array (int64/uint64 widened to doubles).
 * - The affine: sform when sform_code > 0, else qform when qform_code > 0, else pixdim.
 *
 * Layout of the result: `data[i + nx * (j + ny * k)]`, `shape = [nx, ny, nz]` (NIfTI order, i
 * fastest), voxels as stored, not reoriented. The header is attached as `volume.header`.
 *
 * Refused, each with a typed error naming the reason: bytes that are not NIfTI; Analyze 7.5; a
 * pair header without `options.imageBytes` ("missing .img"); CIFTI-2 (intent codes 3000-3099);
 * complex, RGB, float128 and 1-bit datatypes; several volumes without `options.frame`; and any
 * header that declares more voxels than the bytes hold (checked before allocating).
 *
 * @param bytes - the file (a `.nii`, `.nii.gz`, or the `.hdr` of a pair)
 * @param options - see {@link ReadNiftiOptions}
 * @returns the volume, `header` attached
 * @throws InvalidVolumeError (code `INVALID_VOLUME`) for corrupt or impossible files
 * @throws UnsupportedVolumeError (code `UNSUPPORTED_VOLUME`) for valid files hadnet does not read
 * @throws TypeError / RangeError for bad arguments
 * @example
 * ```ts
 * const flair = readNifti(bytes, { name: 'flair.nii.gz' });
 * flair.shape; // [240, 240, 155]
 * const second = readNifti(fmriBytes, { frame: 1 }); // one volume of a 4D series
 * ```
 */
export function readNifti(bytes: Uint8Array | ArrayBuffer, options: ReadNiftiOptions = {}): Volume {
  // Arguments.
  const caller = 'readNifti';
  const input = toBytes(caller, 'bytes', bytes);
  const image =
    options.imageBytes === undefined ? undefined : toBytes(caller, 'options.imageBytes', options.imageBytes);
  const name = options.name ?? 'the input';
  const where = `${caller}: ${name}`;
  const frame = options.frame;
  if (frame !== undefined && !(Number.isInteger(frame) && frame >= 0)) {
    throw new RangeError(`${caller}: options.frame must be a whole number >= 0; got ${String(frame)}`);
  }

  // Header, from as few inflated bytes as it takes.
  const headerSource = isGzip(input) ? gunzip(input, { limit: NIFTI2_HEADER_BYTES, caller, name }) : input;
  const peek = parseNiftiHeader(headerSource, { caller, name, warn: false });

  // What this reader refuses, before touching the voxel bytes.
  const magic = `${peek.storage === 'single' ? 'n+' : 'ni'}${peek.format === 'nifti1' ? 1 : 2}`;
  if (peek.storage === 'pair' && image === undefined) {
    throw new InvalidVolumeError(
      `${where} is the header of a .hdr/.img pair (magic "${magic}"), so its voxels are in a separate .img ` +
        'file, which was not given: missing .img (pass its bytes as options.imageBytes)',
    );
  }
  if (peek.storage === 'single' && image !== undefined) {
    // a damaged or mislabelled .hdr: a file problem, not a wrong argument
    throw new InvalidVolumeError(
      `${caller}: ${name} came with a separate image (options.imageBytes), but its header is a ` +
        `single-file NIfTI's (magic "${magic}", expected "ni1" or "ni2" for a .hdr/.img pair)`,
    );
  }
  if (peek.intentCode >= 3000 && peek.intentCode <= 3099) {
    throw new UnsupportedVolumeError(
      `${where} is a CIFTI-2 file (intent_code ${peek.intentCode}): its values are brainordinates or ` +
        'connectivity, not a volume on a voxel grid; hadnet reads NIfTI volumes only',
    );
  }
  const datatype = NIFTI_DATATYPES.get(peek.datatypeCode)!;
  if (datatype.readAs === null) throw unsupportedDatatype(where, peek);
  const shape = gridShape(peek.dims);
  const frames = frameCount(peek.dims);
  if (frames > 1 && frame === undefined) {
    throw new UnsupportedVolumeError(
      `${where} holds ${frames} volumes (dim = [${peek.dims.slice(0, peek.dims[0] + 1).join(', ')}]); hadnet ` +
        `reads one 3D volume at a time: pass options.frame (0 to ${frames - 1}) to choose one`,
    );
  }
  const chosen = frame ?? 0;
  if (chosen >= frames) {
    throw new RangeError(
      `${caller}: options.frame must be from 0 to ${frames - 1} (${name} holds ${frames} volume${frames > 1 ? 's' : ''}); got ${chosen}`,
    );
  }

  // Sizes the header declares, checked against the bytes before anything is allocated for them.
  const width = datatype.bitpix / 8;
  const frameVoxels = shape[0] * shape[1] * shape[2];
  const frameBytes = frameVoxels * width;
  const declaredVoxels = frameVoxels * frames;
  const start = peek.voxOffset + chosen * frameBytes;
  const dataSource = image ?? input;
  const inFile = image === undefined ? 'the file' : 'the .img';
  const tooBig = (held: string) =>
    new InvalidVolumeError(
      `${where}: header declares ${count(declaredVoxels)} voxels (${width} byte${width > 1 ? 's' : ''} each) ` +
        `starting at vox_offset ${peek.voxOffset}, but ${inFile} holds ${held}`,
    );
  const needed = peek.voxOffset + declaredVoxels * width;
  const tooLarge = frameBytes > MAX_VOLUME_BYTES;
  let voxels: Uint8Array;
  if (isGzip(dataSource)) {
    // Inflate and check the whole stream, keeping only the chosen volume. Not stopping once the
    // declared bytes are in: bytes after them (or damage to them) would then go unchecked.
    const { kept, total } = gunzipRange(dataSource, {
      keepStart: start,
      keepEnd: tooLarge ? start : start + frameBytes,
      caller,
      name: image === undefined ? name : `${name} (.img)`,
    });
    if (total < needed) throw tooBig(`${total} bytes once inflated`);
    voxels = kept;
  } else {
    if (needed > dataSource.length) throw tooBig(`${dataSource.length} bytes`);
    voxels = dataSource.subarray(start, start + frameBytes);
  }
  if (tooLarge) {
    throw new UnsupportedVolumeError(
      `${where}: one volume of ${count(frameVoxels)} voxels takes ${count(frameBytes)} bytes; hadnet reads at ` +
        `most ${MAX_VOLUME_BYTES} bytes per volume`,
    );
  }

  // The header again, now with warnings and the extension list (the bytes up to vox_offset).
  const header = parseNiftiHeader(wholeHeader(input, headerSource, peek, name), { caller, name });

  // Voxels: decode, then scale.
  const owned = voxels !== dataSource && voxels.buffer !== dataSource.buffer;
  const stored = decodeVoxels(voxels, datatype, header.byteOrder, { owned, subject: where });
  const scaled = scalingApplies(header.sclSlope, header.sclInter);
  return {
    data: scaled ? applyScaling(stored, header.sclSlope, header.sclInter) : stored,
    shape,
    spacing: spacingFromAffine(header.affine),
    affine: header.affine,
    header,
  };
}

/**
 * The header's bytes for the final parse: a pair's whole `.hdr`, or a single file's bytes up to
 * vox_offset (where its extensions are), inflating again only when the first look fell short.
 */
function wholeHeader(input: Uint8Array, peeked: Uint8Array, peek: NiftiHeader, name: string): Uint8Array {
  if (!isGzip(input)) return input;
  if (peek.storage === 'single' && peeked.length >= peek.voxOffset) return peeked;
  return gunzip(input, {
    limit: peek.storage === 'single' ? peek.voxOffset : Infinity,
    caller: 'readNifti',
    name,
  });
}

/** `[nx, ny, nz]`: dims 1 to 3, an axis past dim[0] counting as 1. */
function gridShape(dims: readonly number[]): Vec3 {
  const axis = (n: number) => (n <= dims[0] ? dims[n] : 1);
  return [axis(1), axis(2), axis(3)];
}

/** Volumes in the file: the product of dim[4] to dim[dim[0]]. */
function frameCount(dims: readonly number[]): number {
  let frames = 1;
  for (let axis = 4; axis <= dims[0]; axis++) frames *= dims[axis];
  return frames;
}

function unsupportedDatatype(where: string, header: NiftiHeader): UnsupportedVolumeError {
  const readable = [...NIFTI_DATATYPES.values()].filter((t) => t.readAs !== null).map((t) => t.name);
  const advice: Partial<Record<string, string>> = {
    complex64: 'convert it to magnitude (or real part) first',
    complex128: 'convert it to magnitude (or real part) first',
    complex256: 'convert it to magnitude (or real part) first',
    rgb24: 'convert it to one scalar channel first',
    rgba32: 'convert it to one scalar channel first',
    float128: 'convert it to float64 first',
    binary: 'convert it to uint8 first',
  };
  return new UnsupportedVolumeError(
    `${where} holds ${header.datatype} voxels (datatype ${header.datatypeCode}), which are not scalars hadnet ` +
      `reads; readable datatypes: ${readable.join(', ')}. ${advice[header.datatype] ?? ''}`.trim(),
  );
}

/** An ArrayBuffer or Uint8Array (a Node Buffer included) as a Uint8Array; anything else a TypeError. */
function toBytes(caller: string, argument: string, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) {
    // A plain Uint8Array view, also of a Node Buffer (whose slice() would not copy).
    return value.constructor === Uint8Array
      ? value
      : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  const kind =
    value === null
      ? 'null'
      : typeof value === 'object'
        ? (value.constructor?.name ?? 'object')
        : typeof value;
  throw new TypeError(`${caller}: ${argument} must be a Uint8Array or an ArrayBuffer; got ${kind}`);
}

/** A count for messages: exact below ten million, else like `1e12` or `1.25e9`. */
function count(n: number): string {
  if (n < 1e7) return String(n);
  return n
    .toExponential(3)
    .replace(/\.?0+e/, 'e')
    .replace('e+', 'e');
}
