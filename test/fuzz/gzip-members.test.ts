/**
 * Multi-member gzip and bytes after the gzip data (issue 9): a real .nii split into parts, each
 * gzipped, the members concatenated, reads completely and equals the original, or is refused; it
 * is never silently cut short. Expected voxels are decoded here from node:zlib's inflation of the
 * original with the fuzzer's own header layout, not by the reader under test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync as zlibGzip } from 'node:zlib';
import { gzipSync as fflateGzip } from 'fflate';
import { describe, expect, test } from 'vitest';
import { InvalidVolumeError } from '../../packages/core/src/errors.js';
import { readNifti } from '../../packages/core/src/nifti/index.js';
import { BRATS_SEEDS, REPO_ROOT, SHARED_DATA } from './corpus.js';
import { detectLayout, readField } from './layout.js';

interface Source {
  name: string;
  /** The inflated .nii. */
  raw: Uint8Array;
  voxOffset: number;
  shape: number[];
  /** The voxels as numbers, decoded independently. */
  voxels: ArrayLike<number>;
}

/** Reads a single-file uint8 or int16 NIfTI-1 the simple way: node:zlib, then a DataView. */
function source(name: string, path: string): Source {
  const raw = new Uint8Array(gunzipSync(readFileSync(path)));
  const layout = detectLayout(raw)!;
  const shape = [1, 2, 3].map((axis) => readField(raw, layout, 'dim', axis));
  const voxOffset = readField(raw, layout, 'vox_offset');
  const count = shape[0] * shape[1] * shape[2];
  const datatype = readField(raw, layout, 'datatype');
  const view = new DataView(raw.buffer, raw.byteOffset + voxOffset);
  const voxels =
    datatype === 2
      ? raw.slice(voxOffset, voxOffset + count)
      : Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, layout.littleEndian));
  if (datatype !== 2 && datatype !== 4)
    throw new Error(`${name}: datatype ${datatype} is not uint8 or int16`);
  return { name, raw, voxOffset, shape, voxels };
}

