import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from '../backend.js';
import { describeGenerator, Generator } from './generator.js';
import { tableParameterCount } from './layers.js';

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
});

/**
 * The parameter count worked out by hand from HADNET.md §1: a unit is a 3x3x3 convolution with
 * bias plus an affine instance norm (27 * in * out + out + 2 * out); an Up block's first
 * convolution sees skip + upsampled channels; the head is 1x1x1 with bias.
 */
function handCount(inputs: number, k: number): number {
  const unit = (i: number, o: number): number => 27 * i * o + o + 2 * o;
  const down = unit(inputs, k) + unit(k, k) + unit(k, 2 * k) + unit(2 * k, 2 * k);
  const deeper = unit(2 * k, 4 * k) + unit(4 * k, 4 * k) + unit(4 * k, 8 * k) + unit(8 * k, 8 * k);
  const centre = unit(8 * k, 16 * k) + unit(16 * k, 8 * k);
  const up =
    unit(16 * k, 8 * k) +
    unit(8 * k, 4 * k) +
    unit(8 * k, 4 * k) +
    unit(4 * k, 2 * k) +
    unit(4 * k, 2 * k) +
    unit(2 * k, k) +
    unit(2 * k, k) +
    unit(k, k);
  return down + deeper + centre + up + k * 4 + 4;
}

describe('Generator parameter counts', () => {
  it("equals the reference's at the paper preset: 16,488,324 (student) and 16,489,188 (teacher)", () => {
    expect(handCount(3, 32)).toBe(16_488_324);
    for (const [inputChannels, expected] of [
      [3, 16_488_324],
      [4, 16_489_188],
    ]) {
      const g = new Generator({ inputChannels, k: 32, seed: 1 });
      const counted = g.trainableVariables().reduce((s, v) => s + v.size, 0);
      expect(counted).toBe(expected);
      expect(g.countParameters()).toBe(expected);
      g.dispose();
    }
  });

  it('matches its own layer table at a small width, variable by variable', () => {
    const g = new Generator({ inputChannels: 3, k: 2, seed: 1 });
    expect(g.countParameters()).toBe(handCount(3, 2));
    expect(tableParameterCount(describeGenerator({ inputChannels: 3, k: 2 }))).toBe(handCount(3, 2));
    const kernel = g.parameters.get('conv_u4.unit1.conv.kernel_skip');
    expect(kernel.shape).toEqual([3, 3, 3, 16, 16]);
    expect(g.parameters.get('conv_u4.unit1.conv.kernel_up').shape).toEqual([3, 3, 3, 16, 16]);
    expect(g.parameters.has('conv_u4.unit1.conv.bias')).toBe(true);
    expect(g.parameters.get('conv_out.kernel').shape).toEqual([1, 1, 1, 2, 4]);
    g.dispose();
  });
});

describe('Generator initialisation', () => {
  it('starts Kaiming-normal (std sqrt(2 / fan-in)) with zero biases, unit scales and zero shifts', () => {
    const g = new Generator({ inputChannels: 3, k: 8, seed: 3 });
    // conv_c5.unit1: 3x3x3, 64 -> 128: fan-in 1728, 221184 draws
    const values = Array.from(g.parameters.get('conv_c5.unit1.conv.kernel').dataSync());
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std / Math.sqrt(2 / 1728)).toBeCloseTo(1, 2);
    // the Up block's two kernels, each with its own fan-in (skip 8 * 27, upsampled 16 * 27)
    const skip = Array.from(g.parameters.get('conv_u1.unit1.conv.kernel_skip').dataSync());
    const rms = Math.sqrt(skip.reduce((s, v) => s + v * v, 0) / skip.length);
    expect(rms / Math.sqrt(2 / (8 * 27))).toBeGreaterThan(0.9);
    expect(rms / Math.sqrt(2 / (8 * 27))).toBeLessThan(1.1);
    expect(Array.from(g.parameters.get('conv_d1.unit1.conv.bias').dataSync())).toEqual(new Array(8).fill(0));
    expect(Array.from(g.parameters.get('conv_d1.unit1.norm.gamma').dataSync())).toEqual(new Array(8).fill(1));
    expect(Array.from(g.parameters.get('conv_d1.unit1.norm.beta').dataSync())).toEqual(new Array(8).fill(0));
    g.dispose();
  });

  it('is reproducible with a seed', () => {
    const a = new Generator({ inputChannels: 3, k: 2, seed: 5 });
    const b = new Generator({ inputChannels: 3, k: 2, seed: 5 });
    const c = new Generator({ inputChannels: 3, k: 2, seed: 6 });
    const name = 'conv_d2.unit1.conv.kernel';
    expect(a.parameters.get(name).dataSync()).toEqual(b.parameters.get(name).dataSync());
    expect(a.parameters.get(name).dataSync()).not.toEqual(c.parameters.get(name).dataSync());
    [a, b, c].forEach((g) => g.dispose());
  });
});

