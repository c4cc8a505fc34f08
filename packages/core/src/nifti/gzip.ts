/**
 * gzip detection and inflation for the NIfTI reader, synchronous, on fflate. Recognises gzip by
 * its magic bytes, never by a file name; inflates every member of a multi-member stream.
 */
import { Gunzip } from 'fflate';
import { InvalidVolumeError } from '../errors.js';
import { log } from '../logger.js';

/** True when the bytes start with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Options of {@link gunzip}. */
export interface GunzipOptions {
  /**
   * Stop once at least this many bytes are inflated (the result may hold a little more). Lets the
   * reader inflate a header alone, or only the bytes a header declares.
   * @defaultValue `Infinity` (the whole stream)
   */
  limit?: number;
  /** The calling function, for error messages. @defaultValue `'gunzip'` */
  caller?: string;
  /** The file name, for error messages. @defaultValue `'the input'` */
  name?: string;
}

/** Compressed bytes handed to the inflater at a time: bounds how far past `limit` it runs. */
const STEP = 1 << 16;

/**
 * Inflates gzip data: all members of a concatenated (multi-member) stream, in order. Output is
 * gathered chunk by chunk, so memory grows with what the stream really holds, never with the size
 * field in its trailer.
 *
 * @param bytes - gzip data (starting with `1f 8b`)
 * @returns the inflated bytes
 * @throws InvalidVolumeError when the data are not gzip, are corrupt, or end before the stream does
 * @example
 * ```ts
 * const header = gunzip(fileBytes, { limit: 540 }).subarray(0, 540);
 * ```
 */
export function gunzip(bytes: Uint8Array, options: GunzipOptions = {}): Uint8Array {
  const limit = options.limit ?? Infinity;
  const caller = options.caller ?? 'gunzip';
  const name = options.name ?? 'the input';
  if (!isGzip(bytes)) {
    throw new InvalidVolumeError(
      `${caller}: ${name} is not gzip data: expected the magic bytes 1f 8b, got ${hex(bytes.subarray(0, 2))}`,
    );
  }

  // Inflate slice by slice, collecting the output, until the limit or the end of the input.
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new Gunzip((chunk) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  try {
    for (let at = 0; at < bytes.length && total < limit; at += STEP) {
      const end = Math.min(at + STEP, bytes.length);
      stream.push(bytes.subarray(at, end), end === bytes.length);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (total < limit) {
      throw new InvalidVolumeError(
        `${caller}: ${name} is corrupt or truncated gzip data (${reason}) after ${total} inflated bytes`,
        { cause: error },
      );
    }
    // Everything asked for was inflated; what follows it in the file cannot change those bytes.
    log.warn(`${caller}: ${name}: ignored bytes after the gzip data that were needed (${reason})`);
  }

  // One contiguous buffer.
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'no bytes';
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
