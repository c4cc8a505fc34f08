/**
 * @hadnet/infer-web: segment() in browsers on onnxruntime-web (WebGPU, wasm fallback), directly or
 * in a web worker, with the runtime-free `@hadnet/core` re-exported.
 */
export * from '@hadnet/core';
export * from './io/load.js';
export * from './runtime/onnx-graph.js';
export * from './runtime/activation-size.js';
export * from './runtime/webgpu.js';
export * from './runtime/network-grid.js';
export * from './runtime/onnxruntime-web.js';
export * from './segment.js';
export * from './worker/protocol.js';
export * from './worker/serve.js';
export * from './worker/client.js';
export * from './runtime/ort-files.js';