/** Gzip members of `raw` split at `cuts`: by fflate where a part is small, else by node:zlib (faster). */
function members(raw: Uint8Array, cuts: number[]): Uint8Array {
  const edges = [0, ...cuts, raw.length];
  const parts = edges.slice(1).map((end, k) => {
    const part = raw.subarray(edges[k], end);
    return part.length < 2 ** 20
      ? fflateGzip(part, { level: 6, mtime: 0 })
      : new Uint8Array(zlibGzip(part, { level: 1 }));
  });
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Expects a read to give exactly the source's grid and voxels. */
function expectComplete(bytes: Uint8Array, s: Source): void {
  const volume = readNifti(bytes, { name: s.name });
  expect(volume.shape).toEqual(s.shape);
  expect(volume.data.length).toBe(s.voxels.length);
  let mismatches = 0;
  for (let i = 0; i < s.voxels.length; i++) if (volume.data[i] !== s.voxels[i]) mismatches++;
  expect(mismatches).toBe(0);
}

const fixturePath = join(REPO_ROOT, 'packages/core/test/fixtures/low_res.nii.gz');
const bratsPath = join(SHARED_DATA, 'brats-sample', BRATS_SEEDS[0]);
const bratsPresent = existsSync(bratsPath);
if (!bratsPresent) console.log(`gzip members: ${bratsPath} absent: the BraTS half of these tests is skipped`);

const sources: { label: string; present: boolean; load: () => Source }[] = [
  {
    label: 'low_res.nii.gz (fixture, 7x5x3 uint8)',
    present: true,
    load: () => source('low_res.nii', fixturePath),
  },
  {
    label: `BraTS ${BRATS_SEEDS[0]} (240x240x155 int16)`,
    present: bratsPresent,
    load: () => source('flair.nii', bratsPath),
  },
];

for (const { label, present, load } of sources) {
  describe.skipIf(!present)(`multi-member gzip: ${label}`, () => {
    const s = present ? load() : undefined!;
    const middle = () => s.voxOffset + Math.floor((s.raw.length - s.voxOffset) / 2);

    test('two members split in the voxels read completely and equal the original', () => {
      expectComplete(members(s.raw, [middle()]), s);
    });

    test('a split inside the header, and one exactly at vox_offset, read completely', () => {
      expectComplete(members(s.raw, [100]), s);
      expectComplete(members(s.raw, [s.voxOffset]), s);
    });

    test('four members, one of them empty, read completely', () => {
      expectComplete(members(s.raw, [200, s.voxOffset + 1, s.voxOffset + 1]), s);
    });

    test('the first member alone is refused, not read short', () => {
      const cut = middle();
      const first = new Uint8Array(zlibGzip(s.raw.subarray(0, cut)));
      expect(() => readNifti(first, { name: s.name })).toThrow(InvalidVolumeError);
      expect(() => readNifti(first, { name: s.name })).toThrow(
        new RegExp(
          `^readNifti: ${s.name}: header declares .* but the file holds ${cut} bytes once inflated$`,
        ),
      );
    });

    test('a member left out in the middle is refused', () => {
      const edges = [0, s.voxOffset + 10, middle(), s.raw.length];
      const gapped = concat(
        [0, 2].map((k) => new Uint8Array(zlibGzip(s.raw.subarray(edges[k], edges[k + 1])))),
      );
      expect(() => readNifti(gapped, { name: s.name })).toThrow(
        /header declares .* holds \d+ bytes once inflated/,
      );
    });
  });

  describe.skipIf(!present)(`bytes after the gzip data: ${label}`, () => {
    const s = present ? load() : undefined!;
    const gz = present ? new Uint8Array(zlibGzip(s.raw, { level: 1 })) : undefined!;

    test('random bytes after the last member are refused as corrupt gzip', () => {
      for (const garbage of [
        [0x41],
        [0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c],
      ]) {
        const bytes = concat([gz, new Uint8Array(garbage)]);
        expect(() => readNifti(bytes, { name: s.name })).toThrow(InvalidVolumeError);
        expect(() => readNifti(bytes, { name: s.name })).toThrow(/is corrupt or truncated gzip data/);
      }
    });

    test('a lone gzip magic number after the last member is refused', () => {
      expect(() => readNifti(concat([gz, new Uint8Array([0x1f, 0x8b])]), { name: s.name })).toThrow(
        /is corrupt or truncated gzip data/,
      );
    });

    test('zero padding after the last member is ignored', () => {
      expectComplete(concat([gz, new Uint8Array(1)]), s);
      expectComplete(concat([gz, new Uint8Array(512)]), s);
    });

    test('a further complete member after the voxels is part of the stream; its bytes are not voxels', () => {
      expectComplete(concat([gz, fflateGzip(new Uint8Array([1, 2, 3, 4]), { mtime: 0 })]), s);
    });
  });
}

describe('damage to a gzip stream that holds more than the header declares', () => {
  // low_res.nii (352 header bytes, 105 voxels) followed by 300000 more bytes, gzipped as stored
  // (level 0) blocks, so that the stream's byte 10 + 5 + 352 is voxel 0 and the stream is several
  // times the 64 KiB the reader hands the inflater at a time.
  const raw = new Uint8Array(gunzipSync(readFileSync(fixturePath)));
  const padded = new Uint8Array(raw.length + 300000);
  padded.set(raw);
  for (let i = raw.length; i < padded.length; i++) padded[i] = (i * 7919) & 255;
  const gz = fflateGzip(padded, { level: 0, mtime: 0 });

  test('is refused, not read as damaged voxels, even though the damage comes before the extra bytes', () => {
    expect(readNifti(gz).data[0]).toBe(raw[352]);
    const damaged = gz.slice();
    damaged[10 + 5 + 352] ^= 0x40;
    expect(() => readNifti(damaged, { name: 'padded.nii.gz' })).toThrow(
      /^readNifti: padded\.nii\.gz is corrupt or truncated gzip data: member 1 of 1 does not end with the CRC-32/,
    );
  });

  test('random bytes after the last member are refused here too', () => {
    const bytes = concat([gz, new Uint8Array([0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a])]);
    expect(() => readNifti(bytes)).toThrow(/is corrupt or truncated gzip data/);
  });
});
