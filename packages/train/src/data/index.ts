/**
 * Training data: BraTS-layout folders, split files, reading and preparing cases as a preset
 * says (with an in-memory cache), pre-training augmentation, and the seeded random stream.
 * May depend on: node:fs, node:path, `@hadnet/core`, ../run (atomic writes), ../networks (types).
 */
export * from './random.js';
export * from './layout.js';
export * from './split.js';
export * from './training-case.js';
export * from './load.js';
export * from './augment.js';
