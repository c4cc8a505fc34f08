/**
 * Fused instance normalisation kernels for tfjs' `cpu` backend, in plain JS: the forward pass in
 * three sweeps over `[n, c]` (sums, centred squares, output) where the composed op takes about ten
 * tensor ops, and its gradient in two. The float32 steps of ops.ts are kept (mean, centred value,
 * variance, `1 / sqrt(variance + epsilon)`, `xhat`, `xhat * gamma + beta`, each rounded to float32);
 * sums are taken in float64. Shapes: `x`, `y`, `xhat`, `dy`, `dx` are `[n, c]` (the voxels of one
 * sample by its channels, NDHWC flattened), `gamma`, `beta`, `rstd` and the parameter gradients
 * `[c]`. May depend on: tfjs-core, ./tensor-data, ./instance-norm-op (the kernel names).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { INSTANCE_NORM_GRAD_KERNEL, INSTANCE_NORM_KERNEL } from './instance-norm-op.js';
import { cpuBackendOf, floatValues } from './tensor-data.js';

const f32 = Math.fround;

const forward: tf.KernelFunc = (args) => {
  const { x, gamma, beta } = args.inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
  const { epsilon } = args.attrs as unknown as { epsilon: number };
  const backend = cpuBackendOf(args.backend);
  const [n, c] = x.shape;
  const xs = floatValues(backend, x);
  const g = floatValues(backend, gamma);
  const b = floatValues(backend, beta);

  // the mean of each channel
  const sum = new Float64Array(c);
  for (let i = 0, at = 0; i < n; i++) for (let ch = 0; ch < c; ch++, at++) sum[ch] += xs[at];
  const mean = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) mean[ch] = f32(f32(sum[ch]) / n);

  // the biased variance of the centred values, and 1 / sqrt(variance + epsilon)
  const squares = new Float64Array(c);
  for (let i = 0, at = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++, at++) {
      const centred = f32(xs[at] - mean[ch]);
      squares[ch] += f32(centred * centred);
    }
  }
  const rstd = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) rstd[ch] = f32(1 / Math.sqrt(f32(f32(f32(squares[ch]) / n) + f32(epsilon))));

  // xhat and the affine output
  const xhat = new Float32Array(n * c);
  const y = new Float32Array(n * c);
  for (let i = 0, at = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++, at++) {
      const h = f32(f32(xs[at] - mean[ch]) * rstd[ch]);
      xhat[at] = h;
      y[at] = f32(h * g[ch]) + b[ch];
    }
  }
  return [
    backend.makeTensorInfo([n, c], 'float32', y),
    backend.makeTensorInfo([n, c], 'float32', xhat),
    backend.makeTensorInfo([c], 'float32', rstd),
  ];
};

// dx = rstd * gamma * (dy - sum(dy) / n - xhat * sum(dy * xhat) / n), per channel
const gradient: tf.KernelFunc = (args) => {
  const { dy, xhat, rstd, gamma } = args.inputs as Record<'dy' | 'xhat' | 'rstd' | 'gamma', tf.TensorInfo>;
  const backend = cpuBackendOf(args.backend);
  const [n, c] = dy.shape;
  const g = floatValues(backend, dy);
  const h = floatValues(backend, xhat);
  const r = floatValues(backend, rstd);
  const gm = floatValues(backend, gamma);
  const sumG = new Float64Array(c);
  const sumGH = new Float64Array(c);
  for (let i = 0, at = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++, at++) {
      sumG[ch] += g[at];
      sumGH[ch] += f32(g[at] * h[at]);
    }
  }
  const dbeta = Float32Array.from(sumG);
  const dgamma = Float32Array.from(sumGH);
  const meanG = new Float32Array(c);
  const meanGH = new Float32Array(c);
  const scale = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    meanG[ch] = f32(dbeta[ch] / n);
    meanGH[ch] = f32(dgamma[ch] / n);
    scale[ch] = f32(r[ch] * gm[ch]);
  }
  const dx = new Float32Array(n * c);
  for (let i = 0, at = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++, at++) {
      const inner = f32(f32(g[at] - meanG[ch]) - f32(h[at] * meanGH[ch]));
      dx[at] = inner * scale[ch];
    }
  }
  return [
    backend.makeTensorInfo([n, c], 'float32', dx),
    backend.makeTensorInfo([c], 'float32', dgamma),
    backend.makeTensorInfo([c], 'float32', dbeta),
  ];
};

/** The fused instance-norm kernels, forward and gradient. */
export function instanceNormKernels(): tf.KernelConfig[] {
  return [
    { kernelName: INSTANCE_NORM_KERNEL, backendName: 'cpu', kernelFunc: forward },
    { kernelName: INSTANCE_NORM_GRAD_KERNEL, backendName: 'cpu', kernelFunc: gradient },
  ];
}
