/**
 * The gradient of LeakyReLU as one fused `cpu` kernel: `dx = x > 0 ? dy : dy * alpha`. tfjs'
 * registered gradient builds it from three kernels (Greater, Multiply, Select), three sweeps and
 * two temporary tensors. While the fast kernels are on, LeakyRelu's gradient calls the fused
 * kernel where the running backend has it and tfjs' own gradient elsewhere; the float32 result is
 * the same (`dy * alpha` rounded to float32, as tfjs' Multiply).
 * May depend on: tfjs-core, ./tensor-data.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackendOf, floatValues } from './tensor-data.js';

/** The fused kernel: inputs `dy`, `x` of one shape; attr `alpha`; output dx. */
export const LEAKY_RELU_GRAD_KERNEL = 'HadnetLeakyReluGrad';

const kernelFunc: tf.KernelFunc = (args) => {
  const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const alpha = Math.fround((args.attrs as unknown as { alpha: number }).alpha);
  const backend = cpuBackendOf(args.backend);
  const g = floatValues(backend, dy);
  const xs = floatValues(backend, x);
  const dx = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) dx[i] = xs[i] > 0 ? g[i] : g[i] * alpha;
  return backend.makeTensorInfo(x.shape, 'float32', dx);
};

/** The fused kernel's registration. */
export function leakyReluGradKernel(): tf.KernelConfig {
  return { kernelName: LEAKY_RELU_GRAD_KERNEL, backendName: 'cpu', kernelFunc };
}

let stockGradient: tf.GradConfig | undefined;

/** Makes LeakyRelu's gradient take the fused kernel where the backend has it. Idempotent. */
export function installLeakyReluGradient(): void {
  if (stockGradient) return;
  const stock = tf.getGradient(tf.LeakyRelu);
  if (!stock) return;
  stockGradient = stock;
  tf.registerGradient({
    kernelName: tf.LeakyRelu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const fused = tf.getKernel(LEAKY_RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
      if (!fused || x.dtype !== 'float32' || (dy as tf.Tensor).dtype !== 'float32') {
        return stock.gradFunc(dy, saved, attrs);
      }
      const { alpha } = attrs as unknown as { alpha: number };
      return {
        x: () =>
          tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }, { alpha }) as tf.Tensor,
      };
    },
  });
}

/** Puts tfjs' own LeakyRelu gradient back. */
export function restoreLeakyReluGradient(): void {
  if (!stockGradient) return;
  tf.registerGradient(stockGradient);
  stockGradient = undefined;
}
