import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from './backend.js';
import {
  classWeightsAtEpoch,
  discriminatorAccuracy,
  discriminatorLoss,
  generatorAdversarialLoss,
  REFERENCE_CLASS_WEIGHTS,
  shouldUpdateDiscriminator,
  studentDistillationLoss,
  weightedCrossEntropy,
} from './losses.js';

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
});

describe('weightedCrossEntropy', () => {
  // two voxels, [1, 1, 1, 2, 4]:
  //   voxel A: logits [0, 0, 0, 0], label 1 (NCR): p = 1/4, nll = ln 4, weight 59.4507
  //   voxel B: logits [0, ln 3, 0, 0], label 0: p = 1 / (1 + 3 + 1 + 1) = 1/6, nll = ln 6, weight 1
  const logits = (): tf.Tensor => tf.tensor([0, 0, 0, 0, 0, Math.log(3), 0, 0], [1, 1, 1, 2, 4]);
  const labels = (): tf.Tensor => tf.tensor([1, 0], [1, 1, 1, 2], 'int32');

  it("is PyTorch's weighted mean: sum(w_y * nll) / sum(w_y)", () => {
    const expected = (59.4507 * Math.log(4) + 1 * Math.log(6)) / (59.4507 + 1);
    expect(weightedCrossEntropy(logits(), labels()).dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('is the plain mean with unit weights', () => {
    const expected = (Math.log(4) + Math.log(6)) / 2;
    expect(weightedCrossEntropy(logits(), labels(), [1, 1, 1, 1]).dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('refuses labels of another shape or type, and weights of another length', () => {
    expect(() => weightedCrossEntropy(logits(), tf.tensor([1, 0], [1, 2], 'int32'))).toThrow(
      /weightedCrossEntropy: labels must be \[1, 1, 1, 2\] for logits \[1, 1, 1, 2, 4\]; got \[1, 2\]/,
    );
    expect(() => weightedCrossEntropy(logits(), tf.tensor([1, 0], [1, 1, 1, 2]))).toThrow(/must be int32/);
    expect(() => weightedCrossEntropy(logits(), labels(), [1, 2])).toThrow(/expected 4 weights/);
  });
});

describe('classWeightsAtEpoch', () => {
  it('starts at the reference weights and decays by 0.98 per epoch', () => {
    expect(classWeightsAtEpoch(0)).toEqual([1, 59.4507, 23.319, 71.8481]);
    const first = classWeightsAtEpoch(1);
    [1, 58.261686, 22.85262, 70.411138].forEach((w, i) => expect(first[i]).toBeCloseTo(w, 5));
  });

  it('reaches 1 at the epochs HADNET.md gives: ED after 156, NCR after 203, ET after 212', () => {
    // ln(w0) / -ln(0.98): ED 155.9, NCR 202.2, ET 211.6
    for (const [cls, epoch] of [
      [2, 156],
      [1, 203],
      [3, 212],
    ]) {
      expect(classWeightsAtEpoch(epoch - 1)[cls]).toBeGreaterThan(1);
      expect(classWeightsAtEpoch(epoch)[cls]).toBe(1);
    }
    expect(classWeightsAtEpoch(400)).toEqual([1, 1, 1, 1]);
    expect(REFERENCE_CLASS_WEIGHTS).toEqual([1, 59.4507, 23.319, 71.8481]);
  });

  it('refuses a negative or fractional epoch', () => {
    expect(() => classWeightsAtEpoch(-1)).toThrow(/epoch must be a non-negative integer; got -1/);
    expect(() => classWeightsAtEpoch(1.5)).toThrow(RangeError);
  });
});

describe('LSGAN losses', () => {
  const real = (): tf.Tensor => tf.tensor([0.5, 1.5], [1, 1, 1, 2, 1]);
  const fake = (): tf.Tensor => tf.tensor([0, 1], [1, 1, 1, 2, 1]);

  it('discriminator: MSE(real, 1) + MSE(fake, 0), a plain sum', () => {
    // (0.25 + 0.25) / 2 + (0 + 1) / 2
    expect(discriminatorLoss(real(), fake()).dataSync()[0]).toBeCloseTo(0.75, 6);
  });

  it('student: MSE(fake, 1), and CE + 0.2 of it in distillation', () => {
    // ((0 - 1)^2 + (1 - 1)^2) / 2
    expect(generatorAdversarialLoss(fake()).dataSync()[0]).toBeCloseTo(0.5, 6);
    const logits = tf.tensor([0, 0, 0, 0, 0, Math.log(3), 0, 0], [1, 1, 1, 2, 4]);
    const labels = tf.tensor([1, 0], [1, 1, 1, 2], 'int32');
    const ce = (59.4507 * Math.log(4) + Math.log(6)) / 60.4507;
    expect(studentDistillationLoss({ logits, labels, fakeScores: fake() }).dataSync()[0]).toBeCloseTo(
      ce + 0.1,
      5,
    );
    expect(
      studentDistillationLoss({ logits, labels, fakeScores: fake(), lambda: 1 }).dataSync()[0],
    ).toBeCloseTo(ce + 0.5, 5);
  });
});

describe('discriminator accuracy gate', () => {
  it('counts real cells >= 0.5 and fake cells <= 0.5, boundaries included', () => {
    // real: 0.5 and 0.9 count (2/4); fake: 0.5, 0.1, 0 count (3/4); 0.5 * (0.5 + 0.75)
    const acc = discriminatorAccuracy(tf.tensor([0.4, 0.5, 0.9, 0.2]), tf.tensor([0.5, 0.6, 0.1, 0]));
    expect(acc).toBeCloseTo(0.625, 6);
    expect(shouldUpdateDiscriminator(acc)).toBe(true);
  });

  it('skips the update above 0.8 and takes it at 0.8 exactly', () => {
    expect(discriminatorAccuracy(tf.ones([9, 11, 9]), tf.zeros([9, 11, 9]))).toBe(1);
    expect(shouldUpdateDiscriminator(1)).toBe(false);
    expect(shouldUpdateDiscriminator(0.8)).toBe(true);
    expect(shouldUpdateDiscriminator(0.8000001)).toBe(false);
    // real 3/5 right, fake 5/5 right: 0.8
    const acc = discriminatorAccuracy(tf.tensor([1, 1, 1, 0, 0]), tf.zeros([5]));
    expect(acc).toBe(0.8);
    expect(shouldUpdateDiscriminator(acc)).toBe(true);
  });
});
