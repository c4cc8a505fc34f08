/**
 * The `segment()` contract and its one pipeline: options, progress, result, model card, device
 * resolution and the `Runtime` each runtime package implements. Runtime-free; depends on core's
 * preprocess, tiling, labels, contracts and errors.
 */
export * from './onnx-metadata.js';
export * from './model-card.js';
export * from './devices.js';
export * from './runtime.js';
export * from './ort-session.js';
export * from './options.js';
export * from './result.js';
export * from './uncertainty.js';
export * from './volumes.js';
export * from './case-files.js';
export * from './pipeline.js';
export * from './brain-mask.js';
