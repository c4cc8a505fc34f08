/**
 * Labels and regions: class indices to BraTS labels and back, region masks, connected
 * components and optional post-processing. Depends only on core's volume, contracts and errors.
 */
export * from './convention.js';
export * from './regions.js';
export * from './components.js';
export * from './postprocess.js';
