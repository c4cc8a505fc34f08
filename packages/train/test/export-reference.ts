/**
 * An independent float64 forward pass of the HAD-Net generator (dropout off), written with plain
 * loops over NCDHW arrays straight from ../shared/method/HADNET.md §1 and the generator's
 * parameter names: no tfjs op, no exporter code. The export tests measure tfjs and both ONNX
 * Runtimes against it, so that a difference can be put down to float32 rounding (each runtime
 * near the truth) or to the graph (one runtime far from it).
 */
import type { Generator } from '@hadnet/train';

/** One sample, `[channels, depth, height, width]`, row-major, float64. */
interface Volume64 {
  c: number;
  d: number;
  h: number;
  w: number;
  v: Float64Array;
}

const SLOPE = 0.01;
const EPSILON = 1e-5;

function read(model: Generator, name: string): { v: Float64Array; shape: number[] } {
  const variable = model.parameters.get(name);
  return { v: Float64Array.from(variable.dataSync()), shape: variable.shape };
}

/** Zero-padded convolution with stride 1 over the channel concatenation of `inputs`; kernels are
 * tfjs' `[kd, kh, kw, in, out]`, one per input. Loops run voxel by voxel over a channels-last
 * copy of each input, so that the innermost loops read memory in order. */
function conv(
  inputs: Volume64[],
  kernels: { v: Float64Array; shape: number[] }[],
  bias: Float64Array,
): Volume64 {
  const { d, h, w } = inputs[0];
  const voxels = d * h * w;
  const size = kernels[0].shape[0];
  const cout = kernels[0].shape[4];
  const p = (size - 1) / 2;
  const channelsLast = inputs.map((input) => {
    const t = new Float64Array(input.v.length);
    for (let i = 0; i < input.c; i++)
      for (let v = 0; v < voxels; v++) t[v * input.c + i] = input.v[i * voxels + v];
    return t;
  });
  const out = new Float64Array(cout * voxels);
  const sum = new Float64Array(cout);
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        sum.set(bias);
        for (let part = 0; part < inputs.length; part++) {
          const cin = inputs[part].c;
          const source = channelsLast[part];
          const kernel = kernels[part].v;
          for (let a = 0; a < size; a++) {
            const zz = z + a - p;
            if (zz < 0 || zz >= d) continue;
            for (let b = 0; b < size; b++) {
              const yy = y + b - p;
              if (yy < 0 || yy >= h) continue;
              for (let e = 0; e < size; e++) {
                const xx = x + e - p;
                if (xx < 0 || xx >= w) continue;
                const from = ((zz * h + yy) * w + xx) * cin;
                const tap = ((a * size + b) * size + e) * cin;
                for (let i = 0; i < cin; i++) {
                  const value = source[from + i];
                  const row = (tap + i) * cout;
                  for (let o = 0; o < cout; o++) sum[o] += value * kernel[row + o];
                }
              }
            }
          }
        }
        const v = (z * h + y) * w + x;
        for (let o = 0; o < cout; o++) out[o * voxels + v] = sum[o];
      }
    }
  }
  return { c: cout, d, h, w, v: out };
}

/** Instance norm (biased variance, two passes, epsilon 1e-5, affine). */
function instanceNorm(x: Volume64, gamma: Float64Array, beta: Float64Array): Volume64 {
  const n = x.d * x.h * x.w;
  const v = new Float64Array(x.v.length);
  for (let c = 0; c < x.c; c++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x.v[c * n + i];
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (x.v[c * n + i] - mean) ** 2;
    variance /= n;
    const scale = gamma[c] / Math.sqrt(variance + EPSILON);
    for (let i = 0; i < n; i++) v[c * n + i] = (x.v[c * n + i] - mean) * scale + beta[c];
  }
  return { ...x, v };
}

/** LeakyReLU 0.01. */
function leakyRelu(x: Volume64): Volume64 {
  return { ...x, v: x.v.map((y) => (y > 0 ? y : SLOPE * y)) };
}

/** Max over 2x2x2 blocks. */
function pool(x: Volume64): Volume64 {
  const [d, h, w] = [x.d / 2, x.h / 2, x.w / 2];
  const v = new Float64Array(x.c * d * h * w);
  for (let c = 0; c < x.c; c++) {
    for (let z = 0; z < d; z++) {
      for (let y = 0; y < h; y++) {
        for (let q = 0; q < w; q++) {
          let max = -Infinity;
          for (let a = 0; a < 8; a++) {
            const at = ((c * x.d + 2 * z + (a >> 2)) * x.h + 2 * y + ((a >> 1) & 1)) * x.w + 2 * q + (a & 1);
            max = Math.max(max, x.v[at]);
          }
          v[((c * d + z) * h + y) * w + q] = max;
        }
      }
    }
  }
  return { c: x.c, d, h, w, v };
}

