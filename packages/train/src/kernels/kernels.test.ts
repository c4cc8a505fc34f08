/**
 * hadnet's fast cpu kernels against tfjs' stock cpu kernels on the same inputs: the convolution
 * gradients to 1e-4 of the reference's largest magnitude (float32 sums taken in another order),
 * the binary ops and SplitV exactly (the same float32 arithmetic element by element). The stock
 * kernels are the reference: the fast ones are swapped in and out around each computation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from '../backend.js';
import { loadNativeKernels } from './native.js';
import { disableFastKernels, enableFastKernels, fastKernelsEnabled } from './register.js';

/** Runs `fn` with the stock kernels, then with the fast ones, and returns both results' values. */
function both(fn: () => tf.Tensor[]): { stock: Float32Array[]; fast: Float32Array[]; shapes: number[][] } {
  disableFastKernels();
  const s = tf.tidy(fn);
  enableFastKernels();
  const f = tf.tidy(fn);
  disableFastKernels();
  const read = (ts: tf.Tensor[]): Float32Array[] => ts.map((t) => Float32Array.from(t.dataSync()));
  const result = { stock: read(s), fast: read(f), shapes: s.map((t) => t.shape) };
  tf.dispose([...s, ...f]);
  return result;
}

/** max |a - b| / max |b|, over one array pair. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

beforeAll(async () => {
  await setupTrainingBackend({ backend: 'cpu' });
});
afterAll(() => disableFastKernels());

const native = loadNativeKernels();
if (!native.kernels) console.log(`skipping the native convolution tests: ${native.reason}`);

describe.skipIf(!native.kernels)('native conv3d kernels', () => {
  // seeds are never 0: tfjs draws a random seed for 0
  // [input shape, filter shape, stride, padding]: 'same' with stride 2 on odd and even extents
  // pads asymmetrically (more at the back), kernel 4 stride 2 as the discriminator, 1x1x1 as
  // conv_out, a batch of 2, unequal strides
  const cases: Array<[string, number[], number[], number | [number, number, number], 'same' | 'valid']> = [
    ['3x3x3 same', [1, 7, 6, 5, 3], [3, 3, 3, 3, 4], 1, 'same'],
    ['3x3x3 same stride 2, odd extents', [1, 7, 9, 5, 2], [3, 3, 3, 2, 3], 2, 'same'],
    ['4x4x4 same stride 2, even extents', [1, 8, 6, 10, 3], [4, 4, 4, 3, 2], 2, 'same'],
    ['4x4x4 valid stride 1', [1, 6, 7, 5, 2], [4, 4, 4, 2, 3], 1, 'valid'],
    ['2x3x4 valid strides 1,2,3', [2, 6, 7, 9, 2], [2, 3, 4, 2, 3], [1, 2, 3], 'valid'],
    ['1x1x1', [2, 4, 5, 3, 5], [1, 1, 1, 5, 4], 1, 'same'],
  ];

  it.each(cases)(
    '%s: output and both gradients match stock tfjs-cpu',
    (_name, xShape, wShape, stride, pad) => {
      const seed = xShape.reduce((a, b) => a * 31 + b, 7);
      const { stock, fast } = both(() => {
        const x = tf.randomNormal(xShape, 0, 1, 'float32', seed);
        const w = tf.randomNormal(wShape, 0, 1, 'float32', seed + 1);
        const y = tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, stride, pad);
        const r = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 2);
        const loss = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, stride, pad), r));
        const [dx, dw] = tf.grads(loss)([x, w]);
        return [y, dx, dw];
      });
      for (let i = 0; i < 3; i++) {
        expect(fast[i].length).toBe(stock[i].length);
        expect(relativeError(fast[i], stock[i])).toBeLessThan(1e-5);
      }
    },
  );

  it.each([
    ['[1, 5, 3]', [1, 5, 3], false, false],
    ['[2, 3, 4] by [2, 4, 5]', [2, 3, 4], false, false],
    ['transposed a', [2, 4, 3], true, false],
    ['transposed b', [1, 3, 4], false, true],
  ] as Array<[string, [number, number, number], boolean, boolean]>)(
    'BatchMatMul %s matches stock tfjs-cpu',
    (_n, aShape, ta, tb) => {
      const k = ta ? aShape[1] : aShape[2];
      const bShape: [number, number, number] = tb ? [aShape[0], 5, k] : [aShape[0], k, 5];
      const { stock, fast } = both(() => {
        const a = tf.randomNormal(aShape, 0, 1, 'float32', 21) as tf.Tensor3D;
        const b = tf.randomNormal(bShape, 0, 1, 'float32', 22) as tf.Tensor3D;
        return [
          tf.matMul(a, b, ta, tb),
          tf.matMul(tf.ones([1, 7]), tf.randomNormal([7, 3], 0, 1, 'float32', 23)),
        ];
      });
      for (let i = 0; i < 2; i++) expect(relativeError(fast[i], stock[i])).toBeLessThan(1e-6);
    },
  );

  it('multiplies a hand-worked pair', () => {
    enableFastKernels();
    const y = tf.matMul(
      tf.tensor2d([[1, 2, 3]]),
      tf.tensor2d([
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
    );
    expect(Array.from(y.dataSync())).toEqual([4, 5]);
    disableFastKernels();
  });

  it('computes a known convolution by hand', () => {
    // x = 0..7 on a 2x2x2 grid, one channel; a 2x2x2 kernel of ones, 'valid': the sum 28
    enableFastKernels();
    const y = tf.conv3d(
      tf.reshape(tf.range(0, 8), [1, 2, 2, 2, 1]) as tf.Tensor5D,
      tf.ones([2, 2, 2, 1, 1]),
      1,
      'valid',
    );
    expect(Array.from(y.dataSync())).toEqual([28]);
    disableFastKernels();
  });
});

describe('plain-JS kernels', () => {
  const shapes: Array<[number[], number[]]> = [
    [
      [2, 3, 4, 5],
      [2, 3, 4, 5],
    ],
    [[60, 8], [8]],
    [
      [1, 4, 3, 5, 8],
      [1, 1, 1, 1, 8],
    ],
    [
      [1, 1, 1, 1, 1],
      [1, 4, 3, 5, 6],
    ],
    [
      [60, 1],
      [60, 8],
    ],
    [
      [3, 1, 4],
      [3, 5, 4],
    ],
    [[], [7, 3]],
    [
      [4, 1, 3],
      [1, 5, 1],
    ],
  ];
  const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['div', tf.div],
    ['maximum', tf.maximum],
    ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference],
    ['greater', tf.greater],
    ['greaterEqual', tf.greaterEqual],
    ['less', tf.less],
    ['lessEqual', tf.lessEqual],
    ['equal', tf.equal],
  ];
  it.each(ops)('%s equals stock tfjs-cpu on every broadcast pattern', (_name, op) => {
    for (const [aShape, bShape] of shapes) {
      const {
        stock,
        fast,
        shapes: outShapes,
      } = both(() => {
        // rounded values make equal pairs, so that the comparisons see ties
        const a = tf.round(tf.randomNormal(aShape, 0, 2, 'float32', 11));
        const b = tf.round(tf.randomNormal(bShape, 0, 2, 'float32', 12));
        return [tf.cast(op(a, b), 'float32'), tf.cast(op(b, a), 'float32')];
      });
      expect(outShapes[0]).toEqual(tf.backend_util.assertAndGetBroadcastShape(aShape, bShape));
      expect(fast).toEqual(stock);
    }
  });

  it('adds [n, c] and [c] as a hand-worked example', () => {
    enableFastKernels();
    const y = tf.add(
      tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      tf.tensor1d([10, 20]),
    );
    expect(Array.from(y.dataSync())).toEqual([11, 22, 13, 24, 15, 26]);
    const z = tf.mul(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      tf.tensor2d([[2], [3]]),
    );
    expect(Array.from(z.dataSync())).toEqual([2, 4, 9, 12]);
    disableFastKernels();
  });

  it('splits along every axis as stock tfjs-cpu does, and as slices', () => {
    const shape = [4, 3, 5, 6];
    for (const axis of [0, 1, 2, 3]) {
      const sizes = [1, shape[axis] - 1];
      const { stock, fast } = both(() =>
        tf.split(tf.randomNormal(shape, 0, 1, 'float32', axis + 1), sizes, axis),
      );
      expect(fast).toEqual(stock);
    }
    enableFastKernels();
    const [a, b] = tf.split(
      tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      [1, 2],
      1,
    );
    expect(Array.from(a.dataSync())).toEqual([1, 4]);
    expect(Array.from(b.dataSync())).toEqual([2, 3, 5, 6]);
    disableFastKernels();
  });

  // [input shape, window, stride, padding]: rounded values, so windows hold ties
  const pools: Array<[string, [number, number, number, number, number], number, number, 'same' | 'valid']> = [
    ['2x2x2 stride 2', [1, 6, 4, 8, 3], 2, 2, 'valid'],
    ['3x3x3 stride 1 same', [2, 5, 4, 3, 2], 3, 1, 'same'],
    ['3x3x3 stride 2 same, odd extents', [1, 7, 5, 5, 2], 3, 2, 'same'],
  ];
  it.each(pools)(
    'pools %s as stock tfjs-cpu: max, its gradient, average',
    (_name, shape, size, stride, pad) => {
      const { stock, fast } = both(() => {
        const x = tf.round(tf.randomNormal(shape, 0, 2, 'float32', 31)) as tf.Tensor5D;
        const max = tf.maxPool3d(x, size, stride, pad);
        const r = tf.randomNormal(max.shape, 0, 1, 'float32', 32);
        const [dx] = tf.grads((t: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool3d(t as tf.Tensor5D, size, stride, pad), r)),
        )([x]);
        return [max, dx, tf.avgPool3d(x, size, stride, pad)];
      });
      expect(fast[0]).toEqual(stock[0]);
      expect(relativeError(fast[1], stock[1])).toBeLessThan(1e-6);
      expect(relativeError(fast[2], stock[2])).toBeLessThan(1e-6);
    },
  );

  it('sends a max-pool gradient to the last of tied maxima, as stock tfjs-cpu does', () => {
    enableFastKernels();
    const x = tf.tensor5d([1, 3, 3, 0, 2, 3, 1, 1], [1, 2, 2, 2, 1]);
    const [dx] = tf.grads((t: tf.Tensor) => tf.sum(tf.maxPool3d(t as tf.Tensor5D, 2, 2, 'valid')))([x]);
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(tf.avgPool3d(x, 2, 2, 'valid').dataSync())).toEqual([14 / 8]);
    disableFastKernels();
  });

  it.each([0.01, 0.2])(
    'takes the LeakyReLU gradient (slope %s) as stock tfjs-cpu does, and restores it',
    (alpha) => {
      const stockGradient = tf.getGradient(tf.LeakyRelu);
      const { stock, fast } = both(() => {
        // rounded values, so that zeros take the negative side as in tfjs (x > 0)
        const x = tf.round(tf.randomNormal([3, 4, 5, 6], 0, 2, 'float32', 51));
        const r = tf.randomNormal(x.shape, 0, 1, 'float32', 52);
        const [dx] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, alpha), r)))([x]);
        return [tf.leakyRelu(x, alpha), dx];
      });
      expect(fast).toEqual(stock);
      expect(tf.getGradient(tf.LeakyRelu)).toBe(stockGradient);
    },
  );

  it('puts the stock kernels back', () => {
    enableFastKernels();
    expect(fastKernelsEnabled()).toBe(true);
    disableFastKernels();
    expect(fastKernelsEnabled()).toBe(false);
  });
});
