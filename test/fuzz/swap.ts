/**
 * Byte-order swaps for the NIfTI fuzzer: a whole file turned from little- to big-endian or back
 * (every header field, the extension sizes and codes, and the voxels), which must read as the same
 * volume; and a single field swapped alone, which leaves a header that contradicts itself.
 */
import { DATATYPES, TYPE_BYTES, readField, type Layout } from './layout.js';

/** Reverses every `width`-byte group of `bytes[from, to)` in place. */
export function reverseGroups(bytes: Uint8Array, width: number, from = 0, to = bytes.length): void {
  if (width < 2) return;
  for (let start = from; start + width <= to; start += width) {
    for (let lo = start, hi = start + width - 1; lo < hi; lo++, hi--) {
      const t = bytes[lo];
      bytes[lo] = bytes[hi];
      bytes[hi] = t;
    }
  }
}

/** Swaps the byte order of every numeric header field, in place. */
export function swapHeaderFields(header: Uint8Array, layout: Layout): void {
  for (const spec of Object.values(layout.fields)) {
    const width = TYPE_BYTES[spec.type];
    if (spec.type === 'char') continue;
    reverseGroups(header, width, spec.offset, spec.offset + width * spec.count);
  }
}

/**
 * The whole file in the other byte order: header fields, the esize/ecode of each extension that
 * fits before the voxels, and the voxels from `voxOffset` to the end (each element of the stored
 * datatype reversed). For a pair, call it on the `.hdr` with `image` set to the `.img`.
 *
 * @param header - the `.nii` (or `.hdr`) bytes, inflated; not changed
 * @param layout - its layout, from {@link detectLayout}
 * @param voxOffset - where the voxels start (in `header`, or in `image` for a pair)
 * @param image - the `.img` of a pair, inflated; not changed
 * @returns the swapped copies
 */
export function swapFileOrder(
  header: Uint8Array,
  layout: Layout,
  voxOffset: number,
  image?: Uint8Array,
): { header: Uint8Array; image?: Uint8Array } {
  const out = header.slice();
  const datatype = DATATYPES.get(readField(header, layout, 'datatype'));
  const width = datatype?.elementBytes ?? 1;

  // Extensions: esize and ecode are int32 in the header's byte order.
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const end = image === undefined ? Math.min(voxOffset, header.length) : header.length;
  if (header.length > layout.headerBytes && header[layout.headerBytes] !== 0) {
    let at = layout.headerBytes + 4;
    while (at + 8 <= end) {
      const size = view.getInt32(at, layout.littleEndian);
      reverseGroups(out, 4, at, at + 8);
      if (size < 8) break;
      at += size;
    }
  }

  // Header fields, then the voxels.
  swapHeaderFields(out, layout);
  if (image === undefined) {
    reverseGroups(out, width, voxOffset, out.length);
    return { header: out };
  }
  const swappedImage = image.slice();
  reverseGroups(swappedImage, width, voxOffset, swappedImage.length);
  return { header: out, image: swappedImage };
}
