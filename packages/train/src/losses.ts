/**
 * HAD-Net's losses (../shared/method/HADNET.md §3), as plain functions of tensors: the
 * class-weighted cross-entropy with its per-epoch weight decay, the LSGAN losses of the student
 * and the discriminator, and the discriminator's accuracy gate. Tensors are NDHWC
 * (`[batch, depth, height, width, channels]`).
 * May depend on: tfjs-core.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The reference's class weights for [background, NCR/NET, ED, ET] ("found for BraTS 2019"). */
export const REFERENCE_CLASS_WEIGHTS: readonly number[] = Object.freeze([1.0, 59.4507, 23.319, 71.8481]);

/** Per-epoch decay factor of the class weights in pre-training. */
export const CLASS_WEIGHT_DECAY = 0.98;

/** Weight of the adversarial term in the student's loss during distillation. */
export const ADVERSARIAL_LAMBDA = 0.2;

/** The discriminator is updated only while its accuracy is at most this. */
export const DISCRIMINATOR_ACCURACY_THRESHOLD = 0.8;

/**
 * The class weights of pre-training epoch `epoch` (0 for the first): `max(w0 * 0.98^epoch, 1)`
 * per class. The distillation stage keeps the undecayed weights (epoch 0).
 *
 * @param epoch - the 0-based epoch, a non-negative integer
 * @param initial - the weights of epoch 0
 * @param decay - the factor per epoch
 * @defaultValue initial {@link REFERENCE_CLASS_WEIGHTS}, decay 0.98
 * @returns one weight per class, none below 1
 * @throws RangeError when `epoch` is not a non-negative integer
 * @example
 * ```ts
 * classWeightsAtEpoch(156); // ED has reached 1: [1, 2.535..., 1, 3.063...]
 * ```
 */
export function classWeightsAtEpoch(
  epoch: number,
  initial: readonly number[] = REFERENCE_CLASS_WEIGHTS,
  decay = CLASS_WEIGHT_DECAY,
): number[] {
  if (!Number.isInteger(epoch) || epoch < 0) {
    throw new RangeError(`classWeightsAtEpoch: epoch must be a non-negative integer; got ${epoch}`);
  }
  return initial.map((w) => Math.max(w * decay ** epoch, 1));
}

/**
 * Class-weighted cross-entropy, as PyTorch's `CrossEntropyLoss(weight=w)` with mean reduction:
 * `sum_v w[y_v] * -log softmax(logits_v)[y_v] / sum_v w[y_v]` over every voxel v of the batch.
 *
 * @param logits - raw scores, `[batch, D, H, W, classes]`
 * @param labels - class indices `[batch, D, H, W]` (int32, 0 to classes - 1)
 * @param weights - one per class
 * @returns a scalar
 * @throws RangeError when the shapes disagree or the weights do not match the classes
 */
export function weightedCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  weights: readonly number[] = REFERENCE_CLASS_WEIGHTS,
): tf.Scalar {
  const classes = logits.shape[logits.rank - 1];
  const spatial = logits.shape.slice(0, -1);
  if (labels.rank !== spatial.length || labels.shape.some((n, i) => n !== spatial[i])) {
    throw new RangeError(
      `weightedCrossEntropy: labels must be [${spatial.join(', ')}] for logits [${logits.shape.join(', ')}]; ` +
        `got [${labels.shape.join(', ')}]`,
    );
  }
  if (labels.dtype !== 'int32') {
    throw new RangeError(`weightedCrossEntropy: labels must be int32 class indices; got ${labels.dtype}`);
  }
  if (weights.length !== classes) {
    throw new RangeError(
      `weightedCrossEntropy: expected ${classes} weights (one per class); got ${weights.length}`,
    );
  }
  return tf.tidy(() => {
    const n = labels.size;
    const logProbabilities = tf.reshape(tf.logSoftmax(tf.reshape(logits, [n, classes])), [n, classes]);
    const oneHot = tf.oneHot(tf.reshape(labels, [n]), classes);
    const w = tf.tensor1d(weights as number[]);

    // per voxel: the weight of its true class and that class's negative log-probability
    const voxelWeights = tf.sum(tf.mul(oneHot, w), 1);
    const nll = tf.neg(tf.sum(tf.mul(oneHot, logProbabilities), 1));
    return tf.div(tf.sum(tf.mul(voxelWeights, nll)), tf.sum(voxelWeights)) as tf.Scalar;
  });
}

