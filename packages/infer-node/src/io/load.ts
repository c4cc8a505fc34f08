/**
 * Loading volumes in Node: a path (string or `file:` URL) read from disk, `.hdr`/`.img` pairs
 * found by name, raw bytes parsed, an already-read Volume passed through. Depends on node:fs and
 * `readNifti` from @hadnet/core.
 */
import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  InvalidVolumeError,
  isVolume,
  readNifti,
  readNiftiHeader,
  type Volume,
  type VolumeSource,
} from '@hadnet/core';

/** Options of {@link loadVolume}. */
export interface LoadVolumeOptions {
  /** For files that hold several volumes (4D, 5D): which one to read, from 0. See `readNifti`. */
  frame?: number;
  /**
   * The name error messages use for bytes (an ArrayBuffer or Uint8Array source); a path names
   * itself. @defaultValue `'the input'`
   */
  name?: string;
}

const KINDS = 'a path (string or file: URL), an ArrayBuffer, a Uint8Array (a Buffer included) or a Volume';

/**
 * Reads one volume in Node, from any {@link VolumeSource} this runtime takes:
 * - a path, as a string or a `file:` URL: `.nii`, `.nii.gz`, or either half of a `.hdr`/`.img`
 *   pair (each half plain or gzipped: `x.hdr` finds `x.img` or `x.img.gz`, `x.img` finds `x.hdr` or
 *   `x.hdr.gz`);
 * - an ArrayBuffer or Uint8Array holding a `.nii` or `.nii.gz`;
 * - a Volume, returned as it is.
 *
 * gzip is recognised by content, not by name. Voxels come back as `readNifti` gives them: NIfTI
 * memory order `data[i + nx * (j + ny * k)]`, `shape = [nx, ny, nz]`, not reoriented.
 *
 * @param source - where the volume is
 * @param options - see {@link LoadVolumeOptions}
 * @returns the volume, with its header attached
 * @throws TypeError for a Blob (a browser's kind; pass `await blob.arrayBuffer()`) or any other kind
 * @throws InvalidVolumeError for a pair whose other half is missing ("missing .img", naming the
 *   paths tried), and whatever `readNifti` refuses
 * @throws Error with `code` `'ENOENT'` (or Node's other file-system codes) when the file cannot be read
 * @example
 * ```ts
 * const flair = await loadVolume('Brats18_TCIA03_265_1/flair.nii.gz');
 * const fmri = await loadVolume(new URL('file:///data/bold.nii.gz'), { frame: 0 });
 * ```
 */
export async function loadVolume(source: VolumeSource, options: LoadVolumeOptions = {}): Promise<Volume> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    return readNifti(source, { frame: options.frame, name: options.name });
  }
  if (isVolume(source)) return source;
  const files = await readVolumeFiles(toPath(source));
  return readNifti(files.bytes, { imageBytes: files.imageBytes, frame: options.frame, name: files.name });
}

/** The bytes of a NIfTI file on disk, both halves for a pair. */
export interface VolumeFiles {
  /** The `.nii`/`.nii.gz`, or the `.hdr` of a pair. */
  bytes: Uint8Array;
  /** The `.img` of a pair. */
  imageBytes?: Uint8Array;
  /** The path of `bytes`, for messages. */
  name: string;
}

/**
 * Reads a NIfTI file from disk, finding the other half of a `.hdr`/`.img` pair by name (see
 * {@link loadVolume}). The bytes are returned as stored (gzip not inflated).
 *
 * @param path - a file-system path
 * @throws InvalidVolumeError "missing .img" / "missing .hdr", naming the paths tried
 */
export async function readVolumeFiles(path: string): Promise<VolumeFiles> {
  const pair = /^(.*)\.(hdr|img)(\.gz)?$/i.exec(path);
  if (!pair) return { bytes: await readBytes(path), name: path };

  // The other half's names: x.hdr -> x.img, x.img.gz; x.img -> x.hdr, x.hdr.gz (same letter case).
  const [, stem, extension] = pair;
  const upper = extension === extension.toUpperCase();
  const isHeader = extension.toLowerCase() === 'hdr';
  const other = isHeader ? 'img' : 'hdr';
  const candidates = [`${stem}.${other}`, `${stem}.${other}.gz`].map((name) =>
    upper ? name.slice(0, stem.length) + name.slice(stem.length).toUpperCase() : name,
  );
  const found = await firstExisting(candidates);

  if (isHeader) {
    const bytes = await readBytes(path);
    if (found !== undefined) return { bytes, imageBytes: await readBytes(found), name: path };
    // A .hdr that is a single-file NIfTI after all reads alone; a pair header needs its .img.
    if (readNiftiHeader(bytes, { name: path }).storage === 'single') return { bytes, name: path };
    throw new InvalidVolumeError(
      `loadVolume: missing .img for the pair header ${path}: tried ${candidates.join(', ')}`,
    );
  }
  if (found === undefined) {
    throw new InvalidVolumeError(
      `loadVolume: missing .hdr for the image file ${path}: tried ${candidates.join(', ')}`,
    );
  }
  return { bytes: await readBytes(found), imageBytes: await readBytes(path), name: found };
}

/** A string path, a `file:` URL (object or string) as a path, or a TypeError naming the kinds Node takes. */
function toPath(source: unknown): string {
  if (typeof source === 'string') {
    if (source.length === 0) throw new TypeError('loadVolume: the path is an empty string');
    return source.startsWith('file://') ? fileURLToPath(source) : source;
  }
  if (source instanceof URL) {
    if (source.protocol !== 'file:') {
      throw new TypeError(
        `loadVolume: in Node a URL must be a file: URL; got ${source.protocol} (${source.href}). ` +
          'Download it first, then pass the bytes',
      );
    }
    return fileURLToPath(source);
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    throw new TypeError(
      `loadVolume: in Node a volume source is ${KINDS}; got a ${source.constructor.name} ` +
        '(Blobs and Files are for browsers: pass await blob.arrayBuffer() instead)',
    );
  }
  const kind =
    source === null
      ? 'null'
      : typeof source === 'object'
        ? (source.constructor?.name ?? 'object')
        : typeof source;
  throw new TypeError(`loadVolume: in Node a volume source is ${KINDS}; got ${kind}`);
}

/** The file's bytes; a read error keeps Node's code and names the function and the path. */
async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw Object.assign(new Error(`loadVolume: cannot read ${path}: ${reason}`, { cause: error }), {
      code: typeof code === 'string' ? code : 'EIO',
    });
  }
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      await access(path);
      return path;
    } catch {
      // Not there: try the next name.
    }
  }
  return undefined;
}
