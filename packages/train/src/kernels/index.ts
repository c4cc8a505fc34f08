/**
 * hadnet's fast tfjs `cpu`-backend training kernels (native 3D convolutions, fused JS kernels).
 * Node only. May depend on: tfjs-core, Node's `module`, `fs`, `url`, the native addon.
 */
export * from './native.js';
export * from './register.js';
