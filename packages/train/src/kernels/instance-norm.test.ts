/**
 * The fused instance norm (hadnet's fast cpu kernels) against the composed ops of
 * networks/ops.ts on stock tfjs-cpu: values and the gradients of x, gamma and beta, and a
 * hand-worked example.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from '../backend.js';
import { instanceNorm3d } from '../networks/ops.js';
import { hasFusedInstanceNorm } from './instance-norm-op.js';
import { disableFastKernels, enableFastKernels } from './register.js';

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu', fastKernels: false });
});
afterAll(() => disableFastKernels());

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

describe('fused instance norm', () => {
  it('is used only while the fast kernels are on', () => {
    disableFastKernels();
    expect(hasFusedInstanceNorm()).toBe(false);
    enableFastKernels();
    expect(hasFusedInstanceNorm()).toBe(true);
    disableFastKernels();
    expect(hasFusedInstanceNorm()).toBe(false);
  });

  it('gives the composed ops values and gradients, batch of 2, with and without affine', () => {
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const x = tf.randomNormal([2, 5, 4, 6, 3], 1.5, 2, 'float32', 41) as tf.Tensor5D;
        const gamma = tf.randomNormal([3], 1, 0.5, 'float32', 42) as tf.Tensor1D;
        const beta = tf.randomNormal([3], 0, 0.5, 'float32', 43) as tf.Tensor1D;
        const r = tf.randomNormal(x.shape, 0, 1, 'float32', 44);
        const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar =>
          tf.sum(
            tf.mul(instanceNorm3d(a as tf.Tensor5D, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }), r),
          );
        const grads = tf.grads(loss)([x, gamma, beta]);
        return [instanceNorm3d(x, { gamma, beta }), instanceNorm3d(x), ...grads].map((t) =>
          Float32Array.from(t.dataSync()),
        );
      });
    disableFastKernels();
    const stock = run();
    enableFastKernels();
    const fast = run();
    disableFastKernels();
    for (let i = 0; i < stock.length; i++)
      expect(relativeError(fast[i], stock[i]), `output ${i}`).toBeLessThan(1e-5);
  });

  it('normalises a hand-worked channel', () => {
    // x = 1, 2, 3, 4: mean 2.5, biased variance 1.25, so xhat = (x - 2.5) / sqrt(1.25 + 1e-5)
    enableFastKernels();
    const y = instanceNorm3d(tf.tensor5d([1, 2, 3, 4], [1, 1, 2, 2, 1]));
    const s = Math.sqrt(1.25 + 1e-5);
    const expected = [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s];
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    disableFastKernels();
  });
});
