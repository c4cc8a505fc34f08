/**
 * Named float32 arrays on disk, the way checkpoints keep weights and optimizer moments:
 * `<stem>.json`, a manifest `{ format: 'hadnet-tensors/1', tensors: [{ name, shape, dtype:
 * 'float32', offset, length }] }` (offset and length in bytes), beside `<stem>.bin`, the values
 * one array after another, little-endian. Kernels keep tfjs' layout `[kd, kh, kw, in, out]`.
 * May depend on: node:fs, node:path, `@hadnet/core` (errors), ./atomic.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRunError } from '@hadnet/core';
import { writeFileSynced } from './atomic.js';

/** One named array. `data.length` is the product of `shape`. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The manifest `<stem>.json`. */
export interface TensorManifest {
  format: 'hadnet-tensors/1';
  tensors: { name: string; shape: number[]; dtype: 'float32'; offset: number; length: number }[];
}

const FORMAT = 'hadnet-tensors/1';
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float32 values as little-endian bytes (a copy on a big-endian machine). */
function toLittleEndian(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndian) return bytes;
  const out = new Uint8Array(bytes.length);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

/**
 * Writes arrays as `<dir>/<stem>.json` and `<dir>/<stem>.bin`, each flushed to disk. Not atomic
 * by itself: checkpoints write it into a folder that is renamed into place when complete.
 * @throws RangeError when a name repeats or an array's length does not match its shape
 */
export async function writeTensorFile(
  dir: string,
  stem: string,
  arrays: readonly NamedArray[],
): Promise<void> {
  const manifest: TensorManifest = { format: FORMAT, tensors: [] };
  let offset = 0;
  const names = new Set<string>();
  for (const a of arrays) {
    const size = a.shape.reduce((p, n) => p * n, 1);
    if (a.data.length !== size) {
      throw new RangeError(
        `writeTensorFile: '${a.name}' holds ${a.data.length} values; shape [${a.shape}] needs ${size}`,
      );
    }
    if (names.has(a.name)) throw new RangeError(`writeTensorFile: the name '${a.name}' is used twice`);
    names.add(a.name);
    manifest.tensors.push({
      name: a.name,
      shape: [...a.shape],
      dtype: 'float32',
      offset,
      length: a.data.byteLength,
    });
    offset += a.data.byteLength;
  }
  const bytes = new Uint8Array(offset);
  arrays.forEach((a, i) => bytes.set(toLittleEndian(a.data), manifest.tensors[i].offset));
  await writeFileSynced(join(dir, `${stem}.bin`), bytes);
  await writeFileSynced(join(dir, `${stem}.json`), `${JSON.stringify(manifest)}\n`);
}

/**
 * Reads arrays written by {@link writeTensorFile}, in their written order.
 * @throws InvalidRunError when a file is missing or unreadable, the manifest is not this format,
 *   or the values file is shorter than the manifest says
 */
export async function readTensorFile(dir: string, stem: string): Promise<NamedArray[]> {
  const fn = 'readTensorFile';
  const manifestPath = join(dir, `${stem}.json`);
  const binPath = join(dir, `${stem}.bin`);
  const manifest = (await readJson(manifestPath, fn)) as Partial<TensorManifest>;
  if (manifest.format !== FORMAT || !Array.isArray(manifest.tensors)) {
    throw new InvalidRunError(
      `${fn}: ${manifestPath} is not a '${FORMAT}' manifest; got format ${String(manifest.format)}`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(binPath);
  } catch (error) {
    throw new InvalidRunError(`${fn}: cannot read ${binPath} (${(error as { code?: string }).code})`, {
      cause: error,
    });
  }
  return manifest.tensors.map((t) => {
    const size = t.shape.reduce((p, n) => p * n, 1);
    if (t.dtype !== 'float32' || t.length !== 4 * size || t.offset + t.length > bytes.length) {
      throw new InvalidRunError(
        `${fn}: ${binPath}: tensor '${t.name}' [${t.shape}] at bytes ${t.offset}..${t.offset + t.length} does not ` +
          `fit the file's ${bytes.length} bytes as float32`,
      );
    }
    const start = bytes.byteOffset + t.offset;
    let data: Float32Array;
    if (littleEndian) {
      data = new Float32Array(bytes.buffer.slice(start, start + t.length));
    } else {
      const view = new DataView(bytes.buffer, start, t.length);
      data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = view.getFloat32(4 * i, true);
    }
    return { name: t.name, shape: [...t.shape], data };
  });
}

/**
 * Reads and parses a JSON file.
 * @param fn - the caller, named in errors
 * @throws InvalidRunError when the file cannot be read or parsed
 */
export async function readJson(path: string, fn: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidRunError(`${fn}: cannot read ${path} (${(error as { code?: string }).code})`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidRunError(`${fn}: ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}
