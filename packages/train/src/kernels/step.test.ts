/**
 * A seeded HAD-Net distillation step on a tiny student, teacher and discriminator (k = 2,
 * 32x32x32): every variable's gradient with hadnet's fast kernels equals the stock tfjs-cpu
 * reference to 1e-4 of that variable's largest reference gradient. Dropout masks are seeded, so
 * both runs see the same network.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from '../backend.js';
import { discriminatorLoss, studentDistillationLoss } from '../losses.js';
import { Discriminator } from '../networks/discriminator.js';
import { Generator } from '../networks/generator.js';
import { disableFastKernels, enableFastKernels } from './register.js';

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
});
afterAll(() => disableFastKernels());

describe('a seeded distillation step', () => {
  it('has the stock tfjs-cpu gradients, variable by variable, on the fast kernels', () => {
    const shape = [1, 32, 32, 32] as const;
    const teacher = new Generator({ inputChannels: 4, k: 2, seed: 11 });
    const student = new Generator({ inputChannels: 3, k: 2, seed: 12 });
    const discriminator = new Discriminator({ k: 2, width: 1, seed: 13 });
    const teacherImages = tf.randomNormal([...shape, 4], 0, 1, 'float32', 14) as tf.Tensor5D;
    const studentImages = tf.slice(teacherImages, [0, 0, 0, 0, 0], [...shape, 3]) as tf.Tensor5D;
    const labels = tf.cast(tf.floor(tf.randomUniform([...shape], 0, 4, 'float32', 15)), 'int32');

    // the student's and the discriminator's gradients of one step, as name -> values
    const step = (): Map<string, Float32Array> => {
      const out = new Map<string, Float32Array>();
      const real = teacher.apply(teacherImages, { keepDropout: true, seed: 3 });
      const studentGrads = tf.variableGrads(() => {
        const fake = student.apply(studentImages, { training: true, seed: 4 });
        const fakeScores = discriminator.apply(fake.logits, studentImages, fake.features);
        return studentDistillationLoss({ logits: fake.logits, labels, fakeScores });
      }, student.trainableVariables());
      const fake = student.apply(studentImages, { training: true, seed: 4 });
      const discriminatorGrads = tf.variableGrads(
        () =>
          discriminatorLoss(
            discriminator.apply(real.logits, studentImages, real.features),
            discriminator.apply(fake.logits, studentImages, fake.features),
          ),
        discriminator.trainableVariables(),
      );
      for (const [prefix, grads] of [
        ['student', studentGrads],
        ['discriminator', discriminatorGrads],
      ] as const) {
        for (const [name, g] of Object.entries(grads.grads))
          out.set(`${prefix}/${name}`, Float32Array.from(g.dataSync()));
        tf.dispose([grads.value, ...Object.values(grads.grads)]);
      }
      tf.dispose([real.logits, ...real.features.flat(), fake.logits, ...fake.features.flat()]);
      return out;
    };

    disableFastKernels();
    const stock = step();
    const info = enableFastKernels();
    const fast = step();
    disableFastKernels();

    expect(info.kernels.length).toBeGreaterThan(0);
    expect(stock.size).toBe(student.trainableVariables().length + discriminator.trainableVariables().length);
    expect([...fast.keys()]).toEqual([...stock.keys()]);
    const maxAbs = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const globalScale = Math.max(...[...stock.values()].map(maxAbs));
    let worst = 0;
    for (const [name, reference] of stock) {
      const candidate = fast.get(name) as Float32Array;
      let diff = 0;
      for (let i = 0; i < reference.length; i++) diff = Math.max(diff, Math.abs(candidate[i] - reference[i]));
      const scale = maxAbs(reference);

      // a gradient that is zero in exact arithmetic (a bias before an instance norm) is float32
      // cancellation residue in both runs (float32 sums over every voxel, taken in another order
      // by OpenBLAS), hence a floor of 1e-5 of the largest gradient, as in gradient.test.ts
      const floor = 1e-5 * globalScale;
      if (scale > floor) worst = Math.max(worst, diff / scale);
      expect(diff, `${name}: max |fast - stock| against max |stock| = ${scale}`).toBeLessThanOrEqual(
        Math.max(1e-4 * scale, floor),
      );
    }
    console.log(`worst relative gradient difference over ${stock.size} variables: ${worst.toExponential(2)}`);
    tf.dispose([teacherImages, studentImages, labels]);
  });
});
