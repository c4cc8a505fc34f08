/**
 * Writes a volume as a single-file NIfTI-1 image (`.nii` or `.nii.gz` bytes), on the grid of a
 * reference header so that viewers overlay the result on the input. Runtime-free: returns bytes;
 * file access lives in the runtime packages. Depends on fflate, the Volume and header types, and
 * the qform conversion.
 */
import { gzipSync } from 'fflate';
import { InvalidVolumeError } from '../errors.js';
import type { Affine, VoxelArray, Volume } from '../volume.js';
import type { NiftiDatatype, NiftiHeader } from './header.js';
import { qformFromAffine } from './qform-from-affine.js';

/** Datatypes {@link writeNifti} writes: the real-valued scalar ones. */
export type WritableDatatype = Extract<
  NiftiDatatype,
  'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64'
>;

/** Options of {@link writeNifti}. */
export interface WriteNiftiOptions {
  /**
   * gzip the whole file (`.nii.gz`); `false` writes plain `.nii` bytes.
   * @defaultValue `true`
   */
  gzip?: boolean;
  /**
   * Datatype of the stored voxels. Label maps are `'uint8'`; probability and uncertainty maps
   * `'float32'`. Every voxel must fit: integers in range for integer types (a `RangeError` names
   * the first voxel that does not); finite values within float32's range for `'float32'` (values
   * are rounded to the nearest float32; NaN and infinities are written as they are).
   * @defaultValue the datatype of `volume.data`'s array type (`Float32Array` gives `'float32'`)
   */
  datatype?: WritableDatatype;
  /**
   * Header whose geometry the file copies: sform and qform with their codes, quaternion, offsets,
   * `pixdim` and `xyzt_units`. Its dims must equal `volume.shape` and its affine `volume.affine`
   * (within 1e-3 mm). Without one, the sform is `volume.affine`, the qform its nearest rigid
   * version, both with code {@link WriteNiftiOptions.xformCode}, units mm.
   * @defaultValue `volume.header` when the volume has one
   */
  reference?: NiftiHeader;
  /**
   * `sform_code` and `qform_code` when there is no reference: `1` (scanner anatomical) or
   * `2` (aligned to another image).
   * @defaultValue `1`
   */
  xformCode?: 1 | 2;
  /**
   * The `descrip` field, at most 80 bytes of UTF-8.
   * @defaultValue `'hadnet'`
   */
  description?: string;
}

/** NIfTI-1's fixed sizes: a 348-byte header, 4 extension bytes, voxels from byte 352. */
const HEADER_BYTES = 348;
const VOX_OFFSET = 352;

/** Grids must agree with a reference within this, in mm (the same-grid tolerance of CONTRACTS.md). */
const AFFINE_TOLERANCE = 1e-3;

interface DatatypeInfo {
  code: number;
  bitpix: number;
  array: new (buffer: ArrayBuffer, byteOffset: number, length: number) => VoxelArray;
  /** Integer range, or `null` for floating point. */
  range: [number, number] | null;
}

const DATATYPES: Record<WritableDatatype, DatatypeInfo> = {
  uint8: { code: 2, bitpix: 8, array: Uint8Array, range: [0, 255] },
  int16: { code: 4, bitpix: 16, array: Int16Array, range: [-32768, 32767] },
  int32: { code: 8, bitpix: 32, array: Int32Array, range: [-2147483648, 2147483647] },
  float32: { code: 16, bitpix: 32, array: Float32Array, range: null },
  float64: { code: 64, bitpix: 64, array: Float64Array, range: null },
  int8: { code: 256, bitpix: 8, array: Int8Array, range: [-128, 127] },
  uint16: { code: 512, bitpix: 16, array: Uint16Array, range: [0, 65535] },
  uint32: { code: 768, bitpix: 32, array: Uint32Array, range: [0, 4294967295] },
};

/** The datatype that holds a typed array's values without conversion. */
function datatypeOfArray(data: VoxelArray): WritableDatatype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/** The voxel index as "n (i, j, k)" for messages. */
function voxelName(index: number, shape: readonly number[]): string {
  const i = index % shape[0];
  const j = Math.floor(index / shape[0]) % shape[1];
  const k = Math.floor(index / (shape[0] * shape[1]));
  return `${index} (i, j, k = ${i}, ${j}, ${k})`;
}

/**
 * Checks that every voxel fits the datatype, and returns the smallest and largest finite value.
 * Integer sources that always fit (uint8 into int16, say) skip the per-voxel test.
 */