describe('Generator.apply', () => {
  let g: Generator;
  let x: tf.Tensor5D;
  beforeAll(() => {
    g = new Generator({ inputChannels: 3, k: 2, seed: 7 });
    x = tf.randomUniform([1, 32, 48, 16, 3], 0, 1, 'float32', 8) as tf.Tensor5D;
  });
  afterAll(() => {
    g.dispose();
    x.dispose();
  });

  it('returns logits and the feature pairs [[d2,u3],[d3,u4],[d4,c5]] with their shapes', () => {
    const before = tf.memory().numTensors;
    const { logits, features } = g.apply(x);
    expect(logits.shape).toEqual([1, 32, 48, 16, 4]);
    const shapes = features.map((pair) => pair.map((t) => t.shape));
    expect(shapes).toEqual([
      [
        [1, 16, 24, 8, 4],
        [1, 8, 12, 4, 4],
      ],
      [
        [1, 8, 12, 4, 8],
        [1, 4, 6, 2, 8],
      ],
      [
        [1, 4, 6, 2, 16],
        [1, 2, 3, 1, 16],
      ],
    ]);
    // only the seven returned tensors survive the pass
    expect(tf.memory().numTensors - before).toBe(7);
    tf.dispose([logits, features]);
  });

  it('is deterministic in evaluation; training drops channels, reproducibly with a seed', () => {
    const run = (options: Parameters<Generator['apply']>[1]): Float32Array =>
      tf.tidy(() => g.apply(x, options).logits.dataSync() as Float32Array);
    const evaluation = run({});
    expect(run({ training: false })).toEqual(evaluation);
    const seeded = run({ training: true, seed: 11 });
    expect(run({ training: true, seed: 11 })).toEqual(seeded);
    expect(seeded).not.toEqual(evaluation);
    expect(run({ training: true, seed: 12 })).not.toEqual(seeded);
    // the distillation teacher: not training, dropout kept on
    expect(run({ training: false, keepDropout: true, seed: 11 })).toEqual(seeded);
  });

  it('refuses inputs of another rank, channel count or extent', () => {
    expect(() => g.apply(tf.zeros([1, 32, 32, 32, 4]) as tf.Tensor5D)).toThrow(
      /Generator.apply: x must be \[batch, D, H, W, 3\] \(NDHWC\); got \[1, 32, 32, 32, 4\]/,
    );
    expect(() => g.apply(tf.zeros([1, 32, 40, 32, 3]) as tf.Tensor5D)).toThrow(
      /Generator.apply: D, H and W must be multiples of 16; got \[32, 40, 32\]/,
    );
    expect(() => new Generator({ inputChannels: 3, k: 0 })).toThrow(
      /Generator: options.k must be a positive integer; got 0/,
    );
  });

  it('gradients reach every variable; frozen ones take none', () => {
    // without dropout: at k = 2 a block input has as few as 4 channels, and a mask may drop all
    const loss = (): tf.Scalar => tf.tidy(() => tf.mean(tf.square(g.apply(x).logits)));
    const { grads } = tf.variableGrads(loss, g.trainableVariables());
    const names = g.parameters.names();
    const missing = g.trainableVariables().filter((v) => !(v.name in grads));
    expect(missing).toEqual([]);
    // every variable but the biases ahead of an instance norm (which it cancels) moves the loss
    const still = names.filter((name, i) => {
      const v = g.trainableVariables()[i];
      return (
        !/\.unit\d\.conv\.bias$/.test(name) &&
        tf.tidy(() => tf.max(tf.abs(grads[v.name])).dataSync()[0]) === 0
      );
    });
    expect(still).toEqual([]);
    tf.dispose(grads);
    g.setTrainable(false);
    expect(() => tf.variableGrads(loss)).toThrow();
    g.setTrainable(true);
  });
});
