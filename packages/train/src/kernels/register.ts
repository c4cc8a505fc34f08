/**
 * Swaps hadnet's fast kernels into tfjs' `cpu` backend and back. Only kernels registered for
 * `'cpu'` are replaced, so the fast path never applies on top of tfjs-node or tfjs-node-gpu. The
 * gradients tfjs registers (Conv3D's calls Conv3DBackpropInputV2 and Conv3DBackpropFilterV2) reach
 * the replaced kernels unchanged. May depend on: tfjs-core, the kernel files of this folder.
 */
import * as tf from '@tensorflow/tfjs-core';
import { binaryKernels } from './binary.js';
import { instanceNormKernels } from './instance-norm.js';
import { installLeakyReluGradient, leakyReluGradKernel, restoreLeakyReluGradient } from './leaky-relu.js';
import { conv3dKernels } from './conv3d.js';
import { matmulKernel } from './matmul.js';
import { loadNativeKernels } from './native.js';
import { pool3dKernels } from './pool3d.js';
import { splitKernel } from './split.js';

/** Options of {@link enableFastKernels}. */
export interface EnableFastKernelsOptions {
  /** Load the native addon from this file. @defaultValue see {@link loadNativeKernels} */
  nativePath?: string;
}

/** What {@link enableFastKernels} installed. */
export interface FastKernelsInfo {
  /** Kernel names now served by hadnet's kernels. */
  kernels: string[];
  /** The native addon's path, when it loaded. */
  nativePath?: string;
  /** Why parts were left out (the native addon missing, for example). */
  skipped: string[];
}

/** The stock kernel each installed one replaced, or null for hadnet's own kernel names. */
const stockKernels = new Map<string, tf.KernelConfig | null>();

function stockKernel(name: string): tf.KernelFunc {
  const config = stockKernels.get(name) ?? tf.getKernel(name, 'cpu');
  if (!config) throw new Error(`hadnet fast kernels: tfjs' cpu backend has no ${name} kernel`);
  return config.kernelFunc;
}

/** Registers `config`, remembering the stock kernel it replaces (none for hadnet's own names). */
function install(config: tf.KernelConfig): void {
  if (!stockKernels.has(config.kernelName)) {
    stockKernels.set(config.kernelName, tf.getKernel(config.kernelName, 'cpu') ?? null);
  }
  if (tf.getKernel(config.kernelName, 'cpu')) tf.unregisterKernel(config.kernelName, 'cpu');
  tf.registerKernel(config);
}

/**
 * Replaces tfjs `cpu`-backend kernels with hadnet's: broadcasting binary ops, SplitV and the 3D
 * poolings in plain JS, the 3D convolutions, their gradients and BatchMatMul in the native addon
 * where it was built; and adds the fused instance-norm kernels that networks/ops.ts then uses
 * and a fused LeakyReLU gradient (LeakyRelu's registered gradient calls it on this backend).
 * Idempotent; {@link disableFastKernels} puts the stock ones back and removes hadnet's own.
 * Load `@tensorflow/tfjs-backend-cpu` first.
 * @param options - where the native addon is
 * @returns the kernels installed and what was skipped, and why
 */
export function enableFastKernels(options: EnableFastKernelsOptions = {}): FastKernelsInfo {
  const info: FastKernelsInfo = { kernels: [], skipped: [] };

  // the plain-JS kernels need nothing built
  for (const config of [
    ...binaryKernels(stockKernel),
    splitKernel(stockKernel),
    ...pool3dKernels(stockKernel),
    ...instanceNormKernels(),
    leakyReluGradKernel(),
  ]) {
    install(config);
    info.kernels.push(config.kernelName);
  }
  installLeakyReluGradient();

  // the convolutions, where the native addon was built
  const native = loadNativeKernels(options.nativePath);
  if (native.kernels) {
    for (const config of [
      ...conv3dKernels(native.kernels, stockKernel),
      matmulKernel(native.kernels, stockKernel),
    ]) {
      install(config);
      info.kernels.push(config.kernelName);
    }
    info.nativePath = native.path;
  } else {
    info.skipped.push(`Conv3D, its gradients and BatchMatMul: ${native.reason}`);
  }
  return info;
}

/** Puts tfjs' stock `cpu` kernels back where {@link enableFastKernels} replaced them. */
export function disableFastKernels(): void {
  for (const [name, config] of stockKernels) {
    tf.unregisterKernel(name, 'cpu');
    if (config) tf.registerKernel(config);
  }
  restoreLeakyReluGradient();
  stockKernels.clear();
}

/** Whether hadnet's kernels currently replace any stock `cpu` kernel. */
export function fastKernelsEnabled(): boolean {
  return stockKernels.size > 0;
}
