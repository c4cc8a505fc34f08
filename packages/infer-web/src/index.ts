/**
 * @hadnet/infer-web: segment() in browsers on onnxruntime-web (WebGPU, wasm fallback).
 */
// TODO: segment() for browsers is not written yet (issue "@hadnet/infer-web"); the package only
// re-exports the shared contract so far.
export * from '@hadnet/core';
