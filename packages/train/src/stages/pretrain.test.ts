/**
 * The pre-training stages on tiny synthetic volumes (k = 2; 32^3 where gradients must reach the
 * bottleneck, whose instance norm over a single voxel at 16^3 passes none): the loss falls,
 * gradients reach every variable, no tensor leaks, the run folder holds what it should, and a
 * resumed run equals an uninterrupted one bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameRun } from '../../test/compare-runs.js';
import { syntheticCase, testPreset } from '../../test/synthetic.js';
import { setupTrainingBackend } from '../backend.js';
import { memoryCaseSource } from '../data/training-case.js';
import { REFERENCE_CLASS_WEIGHTS } from '../losses.js';
import { describeGenerator } from '../networks/generator.js';
import { tableParameters } from '../networks/layers.js';
import { loadCheckpoint } from '../run/checkpoint.js';
import { readRunConfig } from '../run/config.js';
import { readLog } from '../run/log.js';
import { pretrainStudent, pretrainTeacher } from './pretrain.js';

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
});

const size = 16;
const tmp = () => mkdtempSync(join(tmpdir(), 'hadnet-pretrain-'));

describe.each([
  { stage: 'pretrain-student', role: 'student', train: pretrainStudent, sequences: ['flair', 't1', 't2'] },
  {
    stage: 'pretrain-teacher',
    role: 'teacher',
    train: pretrainTeacher,
    sequences: ['flair', 't1ce', 't1', 't2'],
  },
] as const)('$stage', ({ stage, role, train, sequences }) => {
  it('lowers the loss, reaches every variable, leaks nothing, and writes the run folder', async () => {
    const runDir = join(tmp(), 'run');
    const data = {
      train: memoryCaseSource([syntheticCase('train-1', 32, 1)]),
      val: memoryCaseSource([syntheticCase('val-1', 32, 2)]),
      description: { test: ['never-read'] },
    };
    const losses: number[] = [];
    const counts: number[] = [];
    const reached: boolean[][] = [];
    const before = tf.memory().numTensors;
    const result = await train({
      runDir,
      preset: testPreset(32, 2, 0), // no dropout: every variable gets a gradient on every step
      data,
      epochs: 4,
      seed: 3,
      hyperparameters: { augmentation: null, learningRate: 5e-3 },
      inspectGradients: (network, grads) => {
        expect(network).toBe('generator');
        reached.push(Object.values(grads).map((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0] > 0)));
      },
      callbacks: {
        onBatchEnd: (e) => {
          losses.push(e.losses.loss);
          counts.push(tf.memory().numTensors);
        },
      },
    });

    // a few steps lower the loss (one case, no augmentation, no dropout)
    expect(losses).toHaveLength(4);
    expect(losses[3]).toBeLessThan(losses[0] * 0.9);

    // every one of the student's parameters gets a non-zero gradient
    const names = tableParameters(describeGenerator({ inputChannels: sequences.length, k: 2 })).map(
      (p) => p.name,
    );
    expect(reached[0]).toHaveLength(names.length);
    expect(names.filter((_, i) => !reached[0][i])).toEqual([]);

    // tensors stay flat over steps, and the stage frees everything it made
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);

    // the run folder
    expect(result.epochs).toBe(4);
    expect(result.steps).toBe(4);
    const config = await readRunConfig(runDir);
    expect(config).toMatchObject({ stage, role, sequences, seed: 3 });
    expect(config.data).toEqual({ train: ['train-1'], val: ['val-1'], test: ['never-read'] });
    expect(config.hyperparameters).toMatchObject({
      learningRate: 5e-3,
      beta1: 0.9,
      beta2: 0.999,
      weightDecay: 1e-5,
    });
    const log = await readLog(runDir);
    expect(log.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    // class weights decay by 0.98 per epoch, never below 1
    expect(log[0].classWeights).toEqual([...REFERENCE_CLASS_WEIGHTS]);
    expect(log[1].classWeights![1]).toBeCloseTo(59.4507 * 0.98, 10);
    expect(log[3].classWeights![3]).toBeCloseTo(71.8481 * 0.98 ** 3, 10);
    expect(log[1].classWeights![0]).toBe(1);
    // the best epoch: the last of those with the highest mean Dice
    const top = Math.max(...log.map((e) => e.validation.mean));
    const bestEpoch = Math.max(...log.filter((e) => e.validation.mean === top).map((e) => e.epoch));
    expect(result.best!.epoch).toBe(bestEpoch);
    expect((await loadCheckpoint(runDir, 'best')).state.epoch).toBe(bestEpoch);
    expect((await loadCheckpoint(runDir, 'last')).state).toMatchObject({
      epoch: 4,
      step: 4,
      best: result.best,
    });
    expect(readFileSync(join(runDir, 'curves.svg'), 'utf8')).toMatch(/^<svg/);
    expect(existsSync(join(runDir, 'checkpoints', 'last', 'optimizer-generator.bin'))).toBe(true);
  });
});

describe('pretrain-teacher with --resume', () => {
  it('continues exactly: 2 epochs, stop, resume to 3 equals 3 epochs straight, bit for bit', async () => {
    const root = tmp();
    const preset = testPreset(size, 2, 0.2); // dropout and augmentation on: their seeds must resume too
    const options = (runDir: string, epochs: number, resume = false) => ({
      runDir,
      preset,
      data: {
        train: memoryCaseSource([syntheticCase('a', size, 1), syntheticCase('b', size, 4)]),
        val: memoryCaseSource([syntheticCase('v', size, 2)]),
      },
      epochs,
      seed: 11,
      resume,
    });
    await pretrainTeacher(options(join(root, 'straight'), 3));
    const stopped = join(root, 'stopped');
    await pretrainTeacher(options(stopped, 2));

    // a crash after the log line of epoch 3 but before its checkpoint leaves an extra line: resuming drops it
    appendFileSync(join(stopped, 'log.jsonl'), `${JSON.stringify({ epoch: 3, bogus: true })}\n`);
    const resumed = await pretrainTeacher(options(stopped, 3, true));
    expect(resumed.epochs).toBe(3);
    await expectSameRun(join(root, 'straight'), stopped);
  });

  it('refuses to resume with other settings, to overwrite a run, or to resume nothing', async () => {
    const root = tmp();
    const preset = testPreset(size, 2, 0);
    const data = {
      train: memoryCaseSource([syntheticCase('a', size, 1)]),
      val: memoryCaseSource([syntheticCase('v', size, 2)]),
    };
    const runDir = join(root, 'run');
    await pretrainTeacher({ runDir, preset, data, epochs: 1, seed: 1 });
    await expect(pretrainTeacher({ runDir, preset, data, epochs: 2, seed: 2, resume: true })).rejects.toThrow(
      /cannot resume .* with other settings: seed: 1 in config.json, 2 now/,
    );
    await expect(pretrainStudent({ runDir, preset, data, epochs: 2, seed: 1, resume: true })).rejects.toThrow(
      /stage: "pretrain-teacher" in config.json, "pretrain-student" now/,
    );
    await expect(pretrainTeacher({ runDir, preset, data, epochs: 1 })).rejects.toMatchObject({
      code: 'INVALID_RUN',
      message: expect.stringMatching(/already holds a run \(config.json\); pass --resume/),
    });
    await expect(pretrainTeacher({ runDir: join(root, 'none'), preset, data, resume: true })).rejects.toThrow(
      /nothing to resume in .*none: it has no config.json/,
    );
    const noVal = { train: data.train, val: memoryCaseSource([]) };
    await expect(pretrainTeacher({ runDir: join(root, 'x'), preset, data: noVal })).rejects.toThrow(
      /no validation case/,
    );
    await expect(pretrainTeacher({ runDir: join(root, 'y'), preset, data, epochs: 0 })).rejects.toThrow(
      /epochs must be a whole number >= 1; got 0/,
    );
  });
});
