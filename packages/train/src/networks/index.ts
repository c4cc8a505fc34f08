/**
 * The networks of HAD-Net in tfjs (generator, discriminator), their building blocks, layer
 * tables and presets. May depend on: tfjs-core only (no Node modules).
 */
export * from './generator.js';
export * from './discriminator.js';
export * from './ops.js';
export * from './parameters.js';
export * from './layers.js';
export * from './presets.js';
export * from './summary.js';
