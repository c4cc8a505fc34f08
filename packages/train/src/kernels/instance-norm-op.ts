/**
 * The op side of the fused instance normalisation: kernel names, whether the running backend has
 * them, and a differentiable op over one sample that calls them. Runtime-free (tfjs-core only), so
 * that networks/ops.ts can take this path where the kernels are registered (hadnet's fast cpu
 * kernels, ./instance-norm.ts) and keep its composed ops elsewhere.
 * May depend on: tfjs-core.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The forward kernel: inputs `x` `[n, c]`, `gamma`, `beta` `[c]`; attr `epsilon`; outputs y, xhat, rstd. */
export const INSTANCE_NORM_KERNEL = 'HadnetInstanceNorm';

/** The gradient kernel: inputs `dy`, `xhat` `[n, c]`, `rstd`, `gamma` `[c]`; outputs dx, dgamma, dbeta. */
export const INSTANCE_NORM_GRAD_KERNEL = 'HadnetInstanceNormGrad';

/** Whether tfjs' current backend has the fused instance-norm kernels. */
export function hasFusedInstanceNorm(): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel(INSTANCE_NORM_KERNEL, backend) !== undefined &&
    tf.getKernel(INSTANCE_NORM_GRAD_KERNEL, backend) !== undefined
  );
}

const fused = tf.customGrad((...args: unknown[]) => {
  const [x, gamma, beta, epsilon, save] = args as [
    tf.Tensor5D,
    tf.Tensor1D,
    tf.Tensor1D,
    tf.Scalar,
    tf.GradSaveFunc,
  ];
  const c = x.shape[4];
  const n = x.size / c;
  const flat = tf.reshape(x, [n, c]);
  const [y, xhat, rstd] = tf
    .engine()
    .runKernel(
      INSTANCE_NORM_KERNEL,
      { x: flat, gamma, beta },
      { epsilon: epsilon.dataSync()[0] },
    ) as tf.Tensor[];
  save([xhat, rstd, gamma]);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [sxhat, srstd, sgamma] = saved;
    const [dx, dgamma, dbeta] = tf
      .engine()
      .runKernel(
        INSTANCE_NORM_GRAD_KERNEL,
        { dy: tf.reshape(dy, [n, c]), xhat: sxhat, rstd: srstd, gamma: sgamma },
        {},
      ) as tf.Tensor[];
    return [tf.reshape(dx, x.shape), dgamma, dbeta, tf.zerosLike(epsilon)];
  };
  return { value: tf.reshape(y, x.shape), gradFunc };
}) as (x: tf.Tensor5D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: tf.Scalar) => tf.Tensor5D;

/**
 * Instance normalisation of one sample through the fused kernels: `(x - mean) / sqrt(variance +
 * epsilon) * gamma + beta` per channel over D, H and W, differentiable in `x`, `gamma` and `beta`.
 * Call only where {@link hasFusedInstanceNorm} holds.
 * @param x - `[1, depth, height, width, channels]`
 * @param gamma - `[channels]`
 * @param beta - `[channels]`
 * @param epsilon - a scalar added to the variance
 */
export function fusedInstanceNorm(
  x: tf.Tensor5D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: tf.Scalar,
): tf.Tensor5D {
  return fused(x, gamma, beta, epsilon);
}
