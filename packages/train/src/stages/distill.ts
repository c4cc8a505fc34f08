/**
 * HAD-Net's distillation stage (../shared/method/HADNET.md §4, stage C): the pre-trained teacher,
 * frozen but run with dropout on; the whole pre-trained student trained with
 * `CE_w + 0.2 * MSE(D(student), 1)` (fixed, undecayed class weights) by Adam (lr 2e-4, betas
 * 0.5/0.999); the hierarchical discriminator (fresh, PyTorch's default initialisation) trained by
 * Adam on `MSE(D(teacher), 1) + MSE(D(student), 0)` with the student's outputs from before its
 * update, only while its accuracy is at most 0.8. No augmentation. The student is validated
 * after each epoch and the best kept.
 * May depend on: node:path, tfjs-core, `@hadnet/core`, ../backend, ../data, ../networks, ../run,
 * ./batch, ./loop, ./optimizer, ./options, ./steps.
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { InvalidRunError, STUDENT_SEQUENCES, TEACHER_SEQUENCES } from '@hadnet/core';
import { assertTrainingBackend } from '../backend.js';
import { deriveSeed } from '../data/random.js';
import { selectChannels } from '../data/training-case.js';
import { Discriminator } from '../networks/discriminator.js';
import { NUM_CLASSES } from '../networks/generator.js';
import { networkSha256 } from '../run/checkpoint.js';
import { STAGE_ROLES, TRAIN_CODE_VERSION, type RunConfig, type RunReference } from '../run/config.js';
import { loadRunGenerator, type LoadedGenerator } from '../run/weights.js';
import { stackBatch } from './batch.js';
import { checkStageOptions, describeData, runEpochs, type StageTrainer } from './loop.js';
import { AdamOptimizer } from './optimizer.js';
import {
  DISTILL_DEFAULTS,
  REFERENCE_EPOCHS,
  type DistillHyperparameters,
  type DistillOptions,
  type StageResult,
} from './options.js';
import { distillStep, type GradientInspector } from './steps.js';

/** Options of {@link distill}. */
export interface DistillStageOptions extends DistillOptions {
  /** Sees the gradients of every step before each update. For tests. @internal */
  inspectGradients?: GradientInspector;
  /** Called once the networks are built, before the first step. For tests. @internal */
  onNetworks?: (networks: { teacher: LoadedGenerator['generator']; discriminator: Discriminator }) => void;
}

/** The preset fields the teacher and the student must share. */
const SHARED_PRESET_FIELDS = ['k', 'inputShape', 'spacingMm', 'dropoutRate', 'discriminatorWidth'] as const;

function checkHyperparameters(h: DistillHyperparameters): void {
  for (const key of ['learningRate', 'discriminatorLearningRate', 'epsilon'] as const) {
    if (!(h[key] >= 0 && Number.isFinite(h[key]))) {
      throw new RangeError(`distill: hyperparameters.${key} must be >= 0; got ${h[key]}`);
    }
  }
  if (!(h.lambda >= 0)) throw new RangeError(`distill: hyperparameters.lambda must be >= 0; got ${h.lambda}`);
  if (!Number.isFinite(h.discriminatorThreshold)) {
    throw new RangeError(
      `distill: hyperparameters.discriminatorThreshold must be a number; got ${h.discriminatorThreshold}`,
    );
  }
  if (h.classWeights.length !== NUM_CLASSES || !h.classWeights.every((w) => w > 0)) {
    throw new RangeError(
      `distill: hyperparameters.classWeights must be ${NUM_CLASSES} positive numbers; got [${h.classWeights}]`,
    );
  }
}

async function reference(
  loaded: LoadedGenerator,
  runDir: string,
  checkpoint: 'best' | 'last',
): Promise<RunReference> {
  return {
    run: resolve(runDir),
    checkpoint,
    epoch: loaded.state.epoch,
    weightsSha256: await networkSha256(runDir, checkpoint),
  };
}

/**
 * Distils a pre-trained teacher into a pre-trained student (HAD-Net). The preset is the
 * student run's; the teacher run must share its width, grid and dropout.
 *
 * @param options - the two run folders, which checkpoint of each, data, run folder, epochs, seed,
 *   hyper-parameters (see {@link DistillHyperparameters})
 * @throws InvalidRunError when a run folder is not a teacher or student run, lacks the
 *   checkpoint, or the two do not fit together
 */
