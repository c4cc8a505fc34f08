/**
 * The NIfTI datatype table: code, name, bytes per voxel, and whether hadnet reads it.
 * Depends on nothing but the header's datatype names.
 */
import type { NiftiDatatype } from './header.js';

/** What the reader knows about one NIfTI datatype. */
export interface NiftiDatatypeInfo {
  /** The `datatype` code in the header. */
  code: number;
  name: NiftiDatatype;
  /** Bits per voxel, as `bitpix` should state it. */
  bitpix: number;
  /**
   * How the reader stores the voxels, or `null` when it refuses the type: complex and RGB voxels
   * are not scalars, and JavaScript has no 128-bit float or packed-bit array. 64-bit integers are
   * read into a Float64Array (exact up to 2^53).
   */
  readAs: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64' | null;
}

const table: readonly NiftiDatatypeInfo[] = [
  { code: 1, name: 'binary', bitpix: 1, readAs: null },
  { code: 2, name: 'uint8', bitpix: 8, readAs: 'uint8' },
  { code: 4, name: 'int16', bitpix: 16, readAs: 'int16' },
  { code: 8, name: 'int32', bitpix: 32, readAs: 'int32' },
  { code: 16, name: 'float32', bitpix: 32, readAs: 'float32' },
  { code: 32, name: 'complex64', bitpix: 64, readAs: null },
  { code: 64, name: 'float64', bitpix: 64, readAs: 'float64' },
  { code: 128, name: 'rgb24', bitpix: 24, readAs: null },
  { code: 256, name: 'int8', bitpix: 8, readAs: 'int8' },
  { code: 512, name: 'uint16', bitpix: 16, readAs: 'uint16' },
  { code: 768, name: 'uint32', bitpix: 32, readAs: 'uint32' },
  { code: 1024, name: 'int64', bitpix: 64, readAs: 'float64' },
  { code: 1280, name: 'uint64', bitpix: 64, readAs: 'float64' },
  { code: 1536, name: 'float128', bitpix: 128, readAs: null },
  { code: 1792, name: 'complex128', bitpix: 128, readAs: null },
  { code: 2048, name: 'complex256', bitpix: 256, readAs: null },
  { code: 2304, name: 'rgba32', bitpix: 32, readAs: null },
];

/** Every NIfTI-1/NIfTI-2 datatype, by code. Frozen. */
export const NIFTI_DATATYPES: ReadonlyMap<number, NiftiDatatypeInfo> = new Map(
  table.map((info) => [info.code, Object.freeze(info)]),
);

/** The datatype with this name (`'int16'` gives code 4). */
export function datatypeByName(name: NiftiDatatype): NiftiDatatypeInfo {
  const info = table.find((t) => t.name === name);
  if (!info) {
    throw new RangeError(
      `datatypeByName: name must be one of ${table.map((t) => t.name).join(', ')}; got ${String(name)}`,
    );
  }
  return info;
}

/** `"2 (uint8), 4 (int16), …"`: the list error messages print. */
export function listDatatypes(): string {
  return table.map((t) => `${t.code} (${t.name})`).join(', ');
}
