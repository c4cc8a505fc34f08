/**
 * Parses the NIfTI-1 (348-byte) and NIfTI-2 (540-byte) headers, either byte order, into the
 * camelCase {@link NiftiHeader}, and refuses what is not NIfTI (Analyze 7.5, other files) with a
 * typed error. Works on already-inflated bytes; depends on the datatype table and affine rule.
 */
import { InvalidVolumeError, UnsupportedVolumeError } from '../errors.js';
import { log } from '../logger.js';
import type { Affine } from '../volume.js';
import { chooseAffine } from './affine.js';
import { NIFTI_DATATYPES, listDatatypes } from './datatypes.js';
import type { NiftiHeader } from './header.js';
import { qformToAffine } from './qform.js';

/** Bytes of a NIfTI-1 header, and where its data may start at the earliest in a `.nii`. */
export const NIFTI1_HEADER_BYTES = 348;
/** Bytes of a NIfTI-2 header. */
export const NIFTI2_HEADER_BYTES = 540;
/** The 4-byte extension flag follows the header. */
const EXTENDER_BYTES = 4;

/** How parse errors and warnings name their origin. */
export interface ParseContext {
  /** The public function that was called, e.g. `'readNifti'`. */
  caller: string;
  /** The file, e.g. `'brain.nii.gz'`, or `'the input'`. */
  name: string;
  /**
   * Log the header's warnings (bitpix, vox_offset, extensions, shear, sform/qform disagreement);
   * a reader that parses a header twice turns them off for the first parse. @defaultValue true
   */
  warn?: boolean;
}

/**
 * Reads a NIfTI-1 or NIfTI-2 header from the start of uncompressed bytes. Byte order comes from
 * `sizeof_hdr` (348 or 540 in one order or the other); extensions are listed when the bytes up to
 * `vox_offset` are present.
 *
 * @param bytes - the file's bytes (inflated), at least the header
 * @throws InvalidVolumeError for bytes that are not NIfTI or a header with impossible fields
 * @throws UnsupportedVolumeError for an Analyze 7.5 header (348 bytes without the NIfTI magic)
 */
