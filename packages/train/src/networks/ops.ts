/**
 * The 3D operations the HAD-Net networks need that tfjs does not offer as such: instance
 * normalisation, nearest-neighbour upsampling, per-channel bias, convolution with PyTorch's
 * symmetric padding, and channel dropout. Every tensor is NDHWC (`[batch, depth, height, width,
 * channels]`), with D = k, H = j, W = i of the RAS-ordered NIfTI grid. Functional ops only
 * (tfjs-core without chained ops).
 *
 * Written around what the pure-JS cpu backend does quickly: a per-channel operand is always
 * rank 1 (`[channels]`: broadcasting a `[1, 1, 1, 1, C]` tensor takes a slow path, about 30x),
 * sums over voxels are matrix products with a row of ones (reductions over leading axes
 * transpose first), and the gradients of instance norm, bias and upsampling are written out
 * (tfjs' own would reduce over leading axes and slice). Every gradient here is checked against
 * finite differences in gradient.test.ts.
 * May depend on: tfjs-core, ../kernels/instance-norm-op (tfjs-core only: the fused instance norm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedInstanceNorm, hasFusedInstanceNorm } from '../kernels/instance-norm-op.js';

/** PyTorch's default epsilon of InstanceNorm3d. */
export const INSTANCE_NORM_EPSILON = 1e-5;

/** LeakyReLU slope of the generator (PyTorch's default). */
export const GENERATOR_LEAKY_SLOPE = 0.01;

/** LeakyReLU slope of the discriminator. */
export const DISCRIMINATOR_LEAKY_SLOPE = 0.2;

/** Sums `[n, c]` over its rows: `[c]`. */
function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  const [n, c] = x.shape;
  return tf.reshape(tf.matMul(tf.ones([1, n]), x), [c]);
}

/** Runs `fn` on each sample of a batch (`[1, D, H, W, C]` each) and stacks the results. */
function perSample(x: tf.Tensor5D, fn: (sample: tf.Tensor5D, index: number) => tf.Tensor5D): tf.Tensor5D {
  if (x.shape[0] === 1) return fn(x, 0);
  const samples = tf.split(x, x.shape[0], 0) as tf.Tensor5D[];
  return tf.concat(samples.map(fn), 0) as tf.Tensor5D;
}

const normalise = tf.customGrad((...args: unknown[]) => {
  const [x, gamma, beta, epsilon, save] = args as [
    tf.Tensor5D,
    tf.Tensor1D,
    tf.Tensor1D,
    tf.Scalar,
    tf.GradSaveFunc,
  ];
  const c = x.shape[4];
  const n = x.size / c;
  const flat = tf.reshape(x, [n, c]) as tf.Tensor2D;
  const mean = tf.div(columnSum(flat), n);
  const centred = tf.sub(flat, mean) as tf.Tensor2D;
  const variance = tf.div(columnSum(tf.square(centred) as tf.Tensor2D), n);
  const rstd = tf.rsqrt(tf.add(variance, epsilon)) as tf.Tensor1D;
  const xhat = tf.mul(centred, rstd) as tf.Tensor2D;
  save([xhat, rstd, gamma]);
  const value = tf.reshape(tf.add(tf.mul(xhat, gamma), beta), x.shape);

  // y = xhat * gamma + beta, xhat = (x - mean) * rstd, over the n voxels of each channel:
  // dx = rstd * gamma * (dy - sum(dy) / n - xhat * sum(dy * xhat) / n)
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [sxhat, srstd, sgamma] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
    const g = tf.reshape(dy, [n, c]) as tf.Tensor2D;
    const dbeta = columnSum(g);
    const dgamma = columnSum(tf.mul(g, sxhat) as tf.Tensor2D);
    const inner = tf.sub(tf.sub(g, tf.div(dbeta, n)), tf.mul(sxhat, tf.div(dgamma, n)));
    const dx = tf.reshape(tf.mul(inner, tf.mul(srstd, sgamma)), x.shape);
    return [dx, dgamma, dbeta, tf.zerosLike(epsilon)];
  };
  return { value, gradFunc };
}) as (x: tf.Tensor5D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: tf.Scalar) => tf.Tensor5D;

/**
 * Instance normalisation as PyTorch's InstanceNorm3d computes it: each channel of each sample
 * is shifted by its mean over D, H and W and divided by `sqrt(variance + epsilon)` (the biased
 * variance); then, when given, scaled by `gamma` and shifted by `beta` (affine = True). There are
 * no running statistics, so training and evaluation behave the same.
 *
 * @param x - `[batch, depth, height, width, channels]`
 * @param affine - per-channel `gamma` and `beta`, each `[channels]`; omitted for affine = False
 * @param epsilon - added to the variance
 * @defaultValue epsilon `1e-5`
 * @returns a tensor of `x`'s shape
 */
