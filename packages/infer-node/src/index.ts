/**
 * @hadnet/infer-node: hadnet in Node. File access for the runtime-free `@hadnet/core`.
 */
export * from '@hadnet/core';
export * from './io/load.js';
export * from './io/save.js';
export * from './runtime/onnxruntime.js';
export * from './segment.js';
export * from './cohort/index.js';
export * from './io/output-path.js';
