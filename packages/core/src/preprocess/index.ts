/**
 * Preprocessing and its exact inverse: grid and input checks, brain mask, crop, normalisation,
 * resampling, padding, tensor layouts. Runtime-free; depends on core's volume, contracts, errors,
 * orientation and (for a type) tiling.
 */
export * from './grid.js';
export * from './finite.js';
export * from './quality.js';
export * from './mask.js';
export * from './normalise.js';
export * from './shift.js';
export * from './resample.js';
export * from './layout.js';
export * from './record.js';
export * from './preprocess.js';
export * from './restore.js';
export * from './values.js';
