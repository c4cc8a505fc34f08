/**
 * The NIfTI-1 and NIfTI-2 header layouts as the fuzzer sees them: every field's byte offset,
 * type and count, written out from nifti1.h and nifti2.h. Deliberately shares no code with the
 * reader in packages/core, so that the fuzzer's own reading of a header (to mutate a field, to swap
 * the byte order, to work out how many bytes a volume needs) is an independent one.
 */

/** Storage type of a header field. `char` fields are bytes that no byte-order swap touches. */
export type FieldType = 'u8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64' | 'char';

/** One header field: `count` elements of `type` from byte `offset`. */
export interface FieldSpec {
  offset: number;
  type: FieldType;
  count: number;
}

/** Which header a file has, and in which byte order (from `sizeof_hdr`). */
export interface Layout {
  format: 'nifti1' | 'nifti2';
  littleEndian: boolean;
  /** 348 or 540. */
  headerBytes: number;
  fields: Readonly<Record<string, FieldSpec>>;
}

const f = (offset: number, type: FieldType, count = 1): FieldSpec => ({ offset, type, count });

/** nifti1.h, `struct nifti_1_header` (348 bytes). */
export const NIFTI1_FIELDS: Readonly<Record<string, FieldSpec>> = {
  sizeof_hdr: f(0, 'i32'),
  data_type: f(4, 'char', 10),
  db_name: f(14, 'char', 18),
  extents: f(32, 'i32'),
  session_error: f(36, 'i16'),
  regular: f(38, 'u8'),
  dim_info: f(39, 'u8'),
  dim: f(40, 'i16', 8),
  intent_p: f(56, 'f32', 3),
  intent_code: f(68, 'i16'),
  datatype: f(70, 'i16'),
  bitpix: f(72, 'i16'),
  slice_start: f(74, 'i16'),
  pixdim: f(76, 'f32', 8),
  vox_offset: f(108, 'f32'),
  scl_slope: f(112, 'f32'),
  scl_inter: f(116, 'f32'),
  slice_end: f(120, 'i16'),
  slice_code: f(122, 'u8'),
  xyzt_units: f(123, 'u8'),
  cal_max: f(124, 'f32'),
  cal_min: f(128, 'f32'),
  slice_duration: f(132, 'f32'),
  toffset: f(136, 'f32'),
  glmax: f(140, 'i32'),
  glmin: f(144, 'i32'),
  descrip: f(148, 'char', 80),
  aux_file: f(228, 'char', 24),
  qform_code: f(252, 'i16'),
  sform_code: f(254, 'i16'),
  quatern: f(256, 'f32', 3),
  qoffset: f(268, 'f32', 3),
  srow: f(280, 'f32', 12),
  intent_name: f(328, 'char', 16),
  magic: f(344, 'char', 4),
};

/** nifti2.h, `struct nifti_2_header` (540 bytes). */
export const NIFTI2_FIELDS: Readonly<Record<string, FieldSpec>> = {
  sizeof_hdr: f(0, 'i32'),
  magic: f(4, 'char', 8),
  datatype: f(12, 'i16'),
  bitpix: f(14, 'i16'),
  dim: f(16, 'i64', 8),
  intent_p: f(80, 'f64', 3),
  pixdim: f(104, 'f64', 8),
  vox_offset: f(168, 'i64'),
  scl_slope: f(176, 'f64'),
  scl_inter: f(184, 'f64'),
  cal_max: f(192, 'f64'),
  cal_min: f(200, 'f64'),
  slice_duration: f(208, 'f64'),
  toffset: f(216, 'f64'),
  slice_start: f(224, 'i64'),
  slice_end: f(232, 'i64'),
  descrip: f(240, 'char', 80),
  aux_file: f(320, 'char', 24),
  qform_code: f(344, 'i32'),
  sform_code: f(348, 'i32'),
  quatern: f(352, 'f64', 3),
  qoffset: f(376, 'f64', 3),
  srow: f(400, 'f64', 12),
  slice_code: f(496, 'i32'),
  xyzt_units: f(500, 'i32'),
  intent_code: f(504, 'i32'),
  intent_name: f(508, 'char', 16),
  dim_info: f(524, 'u8'),
  unused_str: f(525, 'char', 15),
};

/** Bytes per element of each field type. */
export const TYPE_BYTES: Readonly<Record<FieldType, number>> = {
  u8: 1,
  i16: 2,
  i32: 4,
  i64: 8,
  f32: 4,
  f64: 8,
  char: 1,
};

/**
 * Bytes per stored element, by datatype code, for byte-order swaps: a complex voxel is two
 * elements, an RGB voxel three single bytes. Also the voxel size in bytes (`voxelBytes`).
 */
export const DATATYPES: ReadonlyMap<number, { voxelBytes: number; elementBytes: number }> = new Map([
  [2, { voxelBytes: 1, elementBytes: 1 }],
  [4, { voxelBytes: 2, elementBytes: 2 }],
  [8, { voxelBytes: 4, elementBytes: 4 }],
  [16, { voxelBytes: 4, elementBytes: 4 }],
  [32, { voxelBytes: 8, elementBytes: 4 }],
  [64, { voxelBytes: 8, elementBytes: 8 }],
  [128, { voxelBytes: 3, elementBytes: 1 }],
  [256, { voxelBytes: 1, elementBytes: 1 }],
  [512, { voxelBytes: 2, elementBytes: 2 }],
  [768, { voxelBytes: 4, elementBytes: 4 }],
  [1024, { voxelBytes: 8, elementBytes: 8 }],
  [1280, { voxelBytes: 8, elementBytes: 8 }],
  [1536, { voxelBytes: 16, elementBytes: 16 }],
  [1792, { voxelBytes: 16, elementBytes: 8 }],
  [2048, { voxelBytes: 32, elementBytes: 16 }],
  [2304, { voxelBytes: 4, elementBytes: 1 }],
]);

