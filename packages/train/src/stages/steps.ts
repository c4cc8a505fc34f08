/**
 * One optimisation step of each stage, on tensors: the pre-training step (weighted
 * cross-entropy, AdamW) and the distillation step (frozen teacher with dropout on, the student's
 * step, then the discriminator's step on the student's outputs from before that update, gated on
 * its accuracy). Tensors are NDHWC (`[batch, D, H, W, channels]`); labels `[batch, D, H, W]` int32.
 * Every tensor a step makes is released before it returns.
 * May depend on: tfjs-core, ../losses, ../networks, ./optimizer.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  discriminatorAccuracy,
  discriminatorLoss,
  generatorAdversarialLoss,
  shouldUpdateDiscriminator,
  weightedCrossEntropy,
} from '../losses.js';
import type { Discriminator } from '../networks/discriminator.js';
import {
  disposeGeneratorOutput,
  keepGeneratorOutput,
  type Generator,
  type GeneratorOutput,
} from '../networks/generator.js';
import type { AdamOptimizer } from './optimizer.js';

/** Sees each network's gradients before the update (tests check that they reach every variable). */
export type GradientInspector = (
  network: 'generator' | 'discriminator',
  gradients: tf.NamedTensorMap,
) => void;

/** Inputs of {@link pretrainStep}. */
export interface PretrainStepInput {
  /** `[batch, D, H, W, channels]`, the generator's channels. */
  images: tf.Tensor5D;
  /** `[batch, D, H, W]` int32 class indices. */
  labels: tf.Tensor4D;
  /** Class weights of this epoch. */
  classWeights: readonly number[];
  /** Seeds this step's dropout masks. */
  dropoutSeed: number;
}

/**
 * One pre-training step: the generator in training mode (dropout on), the class-weighted
 * cross-entropy, its gradients, one optimizer update.
 * @returns the loss before the update
 */