export function instanceNorm3d(
  x: tf.Tensor5D,
  affine?: { gamma: tf.Tensor1D; beta: tf.Tensor1D },
  epsilon = INSTANCE_NORM_EPSILON,
): tf.Tensor5D {
  return tf.tidy(() => {
    const c = x.shape[4];
    const gamma = affine?.gamma ?? tf.ones([c]);
    const beta = affine?.beta ?? tf.zeros([c]);
    const eps = tf.scalar(epsilon);

    // the same float32 steps in fused kernels where the backend has them (hadnet's fast cpu kernels)
    const run = hasFusedInstanceNorm() ? fusedInstanceNorm : normalise;
    return perSample(x, (sample) => run(sample, gamma as tf.Tensor1D, beta as tf.Tensor1D, eps));
  });
}

const biasAdd = tf.customGrad((...args: unknown[]) => {
  const [x, bias] = args as [tf.Tensor, tf.Tensor1D];
  const c = bias.shape[0];
  const gradFunc = (dy: tf.Tensor): tf.Tensor[] => [dy, columnSum(tf.reshape(dy, [-1, c]) as tf.Tensor2D)];
  return { value: tf.add(x, bias), gradFunc };
}) as (x: tf.Tensor, bias: tf.Tensor1D) => tf.Tensor;

/**
 * Adds a per-channel bias: `x + bias` over the last axis.
 * @param x - `[..., channels]`
 * @param bias - `[channels]`
 */
export function addChannelBias<T extends tf.Tensor>(x: T, bias: tf.Tensor1D): T {
  return biasAdd(x, bias) as T;
}

const isPowerOfTwo = (n: number): boolean => Number.isInteger(Math.log2(n));

/**
 * Nearest-neighbour upsampling to `size` = `[depth, height, width]`, each a whole multiple of
 * the input's extent: output voxel `o` takes input voxel `floor(o / factor)`, which is what
 * PyTorch's `F.interpolate(x, size)` (mode `'nearest'`) does for whole factors. The gradient sums
 * each output block back onto its input voxel (average pooling times the block's size).
 *
 * @param x - `[batch, depth, height, width, channels]`
 * @param size - the output's `[depth, height, width]`
 * @returns `[batch, size[0], size[1], size[2], channels]`
 * @throws RangeError when a target extent is not a whole multiple of the input's
 */
export function upsampleNearest3d(x: tf.Tensor5D, size: readonly [number, number, number]): tf.Tensor5D {
  const [b, d, h, w, c] = x.shape;
  const factors = [size[0] / d, size[1] / h, size[2] / w] as [number, number, number];
  if (!factors.every((f) => Number.isInteger(f) && f >= 1)) {
    throw new RangeError(
      `upsampleNearest3d: size [${size.join(', ')}] must be whole multiples of the input's ` +
        `[${[d, h, w].join(', ')}]`,
    );
  }
  if (factors.every((f) => f === 1)) return x;
  const [fd, fh, fw] = factors;
  const volume = fd * fh * fw;
  const run = tf.customGrad((...args: unknown[]) => {
    const [input] = args as [tf.Tensor5D];
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => [
      tf.mul(tf.avgPool3d(dy as tf.Tensor5D, factors, factors, 'valid'), volume),
    ];
    return { value: repeat(input), gradFunc };
  }) as (input: tf.Tensor5D) => tf.Tensor5D;

  // the forward: tfjs' 2D nearest resize is exact for power-of-two factors (1/f is exact in
  // floating point); other factors repeat by reshapes and tiles
  const repeat = (t: tf.Tensor5D): tf.Tensor5D => {
    if (factors.every(isPowerOfTwo)) {
      let y: tf.Tensor = tf.reshape(t, [b * d, h, w, c]);
      y = tf.image.resizeNearestNeighbor(y as tf.Tensor4D, [h * fh, w * fw]);
      y = tf.reshape(y, [b, d, 1, h * fh * w * fw * c]);
      y = tf.image.resizeNearestNeighbor(y as tf.Tensor4D, [d * fd, 1]);
      return tf.reshape(y, [b, d * fd, h * fh, w * fw, c]);
    }
    let y: tf.Tensor = tf.tile(tf.reshape(t, [b * d * h, w, 1, c]), [1, 1, fw, 1]);
    y = tf.tile(tf.reshape(y, [b * d, h, 1, w * fw * c]), [1, 1, fh, 1]);
    y = tf.tile(tf.reshape(y, [b, d, 1, h * fh * w * fw * c]), [1, 1, fd, 1]);
    return tf.reshape(y, [b, d * fd, h * fh, w * fw, c]);
  };
  return run(x);
}

