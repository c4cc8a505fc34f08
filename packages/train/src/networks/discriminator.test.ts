import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from '../backend.js';
import { describeDiscriminator, Discriminator } from './discriminator.js';
import { Generator, type FeaturePairs } from './generator.js';

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
});

/**
 * Hand count from HADNET.md §2 with generator width k and discriminator width w: 4x4x4 kernels
 * (64 taps); disc_1 (4 + 3) -> 4w with bias; disc_2..4 take x plus a feature pair of 2 * 2^l * k
 * channels (HAD-Net) and give 8w, 16w, 32w with bias; disc_5 32w -> 1 without bias.
 */
function handCount(k: number, w: number, hierarchical: boolean): number {
  const conv = (i: number, o: number, bias: boolean): number => 64 * i * o + (bias ? o : 0);
  const pair = (level: number): number => (hierarchical ? 2 * 2 ** level * k : 0);
  return (
    conv(7, 4 * w, true) +
    conv(4 * w + pair(1), 8 * w, true) +
    conv(8 * w + pair(2), 16 * w, true) +
    conv(16 * w + pair(3), 32 * w, true) +
    conv(32 * w, 1, false)
  );
}

describe('Discriminator parameter counts', () => {
  it("equals the reference's at the paper preset: 88,205,184", () => {
    expect(handCount(32, 32, true)).toBe(88_205_184);
    const d = new Discriminator({ k: 32, seed: 1 });
    expect(d.trainableVariables().reduce((s, v) => s + v.size, 0)).toBe(88_205_184);
    d.dispose();
  });

  it('matches the hand count for HAD-Net and AD-Net at small widths', () => {
    for (const hierarchical of [true, false]) {
      const d = new Discriminator({ k: 2, width: 3, hierarchical, seed: 1 });
      expect(d.countParameters()).toBe(handCount(2, 3, hierarchical));
      d.dispose();
    }
    // k = 2, width 2 by hand: 3592 + 16400 + 65568 + 262208 + 4096 (HAD-Net)
    expect(new Discriminator({ k: 2 }).countParameters()).toBe(351_864);
  });

  it('gives the 9x11x9 patch map at 160x192x160', () => {
    const rows = describeDiscriminator({ k: 32 }, [160, 192, 160]);
    expect(rows[rows.length - 1].outputShape).toEqual([9, 11, 9, 1]);
    expect(rows.find((r) => r.name === 'disc_4.conv')?.outputShape).toEqual([10, 12, 10, 1024]);
  });
});

describe('Discriminator initialisation', () => {
  it("starts as PyTorch's Conv3d: uniform within 1/sqrt(fan-in) of the whole concatenated input", () => {
    const d = new Discriminator({ k: 2, seed: 4 });
    // disc_3: x 16 + pair 16 = 32 input channels, fan-in 32 * 64
    const bound = 1 / Math.sqrt(32 * 64);
    for (const name of [
      'disc_3.conv.kernel_x',
      'disc_3.conv.kernel_skip',
      'disc_3.conv.kernel_up',
      'disc_3.conv.bias',
    ]) {
      const values = Array.from(d.parameters.get(name).dataSync());
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.5 * bound);
    }
    expect(d.parameters.has('disc_5.conv.bias')).toBe(false);
    d.dispose();
  });
});

describe('Discriminator.apply', () => {
  let g: Generator;
  let d: Discriminator;
  let adnet: Discriminator;
  let images: tf.Tensor5D;
  let logits: tf.Tensor5D;
  let features: FeaturePairs;

  beforeAll(() => {
    g = new Generator({ inputChannels: 3, k: 2, seed: 1 });
    d = new Discriminator({ k: 2, seed: 2 });
    adnet = new Discriminator({ k: 2, hierarchical: false, seed: 2 });
    images = tf.randomUniform([1, 32, 48, 64, 3], 0, 1, 'float32', 3) as tf.Tensor5D;
    ({ logits, features } = g.apply(images));
  });
  afterAll(() => {
    tf.dispose([images, logits, features]);
    [g, d, adnet].forEach((n) => n.dispose());
  });

  it('returns a patch map [batch, D/16 - 1, H/16 - 1, W/16 - 1, 1], leaving nothing else behind', () => {
    const before = tf.memory().numTensors;
    const scores = d.apply(logits, images, features);
    expect(scores.shape).toEqual([1, 1, 2, 3, 1]);
    expect(tf.memory().numTensors - before).toBe(1);
    scores.dispose();
  });

  it('AD-Net needs no features and ignores them', () => {
    const plain = adnet.apply(logits, images);
    expect(plain.shape).toEqual([1, 1, 2, 3, 1]);
    expect(adnet.apply(logits, images, features).dataSync()).toEqual(plain.dataSync());
  });

  it('the features change the hierarchical scores, and gradients reach them and every variable', () => {
    const other = tf.tidy(() => features.map(([a, b]) => [tf.mul(a, 2), tf.add(b, 1)]) as FeaturePairs);
    expect(d.apply(logits, images, other).dataSync()).not.toEqual(
      d.apply(logits, images, features).dataSync(),
    );
    const flat = features.flat();
    const grads = tf.grads((l, ...f) => {
      const pairs: FeaturePairs = [
        [f[0], f[1]],
        [f[2], f[3]],
        [f[4], f[5]],
      ] as FeaturePairs;
      return tf.mean(tf.square(d.apply(l as tf.Tensor5D, images, pairs)));
    })([logits, ...flat]);
    for (const g of grads) expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    const { grads: varGrads } = tf.variableGrads(
      () => tf.mean(tf.square(d.apply(logits, images, features))) as tf.Scalar,
      d.trainableVariables(),
    );
    // every variable moves the scores, but the biases of disc_2..4, which an instance norm cancels
    const still = d.parameters.names().filter((name, i) => {
      const grad = varGrads[d.trainableVariables()[i].name];
      return !/^disc_[234]\.conv\.bias$/.test(name) && tf.max(tf.abs(grad)).dataSync()[0] === 0;
    });
    expect(still).toEqual([]);
  });

  it('refuses missing features, wrong shapes and inputs below 32', () => {
    expect(() => d.apply(logits, images)).toThrow(/features are required by the hierarchical discriminator/);
    const [[d2, u3], ...rest] = features;
    expect(() => d.apply(logits, images, [[u3, d2], ...rest] as FeaturePairs)).toThrow(
      /Discriminator.apply: features\[0\]\[0\] \(d2\) must be \[1, 16, 24, 32, 4\] \(NDHWC\); got \[1, 8, 12, 16, 4\]/,
    );
    expect(() => d.apply(logits, tf.zeros([1, 32, 48, 64, 4]) as tf.Tensor5D, features)).toThrow(
      /images must be \[1, 32, 48, 64, 3\]/,
    );
    expect(() =>
      adnet.apply(tf.zeros([1, 16, 32, 32, 4]) as tf.Tensor5D, tf.zeros([1, 16, 32, 32, 3]) as tf.Tensor5D),
    ).toThrow(/D, H and W must be at least 32 and multiples of 16; got \[16, 32, 32\]/);
  });
});
