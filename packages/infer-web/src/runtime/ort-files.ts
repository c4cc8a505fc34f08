/**
 * onnxruntime-web's files that its `onnxruntime-web/webgpu` entry loads at run time (WebGPU and
 * WebAssembly alike), which a page serves from its own origin. No imports, so that build scripts
 * and bundler configs can read it.
 */

/**
 * The files, copied by this package's build into `dist/assets/` (the `@hadnet/infer-web/assets/*`
 * export); serve that folder and point `configureWebRuntime({ wasmPaths })` at it.
 */
export const ORT_WASM_FILES: readonly string[] = Object.freeze([
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
]);
