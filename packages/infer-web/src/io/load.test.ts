/**
 * Reading volumes and models the way browsers hand them over (Blob, File, bytes, URL), in Node's
 * implementations of Blob, File and fetch, against a small server of this test on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNifti, type Volume } from '@hadnet/core';
import { loadModel, loadVolume } from './load.js';

const volume: Volume = {
  data: Int16Array.from({ length: 4 * 3 * 2 }, (_, v) => v * 7 - 20),
  shape: [4, 3, 2],
  spacing: [1, 2, 3],
  affine: [
    [-1, 0, 0, 10],
    [0, 2, 0, -5],
    [0, 0, 3, 7],
    [0, 0, 0, 1],
  ],
};
const bytes = writeNifti(volume);

describe('loadVolume in browsers', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/flair.nii.gz') {
        response.writeHead(200).end(bytes);
      } else {
        response.writeHead(404, 'Not Found').end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const check = (read: Volume) => {
    expect(read.shape).toEqual([4, 3, 2]);
    expect(Array.from(read.data)).toEqual(Array.from(volume.data));
    expect(read.affine).toEqual(volume.affine);
  };

  it('reads a File, a Blob, an ArrayBuffer, a Uint8Array and a URL', async () => {
    check(await loadVolume(new File([bytes.slice()], 'flair.nii.gz')));
    check(await loadVolume(new Blob([bytes.slice()])));
    check(await loadVolume(bytes.slice().buffer));
    check(await loadVolume(bytes));
    check(await loadVolume(new URL(`${origin}/flair.nii.gz`)));
  });

  it('passes a Volume through', async () => {
    expect(await loadVolume(volume)).toBe(volume);
  });

  it('names the File in errors about its bytes', async () => {
    await expect(loadVolume(new File([new Uint8Array(10)], 'broken.nii'))).rejects.toMatchObject({
      code: 'INVALID_VOLUME',
      message: expect.stringContaining('broken.nii'),
    });
  });

  it('refuses a string (browsers have no paths), naming the kinds it takes', async () => {
    await expect(loadVolume('case/flair.nii.gz')).rejects.toThrow(
      new TypeError(
        'loadVolume: in browsers a volume source is a File, a Blob, an ArrayBuffer, a Uint8Array, a URL or a Volume; ' +
          'got a string ("case/flair.nii.gz") (a string would be a path; wrap a URL: new URL(text, location.href))',
      ),
    );
    await expect(loadVolume(42 as never)).rejects.toThrow(/; got number$/);
  });

  it('says which URL answered what when a fetch fails', async () => {
    await expect(loadVolume(new URL(`${origin}/missing.nii.gz`))).rejects.toMatchObject({
      code: 'EFETCH',
      message: `loadVolume: GET ${origin}/missing.nii.gz answered 404 Not Found`,
    });
  });

  it('fetches a model from a URL object or string, and passes bytes through', async () => {
    const fromUrl = await loadModel(new URL(`${origin}/flair.nii.gz`));
    expect(fromUrl.name).toBe(`${origin}/flair.nii.gz`);
    expect(Array.from(fromUrl.bytes)).toEqual(Array.from(bytes));
    expect((await loadModel(`${origin}/flair.nii.gz`)).bytes.length).toBe(bytes.length);
    expect((await loadModel(bytes)).name).toBe('the model bytes');
    await expect(loadModel({} as never)).rejects.toThrow(
      'segment: in browsers options.model is a URL (a URL object or a URL string), an ArrayBuffer or a Uint8Array; got Object',
    );
  });
});
