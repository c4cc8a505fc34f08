/**
 * Finite differences on a tiny net built from the networks' own 3D operations: the check that
 * catches a backend returning wrong 3D gradients (tfjs' wasm backend does, silently).
 *
 * The net: x [1,8,8,8,2] -> conv 3x3x3 'same' (2->3, bias) -> affine instance norm ->
 * LeakyReLU 0.01 = h -> max-pool 2 -> nearest upsample x2 = u -> conv 4x4x4 stride 2 padding 1
 * over concat(u, h) (6->2, bias) -> instance norm -> LeakyReLU 0.2 -> conv 4x4x4 stride 1 padding 1
 * (2->1, the explicit-padding path) -> loss = sum(output * R).
 *
 * The analytic gradient comes from tfjs (float32, on the backend under test). The numeric one
 * comes from the same net written as float64 loops (test/reference.ts), with central
 * differences of step 1e-5: its truncation error (~step^2) and rounding error (~1e-16 / step)
 * are both below 1e-9, far under the tolerance. The tolerance, 1e-3 of the larger of the
 * entry's magnitude and the variable's root-mean-square gradient, leaves room for float32
 * accumulation (unit round-off 6e-8 times sums of a few hundred terms) and for the rare kink of
 * LeakyReLU or max-pool crossed by a step; a wrong gradient is off by its own size, 1000 times
 * more. Gradients that are exactly zero (a bias before an instance norm) come out of float32 as
 * cancellation residues, hence an absolute floor of 1e-5 of the largest variable's scale.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTrainingBackend } from '../backend.js';
import { addChannelBias, conv3dOverParts, conv3dPadded, instanceNorm3d, upsampleNearest3d } from './ops.js';
import * as ref from '../../test/reference.js';

const names = ['x', 'k1', 'b1', 'gamma', 'beta', 'k2u', 'k2h', 'b2', 'k3'] as const;
type Name = (typeof names)[number];
type Values = Record<Name, ref.Arr>;

const shapes: Record<Name, number[]> = {
  x: [1, 8, 8, 8, 2],
  k1: [3, 3, 3, 2, 3],
  b1: [3],
  gamma: [3],
  beta: [3],
  k2u: [4, 4, 4, 3, 2],
  k2h: [4, 4, 4, 3, 2],
  b2: [2],
  k3: [4, 4, 4, 2, 1],
};

function initialValues(): Values {
  const out = {} as Values;
  names.forEach((name, i) => {
    const size = shapes[name].reduce((a, b) => a * b, 1);
    const scale = name === 'gamma' ? 0.3 : name.startsWith('k') ? 0.4 : 1;
    const values = ref
      .randomValues(size, 100 + i, scale)
      .map((v) => Math.fround(name === 'gamma' ? 1 + v : v));
    out[name] = ref.arr(shapes[name], values);
  });
  return out;
}

const weightsR = ref.arr([1, 3, 3, 3, 1], ref.randomValues(27, 99).map(Math.fround));

/** The net in float64 loops. */
function referenceLoss(v: Values): number {
  const h = ref.leakyRelu(ref.instanceNorm(ref.conv3d(v.x, v.k1, v.b1, 1, 1), 1e-5, v.gamma, v.beta), 0.01);
  const u = ref.upsample(ref.maxPool2(h), [2, 2, 2]);
  const k2 = concatKernels(v.k2u, v.k2h);
  const z = ref.leakyRelu(
    ref.instanceNorm(ref.conv3d(ref.concatChannels([u, h]), k2, v.b2, 2, 1), 1e-5),
    0.2,
  );
  const out = ref.conv3d(z, v.k3, undefined, 1, 1);
  return out.data.reduce((s, o, i) => s + o * weightsR.data[i], 0);
}

