/**
 * gunzip: every member of a multi-member stream, zero padding allowed, and any truncation or
 * corruption refused (fflate does not check gzip trailers; gunzip does). Fixture streams were
 * written by GNU gzip, not by the library under test.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { InvalidVolumeError } from '../errors.js';
import { crc32 } from './crc32.js';
import { gunzip, gunzipRange, isGzip } from './gzip.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url)));
/** low_res_multimember.nii.gz: `gzip -9 -n` of bytes 1-200 of low_res.nii, then of bytes 201-457. */
const multi = fixture('low_res_multimember.nii.gz');
const plain = gunzip(fixture('low_res.nii.gz'));

describe('gunzip', () => {
  test('crc32 gives the standard check value of "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('6789'), crc32(new TextEncoder().encode('12345')))).toBe(
      0xcbf43926,
    );
  });

  test('isGzip looks at the magic bytes only', () => {
    expect(isGzip(multi)).toBe(true);
    expect(isGzip(plain)).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
  });

  test('inflates both members of a GNU gzip multi-member file to the 457 bytes of low_res.nii', () => {
    expect(plain.length).toBe(457);
    expect(gunzip(multi)).toEqual(plain);
  });

  test('three members made by concatenation read in order', () => {
    const parts = [plain.subarray(0, 100), plain.subarray(100, 101), plain.subarray(101)].map((p) =>
      gzipSync(p),
    );
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    expect(gunzip(joined)).toEqual(plain);
  });

  test('zero padding after the last member is ignored', () => {
    for (const zeros of [1, 4, 20, 512]) {
      const padded = new Uint8Array(multi.length + zeros);
      padded.set(multi);
      expect(gunzip(padded)).toEqual(plain);
    }
  });

  test('every cut of the file short of its end is refused, except at the member boundary', () => {
    // A cut exactly between the members leaves a complete one-member stream: no gzip reader can
    // tell (the NIfTI size check catches the missing bytes). The last member's trailer ends with
    // its size, 257, as 01 01 00 00: the two zeros may be read as padding, so stop two short.
    const boundary = multi.length - gzipTail(multi);
    for (let cut = 10; cut < multi.length - 2; cut++) {
      if (cut === boundary) {
        expect(gunzip(multi.subarray(0, cut))).toEqual(plain.subarray(0, 200));
        continue;
      }
      expect(
        () => gunzip(multi.subarray(0, cut), { caller: 'readNifti', name: 'x.nii.gz' }),
        `cut at ${cut}`,
      ).toThrow(/^readNifti: x\.nii\.gz is corrupt or truncated gzip data/);
    }
  });

  test('a damaged CRC, a damaged length and bytes after the data are refused', () => {
    const member1End = multi.length - gzipTail(multi);
    for (const at of [multi.length - 8, multi.length - 4, member1End - 1]) {
      const bad = multi.slice();
      bad[at] ^= 0x01;
      expect(() => gunzip(bad), `byte ${at}`).toThrow(InvalidVolumeError);
    }
    const junk = new Uint8Array(multi.length + 3);
    junk.set(multi);
    junk.set([7, 7, 7], multi.length);
    expect(() => gunzip(junk)).toThrow(/member 2 of 2 does not end with the CRC-32 and length/);
  });

  test('limit stops early with at least that many bytes', () => {
    const head = gunzip(multi, { limit: 100 });
    expect(head.length).toBeGreaterThanOrEqual(100);
    expect(head.subarray(0, 100)).toEqual(plain.subarray(0, 100));
  });

  test('gunzipRange keeps one range of the output but inflates and checks the whole stream', () => {
    const { kept, total } = gunzipRange(multi, { keepStart: 190, keepEnd: 210 });
    expect(total).toBe(457);
    expect(kept).toEqual(plain.subarray(190, 210));
    const damaged = multi.slice();
    damaged[multi.length - 5] ^= 1; // the last member's length field
    expect(() => gunzipRange(damaged, { keepStart: 0, keepEnd: 10 })).toThrow(/member 2 of 2 does not end/);
  });

  test('refuses data without the gzip magic', () => {
    expect(() => gunzip(plain, { caller: 'f', name: 'a.nii' })).toThrow(
      'f: a.nii is not gzip data: expected the magic bytes 1f 8b, got 5c 01',
    );
  });
});

/** Bytes of the second member of the GNU gzip fixture (its header starts with 1f 8b 08 after the first). */
function gzipTail(bytes: Uint8Array): number {
  for (let at = bytes.length - 18; at > 10; at--) {
    if (bytes[at] === 0x1f && bytes[at + 1] === 0x8b && bytes[at + 2] === 8) return bytes.length - at;
  }
  throw new Error('no second member');
}
