/**
 * The distillation stage on tiny synthetic volumes (32^3, the smallest the discriminator takes;
 * k = 2; dropout 0.2 and the teacher's dropout on, as the reference): gradients reach every
 * variable of the student and of the discriminator, the discriminator steps exactly when its
 * accuracy is at most 0.8, the teacher never changes, no tensor leaks, and a resumed run equals
 * an uninterrupted one bit for bit. steps.test.ts shows the loss falling and a closed gate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameRun } from '../../test/compare-runs.js';
import { fakePretrainedRun, syntheticCase, testPreset } from '../../test/synthetic.js';
import { setupTrainingBackend } from '../backend.js';
import { memoryCaseSource } from '../data/training-case.js';
import { describeDiscriminator } from '../networks/discriminator.js';
import { describeGenerator } from '../networks/generator.js';
import { tableParameters } from '../networks/layers.js';
import type { ParameterSet } from '../networks/parameters.js';
import { networkSha256 } from '../run/checkpoint.js';
import { readRunConfig } from '../run/config.js';
import { readLog } from '../run/log.js';
import { distill } from './distill.js';

const preset = testPreset(32, 2, 0.2);
let root: string;

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
  root = mkdtempSync(join(tmpdir(), 'hadnet-distill-'));
  await fakePretrainedRun(join(root, 'teacher'), 'teacher', preset, 5);
  await fakePretrainedRun(join(root, 'student'), 'student', preset, 6);
});

const snapshot = (p: ParameterSet): Float32Array[] =>
  p.names().map((n) => p.get(n).dataSync().slice() as Float32Array);
const same = (a: Float32Array[], b: Float32Array[]): boolean =>
  a.length === b.length && a.every((x, i) => Buffer.from(x.buffer).equals(Buffer.from(b[i].buffer)));

const options = (runDir: string, epochs: number, resume = false) => ({
  runDir,
  teacherRun: join(root, 'teacher'),
  studentRun: join(root, 'student'),
  data: {
    train: memoryCaseSource([syntheticCase('a', 32, 1)]),
    val: memoryCaseSource([syntheticCase('v', 32, 2)]),
  },
  epochs,
  seed: 4,
  resume,
  hyperparameters: { learningRate: 2e-3, discriminatorLearningRate: 1e-2 },
});

describe('distill', () => {
  it('trains the student and the gated discriminator, never the teacher, leaking nothing', async () => {
    const runDir = join(root, 'straight');
    const steps: { accuracy: number; updated: boolean; changed: boolean; tensors: number }[] = [];
    const reach = { generator: [] as boolean[], discriminator: [] as boolean[] };
    let teacher: ParameterSet | undefined;
    let discriminator: ParameterSet | undefined;
    let teacherStart: Float32Array[] = [];
    let discriminatorBefore: Float32Array[] = [];
    const teacherSame: boolean[] = [];
    const before = tf.memory().numTensors;

    const result = await distill({
      ...options(runDir, 2),
      onNetworks: (n) => {
        teacher = n.teacher.parameters;
        discriminator = n.discriminator.parameters;
        teacherStart = snapshot(teacher);
        discriminatorBefore = snapshot(discriminator);
      },
      inspectGradients: (network, grads) => {
        // gradients over the steps: each variable must get a non-zero one in some step
        const nonZero = Object.values(grads).map((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0] > 0));
        reach[network] = nonZero.map((v, i) => v || (reach[network][i] ?? false));
      },
      callbacks: {
        onBatchEnd: (e) => {
          const now = snapshot(discriminator!);
          steps.push({
            accuracy: e.losses.accuracy,
            updated: e.discriminatorUpdated!,
            changed: !same(now, discriminatorBefore),
            tensors: tf.memory().numTensors,
          });
          discriminatorBefore = now;
        },
        onEpochEnd: () => void teacherSame.push(same(snapshot(teacher!), teacherStart)),
      },
    });
    expect(result.epochs).toBe(2);

    // the gate: a step exactly when the accuracy is at most 0.8 (steps.test.ts forces a closed gate)
    for (const s of steps) {
      expect(s.updated).toBe(s.accuracy <= 0.8);
      expect(s.changed).toBe(s.updated);
    }
    const log = await readLog(runDir);
    expect(log.map((e) => e.discriminatorSteps)).toEqual(steps.map((s) => (s.updated ? 1 : 0)));

    // gradients reach every variable of both trained networks
    const studentNames = tableParameters(describeGenerator({ inputChannels: 3, k: 2 })).map((p) => p.name);
    const discNames = tableParameters(describeDiscriminator({ k: 2 })).map((p) => p.name);
    expect(reach.generator).toHaveLength(studentNames.length);
    expect(reach.discriminator).toHaveLength(discNames.length);
    expect(studentNames.filter((_, i) => !reach.generator[i])).toEqual([]);
    expect(discNames.filter((_, i) => !reach.discriminator[i])).toEqual([]);

    // the teacher is unchanged after every epoch; tensors flat; everything freed at the end
    expect(teacherSame).toEqual([true, true]);
    expect(steps[1].tensors).toBe(steps[0].tensors);
    expect(tf.memory().numTensors).toBe(before);

    // the config names the teacher's weights
    const config = await readRunConfig(runDir);
    expect(config).toMatchObject({ stage: 'distill', role: 'hadnet', sequences: ['flair', 't1', 't2'] });
    expect(config.teacher).toEqual({
      run: resolve(root, 'teacher'),
      checkpoint: 'best',
      epoch: 1,
      weightsSha256: await networkSha256(join(root, 'teacher'), 'best'),
    });
    expect(config.discriminator).toEqual({ hierarchical: true, width: 2 });
  });

  it('resumes exactly: 1 epoch, stop, resume to 2 equals 2 epochs straight, bit for bit', async () => {
    const stopped = join(root, 'stopped');
    await distill(options(stopped, 1));
    await distill(options(stopped, 2, true));
    await expectSameRun(join(root, 'straight'), stopped);
  });

  it('refuses runs of the wrong role', async () => {
    await expect(
      distill({ ...options(join(root, 'x'), 1), teacherRun: join(root, 'student') }),
    ).rejects.toThrow(/must be a teacher run on flair, t1ce, t1, t2; it is a student run on flair, t1, t2/);
  });
});
