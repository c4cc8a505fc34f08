/**
 * The pre-training stages: the teacher on FLAIR, T1ce, T1, T2 and the student on FLAIR, T1, T2,
 * each from scratch (Kaiming-normal weights, seeded) with the class-weighted cross-entropy whose
 * weights decay per epoch, AdamW (lr 2e-4, betas 0.9/0.999, eps 1e-8, weight decay 1e-5), batch
 * 1, the reference's augmentation, and validation after every epoch.
 * May depend on: tfjs-core, `@hadnet/core` (contracts), ../backend, ../losses, ../data,
 * ../networks, ../run, ./batch, ./loop, ./optimizer, ./options, ./steps.
 */
import { STUDENT_SEQUENCES, TEACHER_SEQUENCES } from '@hadnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { assertTrainingBackend } from '../backend.js';
import { applyAugmentation, drawAugmentation } from '../data/augment.js';
import { deriveSeed } from '../data/random.js';
import { selectChannels } from '../data/training-case.js';
import { classWeightsAtEpoch } from '../losses.js';
import { Generator, NUM_CLASSES } from '../networks/generator.js';
import { STAGE_ROLES, TRAIN_CODE_VERSION, type RunConfig, type StageName } from '../run/config.js';
import { stackBatch, type CaseArrays } from './batch.js';
import { checkStageOptions, describeData, runEpochs, type StageTrainer } from './loop.js';
import { AdamOptimizer } from './optimizer.js';
import {
  PRETRAIN_DEFAULTS,
  REFERENCE_EPOCHS,
  type PretrainHyperparameters,
  type PretrainOptions,
  type StageResult,
} from './options.js';
import { pretrainStep, type GradientInspector } from './steps.js';

/** Options of {@link pretrainTeacher} and {@link pretrainStudent}. */
export interface PretrainStageOptions extends PretrainOptions {
  /** Sees the gradients of every step before the update. For tests. @internal */
  inspectGradients?: GradientInspector;
}

/**
 * Pre-trains the teacher (channels flair, t1ce, t1, t2).
 * @example
 * ```ts
 * await setupTrainingBackend();
 * const result = await pretrainTeacher({ runDir: 'runs/teacher', preset: getPreset('small'),
 *   data: { train: diskCaseSource(cases, split.train, ...), val: ... }, epochs: 5 });
 * ```
 */
export function pretrainTeacher(options: PretrainStageOptions): Promise<StageResult> {
  return pretrain('pretrain-teacher', options);
}

/** Pre-trains the student (channels flair, t1, t2). See {@link pretrainTeacher}. */
export function pretrainStudent(options: PretrainStageOptions): Promise<StageResult> {
  return pretrain('pretrain-student', options);
}

function checkHyperparameters(stage: string, h: PretrainHyperparameters): void {
  const positive: (keyof PretrainHyperparameters)[] = ['learningRate', 'epsilon'];
  for (const key of positive) {
    const v = h[key] as number;
    if (!(v > 0 && Number.isFinite(v)))
      throw new RangeError(`${stage}: hyperparameters.${key} must be > 0; got ${v}`);
  }
  if (!(h.weightDecay >= 0))
    throw new RangeError(`${stage}: hyperparameters.weightDecay must be >= 0; got ${h.weightDecay}`);
  if (!(h.classWeightDecay > 0 && h.classWeightDecay <= 1)) {
    throw new RangeError(
      `${stage}: hyperparameters.classWeightDecay must be in (0, 1]; got ${h.classWeightDecay}`,
    );
  }
  if (h.classWeights.length !== NUM_CLASSES || !h.classWeights.every((w) => w > 0)) {
    throw new RangeError(
      `${stage}: hyperparameters.classWeights must be ${NUM_CLASSES} positive numbers; got [${h.classWeights}]`,
    );
  }
}

async function pretrain(
  stage: Extract<StageName, 'pretrain-teacher' | 'pretrain-student'>,
  options: PretrainStageOptions,
) {
  // arguments, then checks, then the work
  const { epochs, seed, batchSize } = checkStageOptions(stage, options, REFERENCE_EPOCHS[stage]);
  const hyper: PretrainHyperparameters = { ...PRETRAIN_DEFAULTS, ...options.hyperparameters };
  checkHyperparameters(stage, hyper);
  assertTrainingBackend();
  const preset = options.preset;
  const channels = stage === 'pretrain-teacher' ? [...TEACHER_SEQUENCES] : [...STUDENT_SEQUENCES];
  const config: RunConfig = {
    format: 'hadnet-run/1',
    stage,
    role: STAGE_ROLES[stage],
    sequences: channels,
    preset: { ...preset },
    seed,
    epochs,
    batchSize,
    hyperparameters: { ...hyper },
    data: describeData(options),
    codeVersion: TRAIN_CODE_VERSION,
    createdAt: new Date().toISOString(),
  };

  // the network and its optimizer
  const generator = new Generator({
    inputChannels: channels.length,
    k: preset.k,
    dropoutRate: preset.dropoutRate,
    seed: deriveSeed(seed, 'generator'),
  });
  const optimizer = new AdamOptimizer(generator.parameters, {
    learningRate: hyper.learningRate,
    beta1: hyper.beta1,
    beta2: hyper.beta2,
    epsilon: hyper.epsilon,
    weightDecay: hyper.weightDecay,
  });
  const weightsOf = (epoch: number): number[] =>
    classWeightsAtEpoch(epoch - 1, hyper.classWeights, hyper.classWeightDecay);

  const trainer: StageTrainer = {
    networks: { generator: generator.parameters },
    optimizers: { generator: optimizer },
    model: generator,
    channels,
    trainStep(batch, { epoch, step, rng }) {
      // the stage's channels, augmented (flip, affine, images times the new mask)
      const items: CaseArrays[] = batch.map((c) => {
        const images = selectChannels(c, channels);
        if (hyper.augmentation === null) return { id: c.id, shape: c.shape, images, labels: c.labels };
        const draw = drawAugmentation(rng, hyper.augmentation);
        const a = applyAugmentation({ shape: c.shape, images, labels: c.labels, mask: c.mask }, draw);
        return { id: c.id, shape: c.shape, images: a.images, labels: a.labels };
      });
      const tensors = stackBatch(items, channels.length);
      try {
        const loss = pretrainStep(
          generator,
          optimizer,
          {
            ...tensors,
            classWeights: weightsOf(epoch),
            dropoutSeed: deriveSeed(seed, 'generator-dropout', step),
          },
          options.inspectGradients,
        );
        return { losses: { loss } };
      } finally {
        tf.dispose([tensors.images, tensors.labels]);
      }
    },
    epochFields: (epoch) => ({ classWeights: weightsOf(epoch) }),
  };
  try {
    return await runEpochs(config, { ...options, epochs, seed, batchSize }, trainer);
  } finally {
    optimizer.dispose();
    generator.dispose();
  }
}