/**
 * A 3D convolution with PyTorch's explicit padding: `padding` zeros on both sides of D, H and
 * W, then a `'valid'` convolution. Where tfjs' `'same'` would pad exactly so (symmetric, the same
 * output extent: kernel 3 stride 1, or kernel 4 stride 2 on an even extent), `'same'` is used and
 * no padded copy is made; otherwise the input is padded with `tf.pad` (tfjs' `'same'` pads
 * asymmetrically or gives another extent there, for example kernel 4 stride 1).
 *
 * @param x - `[batch, depth, height, width, inChannels]`
 * @param kernel - `[k, k, k, inChannels, outChannels]` (a cube)
 * @param stride - the same on all three axes
 * @param padding - zeros added on each side of each spatial axis
 * @returns `[batch, floor((D + 2 padding - k) / stride) + 1, ..., outChannels]`
 */
export function conv3dPadded(
  x: tf.Tensor5D,
  kernel: tf.Tensor5D,
  stride: number,
  padding: number,
): tf.Tensor5D {
  const k = kernel.shape[0];
  const spatial = x.shape.slice(1, 4);
  const sameIsExact = spatial.every((n) => {
    const out = Math.ceil(n / stride);
    const total = Math.max((out - 1) * stride + k - n, 0);
    return (
      Math.floor(total / 2) === padding &&
      total - padding === padding &&
      out === Math.floor((n + 2 * padding - k) / stride) + 1
    );
  });
  if (sameIsExact) return tf.conv3d(x, kernel, stride, 'same');
  return tf.tidy(() => {
    const p: [number, number] = [padding, padding];
    const padded = padding > 0 ? tf.pad(x, [[0, 0], p, p, p, [0, 0]]) : x;
    return tf.conv3d(padded, kernel, stride, 'valid');
  });
}

/**
 * Channel dropout as PyTorch's `nn.Dropout3d`: each channel of each sample is zeroed as a whole
 * with probability `rate` (noise shape `[batch, 1, 1, 1, channels]`), and the kept ones are
 * scaled by `1 / (1 - rate)`. Returns `x` itself when `rate` is 0.
 *
 * @param x - `[batch, depth, height, width, channels]`
 * @param rate - the probability of dropping a channel, in [0, 1)
 * @param seed - a seed for the mask; random when omitted
 */
export function channelDropout3d(x: tf.Tensor5D, rate: number, seed?: number): tf.Tensor5D {
  if (rate === 0) return x;
  if (!(rate > 0 && rate < 1)) {
    throw new RangeError(`channelDropout3d: rate must be in [0, 1); got ${rate}`);
  }
  return tf.tidy(() => {
    const [b, , , , c] = x.shape;
    const keep = 1 - rate;
    const mask = tf.div(tf.floor(tf.add(tf.randomUniform([b, c], 0, 1, 'float32', seed), keep)), keep);
    const rows = b === 1 ? [tf.reshape(mask, [c])] : tf.unstack(mask, 0);
    return perSample(x, (sample, i) => tf.mul(sample, rows[i]) as tf.Tensor5D);
  });
}

/**
 * A convolution over the channel-wise concatenation of `inputs`, computed as the sum of one
 * convolution per input (the same numbers, without a concatenation whose gradient tfjs would
 * split along channels), plus an optional bias.
 *
 * @param inputs - tensors `[batch, D, H, W, c_i]` of one spatial shape, in concatenation order
 * @param kernels - `[k, k, k, c_i, out]`, one per input
 * @param bias - `[out]`, or undefined for none
 * @param stride - as {@link conv3dPadded}
 * @param padding - as {@link conv3dPadded}
 * @returns `[batch, D', H', W', out]`
 */
export function conv3dOverParts(
  inputs: readonly tf.Tensor5D[],
  kernels: readonly tf.Tensor5D[],
  bias: tf.Tensor1D | undefined,
  stride: number,
  padding: number,
): tf.Tensor5D {
  if (inputs.length !== kernels.length || inputs.length === 0) {
    throw new RangeError(
      `conv3dOverParts: expected one kernel per input; got ${inputs.length} inputs, ${kernels.length} kernels`,
    );
  }
  return tf.tidy(() => {
    const terms = inputs.map((x, i) => conv3dPadded(x, kernels[i], stride, padding));
    const sum = terms.length === 1 ? terms[0] : (tf.addN(terms) as tf.Tensor5D);
    return bias ? addChannelBias(sum, bias) : sum;
  });
}