/** Nearest upsampling by 2: voxel o reads voxel floor(o / 2). */
function upsample(x: Volume64): Volume64 {
  const [d, h, w] = [x.d * 2, x.h * 2, x.w * 2];
  const v = new Float64Array(x.c * d * h * w);
  for (let c = 0; c < x.c; c++) {
    for (let z = 0; z < d; z++) {
      for (let y = 0; y < h; y++) {
        for (let q = 0; q < w; q++) {
          v[((c * d + z) * h + y) * w + q] = x.v[((c * x.d + (z >> 1)) * x.h + (y >> 1)) * x.w + (q >> 1)];
        }
      }
    }
  }
  return { c: x.c, d, h, w, v };
}

/** Options of {@link referenceLogits}. */
export interface ReferenceOptions {
  /**
   * Rounds every tensor a step stores (convolution, normalisation, activation, pooling,
   * upsampling outputs) to float32, while each step still computes in float64: the error that
   * float32 storage alone puts into the logits, the least any float32 runtime can expect.
   * @defaultValue false
   */
  float32Storage?: boolean;
  /** Called with each step's output of the first sample, under the exported graph's node names
   * (`conv_d1.unit1.conv`, `conv_d1.unit1.norm`, `conv_d1.unit1.act`, ...; `[channels, depth,
   * height, width]`). */
  trace?: (name: string, values: Float64Array) => void;
}

/**
 * The generator's logits in float64 for one NCDHW input.
 * @param input - `[batch, channels, depth, height, width]`, row-major
 * @returns logits `[batch, classes, depth, height, width]`, row-major
 */
export function referenceLogits(
  model: Generator,
  input: Float32Array,
  shape: readonly number[],
  options: ReferenceOptions = {},
): Float64Array {
  const [batch, c, d, h, w] = shape;
  const store = (name: string, x: Volume64, n: number): Volume64 => {
    if (options.float32Storage) x.v.forEach((value, i) => (x.v[i] = Math.fround(value)));
    if (n === 0) options.trace?.(name, x.v);
    return x;
  };
  const unit = (x: Volume64[], name: string, n: number): Volume64 => {
    const kernels = model.parameters.has(`${name}.conv.kernel`)
      ? [read(model, `${name}.conv.kernel`)]
      : [read(model, `${name}.conv.kernel_skip`), read(model, `${name}.conv.kernel_up`)];
    const convolved = store(`${name}.conv`, conv(x, kernels, read(model, `${name}.conv.bias`).v), n);
    const gamma = read(model, `${name}.norm.gamma`).v;
    const normalised = store(
      `${name}.norm`,
      instanceNorm(convolved, gamma, read(model, `${name}.norm.beta`).v),
      n,
    );
    return store(`${name}.act`, leakyRelu(normalised), n);
  };
  const samples: Float64Array[] = [];
  const per = c * d * h * w;
  for (let n = 0; n < batch; n++) {
    let x: Volume64 = { c, d, h, w, v: Float64Array.from(input.subarray(n * per, (n + 1) * per)) };
    const skips: Volume64[] = [];
    for (let level = 1; level <= 4; level++) {
      const skip = unit([unit([x], `conv_d${level}.unit1`, n)], `conv_d${level}.unit2`, n);
      skips.push(skip);
      x = store(`conv_d${level}.pool`, pool(skip), n);
    }
    let up = unit([unit([x], 'conv_c5.unit1', n)], 'conv_c5.unit2', n);
    for (let level = 4; level >= 1; level--) {
      const upsampled = store(`conv_u${level}.upsample`, upsample(up), n);
      up = unit([unit([skips[level - 1], upsampled], `conv_u${level}.unit1`, n)], `conv_u${level}.unit2`, n);
    }
    samples.push(
      store('logits', conv([up], [read(model, 'conv_out.kernel')], read(model, 'conv_out.bias').v), n).v,
    );
  }
  const out = new Float64Array(samples.reduce((a, s) => a + s.length, 0));
  samples.forEach((s, n) => out.set(s, n * s.length));
  return out;
}
