import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from '../backend.js';
import { ParameterSet } from '../networks/parameters.js';
import { AdamOptimizer, type AdamSettings } from './optimizer.js';

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
});

const start = [0.5, -1, 2];
const gradients = [
  [0.1, -0.3, 0.02],
  [0.2, 0.1, -0.5],
  [-0.05, 0.4, 0.3],
];

/** PyTorch's AdamW in float64, written from torch.optim's documented update. */
function reference(settings: AdamSettings, steps: number): number[] {
  const { learningRate: lr, beta1, beta2, epsilon, weightDecay } = settings;
  const p = [...start];
  const m = [0, 0, 0];
  const v = [0, 0, 0];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < 3; i++) {
      const g = gradients[t - 1][i];
      p[i] *= 1 - lr * weightDecay;
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const mHat = m[i] / (1 - beta1 ** t);
      const denominator = Math.sqrt(v[i]) / Math.sqrt(1 - beta2 ** t) + epsilon;
      p[i] -= (lr * mHat) / denominator;
    }
  }
  return p;
}

function parameters(): ParameterSet {
  const set = new ParameterSet([{ name: 'w', shape: [3], init: { kind: 'zeros' } }], { owner: 'test' });
  set.get('w').assign(tf.tensor1d(start));
  return set;
}

function run(optimizer: AdamOptimizer, set: ParameterSet, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    const g = tf.tensor1d(gradients[t]);
    optimizer.apply({ [set.get('w').name]: g });
    g.dispose();
  }
}

describe('AdamOptimizer', () => {
  for (const settings of [
    { learningRate: 2e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-5 }, // AdamW of pre-training
    { learningRate: 1e-2, beta1: 0.5, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, // Adam of distillation
  ]) {
    it(`follows PyTorch's update (lr ${settings.learningRate}, betas ${settings.beta1}/${settings.beta2}, decay ${settings.weightDecay})`, () => {
      const set = parameters();
      const adam = new AdamOptimizer(set, settings);
      run(adam, set, 0, 3);
      const got = Array.from(set.get('w').dataSync());
      reference(settings, 3).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
      expect(adam.step).toBe(3);
      adam.dispose();
      set.dispose();
    });
  }

  it('continues bit for bit from a saved state', () => {
    const settings = { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-3 };
    const a = parameters();
    const adamA = new AdamOptimizer(a, settings);
    run(adamA, a, 0, 3);

    const b = parameters();
    const adamB = new AdamOptimizer(b, settings);
    run(adamB, b, 0, 1);
    const saved = adamB.getState();
    const weights = b.get('w').dataSync().slice();
    adamB.dispose();
    b.dispose();

    const c = parameters();
    c.get('w').assign(tf.tensor1d(weights));
    const adamC = new AdamOptimizer(c, settings);
    adamC.setState(saved);
    run(adamC, c, 1, 3);
    expect(Array.from(c.get('w').dataSync())).toEqual(Array.from(a.get('w').dataSync()));
    expect(adamC.getState()).toEqual(adamA.getState());
    [adamA, adamC, a, c].forEach((x) => x.dispose());
  });

  it('refuses bad settings and states that do not fit', () => {
    const set = parameters();
    expect(
      () =>
        new AdamOptimizer(set, { learningRate: 1e-3, beta1: 1, beta2: 0.9, epsilon: 1e-8, weightDecay: 0 }),
    ).toThrow(/beta1 is out of range; got 1/);
    const adam = new AdamOptimizer(set, {
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.9,
      epsilon: 1e-8,
      weightDecay: 0,
    });
    expect(() => adam.setState({ step: 1, moments: [] }, 'ckpt')).toThrow(/ckpt lacks 'm\/w' of \[3\]/);
    adam.dispose();
    set.dispose();
  });
});
