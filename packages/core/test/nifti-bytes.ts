/**
 * Builds small NIfTI-1 and NIfTI-2 files byte by byte, field offsets straight from the standard's
 * nifti1.h / nifti2.h, for reader tests of datatypes and headers the zoo has no real file for. It
 * shares no code with the reader.
 */

/** What a synthetic file holds; everything left out takes a plain default. */
export interface SyntheticNifti {
  format?: 'nifti1' | 'nifti2';
  littleEndian?: boolean;
  /** `dim[1..]`; dim[0] is their count. */
  dims: number[];
  datatype: number;
  bitpix: number;
  /** Writes the voxel values at `offset` (vox_offset) into the file. */
  voxels: (view: DataView, offset: number, littleEndian: boolean) => void;
  /** Bytes of voxel data. */
  dataBytes: number;
  voxOffset?: number;
  sclSlope?: number;
  sclInter?: number;
  qformCode?: number;
  sformCode?: number;
  /** quatern_b, c, d, qoffset_x, y, z. */
  quatern?: [number, number, number, number, number, number];
  /** pixdim[0..3]. */
  pixdim?: [number, number, number, number];
  /** srow_x, srow_y, srow_z, 12 numbers. */
  srow?: number[];
  intentCode?: number;
  magic?: string;
  sizeofHdr?: number;
}

/** The bytes of a single-file NIfTI (`n+1` / `n+2` unless `magic` says otherwise). */
export function syntheticNifti(spec: SyntheticNifti): Uint8Array {
  const le = spec.littleEndian ?? true;
  const two = spec.format === 'nifti2';
  const headerBytes = two ? 540 : 348;
  const voxOffset = spec.voxOffset ?? headerBytes + 4;
  const bytes = new Uint8Array(voxOffset + spec.dataBytes);
  const view = new DataView(bytes.buffer);
  const pixdim = spec.pixdim ?? [1, 1, 1, 1];
  const quatern = spec.quatern ?? [0, 0, 0, 0, 0, 0];
  const srow = spec.srow ?? [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
  const dims = [spec.dims.length, ...spec.dims, 1, 1, 1, 1, 1, 1, 1].slice(0, 8);
  const text = (at: number, value: string) => [...value].forEach((c, k) => (bytes[at + k] = c.charCodeAt(0)));

  view.setInt32(0, spec.sizeofHdr ?? headerBytes, le);
  if (!two) {
    dims.forEach((d, k) => view.setInt16(40 + 2 * k, d, le));
    view.setInt16(68, spec.intentCode ?? 0, le);
    view.setInt16(70, spec.datatype, le);
    view.setInt16(72, spec.bitpix, le);
    [...pixdim, 1, 1, 1, 1].forEach((p, k) => view.setFloat32(76 + 4 * k, p, le));
    view.setFloat32(108, voxOffset, le);
    view.setFloat32(112, spec.sclSlope ?? 1, le);
    view.setFloat32(116, spec.sclInter ?? 0, le);
    view.setInt16(252, spec.qformCode ?? 0, le);
    view.setInt16(254, spec.sformCode ?? 0, le);
    quatern.forEach((q, k) => view.setFloat32(256 + 4 * k, q, le));
    srow.forEach((s, k) => view.setFloat32(280 + 4 * k, s, le));
    text(344, spec.magic ?? 'n+1');
  } else {
    text(4, spec.magic ?? 'n+2');
    [13, 10, 26, 10].forEach((b, k) => (bytes[8 + k] = b));
    view.setInt16(12, spec.datatype, le);
    view.setInt16(14, spec.bitpix, le);
    dims.forEach((d, k) => view.setBigInt64(16 + 8 * k, BigInt(d), le));
    [...pixdim, 1, 1, 1, 1].forEach((p, k) => view.setFloat64(104 + 8 * k, p, le));
    view.setBigInt64(168, BigInt(voxOffset), le);
    view.setFloat64(176, spec.sclSlope ?? 1, le);
    view.setFloat64(184, spec.sclInter ?? 0, le);
    view.setInt32(344, spec.qformCode ?? 0, le);
    view.setInt32(348, spec.sformCode ?? 0, le);
    quatern.forEach((q, k) => view.setFloat64(352 + 8 * k, q, le));
    srow.forEach((s, k) => view.setFloat64(400 + 8 * k, s, le));
    view.setInt32(504, spec.intentCode ?? 0, le);
  }
  spec.voxels(view, voxOffset, le);
  return bytes;
}
