/**
 * No tensor leaks: repeated pre-training and distillation steps (forward, backward, Adam) keep
 * `tf.memory().numTensors` flat once the optimizer has made its slots on the first step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from '../backend.js';
import {
  classWeightsAtEpoch,
  discriminatorAccuracy,
  discriminatorLoss,
  shouldUpdateDiscriminator,
  studentDistillationLoss,
  weightedCrossEntropy,
} from '../losses.js';
import { Discriminator } from './discriminator.js';
import { disposeGeneratorOutput, Generator, keepGeneratorOutput } from './generator.js';

describe('tensor bookkeeping over training steps (k = 2, 32^3)', () => {
  let teacher: Generator;
  let student: Generator;
  let disc: Discriminator;
  let teacherImages: tf.Tensor5D;
  let studentImages: tf.Tensor5D;
  let labels: tf.Tensor4D;

  beforeAll(async () => {
    await setupTrainingBackend({ backend: 'cpu' });
    teacher = new Generator({ inputChannels: 4, k: 2, seed: 1 });
    student = new Generator({ inputChannels: 3, k: 2, seed: 2 });
    disc = new Discriminator({ k: 2, seed: 3 });
    teacherImages = tf.randomUniform([1, 32, 32, 32, 4], 0, 1, 'float32', 4) as tf.Tensor5D;
    studentImages = tf.tidy(() => tf.gather(teacherImages, [0, 2, 3], 4)) as tf.Tensor5D;
    labels = tf.randomUniform([1, 32, 32, 32], 0, 4, 'int32', 5) as tf.Tensor4D;
  });
  afterAll(() => {
    [teacher, student, disc].forEach((n) => n.dispose());
    tf.dispose([teacherImages, studentImages, labels]);
  });

  it('pre-training steps', () => {
    const optimizer = tf.train.adam(2e-4);
    const counts: number[] = [];
    for (let step = 0; step < 3; step++) {
      const weights = classWeightsAtEpoch(step);
      const loss = optimizer.minimize(
        () =>
          weightedCrossEntropy(
            student.apply(studentImages, { training: true, seed: step }).logits,
            labels,
            weights,
          ),
        true,
        student.trainableVariables(),
      );
      expect(Number.isFinite(loss?.dataSync()[0])).toBe(true);
      loss?.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(counts[2]).toBe(counts[1]);
    optimizer.dispose();
  });

  it('distillation steps: teacher with dropout, student step, gated discriminator step', () => {
    teacher.setTrainable(false);
    const studentOptimizer = tf.train.adam(2e-4, 0.5, 0.999);
    const discOptimizer = tf.train.adam(2e-4, 0.5, 0.999);
    const counts: number[] = [];
    const updated: boolean[] = [];
    const teacherBefore = teacher.parameters.get('conv_d1.unit1.conv.kernel').dataSync().slice();
    for (let step = 0; step < 3; step++) {
      // the frozen teacher, dropout on, no gradient
      const real = teacher.apply(teacherImages, { keepDropout: true, seed: 100 + step });

      // the student step; its outputs are kept (detached) for the discriminator step
      let fake: ReturnType<Generator['apply']> | undefined;
      const studentLoss = studentOptimizer.minimize(
        () => {
          const out = student.apply(studentImages, { training: true, seed: step });
          fake = keepGeneratorOutput(out);
          const fakeScores = disc.apply(out.logits, studentImages, out.features);
          return studentDistillationLoss({ logits: out.logits, labels, fakeScores });
        },
        true,
        student.trainableVariables(),
      );
      studentLoss?.dispose();
      if (!fake) throw new Error('the student step produced no outputs');
      const stale = fake;

      // the discriminator step, gated on its accuracy
      const [realScores, fakeScores] = tf.tidy(() => [
        disc.apply(real.logits, studentImages, real.features),
        disc.apply(stale.logits, studentImages, stale.features),
      ]);
      const accuracy = discriminatorAccuracy(realScores, fakeScores);
      tf.dispose([realScores, fakeScores]);
      updated.push(shouldUpdateDiscriminator(accuracy));
      if (updated[step]) {
        const discLoss = discOptimizer.minimize(
          () =>
            discriminatorLoss(
              disc.apply(real.logits, studentImages, real.features),
              disc.apply(stale.logits, studentImages, stale.features),
            ),
          true,
          disc.trainableVariables(),
        );
        discLoss?.dispose();
      }
      disposeGeneratorOutput(real);
      disposeGeneratorOutput(stale);
      counts.push(tf.memory().numTensors);
    }
    // the discriminator's optimizer makes its slots on the first step it takes: compare the
    // counts after it (at random initialisation its accuracy is far below the gate)
    const first = updated.indexOf(true);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(2);
    expect(counts[2]).toBe(counts[first]);
    expect(teacher.parameters.get('conv_d1.unit1.conv.kernel').dataSync()).toEqual(teacherBefore);
    studentOptimizer.dispose();
    discOptimizer.dispose();
  });
});
