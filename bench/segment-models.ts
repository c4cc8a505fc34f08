/**
 * The models the segment() benchmark runs: the default (shipped) model, and students of a preset
 * with random weights (speed does not depend on the weights), exported once and cached in
 * bench/.cache/ (git-ignored).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelCard } from '@hadnet/core';
import {
  exportGenerator,
  Generator,
  getPreset,
  GENERATOR_INPUT_CHANNELS,
  GENERATOR_SIZE_MULTIPLE,
  setupTrainingBackend,
  TRAIN_CODE_VERSION,
  type PresetName,
} from '../packages/train/src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const REPO_ROOT = join(here, '..');

/** Where random models are cached. */
export const CACHE_DIR = join(here, '.cache');

/** The shipped default model. */
export const DEFAULT_MODEL = join(REPO_ROOT, 'packages', 'infer-node', 'models', 'hadnet-student.onnx');

const SEED = 1;

/**
 * The card a trained run of the preset gets from `hadnet-train export` (tiles of exactly the
 * preset's extent, at its spacing), with `training` saying the weights are random.
 */
function randomCard(preset: PresetName): ModelCard {
  const { inputShape, spacingMm } = getPreset(preset);
  return {
    format: 1,
    role: 'student',
    sequences: ['flair', 't1', 't2'],
    classes: 4,
    normalisation: 'hadnet',
    spacingMm: [...spacingMm] as [number, number, number],
    inputMode: 'tiles',
    roiSize: [...inputShape] as [number, number, number],
    padMultiple: GENERATOR_SIZE_MULTIPLE,
    training: { data: 'none: random weights for npm run bench', epochs: 0, preset, seed: SEED },
    codeVersion: TRAIN_CODE_VERSION,
  };
}

/** The newest modification time of the exporter's and the networks' sources (ms). */
function sourcesChanged(): number {
  const folders = ['export', 'networks'].map((f) => join(REPO_ROOT, 'packages', 'train', 'src', f));
  let newest = 0;
  for (const folder of folders) {
    for (const file of readdirSync(folder)) newest = Math.max(newest, statSync(join(folder, file)).mtimeMs);
  }
  return newest;
}

/**
 * The path of a student of `preset` with random weights (seeded), exported to ONNX: from the
 * cache when it is newer than the exporter's and the networks' sources (the graph the exporter
 * writes is what is timed), else built, exported and written there (to a temporary name, then
 * renamed).
 * @param preset - `small` (about 4 MB) or `paper` (about 66 MB)
 */
export async function randomStudentModel(preset: PresetName): Promise<string> {
  const path = join(CACHE_DIR, `random-${preset}-student-seed${SEED}-v${TRAIN_CODE_VERSION}.onnx`);
  if (existsSync(path) && statSync(path).mtimeMs > sourcesChanged()) return path;
  await setupTrainingBackend({ backend: 'cpu' });
  const generator = new Generator({
    inputChannels: GENERATOR_INPUT_CHANNELS.student,
    k: getPreset(preset).k,
    seed: SEED,
  });
  try {
    const bytes = exportGenerator(generator, randomCard(preset), {
      source: `npm run bench: random ${preset} student, seed ${SEED}`,
    });
    mkdirSync(CACHE_DIR, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } finally {
    generator.dispose();
  }
  return path;
}
