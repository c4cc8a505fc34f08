/**
 * The distillation step itself (32^3, k = 2, no dropout unless said): the student's loss falls
 * against a fixed discriminator; the discriminator's loss is taken on the student's outputs from
 * before the student's update (and on logits, with the student's images); a discriminator that
 * tells teacher from student (accuracy above 0.8) is not stepped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCase } from '../../test/synthetic.js';
import { setupTrainingBackend } from '../backend.js';
import { selectChannels } from '../data/training-case.js';
import { discriminatorAccuracy, discriminatorLoss, REFERENCE_CLASS_WEIGHTS } from '../losses.js';
import { Discriminator } from '../networks/discriminator.js';
import { disposeGeneratorOutput, Generator } from '../networks/generator.js';
import type { ParameterSet } from '../networks/parameters.js';
import { AdamOptimizer } from './optimizer.js';
import { distillStep, type DistillStepInput } from './steps.js';

let teacherImages: tf.Tensor5D;
let studentImages: tf.Tensor5D;
let labels: tf.Tensor4D;
let teacher: Generator;

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
  const c = syntheticCase('a', 32, 1);
  teacherImages = tf.tensor5d(selectChannels(c, ['flair', 't1ce', 't1', 't2']), [1, 32, 32, 32, 4]);
  studentImages = tf.tensor5d(selectChannels(c, ['flair', 't1', 't2']), [1, 32, 32, 32, 3]);
  labels = tf.tensor4d(Int32Array.from(c.labels), [1, 32, 32, 32], 'int32');
  teacher = new Generator({ inputChannels: 4, k: 2, dropoutRate: 0.2, seed: 1 });
  teacher.setTrainable(false);
});
afterAll(() => {
  tf.dispose([teacherImages, studentImages, labels]);
  teacher.dispose();
});

const adam = (set: ParameterSet, learningRate: number) =>
  new AdamOptimizer(set, { learningRate, beta1: 0.5, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
const snapshot = (p: ParameterSet) => p.names().map((n) => Array.from(p.get(n).dataSync()));

function input(threshold: number, step: number, teacherDropout: boolean): DistillStepInput {
  return {
    teacherImages,
    studentImages,
    labels,
    classWeights: REFERENCE_CLASS_WEIGHTS,
    lambda: 0.2,
    threshold,
    teacherDropout,
    seeds: { teacher: 100 + step, student: 200 + step },
  };
}

describe('distillStep', () => {
  it("lowers the student's loss against a fixed discriminator, which steps on the stale student outputs", () => {
    const student = new Generator({ inputChannels: 3, k: 2, dropoutRate: 0, seed: 2 });
    const discriminator = new Discriminator({ k: 2, seed: 3 });
    const nets = {
      teacher,
      student,
      discriminator,
      studentOptimizer: adam(student.parameters, 2e-3),
      discriminatorOptimizer: adam(discriminator.parameters, 2e-4),
    };

    // what the discriminator's loss must be: on the teacher (dropout on, this step's seed) and on
    // the student's logits and features from before its update
    const expected = tf.tidy(() => {
      const real = teacher.apply(teacherImages, { keepDropout: true, seed: 100 });
      const fake = student.apply(studentImages, { training: true });
      return discriminatorLoss(
        discriminator.apply(real.logits, studentImages, real.features),
        discriminator.apply(fake.logits, studentImages, fake.features),
      ).dataSync()[0];
    });
    const discriminatorBefore = snapshot(discriminator.parameters);

    // threshold -1: the gate never opens, so the student trains against a fixed discriminator
    const first = distillStep(nets, input(-1, 0, true));
    expect(first.discriminator).toBeCloseTo(expected, 6);
    const after = tf.tidy(() => {
      const real = teacher.apply(teacherImages, { keepDropout: true, seed: 100 });
      const fake = student.apply(studentImages, { training: true });
      return discriminatorLoss(
        discriminator.apply(real.logits, studentImages, real.features),
        discriminator.apply(fake.logits, studentImages, fake.features),
      ).dataSync()[0];
    });
    expect(Math.abs(after - first.discriminator)).toBeGreaterThan(1e-6); // the update changed the outputs
    expect(first.student).toBeCloseTo(first.crossEntropy + 0.2 * first.adversarial, 5);

    const second = distillStep(nets, input(-1, 1, true));
    expect(second.student).toBeLessThan(first.student);
    expect([first.discriminatorUpdated, second.discriminatorUpdated]).toEqual([false, false]);
    expect(snapshot(discriminator.parameters)).toEqual(discriminatorBefore);
    expect(nets.discriminatorOptimizer.step).toBe(0);
    [nets.studentOptimizer, nets.discriminatorOptimizer, student, discriminator].forEach((x) => x.dispose());
  });

  it('skips the step of a discriminator whose accuracy is above 0.8, and takes it at or below', () => {
    const student = new Generator({ inputChannels: 3, k: 2, dropoutRate: 0, seed: 2 });
    const discriminator = new Discriminator({ k: 2, seed: 3 });
    const nets = {
      teacher,
      student,
      discriminator,
      studentOptimizer: adam(student.parameters, 0), // the student stays as it is
      discriminatorOptimizer: adam(discriminator.parameters, 1e-2),
    };

    // force it: train the discriminator alone until it tells this teacher from this student
    const real = teacher.apply(teacherImages);
    const fake = student.apply(studentImages, { training: true });
    let accuracy = 0;
    for (let i = 0; i < 30 && accuracy < 1; i++) {
      const { value, grads } = tf.variableGrads(
        () =>
          discriminatorLoss(
            discriminator.apply(real.logits, studentImages, real.features),
            discriminator.apply(fake.logits, studentImages, fake.features),
          ),
        discriminator.trainableVariables(),
      );
      nets.discriminatorOptimizer.apply(grads);
      tf.dispose([value, ...Object.values(grads)]);
      const scores = tf.tidy(() => [
        discriminator.apply(real.logits, studentImages, real.features),
        discriminator.apply(fake.logits, studentImages, fake.features),
      ]);
      accuracy = discriminatorAccuracy(scores[0], scores[1]);
      tf.dispose(scores);
    }
    disposeGeneratorOutput(real);
    disposeGeneratorOutput(fake);
    expect(accuracy).toBeGreaterThan(0.8);

    // the reference's gate (0.8): no step, nothing changes
    const steps = nets.discriminatorOptimizer.step;
    const weights = snapshot(discriminator.parameters);
    const closed = distillStep(nets, input(0.8, 0, false));
    expect(closed.accuracy).toBe(accuracy);
    expect(closed.discriminatorUpdated).toBe(false);
    expect(snapshot(discriminator.parameters)).toEqual(weights);
    expect(nets.discriminatorOptimizer.step).toBe(steps);

    // a gate at the accuracy itself opens (accuracy <= threshold)
    const open = distillStep(nets, input(accuracy, 1, false));
    expect(open.discriminatorUpdated).toBe(true);
    expect(snapshot(discriminator.parameters)).not.toEqual(weights);
    expect(nets.discriminatorOptimizer.step).toBe(steps + 1);
    [nets.studentOptimizer, nets.discriminatorOptimizer, student, discriminator].forEach((x) => x.dispose());
  });
});
