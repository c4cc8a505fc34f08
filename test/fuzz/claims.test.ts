/**
 * No allocation of what a header merely claims (issue 9): a header that declares far more voxels
 * than the file holds is refused by the size check, before anything is allocated for the claim.
 * The claims here are either beyond any typed array (an allocation would throw a RangeError, not
 * the typed error expected) or about 2 GB (an allocation would show in the process's ArrayBuffer
 * memory right after the call: a 2e9-byte Uint8Array made and dropped inside a function that then
 * throws still counts about 1907 MiB there, as tried when this test was written).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { InvalidVolumeError } from '../../packages/core/src/errors.js';
import { readNifti } from '../../packages/core/src/nifti/index.js';
import { BRATS_SEEDS, REPO_ROOT, SHARED_DATA } from './corpus.js';
import { detectLayout, writeField } from './layout.js';

/** The inflated bytes of a file, with dim[1..] replaced by `dims` (dim[0] set to their count). */
function claiming(path: string, dims: (number | bigint)[]): Uint8Array {
  const stored = readFileSync(path);
  const raw = new Uint8Array(stored[0] === 0x1f ? gunzipSync(stored) : stored);
  const layout = detectLayout(raw)!;
  writeField(raw, layout, 'dim', dims.length, 0);
  dims.forEach((d, k) => writeField(raw, layout, 'dim', d, k + 1));
  return raw;
}

/** ArrayBuffer memory of the process, in bytes. */
const arrayBufferBytes = () => process.memoryUsage().arrayBuffers;

const fixtures = join(REPO_ROOT, 'packages/core/test/fixtures');
const bratsPath = join(SHARED_DATA, 'brats-sample', BRATS_SEEDS[0]);
const bratsPresent = existsSync(bratsPath);
if (!bratsPresent) console.log(`header claims: ${bratsPath} absent: the BraTS claim test is skipped`);

describe('a header that claims more than the file holds is refused before allocating', () => {
  test.skipIf(!bratsPresent)(
    '1e12 int16 voxels claimed in a 1.5 MB BraTS .nii.gz (17856352 bytes inflated)',
    () => {
      const raw = claiming(bratsPath, [10000, 10000, 10000]);
      // 352 header bytes + 240 x 240 x 155 voxels x 2 bytes.
      expect(raw.length).toBe(352 + 240 * 240 * 155 * 2);
      const message =
        'readNifti: flair.nii.gz: header declares 1e12 voxels (2 bytes each) starting at vox_offset 352';
      expect(() => readNifti(gzipSync(raw, { level: 1 }), { name: 'flair.nii.gz' })).toThrow(
        `${message}, but the file holds 17856352 bytes once inflated`,
      );
      expect(() => readNifti(raw, { name: 'flair.nii.gz' })).toThrow(
        `${message}, but the file holds 17856352 bytes`,
      );
    },
  );

  test('1e12 voxels claimed in a 457-byte file, plain and gzip', () => {
    const raw = claiming(join(fixtures, 'low_res.nii.gz'), [10000, 10000, 10000]);
    for (const bytes of [raw, new Uint8Array(gzipSync(raw))]) {
      expect(() => readNifti(bytes)).toThrow(InvalidVolumeError);
      expect(() => readNifti(bytes)).toThrow(
        /header declares 1e12 voxels \(1 byte each\) .* holds 457 bytes/,
      );
    }
  });

  test('2^60 voxels claimed in a NIfTI-2 file (64-bit dims), plain and gzip', () => {
    const raw = claiming(join(fixtures, 'example_nifti2.nii.gz'), [2n ** 20n, 2n ** 20n, 2n ** 20n]);
    for (const bytes of [raw, new Uint8Array(gzipSync(raw))]) {
      // 2^60 = 1152921504606846976, printed to four digits.
      expect(() => readNifti(bytes)).toThrow(/header declares 1\.153e18 voxels \(2 bytes each\)/);
    }
  });

  test('30000 volumes claimed in a 4D file, reading only the first: every declared volume must be there', () => {
    const raw = claiming(join(fixtures, '5D_small.nii'), [1, 2, 3, 30000]);
    for (const bytes of [raw, new Uint8Array(gzipSync(raw))]) {
      expect(() => readNifti(bytes, { frame: 0 })).toThrow(/header declares 180000 voxels \(1 byte each\)/);
    }
  });

  test('a 2 GB claim (allocatable) in a small file leaves no 2 GB of ArrayBuffers behind', () => {
    // 2000 x 2000 x 500 uint8 = 2e9 bytes, just under the 2^31 - 1 bytes a volume may take.
    const raw = claiming(join(fixtures, 'low_res.nii.gz'), [2000, 2000, 500]);
    for (const bytes of [raw, new Uint8Array(gzipSync(raw))]) {
      const before = arrayBufferBytes();
      expect(() => readNifti(bytes)).toThrow(/header declares 2e9 voxels \(1 byte each\)/);
      expect(arrayBufferBytes() - before).toBeLessThan(2 ** 20);
    }
  });
});
