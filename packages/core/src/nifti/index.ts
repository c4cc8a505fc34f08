/**
 * NIfTI-1/NIfTI-2 reading (and, beside it, writing) for @hadnet/core. Runtime-free: bytes in,
 * {@link Volume} out; file access lives in the runtime packages. See docs/nifti.md.
 */
export { readNifti, readNiftiHeader, type ReadNiftiOptions, type ReadNiftiHeaderOptions } from './read.js';
export type { NiftiHeader, NiftiDatatype } from './header.js';
export { NIFTI_DATATYPES, datatypeByName, type NiftiDatatypeInfo } from './datatypes.js';
export { gunzip, isGzip, type GunzipOptions } from './gzip.js';
export { qformToAffine, type QformFields } from './qform.js';
export { chooseAffine, pixdimAffine, maxAxisCosine, type AffineChoice, type AffineFields } from './affine.js';
export { scalingApplies } from './voxels.js';
export { writeNifti, type WriteNiftiOptions, type WritableDatatype } from './write.js';
export { qformFromAffine, type QformParameters } from './qform-from-affine.js';