export function parseNiftiHeader(bytes: Uint8Array, context: ParseContext): NiftiHeader {
  const where = `${context.caller}: ${context.name}`;
  if (bytes.length < 4) {
    throw new InvalidVolumeError(
      `${where} is not a NIfTI file: it holds ${bytes.length} bytes; a NIfTI header needs 348 (NIfTI-1) or 540 (NIfTI-2)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  // Format and byte order from sizeof_hdr.
  const little = view.getInt32(0, true);
  const big = view.getInt32(0, false);
  const size = little === NIFTI1_HEADER_BYTES || little === NIFTI2_HEADER_BYTES ? little : big;
  if (size !== NIFTI1_HEADER_BYTES && size !== NIFTI2_HEADER_BYTES) {
    throw new InvalidVolumeError(
      `${where} is not a NIfTI file: header field sizeof_hdr should be 348 (NIfTI-1) or 540 (NIfTI-2) in ` +
        `either byte order; got ${little} (little-endian) / ${big} (big-endian)`,
    );
  }
  const littleEndian = size === little;
  if (bytes.length < size) {
    throw new InvalidVolumeError(
      `${where}: truncated header: sizeof_hdr says ${size} bytes, but the file holds ${bytes.length}`,
    );
  }
  const fields = size === NIFTI1_HEADER_BYTES ? readNifti1(view, where) : readNifti2(view, where);
  const byteOrder = littleEndian ? 'little' : 'big';
  return finish(fields, bytes, byteOrder, context);
}

/** The raw header fields shared by both formats, before checks. */
interface RawFields {
  format: 'nifti1' | 'nifti2';
  storage: 'single' | 'pair';
  dims: number[];
  pixdim: number[];
  datatypeCode: number;
  bitpix: number;
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number];
  qoffset: [number, number, number];
  srow: number[];
  xyztUnits: number;
  intentCode: number;
  intentParams: [number, number, number];
  intentName: string;
  calMin: number;
  calMax: number;
  description: string;
  auxFile: string;
  dimInfo: number;
  sliceStart: number;
  sliceEnd: number;
  sliceCode: number;
  sliceDuration: number;
  toffset: number;
}

function readNifti1(view: DataView, where: string): RawFields {
  const le = view.getInt32(0, true) === NIFTI1_HEADER_BYTES;
  const magic = text(view, 344, 4);
  if (magic !== 'n+1' && magic !== 'ni1') {
    throw new UnsupportedVolumeError(
      `${where} is an Analyze 7.5 header, not NIfTI: sizeof_hdr is 348 but the magic at byte 344 is ` +
        `${JSON.stringify(magic)}, expected "n+1" or "ni1". Analyze has no reliable orientation (and SPM ` +
        'kept a scale factor at byte 112); convert it to NIfTI first',
    );
  }
  const i16 = (at: number) => view.getInt16(at, le);
  const f32 = (at: number) => view.getFloat32(at, le);
  const f32s = (at: number, n: number) => Array.from({ length: n }, (_, k) => f32(at + 4 * k));
  return {
    format: 'nifti1',
    storage: magic === 'n+1' ? 'single' : 'pair',
    dims: Array.from({ length: 8 }, (_, k) => i16(40 + 2 * k)),
    pixdim: f32s(76, 8),
    datatypeCode: i16(70),
    bitpix: i16(72),
    voxOffset: f32(108),
    sclSlope: f32(112),
    sclInter: f32(116),
    qformCode: i16(252),
    sformCode: i16(254),
    quatern: [f32(256), f32(260), f32(264)],
    qoffset: [f32(268), f32(272), f32(276)],
    srow: f32s(280, 12),
    xyztUnits: view.getUint8(123),
    intentCode: i16(68),
    intentParams: [f32(56), f32(60), f32(64)],
    intentName: text(view, 328, 16),
    calMax: f32(124),
    calMin: f32(128),
    description: text(view, 148, 80),
    auxFile: text(view, 228, 24),
    dimInfo: view.getUint8(39),
    sliceStart: i16(74),
    sliceEnd: i16(120),
    sliceCode: view.getUint8(122),
    sliceDuration: f32(132),
    toffset: f32(136),
  };
}

function readNifti2(view: DataView, where: string): RawFields {
  const le = view.getInt32(0, true) === NIFTI2_HEADER_BYTES;
  const magic = text(view, 4, 4);
  const tail = [8, 9, 10, 11].map((at) => view.getUint8(at));
  if ((magic !== 'n+2' && magic !== 'ni2') || tail.join() !== '13,10,26,10') {
    throw new InvalidVolumeError(
      `${where} is not a valid NIfTI-2 file: sizeof_hdr is 540 but the magic at byte 4 is ` +
        `${JSON.stringify(magic)} followed by bytes ${tail.join(' ')}; expected "n+2" or "ni2" followed by 13 10 26 10`,
    );
  }
  const f64 = (at: number) => view.getFloat64(at, le);
  const f64s = (at: number, n: number) => Array.from({ length: n }, (_, k) => f64(at + 8 * k));
  const i32 = (at: number) => view.getInt32(at, le);
  const i64 = (at: number, field: string) => {
    const value = view.getBigInt64(at, le);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new InvalidVolumeError(`${where}: header field ${field} is ${value}, beyond any real volume`);
    }
    return Number(value);
  };
  return {
    format: 'nifti2',
    storage: magic === 'n+2' ? 'single' : 'pair',
    dims: Array.from({ length: 8 }, (_, k) => i64(16 + 8 * k, `dim[${k}]`)),
    pixdim: f64s(104, 8),
    datatypeCode: view.getInt16(12, le),
    bitpix: view.getInt16(14, le),
    voxOffset: i64(168, 'vox_offset'),
    sclSlope: f64(176),
    sclInter: f64(184),
    qformCode: i32(344),
    sformCode: i32(348),
    quatern: [f64(352), f64(360), f64(368)],
    qoffset: [f64(376), f64(384), f64(392)],
    srow: f64s(400, 12),
    xyztUnits: i32(500),
    intentCode: i32(504),
    intentParams: [f64(80), f64(88), f64(96)],
    intentName: text(view, 508, 16),
    calMax: f64(192),
    calMin: f64(200),
    description: text(view, 240, 80),
    auxFile: text(view, 320, 24),
    dimInfo: view.getUint8(524),
    sliceStart: i64(224, 'slice_start'),
    sliceEnd: i64(232, 'slice_end'),
    sliceCode: i32(496),
    sliceDuration: f64(208),
    toffset: f64(216),
  };
}

/** Checks the raw fields, applies the affine rule and lists extensions. */
function finish(
  raw: RawFields,
  bytes: Uint8Array,
  byteOrder: 'little' | 'big',
  context: ParseContext,
): NiftiHeader {
  const where = `${context.caller}: ${context.name}`;
  const warn = (message: string): void => {
    if (context.warn !== false) log.warn(message);
  };
  const headerBytes = raw.format === 'nifti1' ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES;

  // dim: dim[0] axes in use, each at least 1 voxel long.
  const ndim = raw.dims[0];
  if (!(ndim >= 1 && ndim <= 7)) {
    throw new InvalidVolumeError(
      `${where}: header field dim[0] (the number of dimensions) must be 1 to 7; got ${ndim}`,
    );
  }
  for (let axis = 1; axis <= ndim; axis++) {
    if (!(raw.dims[axis] >= 1)) {
      throw new InvalidVolumeError(
        `${where}: header field dim[${axis}] must be at least 1 (dim[0] = ${ndim}); got ${raw.dims[axis]}`,
      );
    }
  }

  // datatype and bitpix.
  const datatype = NIFTI_DATATYPES.get(raw.datatypeCode);
  if (!datatype) {
    throw new InvalidVolumeError(
      `${where}: header field datatype is ${raw.datatypeCode}, not a NIfTI datatype code; known: ${listDatatypes()}`,
    );
  }
  if (raw.bitpix !== datatype.bitpix) {
    warn(
      `${where}: header field bitpix is ${raw.bitpix}, but datatype ${datatype.name} has ${datatype.bitpix} ` +
        'bits per voxel; trusting datatype',
    );
  }

  // vox_offset: a whole number of bytes, past the header in a single file.
  let voxOffset = raw.voxOffset;
  if (!Number.isInteger(voxOffset) || voxOffset < 0) {
    throw new InvalidVolumeError(
      `${where}: header field vox_offset must be a whole number of bytes >= 0; got ${voxOffset}`,
    );
  }
  const minimum = headerBytes + EXTENDER_BYTES;
  if (raw.storage === 'single' && voxOffset < minimum) {
    warn(
      `${where}: vox_offset ${voxOffset} would overlap the header; reading the voxels from byte ${minimum}`,
    );
    voxOffset = minimum;
  }

  // Geometry: qform, sform and the affine rule.
  const pixdim = raw.pixdim;
  const qform = qformToAffine({ quatern: raw.quatern, qoffset: raw.qoffset, pixdim });
  const s = raw.srow;
  const sform: Affine = [
    [s[0], s[1], s[2], s[3]],
    [s[4], s[5], s[6], s[7]],
    [s[8], s[9], s[10], s[11]],
    [0, 0, 0, 1],
  ];
  const choice = chooseAffine(
    {
      qformCode: raw.qformCode,
      sformCode: raw.sformCode,
      sform,
      quatern: raw.quatern,
      qoffset: raw.qoffset,
      pixdim,
    },
    context.warn === false ? null : where,
  );

  return {
    format: raw.format,
    storage: raw.storage,
    byteOrder,
    dims: raw.dims,
    pixdim,
    datatype: datatype.name,
    datatypeCode: raw.datatypeCode,
    bitpix: raw.bitpix,
    voxOffset,
    sclSlope: raw.sclSlope,
    sclInter: raw.sclInter,
    qformCode: raw.qformCode,
    sformCode: raw.sformCode,
    quatern: raw.quatern,
    qoffset: raw.qoffset,
    sform,
    affine: choice.affine,
    affineSource: choice.source,
    xyztUnits: raw.xyztUnits,
    intentCode: raw.intentCode,
    calMin: raw.calMin,
    calMax: raw.calMax,
    description: raw.description,
    qform,
    qfac: pixdim[0] < 0 ? -1 : 1,
    intentParams: raw.intentParams,
    intentName: raw.intentName,
    auxFile: raw.auxFile,
    dimInfo: raw.dimInfo,
    sliceStart: raw.sliceStart,
    sliceEnd: raw.sliceEnd,
    sliceCode: raw.sliceCode,
    sliceDuration: raw.sliceDuration,
    toffset: raw.toffset,
    extensions: listExtensions(
      bytes,
      headerBytes,
      raw.storage === 'single' ? voxOffset : bytes.length,
      byteOrder,
      where,
      warn,
    ),
  };
}

/**
 * The extension list after the header: an extender flag, then blocks of `esize` (a multiple of 16,
 * itself included), `ecode` and content. `undefined` when the bytes up to `end` are not all here.
 */
function listExtensions(
  bytes: Uint8Array,
  headerBytes: number,
  end: number,
  byteOrder: 'little' | 'big',
  where: string,
  warn: (message: string) => void,
): { code: number; size: number }[] | undefined {
  if (bytes.length < end || bytes.length < headerBytes + EXTENDER_BYTES) return undefined;
  const extensions: { code: number; size: number }[] = [];
  if (bytes[headerBytes] === 0) return extensions;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = headerBytes + EXTENDER_BYTES;
  while (at + 8 <= end) {
    const size = view.getInt32(at, byteOrder === 'little');
    const code = view.getInt32(at + 4, byteOrder === 'little');
    if (size < 8 || at + size > end) {
      warn(
        `${where}: header extension at byte ${at} claims ${size} bytes, which do not fit before byte ${end}; ignoring it and any after it`,
      );
      break;
    }
    extensions.push({ code, size });
    at += size;
  }
  return extensions;
}

/** A NUL-terminated Latin-1 string field. */
function text(view: DataView, at: number, length: number): string {
  let out = '';
  for (let k = 0; k < length; k++) {
    const code = view.getUint8(at + k);
    if (code === 0) break;
    out += String.fromCharCode(code);
  }
  return out;
}
