/**
 * Exporting a trained run: its checkpoint's generator as ONNX bytes, with a model card made from
 * the run's `config.json` and the checkpoint's `state.json`. What `hadnet-train export` wraps.
 * May depend on: node:path, `@hadnet/core` (card type, errors), ../networks, ../run,
 * ./export-generator.
 */
import { basename } from 'node:path';
import { type MirrorAxis, type ModelCard, type ModelRole } from '@hadnet/core';
import { GENERATOR_SIZE_MULTIPLE } from '../networks/generator.js';
import type { CheckpointName, CheckpointState } from '../run/checkpoint.js';
import { TRAIN_CODE_VERSION, type RunConfig } from '../run/config.js';
import { loadRunGenerator } from '../run/weights.js';
import { exportGenerator } from './export-generator.js';

/** Options of {@link runModelCard} and {@link exportRun}. */
export interface RunCardOptions {
  /** Which checkpoint. @defaultValue `'best'` */
  checkpoint?: CheckpointName;
  /** The card's role. @defaultValue the run's (`teacher`, `student`, or `hadnet` for distillation) */
  role?: ModelRole;
  /**
   * How `segment()` must run the model.
   * - `'tiles'` (the default): tiles of exactly the preset's `inputShape`, the extent training
   *   used. A brain that fits is padded to it, centred, just as training padded it, so instance
   *   normalisation sees what it saw in training; a larger brain is tiled.
   * - `'whole'`: the brain's box padded to a multiple of 16, whatever its size: less zero
   *   background than in training, so the instance-norm statistics differ from training's.
   * @defaultValue `'tiles'`
   */
  inputMode?: 'whole' | 'tiles';
}

const ROLES: readonly ModelRole[] = ['teacher', 'student', 'hadnet'];

/**
 * The model card of a run's checkpoint: the run's sequences, its preset's spacing, hadnet
 * normalisation (the only one the training data reader applies), padding to multiples of 16,
 * the input mode (see {@link RunCardOptions}), and `hadnet.training` =
 * `{ stage, data, split, cases: { train, val }, epochs, preset, checkpoint, seed, validationDice,
 * best }` (`data` and `split` by file name only: a model file should not carry the training
 * machine's paths; `epochs` is the checkpoint's epoch; `validationDice` its validation Dice per
 * region, `best` the best epoch's).
 *
 * @throws RangeError when `role` is not one of teacher, student, hadnet, or does not fit the
 *   run's sequences (a teacher takes T1ce; a student and the distilled model do not)
 */
export function runModelCard(
  config: RunConfig,
  state: CheckpointState,
  options: RunCardOptions = {},
): ModelCard {
  const role = options.role ?? config.role;
  const inputMode = options.inputMode ?? 'tiles';
  if (!ROLES.includes(role)) {
    throw new RangeError(`runModelCard: role must be one of ${ROLES.join(', ')}; got '${role}'`);
  }
  if ((role === 'teacher') !== config.sequences.includes('t1ce')) {
    throw new RangeError(
      `runModelCard: role '${role}' does not fit the run's sequences (${config.sequences.join(', ')}): ` +
        'a teacher takes t1ce, a student or hadnet model does not',
    );
  }
  if (inputMode !== 'whole' && inputMode !== 'tiles') {
    throw new RangeError(`runModelCard: inputMode must be 'whole' or 'tiles'; got '${String(inputMode)}'`);
  }
  const [d, h, w] = config.preset.inputShape;
  return {
    format: 1,
    role,
    sequences: [...config.sequences],
    classes: 4,
    normalisation: 'hadnet',
    spacingMm: [...config.preset.spacingMm] as [number, number, number],
    inputMode,
    ...(inputMode === 'tiles' ? { roiSize: [d, h, w] as [number, number, number] } : {}),
    padMultiple: GENERATOR_SIZE_MULTIPLE,
    mirrorAxes: trainedMirrorAxes(config),
    training: {
      stage: config.stage,
      data: config.data.dir === undefined ? null : basename(config.data.dir),
      split: config.data.split === undefined ? null : basename(config.data.split),
      cases: { train: config.data.train.length, val: config.data.val.length },
      epochs: state.epoch,
      preset: config.preset.name,
      checkpoint: options.checkpoint ?? 'best',
      seed: config.seed,
      validationDice: state.validation,
      best: state.best,
    },
    codeVersion: TRAIN_CODE_VERSION,
  };
}

/**
 * The axes a run's generator was trained to be mirror-invariant on, for test-time mirroring:
 * `['width']` (left-right, the reference's only flip) unless pre-training ran without
 * augmentation (`--no-augment`), then none. A distillation run starts from a pre-trained student
 * and adds no flips of its own, so it keeps the left-right flip.
 */
function trainedMirrorAxes(config: RunConfig): MirrorAxis[] {
  const { augmentation } = config.hyperparameters as { augmentation?: { flipProbability: number } | null };
  if (augmentation === undefined) return ['width']; // distillation: the student's pre-training flipped
  return augmentation !== null && augmentation.flipProbability > 0 ? ['width'] : [];
}

/** What {@link exportRun} returns. */
export interface ExportedRun {
  /** The ONNX model's bytes. */
  bytes: Uint8Array;
  /** The card written into them. */
  card: ModelCard;
  /** The generator's trainable values. */
  parameters: number;
}

/**
 * Loads a run's checkpoint and exports its generator ({@link exportGenerator}) with the card of
 * {@link runModelCard}. Call `setupTrainingBackend()` first.
 *
 * @param runDir - a run folder (`config.json`, `checkpoints/best|last/`)
 * @param options - checkpoint, role, input mode
 * @throws InvalidRunError when the folder is not a run, lacks the checkpoint, or its weights do
 *   not fit its config; RangeError as {@link runModelCard}
 * @example
 * ```ts
 * await setupTrainingBackend();
 * const { bytes, card } = await exportRun('runs/hadnet', { checkpoint: 'best' });
 * ```
 */
export async function exportRun(runDir: string, options: RunCardOptions = {}): Promise<ExportedRun> {
  const checkpoint = options.checkpoint ?? 'best';
  const { generator, config, state } = await loadRunGenerator(runDir, { checkpoint });
  try {
    const card = runModelCard(config, state, { ...options, checkpoint });
    const bytes = exportGenerator(generator, card, {
      source: `run ${basename(runDir)}, checkpoint '${checkpoint}' (epoch ${state.epoch})`,
    });
    return { bytes, card, parameters: generator.countParameters() };
  } finally {
    generator.dispose();
  }
}
