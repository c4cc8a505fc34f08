/**
 * Synthetic training cases and run folders for the stage tests: a spherical "brain" with three
 * nested tumour classes that the images show (so a network can learn them), and pre-trained run
 * folders made from freshly initialised generators (no training needed).
 */
import { TEACHER_SEQUENCES } from '@hadnet/core';
import { Random } from '../src/data/random.js';
import type { TrainingCase } from '../src/data/training-case.js';
import { Generator } from '../src/networks/generator.js';
import type { Preset } from '../src/networks/presets.js';
import { saveCheckpoint } from '../src/run/checkpoint.js';
import { TRAIN_CODE_VERSION, type RunConfig } from '../src/run/config.js';
import { writeFileAtomic } from '../src/run/atomic.js';
import { parameterArrays } from '../src/run/weights.js';
import { runPaths } from '../src/run/config.js';

/** A preset for tests: tiny width and grid, dropout as given. */
export function testPreset(size: number, k: number, dropoutRate: number): Preset {
  return {
    name: 'tiny',
    k,
    discriminatorWidth: k,
    inputShape: [size, size, size],
    spacingMm: [3, 3, 3],
    inputMode: 'whole',
    dropoutRate,
    description: `test: k = ${k}, ${size}^3`,
  };
}

/**
 * A case on a `size`^3 grid: brain = ball of radius 0.4 size; oedema (2) a ball of radius 0.2
 * size off centre, inside it enhancing tumour (3) a shell and necrosis (1) its core. Channels in
 * teacher order; every channel brighter in the tumour, t1ce brightest in ET (as real data).
 */
export function syntheticCase(id: string, size: number, seed: number): TrainingCase {
  const rng = new Random(seed);
  const voxels = size ** 3;
  const channels = [...TEACHER_SEQUENCES];
  const images = new Float32Array(voxels * channels.length);
  const labels = new Uint8Array(voxels);
  const mask = new Uint8Array(voxels);
  const c = (size - 1) / 2;
  const t = [c + size * 0.08 * (rng.next() - 0.5), c + size * 0.1, c - size * 0.05];
  for (let d = 0; d < size; d++) {
    for (let h = 0; h < size; h++) {
      for (let w = 0; w < size; w++) {
        const v = (d * size + h) * size + w;
        if (Math.hypot(d - c, h - c, w - c) > 0.4 * size) continue;
        mask[v] = 1;
        const r = Math.hypot(d - t[0], h - t[1], w - t[2]) / size;
        const label = r < 0.06 ? 1 : r < 0.11 ? 3 : r < 0.2 ? 2 : 0;
        labels[v] = label;
        channels.forEach((s, ch) => {
          const tumour = label === 0 ? 0 : s === 't1ce' && label === 3 ? 0.6 : 0.25 + 0.1 * label;
          images[v * channels.length + ch] = 0.3 + tumour + 0.1 * rng.next();
        });
      }
    }
  }
  return { id, shape: [size, size, size], channels, images, labels, mask };
}

/** Writes a run folder holding a freshly initialised generator as its best and last checkpoint. */
export async function fakePretrainedRun(
  runDir: string,
  role: 'teacher' | 'student',
  preset: Preset,
  seed: number,
): Promise<void> {
  const sequences = role === 'teacher' ? ['flair', 't1ce', 't1', 't2'] : ['flair', 't1', 't2'];
  const generator = new Generator({
    inputChannels: sequences.length,
    k: preset.k,
    dropoutRate: preset.dropoutRate,
    seed,
  });
  const config: RunConfig = {
    format: 'hadnet-run/1',
    stage: role === 'teacher' ? 'pretrain-teacher' : 'pretrain-student',
    role,
    sequences: sequences as RunConfig['sequences'],
    preset,
    seed,
    epochs: 1,
    batchSize: 1,
    hyperparameters: {},
    data: { train: [], val: [], test: [] },
    codeVersion: TRAIN_CODE_VERSION,
    createdAt: new Date(0).toISOString(),
  };
  await writeFileAtomic(runPaths(runDir).config, JSON.stringify(config));
  const dice = { ET: 0, TC: 0, WT: 0, mean: 0 };
  for (const name of ['best', 'last'] as const) {
    await saveCheckpoint(runDir, name, {
      state: {
        format: 'hadnet-checkpoint/1',
        stage: config.stage,
        epoch: 1,
        step: 1,
        rng: [1, 2, 3, 4],
        best: { epoch: 1, score: 0, dice },
        validation: dice,
        optimizers: {},
        networks: [],
        savedAt: new Date(0).toISOString(),
      },
      networks: { generator: parameterArrays(generator.parameters) },
      optimizers: {},
    });
  }
  generator.dispose();
}
