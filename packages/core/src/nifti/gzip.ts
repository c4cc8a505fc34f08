/**
 * gzip detection and inflation for the NIfTI reader, synchronous, on fflate. Recognises gzip by
 * its magic bytes, never by a file name; inflates every member of a multi-member stream and checks
 * each member's CRC-32 and length (fflate itself does not), so a truncated or corrupt file is
 * refused instead of read short.
 */
import { Gunzip } from 'fflate';
import { InvalidVolumeError } from '../errors.js';
import { crc32 } from './crc32.js';

/** True when the bytes start with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Options of {@link gunzip}. */
export interface GunzipOptions {
  /**
   * Stop once more than this many bytes are inflated (the result holds at least `limit` bytes,
   * or the whole stream if it is shorter). Lets the reader inflate a header alone, or only the
   * bytes a header declares. The member being inflated when it stops is not checked.
   * @defaultValue `Infinity` (the whole stream, every member checked)
   */
  limit?: number;
  /** The calling function, for error messages. @defaultValue `'gunzip'` */
  caller?: string;
  /** The file name, for error messages. @defaultValue `'the input'` */
  name?: string;
}

/** Compressed bytes handed to the inflater at a time: bounds how far past `limit` it runs. */
const STEP = 1 << 16;
/** Bytes of a gzip member trailer: CRC-32, then the input size modulo 2^32, both little-endian. */
const TRAILER = 8;

/** One gzip member as the inflater reports it. */
interface Member {
  /** Input offset of its header. */
  start: number;
  /** Output bytes it produced. */
  size: number;
  /** CRC-32 of its output so far. */
  crc: number;
}

/**
 * Inflates gzip data: all members of a concatenated (multi-member) stream, in order, ignoring
 * zero padding after the last one. Output is gathered chunk by chunk, so memory grows with what
 * the stream really holds, never with the size field of its trailer. Each member's trailer is
 * checked against the bytes it gave (CRC-32 and length).
 *
 * @param bytes - gzip data (starting with `1f 8b`)
 * @param options - see {@link GunzipOptions}
 * @returns the inflated bytes
 * @throws InvalidVolumeError when the data are not gzip, are corrupt (bad deflate data, a CRC or
 *   length that does not match, bytes after the last member that are not zero padding), or end
 *   before the stream does
 * @example
 * ```ts
 * const head = gunzip(fileBytes, { limit: 540 }); // at least the first 540 inflated bytes
 * ```
 */
export function gunzip(bytes: Uint8Array, options: GunzipOptions = {}): Uint8Array {
  return gunzipRange(bytes, { ...options, keepStart: 0, keepEnd: Infinity }).kept;
}

/** Options of {@link gunzipRange}: those of {@link gunzip}, and the output range to keep. */
export interface GunzipRangeOptions extends GunzipOptions {
  /** First inflated byte to keep. */
  keepStart: number;
  /** One past the last inflated byte to keep. */
  keepEnd: number;
}

/**
 * Like {@link gunzip}, but keeps only inflated bytes `[keepStart, keepEnd)` in memory while still
 * inflating (and checking) the stream up to `limit`, and also says how many bytes it inflated.
 * Lets the reader verify that a file holds every volume its header declares while keeping only
 * the one it was asked for.
 *
 * @returns `kept`: the inflated bytes of the range that exist; `total`: all bytes inflated (the
 *   whole stream's length when it ended before `limit`)
 */
export function gunzipRange(
  bytes: Uint8Array,
  options: GunzipRangeOptions,
): { kept: Uint8Array; total: number } {
  const where = `${options.caller ?? 'gunzip'}: ${options.name ?? 'the input'}`;
  if (!isGzip(bytes)) {
    throw new InvalidVolumeError(
      `${where} is not gzip data: expected the magic bytes 1f 8b, got ${hex(bytes.subarray(0, 2))}`,
    );
  }

  // Zero padding after the last member is allowed (Python's gzip reads it too); it is cut off
  // before inflating and the trailer check below accounts for zeros that belonged to the trailer.
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const range = { limit: options.limit ?? Infinity, keepStart: options.keepStart, keepEnd: options.keepEnd };
  try {
    return inflateMembers(bytes, end, range, where);
  } catch (error) {
    // An empty last member can end in zero bytes of deflate data: try once more, uncut.
    if (end === bytes.length || !(error instanceof InvalidVolumeError)) throw error;
    return inflateMembers(bytes, bytes.length, range, where);
  }
}

function inflateMembers(
  bytes: Uint8Array,
  end: number,
  range: { limit: number; keepStart: number; keepEnd: number },
  where: string,
): { kept: Uint8Array; total: number } {
  // Inflate slice by slice, keeping the asked-for range, noting where each member starts and
  // what it gives.
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let total = 0;
  const members: Member[] = [{ start: 0, size: 0, crc: 0 }];
  let member = members[0];
  const stream = new Gunzip((chunk) => {
    const from = Math.max(range.keepStart - total, 0);
    const to = Math.min(range.keepEnd - total, chunk.length);
    if (from < to) {
      const part = from === 0 && to === chunk.length ? chunk : chunk.slice(from, to);
      chunks.push(part);
      kept += part.length;
    }
    total += chunk.length;
    member.size += chunk.length;
    member.crc = crc32(chunk, member.crc);
  });
  stream.onmember = (offset) => {
    member = { start: offset, size: 0, crc: 0 };
    members.push(member);
  };
  let finished = false;
  try {
    for (let at = 0; at < end && total <= range.limit; at += STEP) {
      const stop = Math.min(at + STEP, end);
      stream.push(bytes.subarray(at, stop), stop === end);
      finished = stop === end;
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidVolumeError(
      `${where} is corrupt or truncated gzip data (${reason} in member ${members.length}, after ` +
        `${total} inflated bytes)`,
      { cause: error },
    );
  }

  // Every finished member's trailer: before the next member's header, or at the end of the data.
  for (let k = 0; k + 1 < members.length; k++) {
    if (!trailerMatches(bytes, members[k + 1].start - TRAILER, members[k])) {
      throw badTrailer(where, k, members.length);
    }
  }
  if (finished) {
    const last = members[members.length - 1];
    // The trailer ends at or after `end` (zeros after it were cut), and within the data.
    let found = false;
    for (let at = Math.max(last.start + 10, end - TRAILER); at + TRAILER <= bytes.length && at <= end; at++) {
      if (trailerMatches(bytes, at, last)) {
        found = true;
        break;
      }
    }
    if (!found) throw badTrailer(where, members.length - 1, members.length);
  }

  // One contiguous buffer.
  if (chunks.length === 1) return { kept: chunks[0], total };
  const out = new Uint8Array(kept);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return { kept: out, total };
}

/** Whether the 8 bytes at `at` are the CRC-32 and length (mod 2^32) of the member's output. */
function trailerMatches(bytes: Uint8Array, at: number, member: Member): boolean {
  if (at < 0 || at + TRAILER > bytes.length) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, TRAILER);
  return view.getUint32(0, true) === member.crc >>> 0 && view.getUint32(4, true) === member.size % 2 ** 32;
}

function badTrailer(where: string, index: number, count: number): InvalidVolumeError {
  return new InvalidVolumeError(
    `${where} is corrupt or truncated gzip data: member ${index + 1} of ${count} does not end with the ` +
      'CRC-32 and length of what it inflates to (the file is cut short, damaged, or has bytes after the gzip data)',
  );
}

function hex(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'no bytes';
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
