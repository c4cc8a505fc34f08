/**
 * @hadnet/core: everything between NIfTI files and a network's input tensor, and back, with no
 * runtime imports, so that Node and browsers run the very same code.
 */
export * from './errors.js';
export * from './logger.js';
export * from './volume.js';
export * from './contracts.js';
export type { NiftiHeader, NiftiDatatype } from './nifti/header.js';
export * from './nifti/index.js';
export * from './metrics/index.js';
export * from './orientation/index.js';
export * from './preprocess/index.js';
export * from './tiling/index.js';
export * from './labels/index.js';
export * from './segment/index.js';
