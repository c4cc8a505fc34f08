/**
 * The fuzzer's header mutations: one NIfTI field set to a value drawn from the kinds that break
 * readers (zero, negative, huge, NaN, infinite, off by one, a code that does not exist, the other
 * byte order), and random byte flips. Each mutates the bytes in place and returns a description
 * such as `dim[3] = -1` for failure reports. Field offsets come from layout.ts, not the reader.
 */
import {
  DATATYPES,
  TYPE_BYTES,
  readField,
  writeField,
  type FieldSpec,
  type FieldType,
  type Layout,
} from './layout.js';
import type { Prng } from './prng.js';
import { reverseGroups } from './swap.js';

/** What a mutation may look at: the file (inflated) and its layout. */
export interface MutationContext {
  /** The inflated `.nii` or `.hdr`; mutated in place. */
  bytes: Uint8Array;
  layout: Layout;
  rng: Prng;
}

/** A named header mutation. Returns what it did, e.g. `vox_offset = NaN`. */
export interface HeaderMutation {
  name: string;
  apply(context: MutationContext): string;
}

const MAX_F32 = 3.4028234663852886e38;

/** Whole numbers that break readers, for a field of this type holding `original`. */
function integers(type: FieldType, original: number, rng: Prng): (number | bigint)[] {
  const values: (number | bigint)[] = [0, -1, 1, 2, 3, 7, 8, 255, 256, 32767, -32768];
  values.push(original + 1, original - 1, original * 2, -original, rng.int(-1000, 1000));
  if (type === 'i32' || type === 'i64') values.push(2 ** 31 - 1, -(2 ** 31), 65536, 2 ** 24 + 1);
  if (type === 'i64') {
    values.push(2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1, 2n ** 53n + 1n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n);
  }
  return values;
}

/** Floats that break readers, for a field of this type holding `original`. */
function floats(type: FieldType, original: number, rng: Prng): number[] {
  const values = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 2, 1e-45, 1e-38, 1e38, MAX_F32];
  values.push(-original, original * 2, original + 1, rng.next() * 200 - 100);
  if (type === 'f64') values.push(1e300, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 0.5);
  return values;
}

/** A value for a numeric field: a type-appropriate breaker, or one from `extra`. */
function draw(
  spec: FieldSpec,
  original: number,
  rng: Prng,
  extra: (number | bigint)[] = [],
): number | bigint {
  const pool =
    spec.type === 'f32' || spec.type === 'f64'
      ? floats(spec.type, original, rng)
      : integers(spec.type, original, rng);
  return extra.length > 0 && rng.chance(0.6) ? rng.pick(extra) : rng.pick(pool);
}

/** Sets element `k` (random when the field has several) of `field` to a drawn value. */
function setField(
  field: string,
  extra: (c: MutationContext) => (number | bigint)[] = () => [],
): HeaderMutation {
  return {
    name: field,
    apply(c) {
      const spec = c.layout.fields[field];
      const k = spec.count > 1 ? c.rng.int(0, spec.count - 1) : 0;
      const value = draw(spec, readField(c.bytes, c.layout, field, k), c.rng, extra(c));
      writeField(c.bytes, c.layout, field, value, k);
      return `${field}${spec.count > 1 ? `[${k}]` : ''} = ${String(value)}`;
    },
  };
}

const DATATYPE_CODES = [...DATATYPES.keys()];