function checkValues(
  data: VoxelArray,
  datatype: WritableDatatype,
  shape: readonly number[],
): [number, number] {
  const range = DATATYPES[datatype].range;
  const sourceType = datatypeOfArray(data);
  const sourceRange = DATATYPES[sourceType].range;
  const alwaysFits =
    sourceType === datatype ||
    datatype === 'float64' ||
    (range === null
      ? sourceRange !== null
      : sourceRange !== null && sourceRange[0] >= range[0] && sourceRange[1] <= range[1]);
  let min = Infinity;
  let max = -Infinity;
  for (let n = 0; n < data.length; n++) {
    const v = data[n];
    if (!alwaysFits) {
      const fits =
        range === null
          ? !Number.isFinite(v) || Number.isFinite(Math.fround(v))
          : Number.isInteger(v) && v >= range[0] && v <= range[1];
      if (!fits) {
        const expected =
          range === null ? 'values within ±3.4028e38' : `integers from ${range[0]} to ${range[1]}`;
        throw new RangeError(
          `writeNifti: voxel ${voxelName(n, shape)} holds ${v}, which does not fit datatype '${datatype}' ` +
            `(${expected}); choose another options.datatype`,
        );
      }
    }
    if (v < min && v !== -Infinity) min = v;
    if (v > max && v !== Infinity) max = v;
  }
  return min <= max ? [min, max] : [0, 0];
}

/** The geometry fields the file will hold, from a reference header or from the affine. */
interface Geometry {
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number];
  qoffset: [number, number, number];
  pixdim: number[];
  sform: Affine;
  xyztUnits: number;
}

function geometryFromReference(volume: Volume, reference: NiftiHeader, name: string): Geometry {
  const dims = reference.dims.slice(1, 4);
  if (dims.some((n, a) => n !== volume.shape[a])) {
    throw new RangeError(
      `writeNifti: ${name} has dims ${dims.join('x')}, but volume.shape is ${volume.shape.join('x')}; ` +
        'a reference must describe the volume’s own grid',
    );
  }
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      const difference = Math.abs(reference.affine[r][c] - volume.affine[r][c]);
      if (!(difference <= AFFINE_TOLERANCE)) {
        throw new RangeError(
          `writeNifti: ${name}'s affine[${r}][${c}] is ${reference.affine[r][c]}, but volume.affine[${r}][${c}] ` +
            `is ${volume.affine[r][c]} (tolerance ${AFFINE_TOLERANCE} mm); a reference must describe the volume’s own grid`,
        );
      }
    }
  }
  return {
    qformCode: reference.qformCode,
    sformCode: reference.sformCode,
    quatern: [...reference.quatern],
    qoffset: [...reference.qoffset],
    pixdim: Array.from({ length: 8 }, (_, n) => reference.pixdim[n] ?? (n === 0 ? 1 : 0)),
    sform: reference.sform,
    xyztUnits: reference.xyztUnits,
  };
}

function geometryFromAffine(affine: Affine, code: 1 | 2): Geometry {
  const qform = qformFromAffine(affine);
  return {
    qformCode: code,
    sformCode: code,
    quatern: qform.quatern,
    qoffset: qform.qoffset,
    pixdim: [qform.qfac, ...qform.pixdim, 0, 0, 0, 0],
    sform: affine,
    xyztUnits: 2, // NIFTI_UNITS_MM
  };
}

function checkVolume(volume: Volume): void {
  if (volume === null || typeof volume !== 'object' || !ArrayBuffer.isView(volume.data)) {
    throw new TypeError(
      `writeNifti: volume must be a Volume with a typed array in data; got ${typeof volume}`,
    );
  }
  const { shape, data, affine } = volume;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidVolumeError(
      `writeNifti: volume.shape must be three positive integers; got ${JSON.stringify(shape)}`,
    );
  }
  if (shape.some((n) => n > 32767)) {
    throw new RangeError(
      `writeNifti: NIfTI-1 holds at most 32767 voxels per axis; volume.shape is ${shape.join('x')}`,
    );
  }
  const voxels = shape[0] * shape[1] * shape[2];
  if (data.length !== voxels) {
    throw new InvalidVolumeError(
      `writeNifti: volume.data holds ${data.length} voxels, but volume.shape ${shape.join('x')} needs ${voxels}`,
    );
  }
  const finite =
    Array.isArray(affine) &&
    affine.length === 4 &&
    affine.every((row) => Array.isArray(row) && row.length === 4 && row.every((v) => Number.isFinite(v)));
  if (!finite) {
    throw new InvalidVolumeError(
      `writeNifti: volume.affine must be a 4x4 array of finite numbers; got ${JSON.stringify(affine)}`,
    );
  }
}

