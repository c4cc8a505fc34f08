/**
 * Plain-JS float64 versions of the 3D operations, written as loops straight from their
 * definitions, independent of tfjs: the tests compare tfjs' results and gradients with them.
 * Arrays are NDHWC, flat in row-major order: index (((b * D + d) * H + h) * W + w) * C + c.
 */

/** A float64 tensor. */
export interface Arr {
  shape: number[];
  data: Float64Array;
}

export function arr(shape: number[], data?: ArrayLike<number>): Arr {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  if (data) {
    if (data.length !== size) throw new Error(`arr: ${data.length} values for shape [${shape}]`);
    out.set(Array.from(data));
  }
  return { shape, data: out };
}

/** A deterministic pseudo-random stream (mulberry32) of normal-ish values, for test inputs. */
export function randomValues(n: number, seed: number, scale = 1): Float64Array {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Box-Muller
    const u = Math.max(uniform(), 1e-12);
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  }
  return out;
}

const index5 = (shape: number[], b: number, d: number, h: number, w: number, c: number): number =>
  (((b * shape[1] + d) * shape[2] + h) * shape[3] + w) * shape[4] + c;

/** Convolution with zero padding `pad` on both sides; kernel `[k, k, k, in, out]`. */
export function conv3d(x: Arr, kernel: Arr, bias: Arr | undefined, stride: number, pad: number): Arr {
  const [B, D, H, W, C] = x.shape;
  const [k, , , ci, co] = kernel.shape;
  if (ci !== C) throw new Error('conv3d: channels');
  const out = (n: number): number => Math.floor((n + 2 * pad - k) / stride) + 1;
  const y = arr([B, out(D), out(H), out(W), co]);
  for (let b = 0; b < B; b++)
    for (let od = 0; od < y.shape[1]; od++)
      for (let oh = 0; oh < y.shape[2]; oh++)
        for (let ow = 0; ow < y.shape[3]; ow++)
          for (let o = 0; o < co; o++) {
            let s = bias ? bias.data[o] : 0;
            for (let a = 0; a < k; a++) {
              const d = od * stride + a - pad;
              if (d < 0 || d >= D) continue;
              for (let e = 0; e < k; e++) {
                const h = oh * stride + e - pad;
                if (h < 0 || h >= H) continue;
                for (let f = 0; f < k; f++) {
                  const w = ow * stride + f - pad;
                  if (w < 0 || w >= W) continue;
                  for (let i = 0; i < C; i++) {
                    s +=
                      x.data[index5(x.shape, b, d, h, w, i)] *
                      kernel.data[(((a * k + e) * k + f) * ci + i) * co + o];
                  }
                }
              }
            }
            y.data[index5(y.shape, b, od, oh, ow, o)] = s;
          }
  return y;
}

/** Instance norm over D, H, W per sample and channel, biased variance, optional affine. */
export function instanceNorm(x: Arr, eps: number, gamma?: Arr, beta?: Arr): Arr {
  const [B, D, H, W, C] = x.shape;
  const n = D * H * W;
  const y = arr(x.shape);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) {
      let mean = 0;
      for (let v = 0; v < n; v++) mean += x.data[(b * n + v) * C + c];
      mean /= n;
      let variance = 0;
      for (let v = 0; v < n; v++) variance += (x.data[(b * n + v) * C + c] - mean) ** 2;
      variance /= n;
      const scale = 1 / Math.sqrt(variance + eps);
      for (let v = 0; v < n; v++) {
        const i = (b * n + v) * C + c;
        const z = (x.data[i] - mean) * scale;
        y.data[i] = gamma && beta ? z * gamma.data[c] + beta.data[c] : z;
      }
    }
  return y;
}

export function leakyRelu(x: Arr, slope: number): Arr {
  return { shape: x.shape, data: x.data.map((v) => (v >= 0 ? v : slope * v)) };
}

/** Max pooling 2x2x2, stride 2. */
export function maxPool2(x: Arr): Arr {
  const [B, D, H, W, C] = x.shape;
  const y = arr([B, D / 2, H / 2, W / 2, C]);
  for (let b = 0; b < B; b++)
    for (let d = 0; d < D / 2; d++)
      for (let h = 0; h < H / 2; h++)
        for (let w = 0; w < W / 2; w++)
          for (let c = 0; c < C; c++) {
            let m = -Infinity;
            for (let i = 0; i < 8; i++) {
              const v =
                x.data[index5(x.shape, b, 2 * d + (i >> 2), 2 * h + ((i >> 1) & 1), 2 * w + (i & 1), c)];
              if (v > m) m = v;
            }
            y.data[index5(y.shape, b, d, h, w, c)] = m;
          }
  return y;
}

/** Nearest upsampling by whole factors: output voxel o reads input voxel floor(o / f). */
export function upsample(x: Arr, factors: [number, number, number]): Arr {
  const [B, D, H, W, C] = x.shape;
  const [fd, fh, fw] = factors;
  const y = arr([B, D * fd, H * fh, W * fw, C]);
  for (let b = 0; b < B; b++)
    for (let d = 0; d < D * fd; d++)
      for (let h = 0; h < H * fh; h++)
        for (let w = 0; w < W * fw; w++)
          for (let c = 0; c < C; c++) {
            y.data[index5(y.shape, b, d, h, w, c)] =
              x.data[index5(x.shape, b, Math.floor(d / fd), Math.floor(h / fh), Math.floor(w / fw), c)];
          }
  return y;
}

/** Concatenation along the channel axis. */
export function concatChannels(parts: Arr[]): Arr {
  const [B, D, H, W] = parts[0].shape;
  const C = parts.reduce((s, p) => s + p.shape[4], 0);
  const y = arr([B, D, H, W, C]);
  const voxels = B * D * H * W;
  for (let v = 0; v < voxels; v++) {
    let offset = 0;
    for (const p of parts) {
      const c = p.shape[4];
      for (let i = 0; i < c; i++) y.data[v * C + offset + i] = p.data[v * c + i];
      offset += c;
    }
  }
  return y;
}

/** Largest absolute difference between two flat arrays of one length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
