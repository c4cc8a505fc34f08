/**
 * Orientation: axis codes of an affine, and exact reorientation of volumes and raw arrays to
 * canonical RAS voxel order and back (permutations and flips, never resampling).
 * Depends on the Volume types, the errors and the NIfTI header type only.
 */
export { axisCodes, orientationFromAffine, type AxisOrientation, type WorldAxis } from './axis-codes.js';
export { rasReorientation, isIdentityReorientation, type Reorientation } from './reorientation.js';
export { reorientArray, type ReorientArrayOptions } from './reorient-array.js';
export { reorientToRas, reorientFromRas } from './reorient.js';
