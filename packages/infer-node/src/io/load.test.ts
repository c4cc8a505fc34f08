import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'fflate';
import { afterAll, describe, expect, test } from 'vitest';
import { InvalidVolumeError, readNifti, UnsupportedVolumeError } from '@hadnet/core';
import { loadVolume } from './load.js';

const fixtures = fileURLToPath(new URL('../../../core/test/fixtures/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const scratch = mkdtempSync(join(tmpdir(), 'hadnet-load-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** low_res.nii.gz: 7x5x3 uint8 whose voxels alternate 1, 0, 1, … (checked with numpy). */
const alternating = Uint8Array.from({ length: 105 }, (_, n) => (n % 2 === 0 ? 1 : 0));

describe('loadVolume: paths', () => {
  test('reads a .nii.gz from a string path, a file: URL and a file:// string alike', async () => {
    const path = fixture('low_res.nii.gz');
    for (const source of [path, pathToFileURL(path), pathToFileURL(path).href]) {
      const volume = await loadVolume(source);
      expect(volume.shape).toEqual([7, 5, 3]);
      expect(volume.data).toEqual(alternating);
    }
  });

  test('names the path when the file does not exist, with code ENOENT', async () => {
    const missing = join(scratch, 'absent.nii.gz');
    await expect(loadVolume(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(loadVolume(missing)).rejects.toThrow(`loadVolume: cannot read ${missing}: no such file`);
  });

  test('passes the frame on: a 4D file is refused without one and read with one', async () => {
    const path = fixture('example_nifti2.nii.gz');
    await expect(loadVolume(path)).rejects.toThrow(UnsupportedVolumeError);
    const second = await loadVolume(path, { frame: 1 });
    // Voxel (i=3, j=4, k=5) of volume 1 is 436 (numpy on the raw bytes).
    expect(second.data[3 + 32 * (4 + 20 * 5)]).toBe(436);
  });
});

describe('loadVolume: .hdr/.img pairs', () => {
  const dir = mkdtempSync(join(scratch, 'pair-'));
  copyFileSync(fixture('low_res_pair.hdr'), join(dir, 'scan.hdr'));
  copyFileSync(fixture('low_res_pair.img.gz'), join(dir, 'scan.img.gz'));

  test('a .hdr finds its .img.gz, and the .img.gz finds its .hdr', async () => {
    for (const name of ['scan.hdr', 'scan.img.gz']) {
      const volume = await loadVolume(join(dir, name));
      expect(volume.header?.storage).toBe('pair');
      expect(volume.data).toEqual(alternating);
    }
  });

  test('a gzipped .hdr.gz with a plain .img reads too', async () => {
    const other = mkdtempSync(join(scratch, 'pair-gz-'));
    writeFileSync(join(other, 'b.hdr.gz'), gzipSync(readFileSync(fixture('low_res_pair.hdr'))));
    writeFileSync(join(other, 'b.img'), readNifti(readFileSync(fixture('low_res.nii.gz'))).data);
    expect((await loadVolume(join(other, 'b.hdr.gz'))).data).toEqual(alternating);
    expect((await loadVolume(join(other, 'b.img'))).data).toEqual(alternating);
  });

  test('a header-only .hdr is refused with "missing .img", naming every path tried', async () => {
    const path = fixture('nifti1.hdr');
    const tried = `${fixture('nifti1.img')}, ${fixture('nifti1.img.gz')}`;
    await expect(loadVolume(path)).rejects.toThrow(InvalidVolumeError);
    await expect(loadVolume(path)).rejects.toThrow(
      `loadVolume: missing .img for the pair header ${path}: tried ${tried}`,
    );
  });

  test('an .img without its .hdr is refused with "missing .hdr"', async () => {
    const lonely = mkdtempSync(join(scratch, 'lonely-'));
    copyFileSync(fixture('low_res_pair.img.gz'), join(lonely, 'x.img.gz'));
    await expect(loadVolume(join(lonely, 'x.img.gz'))).rejects.toThrow(
      `loadVolume: missing .hdr for the image file ${join(lonely, 'x.img.gz')}: tried ${join(lonely, 'x.hdr')}, ${join(lonely, 'x.hdr.gz')}`,
    );
  });
});

describe('loadVolume: bytes, volumes and refused kinds', () => {
  test('parses an ArrayBuffer, a Uint8Array and a Node Buffer', async () => {
    const buffer = readFileSync(fixture('low_res.nii.gz'));
    const copy = new Uint8Array(buffer);
    for (const source of [buffer, copy, copy.buffer.slice(0)]) {
      expect((await loadVolume(source)).data).toEqual(alternating);
    }
  });

  test('a bare .hdr given as bytes is refused with "missing .img"', async () => {
    await expect(loadVolume(readFileSync(fixture('nifti1.hdr')), { name: 'nifti1.hdr' })).rejects.toThrow(
      /nifti1\.hdr is the header of a \.hdr\/\.img pair.*missing \.img/,
    );
  });

  test('returns a Volume as it is', async () => {
    const volume = readNifti(readFileSync(fixture('low_res.nii.gz')));
    expect(await loadVolume(volume)).toBe(volume);
  });

  test('refuses a Blob, naming the kinds Node takes', async () => {
    const blob = new Blob([readFileSync(fixture('low_res.nii.gz'))]);
    await expect(loadVolume(blob)).rejects.toThrow(TypeError);
    await expect(loadVolume(blob)).rejects.toThrow(
      'loadVolume: in Node a volume source is a path (string or file: URL), an ArrayBuffer, a Uint8Array ' +
        '(a Buffer included) or a Volume; got a Blob',
    );
  });

  test('refuses other kinds and non-file URLs with a TypeError', async () => {
    await expect(loadVolume(42 as never)).rejects.toThrow(/volume source is .*; got number/);
    await expect(loadVolume(null as never)).rejects.toThrow(/got null/);
    await expect(loadVolume({ data: [1, 2] } as never)).rejects.toThrow(/got Object/);
    await expect(loadVolume(new URL('https://example.org/a.nii.gz'))).rejects.toThrow(
      /a URL must be a file: URL; got https:/,
    );
  });
});
