/**
 * Reading volumes and models in browsers: a File or Blob, bytes, or a URL fetched from the page's
 * origin (or any origin that allows it); a Volume passes through. Depends on @hadnet/core and the
 * Fetch and Blob APIs that browsers and web workers have.
 */
import {
  isVolume,
  readNifti,
  type LoadedModel,
  type ModelSource,
  type Volume,
  type VolumeSource,
} from '@hadnet/core';

const VOLUME_KINDS = 'a File, a Blob, an ArrayBuffer, a Uint8Array, a URL or a Volume';
const MODEL_KINDS = 'a URL (a URL object or a URL string), an ArrayBuffer or a Uint8Array';

/** A value's kind, for messages. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 80))})`;
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'object';
}

/**
 * Fetches a URL's bytes.
 * @param fn - the calling function, for messages
 * @throws Error with `code` `'EFETCH'` when the request fails or answers other than 2xx
 */
export async function fetchBytes(fn: string, url: URL): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw Object.assign(new Error(`${fn}: cannot fetch ${url.href}: ${reason}`, { cause: error }), {
      code: 'EFETCH',
    });
  }
  if (!response.ok) {
    throw Object.assign(
      new Error(`${fn}: GET ${url.href} answered ${response.status} ${response.statusText}`.trimEnd()),
      { code: 'EFETCH' },
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Options of {@link loadVolume}. */
export interface LoadVolumeOptions {
  /** For files that hold several volumes (4D): which one to read, from 0. See `readNifti`. */
  frame?: number;
  /** The name error messages use for bytes; a File or URL names itself. @defaultValue `'the input'` */
  name?: string;
}

/**
 * Reads one volume in a browser (or a web worker), from any {@link VolumeSource} browsers take:
 * a `File` or `Blob` (`.nii` or `.nii.gz`, gzip recognised by content), an `ArrayBuffer` or
 * `Uint8Array` holding one, a `URL` fetched with `fetch`, or a `Volume`, returned as it is.
 * A string is refused: in browsers a string would be a path, and there are none; pass
 * `new URL(text, location.href)`. Voxels come back in NIfTI memory order
 * (`data[i + nx * (j + ny * k)]`, `shape = [nx, ny, nz]`), not reoriented.
 * @param source - where the volume is
 * @param options - see {@link LoadVolumeOptions}
 * @throws TypeError for a string or any other kind, naming the kinds browsers take
 * @throws Error with `code` `'EFETCH'` when a URL cannot be fetched
 * @throws InvalidVolumeError (and the rest of what `readNifti` refuses) for bytes that are not NIfTI
 * @example
 * ```ts
 * const flair = await loadVolume(fileInput.files[0]);
 * const t1 = await loadVolume(new URL('case/t1.nii.gz', location.href));
 * ```
 */
export async function loadVolume(source: VolumeSource, options: LoadVolumeOptions = {}): Promise<Volume> {
  const { frame } = options;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    return readNifti(source, { frame, name: options.name });
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const name = typeof File !== 'undefined' && source instanceof File ? source.name : options.name;
    return readNifti(new Uint8Array(await source.arrayBuffer()), { frame, name });
  }
  if (source instanceof URL) {
    return readNifti(await fetchBytes('loadVolume', source), { frame, name: source.href });
  }
  if (isVolume(source)) return source;
  const hint =
    typeof source === 'string' ? ' (a string would be a path; wrap a URL: new URL(text, location.href))' : '';
  throw new TypeError(
    `loadVolume: in browsers a volume source is ${VOLUME_KINDS}; got ${kindOf(source)}${hint}`,
  );
}

/**
 * Reads a model in a browser: a URL (object, or string resolved against the page's or worker's
 * location) is fetched; bytes pass through.
 * @param source - the model
 * @throws TypeError for any other kind, naming the kinds browsers take
 * @throws Error with `code` `'EFETCH'` when the URL cannot be fetched
 */
export async function loadModel(source: ModelSource): Promise<LoadedModel> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'the model bytes' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: 'the model bytes' };
  let url: URL;
  if (source instanceof URL) {
    url = source;
  } else if (typeof source === 'string' && source.length > 0) {
    try {
      url = new URL(source, globalThis.location?.href);
    } catch {
      throw new TypeError(
        `segment: options.model ${JSON.stringify(source)} is not a URL, and there is no page location to resolve it against`,
      );
    }
  } else {
    throw new TypeError(`segment: in browsers options.model is ${MODEL_KINDS}; got ${kindOf(source)}`);
  }
  return { bytes: await fetchBytes('segment', url), name: url.href };
}
