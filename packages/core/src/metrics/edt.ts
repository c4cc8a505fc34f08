/**
 * Exact Euclidean distance transform on an anisotropic voxel grid, by the separable algorithm of
 * Felzenszwalb and Huttenlocher ("Distance Transforms of Sampled Functions", Theory of Computing
 * 8, 2012): one pass per axis, each the lower envelope of parabolas. Linear in the voxel count.
 * Depends on nothing.
 */
import type { Vec3 } from '../volume.js';

/**
 * Squared distance transform of one line, in place. `f[q]` is the cost at sample q (0 at a
 * feature, Infinity where there is none); afterwards `f[q] = min_p (f[p] + (s·(q - p))²)`.
 * Samples with infinite cost never enter the envelope, so no Infinity arithmetic happens; a line
 * without any finite sample stays Infinity.
 */
function transformLine(
  f: Float64Array,
  n: number,
  s: number,
  v: Int32Array,
  z: Float64Array,
  d: Float64Array,
) {
  // build the lower envelope: v holds the parabolas' apexes, z the boundaries between them
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q];
    if (fq === Infinity) continue;
    const xq = q * s;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let boundary: number;
    for (;;) {
      const p = v[k];
      const xp = p * s;
      boundary = (fq + xq * xq - (f[p] + xp * xp)) / (2 * (xq - xp));
      if (boundary > z[k]) break;
      k--; // z[0] is -Infinity, so k never drops below 0 here
    }
    k++;
    v[k] = q;
    z[k] = boundary;
    z[k + 1] = Infinity;
  }
  if (k < 0) return;

  // read the envelope at every sample
  let j = 0;
  for (let q = 0; q < n; q++) {
    const xq = q * s;
    while (z[j + 1] < xq) j++;
    const dx = xq - v[j] * s;
    d[q] = dx * dx + f[v[j]];
  }
  for (let q = 0; q < n; q++) f[q] = d[q];
}

/**
 * Squared Euclidean distance, in mm², from every voxel to the nearest feature voxel.
 *
 * Layout: `features[i + nx * (j + ny * k)]`, `shape = [nx, ny, nz]`; the result has the same
 * layout. Voxels with no feature anywhere in the grid get `Infinity`.
 *
 * @param features - non-zero marks a feature voxel
 * @param shape - `[nx, ny, nz]`
 * @param spacing - voxel size in mm along i, j, k
 * @example
 * // one feature at i = 0 on a 3 x 1 x 1 line of 2 mm voxels: 0, 4, 16 mm²
 * squaredDistanceTransform(new Uint8Array([1, 0, 0]), [3, 1, 1], [2, 1, 1]);
 */
export function squaredDistanceTransform(
  features: ArrayLike<number>,
  shape: Vec3,
  spacing: Vec3,
): Float64Array {
  const [nx, ny, nz] = shape;
  if (!shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`squaredDistanceTransform: shape must be 3 positive integers; got [${shape}]`);
  }
  if (!spacing.every((s) => Number.isFinite(s) && s > 0)) {
    throw new RangeError(`squaredDistanceTransform: spacing must be 3 positive mm; got [${spacing}]`);
  }
  if (features.length !== nx * ny * nz) {
    throw new RangeError(
      `squaredDistanceTransform: features holds ${features.length} voxels; shape [${shape}] needs ${nx * ny * nz}`,
    );
  }

  const out = new Float64Array(features.length);
  for (let v = 0; v < out.length; v++) out[v] = features[v] !== 0 ? 0 : Infinity;
  const longest = Math.max(nx, ny, nz);
  const line = new Float64Array(longest);
  const scratch = new Float64Array(longest);
  const apexes = new Int32Array(longest);
  const bounds = new Float64Array(longest + 1);

  // one pass per axis: gather a line, transform it, scatter it back
  const pass = (n: number, stride: number, starts: Iterable<number>, s: number) => {
    for (const start of starts) {
      for (let q = 0; q < n; q++) line[q] = out[start + q * stride];
      transformLine(line, n, s, apexes, bounds, scratch);
      for (let q = 0; q < n; q++) out[start + q * stride] = line[q];
    }
  };
  function* lineStarts(axis: 0 | 1 | 2): Generator<number> {
    for (let k = 0; k < (axis === 2 ? 1 : nz); k++) {
      for (let j = 0; j < (axis === 1 ? 1 : ny); j++) {
        for (let i = 0; i < (axis === 0 ? 1 : nx); i++) yield i + nx * (j + ny * k);
      }
    }
  }
  pass(nx, 1, lineStarts(0), spacing[0]);
  pass(ny, nx, lineStarts(1), spacing[1]);
  pass(nz, nx * ny, lineStarts(2), spacing[2]);
  return out;
}