function checkOptions(options: WriteNiftiOptions): void {
  if (options.datatype !== undefined && !(options.datatype in DATATYPES)) {
    throw new RangeError(
      `writeNifti: options.datatype must be one of ${Object.keys(DATATYPES).join(', ')}; got ${JSON.stringify(options.datatype)}`,
    );
  }
  if (options.xformCode !== undefined && options.xformCode !== 1 && options.xformCode !== 2) {
    throw new RangeError(
      `writeNifti: options.xformCode must be 1 or 2; got ${JSON.stringify(options.xformCode)}`,
    );
  }
  if (options.gzip !== undefined && typeof options.gzip !== 'boolean') {
    throw new TypeError(`writeNifti: options.gzip must be a boolean; got ${typeof options.gzip}`);
  }
}

/** `true` on little-endian hosts (all common ones); typed arrays use the host's byte order. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Writes a volume as NIfTI-1, single file, little-endian, voxels from byte 352 (no extensions),
 * `scl_slope` 1 and `scl_inter` 0, `cal_min`/`cal_max` the data's finite range, `descrip` "hadnet".
 *
 * Geometry: with a reference header (by default the volume's own `header`), its sform and qform
 * with their codes, `pixdim` and `xyzt_units` are copied, so any viewer overlays the output on the
 * reference image. Without one, the sform is `volume.affine` and the qform its nearest rigid
 * version (see `qformFromAffine`), both with `options.xformCode`.
 *
 * Layout: `volume.data[i + nx * (j + ny * k)]` is written in that order (NIfTI's own), shape
 * `[nx, ny, nz]` as `dim[1..3]`, `dim[0] = 3`.
 *
 * @param volume - the voxels and their grid
 * @param options - gzip, datatype, reference header, xform code, description
 * @returns the file's bytes (`.nii.gz` unless `gzip: false`)
 * @throws RangeError when a voxel does not fit the datatype, or the reference is another grid
 * @throws InvalidVolumeError when the volume's data, shape and affine do not fit together
 * @example
 * ```ts
 * const bytes = writeNifti({ ...flair, data: labels }, { datatype: 'uint8' }); // on flair's grid
 * ```
 */
export function writeNifti(volume: Volume, options: WriteNiftiOptions = {}): Uint8Array {
  checkVolume(volume);
  checkOptions(options);
  const datatype = options.datatype ?? datatypeOfArray(volume.data);
  const info = DATATYPES[datatype];
  const description = new TextEncoder().encode(options.description ?? 'hadnet');
  if (description.length > 80) {
    throw new RangeError(
      `writeNifti: options.description must be at most 80 bytes; got ${description.length}`,
    );
  }
  const reference = options.reference ?? volume.header;
  const geometry =
    reference === undefined
      ? geometryFromAffine(volume.affine, options.xformCode ?? 1)
      : geometryFromReference(volume, reference, options.reference ? 'options.reference' : 'volume.header');
  const [calMin, calMax] = checkValues(volume.data, datatype, volume.shape);

  // the 348-byte header, then 4 zero bytes: no extensions
  const bytesPerVoxel = info.bitpix / 8;
  const file = new Uint8Array(VOX_OFFSET + volume.data.length * bytesPerVoxel);
  const header = new DataView(file.buffer, 0, VOX_OFFSET);
  header.setInt32(0, HEADER_BYTES, true); // sizeof_hdr
  header.setUint8(38, 0x72); // regular = 'r'
  const dims = [3, ...volume.shape, 1, 1, 1, 1];
  dims.forEach((n, d) => header.setInt16(40 + 2 * d, n, true));
  header.setInt16(70, info.code, true); // datatype
  header.setInt16(72, info.bitpix, true);
  geometry.pixdim.forEach((value, d) => header.setFloat32(76 + 4 * d, value, true));
  header.setFloat32(108, VOX_OFFSET, true);
  header.setFloat32(112, 1, true); // scl_slope
  header.setFloat32(116, 0, true); // scl_inter
  header.setUint8(123, geometry.xyztUnits);
  header.setFloat32(124, calMax, true);
  header.setFloat32(128, calMin, true);
  file.set(description, 148);
  header.setInt16(252, geometry.qformCode, true);
  header.setInt16(254, geometry.sformCode, true);
  geometry.quatern.forEach((value, n) => header.setFloat32(256 + 4 * n, value, true));
  geometry.qoffset.forEach((value, n) => header.setFloat32(268 + 4 * n, value, true));
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) header.setFloat32(280 + 16 * r + 4 * c, geometry.sform[r][c], true);
  }
  file.set([0x6e, 0x2b, 0x31, 0x00], 344); // magic "n+1\0"

  // the voxels, converted to the datatype, little-endian
  new info.array(file.buffer, VOX_OFFSET, volume.data.length).set(volume.data);
  if (!HOST_LITTLE_ENDIAN && bytesPerVoxel > 1) {
    for (let at = VOX_OFFSET; at < file.length; at += bytesPerVoxel)
      file.subarray(at, at + bytesPerVoxel).reverse();
  }

  return options.gzip === false ? file : gzipSync(file, { level: 6, mtime: 0 });
}
