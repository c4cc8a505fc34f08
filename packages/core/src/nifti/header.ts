/**
 * The parsed NIfTI header, in camelCase. NIfTI's own snake_case names appear only in the
 * reader and writer that map to and from this type.
 */
import type { Affine } from '../volume.js';

/** NIfTI datatype names, by their `datatype` code. */
export type NiftiDatatype =
  | 'uint8'
  | 'int16'
  | 'int32'
  | 'float32'
  | 'complex64'
  | 'float64'
  | 'rgb24'
  | 'int8'
  | 'uint16'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float128'
  | 'complex128'
  | 'complex256'
  | 'rgba32'
  | 'binary';

export interface NiftiHeader {
  format: 'nifti1' | 'nifti2';
  /** `'pair'` when the header came from a `.hdr` whose voxels live in a `.img`. */
  storage: 'single' | 'pair';
  byteOrder: 'little' | 'big';
  /** `dim[0..7]`: dim[0] is the number of dimensions used. */
  dims: number[];
  /** `pixdim[0..7]`: pixdim[0] is qfac. */
  pixdim: number[];
  datatype: NiftiDatatype;
  datatypeCode: number;
  bitpix: number;
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  /** `quatern_b, quatern_c, quatern_d`. */
  quatern: [number, number, number];
  /** `qoffset_x, qoffset_y, qoffset_z`. */
  qoffset: [number, number, number];
  /** The sform as a 4x4 (rows `srow_x`, `srow_y`, `srow_z`, then `[0, 0, 0, 1]`). */
  sform: Affine;
  /** The affine in use, by the rule sform (code > 0), else qform (code > 0), else pixdim. */
  affine: Affine;
  affineSource: 'sform' | 'qform' | 'pixdim';
  xyztUnits: number;
  intentCode: number;
  calMin: number;
  calMax: number;
  description: string;
  /** The qform as a 4x4 (from quatern, qoffset, pixdim and qfac), whatever qform_code says. */
  qform?: Affine;
  /** `pixdim[0]` read as the standard says: -1 flips k in the qform, anything else means +1. */
  qfac?: 1 | -1;
  /** `intent_p1, intent_p2, intent_p3`. */
  intentParams?: [number, number, number];
  intentName?: string;
  auxFile?: string;
  /** `dim_info`: frequency, phase and slice dimensions packed in 2 bits each. */
  dimInfo?: number;
  sliceStart?: number;
  sliceEnd?: number;
  sliceCode?: number;
  sliceDuration?: number;
  toffset?: number;
  /** Header extensions (ecode and size in bytes, the 8-byte esize/ecode included), where the bytes hold them. */
  extensions?: { code: number; size: number }[];
}