/** Every header mutation the fuzzer draws from. */
export const HEADER_MUTATIONS: readonly HeaderMutation[] = [
  {
    name: 'dim',
    apply(c) {
      const axis = c.rng.int(1, 7);
      const value = draw(c.layout.fields.dim, readField(c.bytes, c.layout, 'dim', axis), c.rng);
      writeField(c.bytes, c.layout, 'dim', value, axis);
      return `dim[${axis}] = ${String(value)}`;
    },
  },
  {
    name: 'dim0',
    apply(c) {
      const value = c.rng.pick([0, -1, 1, 2, 3, 4, 5, 7, 8, 9, 32767, -32768]);
      writeField(c.bytes, c.layout, 'dim', value, 0);
      return `dim[0] = ${value}`;
    },
  },
  setField('datatype', () => [...DATATYPE_CODES, 0, 3, 5, 9999]),
  setField('bitpix', () => [0, -8, 1, 7, 8, 16, 24, 32, 64, 128, 256]),
  setField('vox_offset', (c) => {
    const n = c.bytes.length;
    const h = c.layout.headerBytes;
    const original = readField(c.bytes, c.layout, 'vox_offset');
    return [
      n,
      n + 1,
      n - 1,
      0,
      -1,
      -h,
      h,
      h + 3,
      h + 4,
      h + 5,
      352.5,
      1e30,
      2 ** 31,
      2 ** 32,
      original + 16,
      original - 16,
    ];
  }),
  setField('scl_slope'),
  setField('scl_inter'),
  setField('qform_code', () => [-1, 0, 1, 2, 3, 4, 5, 127]),
  setField('sform_code', () => [-1, 0, 1, 2, 3, 4, 5, 127]),
  setField('quatern'),
  setField('qoffset'),
  setField('srow'),
  setField('pixdim'),
  setField('intent_code', () => [0, 1002, 2003, 2999, 3000, 3001, 3099, 3100]),
  setField('slice_start'),
  setField('slice_end'),
  {
    name: 'magic',
    apply(c) {
      const spec = c.layout.fields.magic;
      const choices = ['n+1\0', 'ni1\0', 'n+2\0', 'ni2\0', 'n+3\0', '\0\0\0\0', 'xyz\0', 'n+1x', 'random'];
      const choice = c.rng.pick(choices);
      const width = c.layout.format === 'nifti2' && c.rng.chance(0.3) ? spec.count : 4;
      for (let k = 0; k < width; k++) {
        c.bytes[spec.offset + k] = choice === 'random' || k >= 4 ? c.rng.int(0, 255) : choice.charCodeAt(k);
      }
      return `magic = ${JSON.stringify(choice)}${width > 4 ? ' with random tail bytes' : ''}`;
    },
  },
  {
    name: 'sizeof_hdr',
    apply(c) {
      const view = new DataView(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength);
      const value = c.rng.pick([348, 540, 0, -1, 347, 349, 539, 541, 2 ** 31 - 1, c.rng.int(-1e6, 1e6)]);
      const littleEndian = c.rng.chance(0.5) ? c.layout.littleEndian : !c.layout.littleEndian;
      view.setInt32(0, value, littleEndian);
      return `sizeof_hdr = ${value} (${littleEndian ? 'little' : 'big'}-endian)`;
    },
  },
  {
    name: 'extension',
    apply(c) {
      const h = c.layout.headerBytes;
      if (c.bytes.length < h + 4) return 'extension: file too short, nothing changed';
      const flag = c.rng.pick([1, 1, 1, 0, 255, 128]);
      c.bytes[h] = flag;
      if (c.bytes.length < h + 12) return `extension flag = ${flag}`;
      const view = new DataView(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength);
      const room = readField(c.bytes, c.layout, 'vox_offset') - h - 4;
      const size = c.rng.pick([
        0,
        -1,
        -16,
        7,
        8,
        15,
        16,
        17,
        32,
        2 ** 31 - 1,
        -(2 ** 31),
        c.bytes.length,
        room,
        room + 16,
      ]);
      const code = c.rng.pick([0, 2, 4, 6, -1, c.rng.int(-1e6, 1e6)]);
      view.setInt32(h + 4, size, c.layout.littleEndian);
      view.setInt32(h + 8, code, c.layout.littleEndian);
      return `extension flag = ${flag}, esize = ${size}, ecode = ${code}`;
    },
  },
  {
    name: 'one field byte-swapped',
    apply(c) {
      const numeric = Object.entries(c.layout.fields).filter(([, spec]) => spec.type !== 'char');
      const [field, spec] = c.rng.pick(numeric);
      const width = TYPE_BYTES[spec.type];
      reverseGroups(c.bytes, width, spec.offset, spec.offset + width * spec.count);
      return `${field} byte-swapped`;
    },
  },
  {
    name: 'descrip without NUL',
    apply(c) {
      const spec = c.layout.fields.descrip;
      for (let k = 0; k < spec.count; k++) c.bytes[spec.offset + k] = c.rng.int(1, 255);
      return 'descrip = 80 random non-zero bytes';
    },
  },
];

/** Applies `count` header mutations drawn at random; returns their descriptions. */
export function mutateHeader(context: MutationContext, count: number): string[] {
  const done: string[] = [];
  for (let k = 0; k < count; k++) done.push(context.rng.pick(HEADER_MUTATIONS).apply(context));
  return done;
}

/**
 * Changes `count` random bytes of `bytes[from, to)`: one bit flipped, a random byte, 0x00 or 0xff.
 * Returns a description listing the offsets.
 */
export function flipBytes(bytes: Uint8Array, rng: Prng, count: number, from = 0, to = bytes.length): string {
  if (to <= from) return 'byte flips: empty range, nothing changed';
  const at: number[] = [];
  for (let k = 0; k < count; k++) {
    const offset = rng.int(from, to - 1);
    const how = rng.int(0, 3);
    bytes[offset] =
      how === 0 ? bytes[offset] ^ (1 << rng.int(0, 7)) : how === 1 ? rng.int(0, 255) : how === 2 ? 0 : 255;
    at.push(offset);
  }
  return `bytes changed at ${at.join(', ')}`;
}
