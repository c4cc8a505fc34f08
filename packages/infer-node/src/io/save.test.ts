import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Volume } from '@hadnet/core';
import { OutputPathError } from './output-path.js';
import { saveVolume } from './save.js';

const volume: Volume = {
  data: Uint8Array.from({ length: 24 }, (_, n) => n % 3),
  shape: [2, 3, 4],
  spacing: [1, 1, 1],
  affine: [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ],
};

describe('saveVolume', () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'hadnet-save-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('writes .nii.gz gzipped and .nii plain, the voxels at byte 352, and leaves no temporary file', async () => {
    await saveVolume(join(folder, 'labels.nii.gz'), volume);
    await saveVolume(join(folder, 'labels.nii'), volume);
    const gz = await readFile(join(folder, 'labels.nii.gz'));
    const plain = await readFile(join(folder, 'labels.nii'));
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(gz).equals(plain)).toBe(true);
    expect(plain.readInt32LE(0)).toBe(348);
    expect(plain.subarray(344, 347).toString('latin1')).toBe('n+1');
    expect(Array.from(plain.subarray(352))).toEqual(Array.from(volume.data));
    expect((await readdir(folder)).sort()).toEqual(['labels.nii', 'labels.nii.gz']);
  });

  it('replaces an existing file whole', async () => {
    const path = join(folder, 'replace.nii');
    await writeFile(path, 'old contents');
    await saveVolume(path, volume);
    expect((await readFile(path)).length).toBe(352 + 24);
  });

  it('leaves an existing file untouched and no temporary file when the volume cannot be written', async () => {
    const path = join(folder, 'keep.nii.gz');
    await writeFile(path, 'keep me');
    const bad: Volume = { ...volume, data: Float32Array.from({ length: 24 }, () => 300) };
    await expect(saveVolume(path, bad, { datatype: 'uint8' })).rejects.toThrow(
      /does not fit datatype 'uint8'/,
    );
    expect(await readFile(path, 'utf8')).toBe('keep me');
    expect((await readdir(folder)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('removes its temporary file when the rename fails', async () => {
    const path = join(folder, 'taken.nii.gz');
    await mkdir(path); // a folder of that name: the rename onto it fails
    await expect(saveVolume(path, volume)).rejects.toThrow(
      expect.objectContaining({ code: expect.any(String) }),
    );
    expect((await readdir(folder)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await readdir(path)).toEqual([]);
  });

  it('names the path given, not the temporary file, when the folder does not exist', async () => {
    const path = join(folder, 'no-such-folder', 'labels.nii.gz');
    const error = await saveVolume(path, volume).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputPathError);
    expect(error).toMatchObject({ code: 'ENOENT', path });
    expect((error as Error).message).toBe(`saveVolume: cannot write ${path}: its folder does not exist`);
  });

  it('refuses names that are not NIfTI and gzip options against the name', async () => {
    await expect(saveVolume(join(folder, 'out.img'), volume)).rejects.toThrow(
      /saveVolume: path must end in .nii.gz or .nii; got ".*out.img"/,
    );
    await expect(saveVolume(join(folder, 'out.nii'), volume, { gzip: true })).rejects.toThrow(
      /options.gzip is true, but path ".*out.nii" names a plain file/,
    );
    expect(await readdir(folder)).not.toContain('out.nii');
  });
});