export function pretrainStep(
  generator: Generator,
  optimizer: AdamOptimizer,
  input: PretrainStepInput,
  inspect?: GradientInspector,
): number {
  const { value, grads } = tf.variableGrads(
    () =>
      weightedCrossEntropy(
        generator.apply(input.images, { training: true, seed: input.dropoutSeed }).logits,
        input.labels,
        input.classWeights,
      ),
    generator.trainableVariables(),
  );
  try {
    inspect?.('generator', grads);
    optimizer.apply(grads);
    return value.dataSync()[0];
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

/** The networks and optimizers of distillation. */
export interface DistillNetworks {
  /** Frozen: never updated. */
  teacher: Generator;
  student: Generator;
  discriminator: Discriminator;
  studentOptimizer: AdamOptimizer;
  discriminatorOptimizer: AdamOptimizer;
}

/** Inputs and settings of {@link distillStep}. */
export interface DistillStepInput {
  /** `[batch, D, H, W, 4]`: flair, t1ce, t1, t2. */
  teacherImages: tf.Tensor5D;
  /** `[batch, D, H, W, 3]`: flair, t1, t2; the discriminator sees these for both branches. */
  studentImages: tf.Tensor5D;
  /** `[batch, D, H, W]` int32 class indices. */
  labels: tf.Tensor4D;
  /** Fixed class weights (the reference's, undecayed). */
  classWeights: readonly number[];
  /** Weight of the adversarial term in the student's loss (0.2). */
  lambda: number;
  /** The discriminator steps only while its accuracy is at most this (0.8). */
  threshold: number;
  /** Run the frozen teacher with dropout on, as the reference does (`teacher.train()`). */
  teacherDropout: boolean;
  /** Seeds of this step's dropout masks. */
  seeds: { teacher: number; student: number };
}

/** What one distillation step measured. */
export interface DistillStepResult {
  /** The student's loss, `crossEntropy + lambda * adversarial`, before its update. */
  student: number;
  crossEntropy: number;
  /** `MSE(D(student), 1)`. */
  adversarial: number;
  /** `MSE(D(teacher), 1) + MSE(D(student), 0)` on the stale student outputs, before any update. */
  discriminator: number;
  /** The discriminator's patch accuracy on the same. */
  accuracy: number;
  /** Whether the gate let the discriminator step. */
  discriminatorUpdated: boolean;
}

/**
 * One distillation step, as the reference's iteration:
 * 1. the teacher's outputs, under no tape, dropout on (unless `teacherDropout` is false);
 * 2. the student's step: `L_S = CE_w(student) + lambda * MSE(D(student logits, student images,
 *    student features), 1)`, gradients for the student only, one update; its outputs are kept;
 * 3. the discriminator's step on those kept outputs (computed before the student's update):
 *    `L_D = MSE(D(teacher), 1) + MSE(D(student), 0)` on logits and the student's images; taken
 *    only when the accuracy `0.5 (mean(D(teacher) >= 0.5) + mean(D(student) <= 0.5))` is at most
 *    `threshold`.
 */
export function distillStep(
  networks: DistillNetworks,
  input: DistillStepInput,
  inspect?: GradientInspector,
): DistillStepResult {
  const { teacher, student, discriminator, studentOptimizer, discriminatorOptimizer } = networks;
  const { studentImages, labels, classWeights, lambda } = input;

  // the frozen teacher's outputs
  const real = teacher.apply(input.teacherImages, {
    keepDropout: input.teacherDropout,
    seed: input.seeds.teacher,
  });
  let fake: GeneratorOutput | undefined;
  let parts: tf.Tensor1D | undefined;
  try {
    // the student's step; its outputs are kept for the discriminator's step
    const { value, grads } = tf.variableGrads(() => {
      const out = student.apply(studentImages, { training: true, seed: input.seeds.student });
      fake = keepGeneratorOutput(out);
      const crossEntropy = weightedCrossEntropy(out.logits, labels, classWeights);
      const adversarial = generatorAdversarialLoss(
        discriminator.apply(out.logits, studentImages, out.features),
      );
      parts = tf.keep(tf.stack([crossEntropy, adversarial]) as tf.Tensor1D);
      return tf.add(crossEntropy, tf.mul(adversarial, lambda)) as tf.Scalar;
    }, student.trainableVariables());
    let studentLoss: number;
    try {
      inspect?.('generator', grads);
      studentOptimizer.apply(grads);
      studentLoss = value.dataSync()[0];
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
    const [crossEntropy, adversarial] = parts!.dataSync();
    const stale = fake!;

    // the discriminator's accuracy and loss on the stale outputs, then its gated step
    const scores = tf.tidy(() => [
      discriminator.apply(real.logits, studentImages, real.features),
      discriminator.apply(stale.logits, studentImages, stale.features),
    ]);
    const accuracy = discriminatorAccuracy(scores[0], scores[1]);
    const lossTensor = discriminatorLoss(scores[0], scores[1]);
    const discLoss = lossTensor.dataSync()[0];
    tf.dispose([...scores, lossTensor]);
    const update = shouldUpdateDiscriminator(accuracy, input.threshold);
    if (update) {
      const d = tf.variableGrads(
        () =>
          discriminatorLoss(
            discriminator.apply(real.logits, studentImages, real.features),
            discriminator.apply(stale.logits, studentImages, stale.features),
          ),
        discriminator.trainableVariables(),
      );
      try {
        inspect?.('discriminator', d.grads);
        discriminatorOptimizer.apply(d.grads);
      } finally {
        tf.dispose([d.value, ...Object.values(d.grads)]);
      }
    }
    return {
      student: studentLoss,
      crossEntropy,
      adversarial,
      discriminator: discLoss,
      accuracy,
      discriminatorUpdated: update,
    };
  } finally {
    disposeGeneratorOutput(real);
    if (fake) disposeGeneratorOutput(fake);
    parts?.dispose();
  }
}
