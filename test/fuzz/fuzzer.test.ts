/**
 * Tests of the fuzzer's own parts, so that a quiet fuzz run means the reader held up and not that
 * the fuzzer stopped looking: the generator, the header layout (checked against the zoo's
 * manifest), the byte-order swap, the mutations, case determinism, the invariant and the watchdog.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { InvalidVolumeError } from '../../packages/core/src/errors.js';
import type { Volume } from '../../packages/core/src/volume.js';
import { makeCase } from './cases.js';
import { difference, read, violation } from './check.js';
import { REPO_ROOT, SHARED_DATA, loadCorpus } from './corpus.js';
import {
  DEFAULT_LAYOUT,
  NIFTI1_FIELDS,
  NIFTI2_FIELDS,
  TYPE_BYTES,
  detectLayout,
  extentOf,
  readField,
  writeField,
} from './layout.js';
import { HEADER_MUTATIONS, flipBytes } from './mutate.js';
import { Prng } from './prng.js';
import { swapFileOrder } from './swap.js';
import { Watchdog } from './watchdog.js';

const fixture = (name: string) => {
  const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, 'packages/core/test/fixtures', name)));
  return bytes[0] === 0x1f ? new Uint8Array(gunzipSync(bytes)) : bytes;
};

describe('Prng', () => {
  test('is mulberry32: the first draws for seeds 1 and 0 (from an independent Python version)', () => {
    const one = new Prng(1);
    expect([one.next(), one.next(), one.next()]).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522,
    ]);
    expect(new Prng(0).next()).toBe(0.26642920868471265);
  });

  test('a case generator depends only on the run seed and the case number', () => {
    const a = Prng.forCase(7, 123);
    const b = Prng.forCase(7, 123);
    const draws = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(draws);
    expect(Prng.forCase(7, 124).next()).not.toBe(draws[0]);
    expect(Prng.forCase(8, 123).next()).not.toBe(draws[0]);
  });

  test('int() stays in range and reaches both ends', () => {
    const rng = new Prng(42);
    const seen = new Set(Array.from({ length: 500 }, () => rng.int(-2, 2)));
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2]);
  });
});

describe('header layout', () => {
  test('the field tables tile the 348- and 540-byte headers with no gap or overlap', () => {
    for (const [fields, size] of [
      [NIFTI1_FIELDS, 348],
      [NIFTI2_FIELDS, 540],
    ] as const) {
      const spans = Object.values(fields)
        .map((s) => [s.offset, s.offset + s.count * TYPE_BYTES[s.type]])
        .sort((x, y) => x[0] - y[0]);
      expect(spans[0][0]).toBe(0);
      for (let k = 1; k < spans.length; k++) expect(spans[k][0]).toBe(spans[k - 1][1]);
      expect(spans[spans.length - 1][1]).toBe(size);
    }
  });

  test('writeField wraps integers as a C cast does', () => {
    const bytes = new Uint8Array(348);
    writeField(bytes, DEFAULT_LAYOUT, 'dim', 70000, 3);
    expect(new DataView(bytes.buffer).getInt16(46, true)).toBe(70000 - 65536);
    writeField(bytes, DEFAULT_LAYOUT, 'vox_offset', NaN);
    expect(new DataView(bytes.buffer).getFloat32(108, true)).toBeNaN();
  });

  const manifest = join(SHARED_DATA, 'nifti-zoo', 'manifest.json');
  const zooPresent = existsSync(manifest);
  if (!zooPresent) console.log(`fuzzer tests: ${manifest} absent: layout-versus-manifest test skipped`);
  const codes: Record<string, number> = {
    uint8: 2,
    int16: 4,
    int32: 8,
    float32: 16,
    complex64: 32,
    float64: 64,
  };
  Object.assign(codes, { rgb24: 128, int8: 256, uint16: 512, uint32: 768, int64: 1024, uint64: 1280 });

  test.skipIf(!zooPresent)(
    'reads dims, datatype, byte order and vox_offset of every zoo file as its manifest does',
    () => {
      const entries = JSON.parse(readFileSync(manifest, 'utf8')).files as {
        file: string;
        ver?: number;
        dims?: number[];
        datatype?: string;
        endian?: string;
        vox_offset?: number;
      }[];
      let checked = 0;
      for (const entry of entries) {
        if (entry.ver === undefined || entry.dims === undefined || !(entry.datatype! in codes)) continue;
        const stored = new Uint8Array(readFileSync(join(SHARED_DATA, 'nifti-zoo', entry.file)));
        const raw = stored[0] === 0x1f ? new Uint8Array(gunzipSync(stored)) : stored;
        const layout = detectLayout(raw);
        expect(layout?.format, entry.file).toBe(entry.ver === 2 ? 'nifti2' : 'nifti1');
        expect(layout!.littleEndian, entry.file).toBe(entry.endian === 'little');
        const dims = Array.from({ length: readField(raw, layout!, 'dim', 0) }, (_, k) =>
          readField(raw, layout!, 'dim', k + 1),
        );
        expect(dims, entry.file).toEqual(entry.dims);
        expect(readField(raw, layout!, 'datatype'), entry.file).toBe(codes[entry.datatype!]);
        if (entry.vox_offset !== undefined)
          expect(readField(raw, layout!, 'vox_offset'), entry.file).toBe(entry.vox_offset);
        checked++;
      }
      expect(checked).toBeGreaterThan(50);
    },
  );
});

describe('byte-order swap', () => {
  test('swapping twice gives the file back; once flips sizeof_hdr and every int16 voxel', () => {
    const raw = fixture('standard.nii.gz');
    const layout = detectLayout(raw)!;
    const once = swapFileOrder(raw, layout, 352).header;
    expect(new DataView(once.buffer).getInt32(0, false)).toBe(348);
    expect(detectLayout(once)?.littleEndian).toBe(false);
    expect(swapFileOrder(once, detectLayout(once)!, 352).header).toEqual(raw);
  });

  // A property over the reader fixtures: the same volume in the other byte order reads the same.
  for (const name of [
    'low_res.nii.gz',
    'minimal.nii.gz',
    'hippo.nii.gz',
    'resampled_anat_moved.nii',
    'example_nifti2.nii.gz',
  ]) {
    test(`${name} reads the same after a whole-file byte-order swap`, () => {
      const raw = fixture(name);
      const layout = detectLayout(raw)!;
      const extent = extentOf(raw, layout, false)!;
      const swapped = swapFileOrder(raw, layout, extent.voxOffset).header;
      const frame = extent.frames > 1 ? extent.frames - 1 : undefined;
      const before = read({ bytes: raw, frame, name });
      const after = read({ bytes: swapped, frame, name });
      if (!('volume' in before && 'volume' in after)) throw new Error(`${name} did not read`);
      expect(after.volume.header?.byteOrder).not.toBe(before.volume.header?.byteOrder);
      expect(difference(after.volume, before.volume)).toBeNull();
    });
  }
});

describe('mutations', () => {
  test('each header mutation changes only the header and the first extension', () => {
    const raw = fixture('low_res.nii.gz');
    const layout = detectLayout(raw)!;
    for (const mutation of HEADER_MUTATIONS) {
      for (let seed = 0; seed < 40; seed++) {
        const bytes = raw.slice();
        const said = mutation.apply({ bytes, layout, rng: new Prng(seed) });
        let last = -1;
        bytes.forEach((b, k) => {
          if (b !== raw[k]) last = k;
        });
        expect(said.length, mutation.name).toBeGreaterThan(0);
        expect(last, `${mutation.name}: ${said}`).toBeLessThan(layout.headerBytes + 12);
      }
    }
  });

  test('the dim mutation writes the drawn value at dim[k] (offset 40 + 2k)', () => {
    const raw = fixture('low_res.nii.gz');
    const dim = HEADER_MUTATIONS.find((m) => m.name === 'dim')!;
    for (let seed = 0; seed < 20; seed++) {
      const bytes = raw.slice();
      const said = dim.apply({ bytes, layout: detectLayout(raw)!, rng: new Prng(seed) });
      const [, axis, value] = /^dim\[(\d)\] = (-?\d+)$/.exec(said)!;
      const wrapped = ((((Number(value) + 32768) % 65536) + 65536) % 65536) - 32768;
      expect(new DataView(bytes.buffer).getInt16(40 + 2 * Number(axis), true)).toBe(wrapped);
    }
  });

  test('flipBytes stays inside its range', () => {
    const bytes = new Uint8Array(1000);
    flipBytes(bytes, new Prng(3), 50, 100, 200);
    expect(bytes.subarray(0, 100).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(200).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(100, 200).some((b) => b !== 0)).toBe(true);
  });
});

describe('cases', () => {
  const { seeds } = loadCorpus();

  test('the same seed and case number give the same bytes, steps and oracle', () => {
    for (const index of [0, 1, 17, 999]) {
      const a = makeCase(seeds, 99, index);
      const b = makeCase(seeds, 99, index);
      expect(b.seed.name).toBe(a.seed.name);
      expect(b.steps).toEqual(a.steps);
      expect(b.bytes).toEqual(a.bytes);
      expect(b.oracle.kind).toBe(a.oracle.kind);
    }
  });

  test('a run draws every kind of case, and fixtures alone are enough to draw them', () => {
    const fixtures = seeds.filter((s) => s.name.startsWith('fixtures/'));
    const kinds = new Set(Array.from({ length: 300 }, (_, k) => makeCase(fixtures, 5, k).steps[0]));
    expect([...kinds].sort()).toEqual(
      ['flip', 'gzip-cut', 'gzip-flip', 'header', 'members', 'raw-cut', 'swap', 'trailing'].map(
        (k) => `${k} case`,
      ),
    );
  });
});

describe('the invariant', () => {
  const volume = (over: Partial<Volume>): Volume => ({
    data: new Uint8Array(6),
    shape: [1, 2, 3],
    spacing: [1, 1, 1],
    affine: [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ],
    ...over,
  });

  test('accepts a consistent volume and a typed error that names readNifti', () => {
    expect(violation({ volume: volume({}) })).toBeNull();
    expect(violation({ error: new InvalidVolumeError('readNifti: x is bad') })).toBeNull();
  });

  test('rejects a short data array, a non-finite affine, untyped errors and unnamed messages', () => {
    expect(violation({ volume: volume({ data: new Uint8Array(5) }) })).toMatch(/data holds 5 voxels/);
    const affine = volume({}).affine.map((row) => [...row]);
    affine[1][3] = NaN;
    expect(violation({ volume: volume({ affine: affine as Volume['affine'] }) })).toMatch(/not a finite 4x4/);
    expect(violation({ error: new RangeError('Invalid typed array length') })).toMatch(
      /untyped error: RangeError/,
    );
    expect(violation({ error: new InvalidVolumeError('x is bad') })).toMatch(/does not name readNifti/);
  });
});

describe('watchdog', () => {
  test('notices a case that blocks its thread past the limit, and not a quick one', async () => {
    const watchdog = new Watchdog({ limitMs: 100, onHang: 'report', pollMs: 10 });
    try {
      // Let the worker start, then a quick case.
      await new Promise((resolve) => setTimeout(resolve, 300));
      watchdog.start('quick case');
      watchdog.stop();
      expect(watchdog.fired()).toBeNull();

      // A case that blocks the thread (without spinning the CPU) well past the limit.
      watchdog.start('blocking case');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600);
      watchdog.stop();
      expect(watchdog.fired()).toBe('blocking case');
    } finally {
      await watchdog.close();
    }
  });
});