export async function distill(options: DistillStageOptions): Promise<StageResult> {
  // arguments, then checks, then the work
  const stage = 'distill';
  const { epochs, seed, batchSize } = checkStageOptions(stage, options, REFERENCE_EPOCHS.distill);
  const hyper: DistillHyperparameters = { ...DISTILL_DEFAULTS, ...options.hyperparameters };
  checkHyperparameters(hyper);
  assertTrainingBackend();
  const checkpoint = options.checkpoint ?? 'best';

  // the pre-trained networks
  const teacher = await loadRunGenerator(options.teacherRun, { checkpoint });
  let student: LoadedGenerator;
  try {
    student = await loadRunGenerator(options.studentRun, { checkpoint });
  } catch (error) {
    teacher.generator.dispose();
    throw error;
  }
  const networks: { dispose(): void }[] = [teacher.generator, student.generator];
  try {
    const expect = (
      loaded: LoadedGenerator,
      dir: string,
      role: string,
      sequences: readonly string[],
    ): void => {
      if (loaded.config.role !== role || loaded.config.sequences.join() !== sequences.join()) {
        throw new InvalidRunError(
          `distill: ${dir} must be a ${role} run on ${sequences.join(', ')}; it is a ${loaded.config.role} run on ` +
            `${loaded.config.sequences.join(', ')}`,
        );
      }
    };
    expect(teacher, options.teacherRun, 'teacher', TEACHER_SEQUENCES);
    expect(student, options.studentRun, 'student', STUDENT_SEQUENCES);
    const preset = student.config.preset;
    for (const key of SHARED_PRESET_FIELDS) {
      const [a, b] = [JSON.stringify(teacher.config.preset[key]), JSON.stringify(preset[key])];
      if (a !== b) {
        throw new InvalidRunError(
          `distill: the teacher's preset has ${key} ${a}, the student's ${b}; they must agree`,
        );
      }
    }

    const config: RunConfig = {
      format: 'hadnet-run/1',
      stage,
      role: STAGE_ROLES[stage],
      sequences: [...STUDENT_SEQUENCES],
      preset: { ...preset },
      seed,
      epochs,
      batchSize,
      hyperparameters: { ...hyper },
      data: describeData(options),
      teacher: await reference(teacher, options.teacherRun, checkpoint),
      student: await reference(student, options.studentRun, checkpoint),
      discriminator: { hierarchical: hyper.hierarchical, width: preset.discriminatorWidth },
      codeVersion: TRAIN_CODE_VERSION,
      createdAt: new Date().toISOString(),
    };

    // the frozen teacher, the discriminator and the two optimizers
    teacher.generator.setTrainable(false);
    const discriminator = new Discriminator({
      k: preset.k,
      width: preset.discriminatorWidth,
      hierarchical: hyper.hierarchical,
      imageChannels: STUDENT_SEQUENCES.length,
      seed: deriveSeed(seed, 'discriminator'),
    });
    networks.push(discriminator);
    const adam = (learningRate: number) => ({
      learningRate,
      beta1: hyper.beta1,
      beta2: hyper.beta2,
      epsilon: hyper.epsilon,
      weightDecay: 0,
    });
    const studentOptimizer = new AdamOptimizer(student.generator.parameters, adam(hyper.learningRate));
    networks.push(studentOptimizer);
    const discriminatorOptimizer = new AdamOptimizer(
      discriminator.parameters,
      adam(hyper.discriminatorLearningRate),
    );
    networks.push(discriminatorOptimizer);
    options.onNetworks?.({ teacher: teacher.generator, discriminator });

    const nets = {
      teacher: teacher.generator,
      student: student.generator,
      discriminator,
      studentOptimizer,
      discriminatorOptimizer,
    };
    const trainer: StageTrainer = {
      networks: { generator: student.generator.parameters, discriminator: discriminator.parameters },
      optimizers: { generator: studentOptimizer, discriminator: discriminatorOptimizer },
      model: student.generator,
      channels: [...STUDENT_SEQUENCES],
      trainStep(batch, { step }) {
        const teacherBatch = stackBatch(
          batch.map((c) => ({
            id: c.id,
            shape: c.shape,
            images: selectChannels(c, TEACHER_SEQUENCES),
            labels: c.labels,
          })),
          TEACHER_SEQUENCES.length,
        );
        const studentImages = tf.tensor5d(
          concatenate(batch.map((c) => selectChannels(c, STUDENT_SEQUENCES))),
          [batch.length, ...batch[0].shape, STUDENT_SEQUENCES.length],
        );
        try {
          const r = distillStep(
            nets,
            {
              teacherImages: teacherBatch.images,
              studentImages,
              labels: teacherBatch.labels,
              classWeights: hyper.classWeights,
              lambda: hyper.lambda,
              threshold: hyper.discriminatorThreshold,
              teacherDropout: hyper.teacherDropout,
              seeds: {
                teacher: deriveSeed(seed, 'teacher-dropout', step),
                student: deriveSeed(seed, 'student-dropout', step),
              },
            },
            options.inspectGradients,
          );
          const { discriminatorUpdated, ...losses } = r;
          return { losses, discriminatorUpdated };
        } finally {
          tf.dispose([teacherBatch.images, teacherBatch.labels, studentImages]);
        }
      },
    };
    return await runEpochs(config, { ...options, epochs, seed, batchSize }, trainer);
  } finally {
    for (const n of networks.reverse()) n.dispose();
  }
}

function concatenate(arrays: readonly Float32Array[]): Float32Array {
  if (arrays.length === 1) return arrays[0];
  const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
