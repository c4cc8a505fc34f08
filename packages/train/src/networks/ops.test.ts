import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from '../backend.js';
import {
  addChannelBias,
  channelDropout3d,
  conv3dOverParts,
  conv3dPadded,
  instanceNorm3d,
  upsampleNearest3d,
} from './ops.js';
import * as ref from '../../test/reference.js';

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
});

const toTf = (a: ref.Arr): tf.Tensor => tf.tensor(Float32Array.from(a.data), a.shape);
// values exactly representable in float32, so that copies compare exactly
const random = (shape: number[], seed: number, scale = 1): ref.Arr =>
  ref.arr(
    shape,
    ref
      .randomValues(
        shape.reduce((x, y) => x * y, 1),
        seed,
        scale,
      )
      .map(Math.fround),
  );

describe('instanceNorm3d', () => {
  it('matches the definition (per sample and channel, biased variance, eps 1e-5) with and without affine', () => {
    const x = random([2, 4, 3, 5, 3], 1, 2);
    // shift one channel far from zero, as raw intensities would be
    for (let i = 1; i < x.data.length; i += 3) x.data[i] += 50;
    const gamma = ref.arr([3], [1.5, -0.5, 2]);
    const beta = ref.arr([3], [0.1, 0.2, -0.3]);
    const affine = instanceNorm3d(toTf(x) as tf.Tensor5D, {
      gamma: toTf(gamma) as tf.Tensor1D,
      beta: toTf(beta) as tf.Tensor1D,
    });
    expect(ref.maxAbsDiff(affine.dataSync(), ref.instanceNorm(x, 1e-5, gamma, beta).data)).toBeLessThan(2e-5);
    const plain = instanceNorm3d(toTf(x) as tf.Tensor5D);
    expect(ref.maxAbsDiff(plain.dataSync(), ref.instanceNorm(x, 1e-5).data)).toBeLessThan(2e-5);
  });

  it("has the gradient of tfjs' autodiff through the textbook formula", () => {
    const x = toTf(random([2, 4, 4, 2, 3], 2)) as tf.Tensor5D;
    const gamma = tf.tensor1d([0.7, 1.3, -1.1]);
    const beta = tf.tensor1d([0.5, 0, -0.2]);
    const weights = toTf(random([2, 4, 4, 2, 3], 3));
    const textbook = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const mean = tf.mean(a, [1, 2, 3], true);
      const variance = tf.mean(tf.square(tf.sub(a, mean)), [1, 2, 3], true);
      const y = tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
      return tf.sum(tf.mul(y, weights));
    };
    const ours = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar =>
      tf.sum(
        tf.mul(
          instanceNorm3d(a as tf.Tensor5D, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }),
          weights,
        ),
      );
    const expected = tf.grads(textbook)([x, gamma, beta]);
    const actual = tf.grads(ours)([x, gamma, beta]);
    actual.forEach((g, i) => {
      expect(ref.maxAbsDiff(g.dataSync(), expected[i].dataSync())).toBeLessThan(1e-4);
    });
  });
});

describe('upsampleNearest3d', () => {
  it.each([
    ['x2 on every axis, batch 2', [2, 2, 3, 2, 3], [2, 2, 2]],
    ['mixed whole factors (tile path)', [1, 2, 2, 3, 2], [1, 3, 2]],
  ] as const)('copies voxel floor(o / f): %s', (_name, shape, factors) => {
    const x = random([...shape], 4);
    const size: [number, number, number] = [
      shape[1] * factors[0],
      shape[2] * factors[1],
      shape[3] * factors[2],
    ];
    const y = upsampleNearest3d(toTf(x) as tf.Tensor5D, size);
    expect(y.shape).toEqual([shape[0], ...size, shape[4]]);
    expect(ref.maxAbsDiff(y.dataSync(), ref.upsample(x, [...factors]).data)).toBe(0);

    // gradient: each input voxel collects its output block
    const w = random(y.shape, 5);
    const grad = tf.grad((a) => tf.sum(tf.mul(upsampleNearest3d(a as tf.Tensor5D, size), toTf(w))))(toTf(x));
    const expected = ref.arr(x.shape);
    const up = ref.upsample(
      ref.arr(
        x.shape,
        x.data.map((_, i) => i),
      ),
      [...factors],
    );
    up.data.forEach((source, i) => (expected.data[source] += w.data[i]));
    expect(ref.maxAbsDiff(grad.dataSync(), expected.data)).toBeLessThan(1e-5);
  });

  it('refuses a size that is not a whole multiple', () => {
    expect(() => upsampleNearest3d(tf.zeros([1, 2, 2, 2, 1]) as tf.Tensor5D, [3, 4, 4])).toThrow(
      /upsampleNearest3d: size \[3, 4, 4\] must be whole multiples of the input's \[2, 2, 2\]/,
    );
  });
});