/**
 * The layout a file's `sizeof_hdr` announces (348 or 540, either byte order), or `null` when it
 * announces neither (not NIfTI, or too short to tell).
 */
export function detectLayout(bytes: Uint8Array): Layout | null {
  if (bytes.length < 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const littleEndian of [true, false]) {
    const size = view.getInt32(0, littleEndian);
    if (size === 348) return { format: 'nifti1', littleEndian, headerBytes: 348, fields: NIFTI1_FIELDS };
    if (size === 540) return { format: 'nifti2', littleEndian, headerBytes: 540, fields: NIFTI2_FIELDS };
  }
  return null;
}

/** The NIfTI-1 little-endian layout: what the fuzzer assumes for bytes that announce no layout. */
export const DEFAULT_LAYOUT: Layout = {
  format: 'nifti1',
  littleEndian: true,
  headerBytes: 348,
  fields: NIFTI1_FIELDS,
};

/** Reads element `k` of a numeric field as a number (an i64 as the nearest double). */
export function readField(bytes: Uint8Array, layout: Layout, name: string, k = 0): number {
  const spec = layout.fields[name];
  const at = spec.offset + k * TYPE_BYTES[spec.type];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = layout.littleEndian;
  switch (spec.type) {
    case 'u8':
    case 'char':
      return view.getUint8(at);
    case 'i16':
      return view.getInt16(at, le);
    case 'i32':
      return view.getInt32(at, le);
    case 'i64':
      return Number(view.getBigInt64(at, le));
    case 'f32':
      return view.getFloat32(at, le);
    case 'f64':
      return view.getFloat64(at, le);
  }
}

/**
 * Writes element `k` of a numeric field. Integers are wrapped into the field's range the way a C
 * cast would (so `70000` in an i16 field becomes 4464), which keeps any value the fuzzer draws
 * writable; a bigint is accepted for i64 fields.
 */
export function writeField(
  bytes: Uint8Array,
  layout: Layout,
  name: string,
  value: number | bigint,
  k = 0,
): void {
  const spec = layout.fields[name];
  const at = spec.offset + k * TYPE_BYTES[spec.type];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = layout.littleEndian;
  const whole = (v: number | bigint) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v) || 0)));
  switch (spec.type) {
    case 'u8':
    case 'char':
      view.setUint8(at, Number(BigInt.asUintN(8, whole(value))));
      return;
    case 'i16':
      view.setInt16(at, Number(BigInt.asIntN(16, whole(value))), le);
      return;
    case 'i32':
      view.setInt32(at, Number(BigInt.asIntN(32, whole(value))), le);
      return;
    case 'i64':
      view.setBigInt64(at, BigInt.asIntN(64, whole(value)), le);
      return;
    case 'f32':
      view.setFloat32(at, Number(value), le);
      return;
    case 'f64':
      view.setFloat64(at, Number(value), le);
      return;
  }
}

/** What the fuzzer's own reading of a header says one volume needs. */
export interface Extent {
  /** Where the voxels start: vox_offset, or just past the header and extender if it points inside them. */
  voxOffset: number;
  /** Bytes of one 3D volume (frame). */
  frameBytes: number;
  /** Volumes in the file: the product of dim[4] to dim[dim[0]]. */
  frames: number;
}

/**
 * The extent of a well-formed single-file or pair header (`null` when dim[0], a dim or the
 * datatype is out of range). For a pair, vox_offset counts in the `.img` and no minimum applies.
 */
export function extentOf(header: Uint8Array, layout: Layout, pair: boolean): Extent | null {
  const ndim = readField(header, layout, 'dim', 0);
  const type = DATATYPES.get(readField(header, layout, 'datatype'));
  if (!(ndim >= 1 && ndim <= 7) || type === undefined) return null;
  const dims: number[] = [];
  for (let axis = 1; axis <= 7; axis++) dims.push(axis <= ndim ? readField(header, layout, 'dim', axis) : 1);
  if (dims.some((d) => d < 1)) return null;
  const offset = readField(header, layout, 'vox_offset');
  const minimum = pair ? 0 : layout.headerBytes + 4;
  return {
    voxOffset: Math.max(offset, minimum),
    frameBytes: dims[0] * dims[1] * dims[2] * type.voxelBytes,
    frames: dims[3] * dims[4] * dims[5] * dims[6],
  };
}

/** The magic string (`n+1`, `ni1`, `n+2`, `ni2`, or whatever the bytes hold), NULs dropped. */
export function magicOf(header: Uint8Array, layout: Layout): string {
  const spec = layout.fields.magic;
  const chars = header.subarray(spec.offset, spec.offset + (layout.format === 'nifti1' ? 4 : 3));
  return String.fromCharCode(...chars.filter((c) => c !== 0));
}