/** [4,4,4,3,2] and [4,4,4,3,2] -> [4,4,4,6,2], input channels of the first, then the second. */
function concatKernels(a: ref.Arr, b: ref.Arr): ref.Arr {
  const k = ref.arr([4, 4, 4, 6, 2]);
  for (let t = 0; t < 64; t++)
    for (let i = 0; i < 3; i++)
      for (let o = 0; o < 2; o++) {
        k.data[(t * 6 + i) * 2 + o] = a.data[(t * 3 + i) * 2 + o];
        k.data[(t * 6 + 3 + i) * 2 + o] = b.data[(t * 3 + i) * 2 + o];
      }
  return k;
}

/** Numeric gradient of every entry of every variable. */
function numericGradients(v: Values, step = 1e-5): Record<Name, Float64Array> {
  const out = {} as Record<Name, Float64Array>;
  for (const name of names) {
    const g = new Float64Array(v[name].data.length);
    for (let i = 0; i < g.length; i++) {
      const keep = v[name].data[i];
      v[name].data[i] = keep + step;
      const plus = referenceLoss(v);
      v[name].data[i] = keep - step;
      const minus = referenceLoss(v);
      v[name].data[i] = keep;
      g[i] = (plus - minus) / (2 * step);
    }
    out[name] = g;
  }
  return out;
}

type MaxPool = (x: tf.Tensor5D) => tf.Tensor5D;
const stockMaxPool: MaxPool = (x) => tf.maxPool3d(x, 2, 2, 'valid');

/** The net in tfjs, with the max-pool as a parameter so that a broken one can be swapped in. */
function analyticGradients(v: Values, maxPool: MaxPool): Record<Name, Float32Array> {
  const tensors = names.map((n) => tf.tensor(Float32Array.from(v[n].data), v[n].shape));
  const r = tf.tensor(Float32Array.from(weightsR.data), weightsR.shape);
  const loss = (...t: tf.Tensor[]): tf.Scalar => {
    const [x, k1, b1, gamma, beta, k2u, k2h, b2, k3] = t as [
      tf.Tensor5D,
      tf.Tensor5D,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor5D,
      tf.Tensor5D,
      tf.Tensor1D,
      tf.Tensor5D,
    ];
    const conv1 = addChannelBias(conv3dPadded(x, k1, 1, 1), b1);
    const h = tf.leakyRelu(instanceNorm3d(conv1, { gamma, beta }), 0.01);
    const u = upsampleNearest3d(maxPool(h), [8, 8, 8]);
    const z = tf.leakyRelu(instanceNorm3d(conv3dOverParts([u, h], [k2u, k2h], b2, 2, 1)), 0.2);
    return tf.sum(tf.mul(conv3dPadded(z, k3, 1, 1), r));
  };
  const grads = tf.grads(loss)(tensors);
  const out = {} as Record<Name, Float32Array>;
  names.forEach((n, i) => (out[n] = grads[i].dataSync() as Float32Array));
  tf.dispose([...tensors, ...grads, r]);
  return out;
}

/** The variables and entries whose analytic gradient disagrees with the numeric one. */
function mismatches(
  analytic: Record<Name, ArrayLike<number>>,
  numeric: Record<Name, Float64Array>,
  tolerance = 1e-3,
): string[] {
  const bad: string[] = [];
  const rmsOf = (g: Float64Array): number => Math.sqrt(g.reduce((s, x) => s + x * x, 0) / g.length);
  // gradients that are exactly zero (a bias before an instance norm) come out of float32 as
  // residues of cancelling sums: allow 1e-5 of the largest variable's scale in absolute terms
  const floor = 1e-5 * Math.max(...names.map((name) => rmsOf(numeric[name])));
  for (const name of names) {
    const n = numeric[name];
    const rms = rmsOf(n);
    for (let i = 0; i < n.length; i++) {
      const allowed = tolerance * Math.max(Math.abs(n[i]), rms) + floor;
      if (!(Math.abs(analytic[name][i] - n[i]) <= allowed)) {
        bad.push(`${name}[${i}]: analytic ${analytic[name][i]}, numeric ${n[i]}`);
      }
    }
  }
  return bad;
}