describe('conv3dPadded', () => {
  it.each([
    ['kernel 4 stride 2 padding 1, even extents', [1, 6, 8, 4, 2], 4, 2],
    ['kernel 4 stride 2 padding 1, odd extents', [1, 5, 7, 5, 2], 4, 2],
    ['kernel 4 stride 1 padding 1', [2, 4, 5, 4, 3], 4, 1],
    ['kernel 3 stride 1 padding 1', [1, 4, 3, 5, 2], 3, 1],
  ] as const)("equals PyTorch's symmetric padding: %s", (_name, shape, k, stride) => {
    const x = random([...shape], 6);
    const kernel = random([k, k, k, shape[4], 3], 7, 0.3);
    const y = conv3dPadded(toTf(x) as tf.Tensor5D, toTf(kernel) as tf.Tensor5D, stride, 1);
    const expected = ref.conv3d(x, kernel, undefined, stride, 1);
    expect(y.shape).toEqual(expected.shape);
    expect(ref.maxAbsDiff(y.dataSync(), expected.data)).toBeLessThan(1e-4);
  });
});

describe('conv3dOverParts', () => {
  it('equals one convolution over the concatenation, bias included', () => {
    const a = random([1, 4, 4, 4, 2], 8);
    const b = random([1, 4, 4, 4, 3], 9);
    const ka = random([4, 4, 4, 2, 5], 10, 0.2);
    const kb = random([4, 4, 4, 3, 5], 11, 0.2);
    const bias = ref.arr([5], [0.1, -0.2, 0.3, 0, 1]);
    // the concatenated kernel: input channels of a, then of b
    const k = ref.arr([4, 4, 4, 5, 5]);
    for (let t = 0; t < 64; t++)
      for (let o = 0; o < 5; o++) {
        for (let i = 0; i < 2; i++) k.data[(t * 5 + i) * 5 + o] = ka.data[(t * 2 + i) * 5 + o];
        for (let i = 0; i < 3; i++) k.data[(t * 5 + 2 + i) * 5 + o] = kb.data[(t * 3 + i) * 5 + o];
      }
    const expected = ref.conv3d(ref.concatChannels([a, b]), k, bias, 2, 1);
    const y = conv3dOverParts(
      [toTf(a), toTf(b)] as tf.Tensor5D[],
      [toTf(ka), toTf(kb)] as tf.Tensor5D[],
      toTf(bias) as tf.Tensor1D,
      2,
      1,
    );
    expect(ref.maxAbsDiff(y.dataSync(), expected.data)).toBeLessThan(1e-4);
  });
});

describe('addChannelBias', () => {
  it('adds per channel and sums the gradient over every voxel of the batch', () => {
    const x = random([2, 2, 3, 2, 3], 12);
    const bias = tf.tensor1d([1, 2, 3]);
    const y = addChannelBias(toTf(x), bias);
    const expected = x.data.map((v, i) => v + [1, 2, 3][i % 3]);
    expect(ref.maxAbsDiff(y.dataSync(), expected)).toBeLessThan(1e-6);
    const w = random([2, 2, 3, 2, 3], 13);
    const grad = tf.grad((b) => tf.sum(tf.mul(addChannelBias(toTf(x), b as tf.Tensor1D), toTf(w))))(bias);
    const sums = [0, 0, 0];
    w.data.forEach((v, i) => (sums[i % 3] += v));
    expect(ref.maxAbsDiff(grad.dataSync(), sums)).toBeLessThan(1e-5);
  });
});

describe('channelDropout3d', () => {
  it('drops whole channels per sample and scales the kept ones by 1 / (1 - rate)', () => {
    const x = tf.ones([2, 3, 3, 3, 16]) as tf.Tensor5D;
    const y = channelDropout3d(x, 0.5, 42).arraySync() as number[][][][][];
    let dropped = 0;
    for (let b = 0; b < 2; b++)
      for (let c = 0; c < 16; c++) {
        const values = new Set<number>();
        for (let d = 0; d < 3; d++)
          for (let h = 0; h < 3; h++) for (let w = 0; w < 3; w++) values.add(y[b][d][h][w][c]);
        expect(values.size).toBe(1);
        const [v] = [...values];
        expect([0, 2]).toContain(v);
        if (v === 0) dropped += 1;
      }
    // 32 channels at rate 0.5: all kept or all dropped would mean no mask at all
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(32);
  });

  it('is reproducible with a seed, and the identity at rate 0', () => {
    const x = tf.ones([1, 2, 2, 2, 32]) as tf.Tensor5D;
    expect(channelDropout3d(x, 0.2, 7).dataSync()).toEqual(channelDropout3d(x, 0.2, 7).dataSync());
    expect(channelDropout3d(x, 0.2, 7).dataSync()).not.toEqual(channelDropout3d(x, 0.2, 8).dataSync());
    expect(channelDropout3d(x, 0, 7)).toBe(x);
    expect(() => channelDropout3d(x, 1)).toThrow(/channelDropout3d: rate must be in \[0, 1\); got 1/);
  });
});