/** Mean squared error between `prediction` and a constant `target` (PyTorch's `MSELoss`, mean). */
export function meanSquaredErrorTo(prediction: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(prediction, target))) as tf.Scalar);
}

/**
 * The adversarial part of the student's loss (LSGAN): `MSE(D(student), 1)`.
 * @param fakeScores - the discriminator's patch scores for the student, any shape
 */
export function generatorAdversarialLoss(fakeScores: tf.Tensor): tf.Scalar {
  return meanSquaredErrorTo(fakeScores, 1);
}

/**
 * The discriminator's loss (LSGAN): `MSE(D(teacher), 1) + MSE(D(student), 0)`, a plain sum
 * without a 1/2 factor, as the reference.
 * @param realScores - patch scores for the teacher's outputs
 * @param fakeScores - patch scores for the student's outputs (computed from detached tensors)
 */
export function discriminatorLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () => tf.add(meanSquaredErrorTo(realScores, 1), meanSquaredErrorTo(fakeScores, 0)) as tf.Scalar,
  );
}

/** Inputs of {@link studentDistillationLoss}. */
export interface StudentLossInputs {
  /** The student's logits, `[batch, D, H, W, classes]`. */
  logits: tf.Tensor;
  /** Ground truth class indices, `[batch, D, H, W]` int32. */
  labels: tf.Tensor;
  /** The discriminator's patch scores for the student. */
  fakeScores: tf.Tensor;
  /** @defaultValue {@link REFERENCE_CLASS_WEIGHTS} (fixed during distillation) */
  weights?: readonly number[];
  /** @defaultValue 0.2 */
  lambda?: number;
}

/**
 * The student's loss in distillation: `CE_w(logits, labels) + lambda * MSE(D(student), 1)`.
 * @returns a scalar
 */
export function studentDistillationLoss(inputs: StudentLossInputs): tf.Scalar {
  const lambda = inputs.lambda ?? ADVERSARIAL_LAMBDA;
  return tf.tidy(
    () =>
      tf.add(
        weightedCrossEntropy(inputs.logits, inputs.labels, inputs.weights),
        tf.mul(generatorAdversarialLoss(inputs.fakeScores), lambda),
      ) as tf.Scalar,
  );
}

/**
 * The discriminator's accuracy over its patch cells:
 * `0.5 * (mean(D(real) >= 0.5) + mean(D(fake) <= 0.5))`.
 * @param realScores - patch scores for the teacher
 * @param fakeScores - patch scores for the student
 * @returns a number in [0, 1] (read synchronously)
 */
export function discriminatorAccuracy(realScores: tf.Tensor, fakeScores: tf.Tensor): number {
  // counts are whole numbers, exact in float32; the fractions are taken in float64 so that an
  // accuracy of exactly 0.8 compares equal to the threshold
  const counts = tf.tidy(() =>
    tf.stack([
      tf.sum(tf.cast(tf.greaterEqual(realScores, 0.5), 'float32')),
      tf.sum(tf.cast(tf.lessEqual(fakeScores, 0.5), 'float32')),
    ]),
  );
  const [real, fake] = counts.dataSync();
  counts.dispose();
  return 0.5 * (real / realScores.size + fake / fakeScores.size);
}

/**
 * Whether the discriminator takes its step: only while its accuracy is at most the threshold.
 * @param accuracy - from {@link discriminatorAccuracy}
 * @param threshold - @defaultValue 0.8
 */
export function shouldUpdateDiscriminator(
  accuracy: number,
  threshold = DISCRIMINATOR_ACCURACY_THRESHOLD,
): boolean {
  return accuracy <= threshold;
}
