/**
 * Turns the raw voxel bytes of one NIfTI volume into a typed array (in aligned memory the result
 * owns), byte-swapped where the file's order is not the machine's, then applies
 * scl_slope/scl_inter. Depends on the datatype table and the logger.
 */
import { log } from '../logger.js';
import type { VoxelArray } from '../volume.js';
import type { NiftiDatatypeInfo } from './datatypes.js';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes one volume's bytes.
 *
 * @param bytes - exactly `voxels × bitpix / 8` bytes, in file order
 * @param datatype - a readable datatype (`readAs` not null)
 * @param byteOrder - the file's byte order
 * @param options - `owned`: the bytes are the reader's own (freshly inflated), so they may be
 *   swapped in place and viewed without a copy; `subject`: how a warning names the file
 * @returns an array of the stored type; Float64Array for int64 and uint64
 */
export function decodeVoxels(
  bytes: Uint8Array,
  datatype: NiftiDatatypeInfo,
  byteOrder: 'little' | 'big',
  options: { owned: boolean; subject: string },
): VoxelArray {
  const width = datatype.bitpix / 8;
  const subject = options.subject;

  // Aligned memory the result may own: the given bytes when they are the reader's own, else a
  // copy (never a view of the caller's buffer; a Node Buffer's slice() would share memory).
  let copy = bytes;
  if (!options.owned || bytes.byteOffset % width !== 0) {
    copy = new Uint8Array(bytes.length);
    copy.set(bytes);
  }
  if ((byteOrder === 'little') !== HOST_LITTLE_ENDIAN && width > 1) swapBytes(copy, width);
  const count = copy.length / width;
  const buffer = copy.buffer;
  const at = copy.byteOffset;
  switch (datatype.name) {
    case 'uint8':
      return copy;
    case 'int8':
      return new Int8Array(buffer, at, count);
    case 'uint16':
      return new Uint16Array(buffer, at, count);
    case 'int16':
      return new Int16Array(buffer, at, count);
    case 'uint32':
      return new Uint32Array(buffer, at, count);
    case 'int32':
      return new Int32Array(buffer, at, count);
    case 'float32':
      return new Float32Array(buffer, at, count);
    case 'float64':
      return new Float64Array(buffer, at, count);
    case 'int64':
    case 'uint64':
      return widen(
        datatype.name === 'int64'
          ? new BigInt64Array(buffer, at, count)
          : new BigUint64Array(buffer, at, count),
        subject,
      );
    default:
      throw new RangeError(`decodeVoxels: datatype ${datatype.name} is not one the reader decodes`);
  }
}

/** Whether scl_slope/scl_inter change the values: slope finite and non-zero, and not the identity. */
export function scalingApplies(slope: number, inter: number): boolean {
  if (!Number.isFinite(slope) || slope === 0) return false;
  return slope !== 1 || (Number.isFinite(inter) && inter !== 0);
}

/**
 * `slope × stored + inter` into a new array: Float64Array for float64 (and 64-bit integer) data,
 * Float32Array for everything else. A non-finite `inter` counts as 0.
 */
export function applyScaling(data: VoxelArray, slope: number, inter: number): Float32Array | Float64Array {
  const offset = Number.isFinite(inter) ? inter : 0;
  const out = data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * slope + offset;
  return out;
}

/** Reverses each group of `width` bytes in place. */
function swapBytes(bytes: Uint8Array, width: number): void {
  for (let start = 0; start + width <= bytes.length; start += width) {
    for (let lo = start, hi = start + width - 1; lo < hi; lo++, hi--) {
      const t = bytes[lo];
      bytes[lo] = bytes[hi];
      bytes[hi] = t;
    }
  }
}

/** 64-bit integers as doubles; warns once when a value is beyond 2^53 and so is rounded. */
function widen(values: BigInt64Array | BigUint64Array, subject: string): Float64Array {
  const out = new Float64Array(values.length);
  let rounded = 0;
  for (let i = 0; i < values.length; i++) {
    const value = Number(values[i]);
    if (!Number.isSafeInteger(value)) rounded++;
    out[i] = value;
  }
  if (rounded > 0) {
    log.warn(
      `${subject}: ${rounded} 64-bit integer voxels exceed 2^53 and were rounded to the nearest double`,
    );
  }
  return out;
}