describe('3D gradients against finite differences (cpu backend)', () => {
  let values: Values;
  let numeric: Record<Name, Float64Array>;

  beforeAll(async () => {
    await setupTrainingBackend({ backend: 'cpu' });
    values = initialValues();
    numeric = numericGradients(values);
  });

  it('the float64 reference agrees with the tfjs forward pass', () => {
    const tensors = names.map((n) => tf.tensor(Float32Array.from(values[n].data), values[n].shape));
    const loss = tf.tidy(() => {
      const [x, k1, b1, gamma, beta, k2u, k2h, b2, k3] = tensors as tf.Tensor5D[];
      const h = tf.leakyRelu(
        instanceNorm3d(addChannelBias(conv3dPadded(x, k1, 1, 1), b1 as unknown as tf.Tensor1D), {
          gamma: gamma as unknown as tf.Tensor1D,
          beta: beta as unknown as tf.Tensor1D,
        }),
        0.01,
      );
      const u = upsampleNearest3d(stockMaxPool(h), [8, 8, 8]);
      const z = tf.leakyRelu(
        instanceNorm3d(conv3dOverParts([u, h], [k2u, k2h], b2 as unknown as tf.Tensor1D, 2, 1)),
        0.2,
      );
      return tf.sum(
        tf.mul(conv3dPadded(z, k3, 1, 1), tf.tensor(Float32Array.from(weightsR.data), weightsR.shape)),
      );
    });
    const expected = referenceLoss(values);
    expect(Math.abs(loss.dataSync()[0] - expected)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected)));
    tf.dispose([...tensors, loss]);
  });

  it('every entry of every variable matches, the input included', () => {
    const analytic = analyticGradients(values, stockMaxPool);
    expect(mismatches(analytic, numeric)).toEqual([]);
    // the bias before an instance norm has no effect: its gradient is zero both ways
    expect(Math.max(...Array.from(numeric.b1).map(Math.abs))).toBeLessThan(1e-6);
  });

  it('would catch a gradient off by 1% in one entry', () => {
    const analytic = analyticGradients(values, stockMaxPool);
    const k1 = Float32Array.from(analytic.k1);
    const i = numeric.k1.reduce((best, g, j) => (Math.abs(g) > Math.abs(numeric.k1[best]) ? j : best), 0);
    k1[i] *= 1.01;
    const bad = mismatches({ ...analytic, k1 }, numeric);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(new RegExp(`^k1\\[${i}\\]`));
  });

  it('would catch a max-pool whose gradient goes to the wrong voxel of a window', () => {
    // a broken backend: the forward is right, the gradient lands on each window's first voxel
    const brokenMaxPool: MaxPool = (x) => {
      const f = tf.customGrad((...args: unknown[]) => {
        const [input] = args as [tf.Tensor5D];
        const [b, d, h, w, c] = input.shape;
        const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
          const spread = upsampleNearest3d(dy as tf.Tensor5D, [d, h, w]);
          const first = tf.tensor(
            Array.from({ length: d * h * w }, (_, v) => {
              const [vd, vh, vw] = [Math.floor(v / (h * w)), Math.floor(v / w) % h, v % w];
              return vd % 2 === 0 && vh % 2 === 0 && vw % 2 === 0 ? 1 : 0;
            }),
            [1, d, h, w, 1],
          );
          return [tf.mul(spread, tf.tile(first, [b, 1, 1, 1, c]))];
        };
        return { value: tf.maxPool3d(input, 2, 2, 'valid'), gradFunc };
      });
      return f(x) as tf.Tensor5D;
    };
    const bad = mismatches(analyticGradients(values, brokenMaxPool), numeric);
    expect(bad.length).toBeGreaterThan(10);
    expect(bad.some((line) => line.startsWith('k1['))).toBe(true);
  });
});
