/**
 * The nearest orthogonal matrix to a 3x3 matrix (the orthogonal factor of its polar
 * decomposition). Orientation and the qform writer both need it to take the rotation out of a
 * sheared or scaled affine. Pure arithmetic; depends on nothing.
 */

/** A 3x3 matrix, row-major: `m[row][column]`. */
export type Mat3 = [[number, number, number], [number, number, number], [number, number, number]];

/** The orthogonal factor of a polar decomposition, and how many directions it could keep. */
export interface PolarFactor {
  /**
   * `m · (mᵀm)^(-1/2)`: the orthogonal matrix closest to `m` in the Frobenius norm, with the sign
   * of `m`'s determinant. Where `m` is singular, directions in its null space are dropped (set to
   * zero), as the SVD form `P[:, keep] · Qᵀ[keep]` does.
   */
  matrix: Mat3;
  /** Singular values of `m` above `1e-7` times the largest: 3 for any usable affine. */
  rank: number;
}

/** Relative size below which a singular value counts as zero. */
const RANK_TOLERANCE = 1e-7;

/** Jacobi sweeps never come near this on a 3x3 matrix; it only bounds a pathological input. */
const MAX_SWEEPS = 64;

/** `aᵀ · b`. */
function transposeTimes(a: Mat3, b: Mat3): Mat3 {
  const out = zeros();
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[r][c] = a[0][r] * b[0][c] + a[1][r] * b[1][c] + a[2][r] * b[2][c];
  }
  return out;
}

/** `a · b`. */
function times(a: Mat3, b: Mat3): Mat3 {
  const out = zeros();
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[r][c] = a[r][0] * b[0][c] + a[r][1] * b[1][c] + a[r][2] * b[2][c];
  }
  return out;
}

function zeros(): Mat3 {
  return [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
}

function identity(): Mat3 {
  return [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
}

/**
 * Eigenvalues and eigenvectors of a symmetric 3x3 matrix by cyclic Jacobi rotations.
 * @returns `values[n]` with its eigenvector in column n of `vectors`
 */
function symmetricEigen(s: Mat3): { values: [number, number, number]; vectors: Mat3 } {
  const a = s.map((row) => [...row]) as Mat3;
  let v = identity();
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    const off = a[0][1] ** 2 + a[0][2] ** 2 + a[1][2] ** 2;
    const diag = a[0][0] ** 2 + a[1][1] ** 2 + a[2][2] ** 2;
    if (off === 0 || off <= 1e-32 * diag) break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      if (a[p][q] === 0) continue;

      // the rotation in the (p, q) plane that zeroes a[p][q], in its numerically stable form
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const sn = t * c;
      const rotation = identity();
      rotation[p][p] = c;
      rotation[q][q] = c;
      rotation[p][q] = sn;
      rotation[q][p] = -sn;
      const rotated = transposeTimes(rotation, times(a, rotation));
      for (let r = 0; r < 3; r++) for (let col = 0; col < 3; col++) a[r][col] = rotated[r][col];
      a[p][q] = 0;
      a[q][p] = 0;
      v = times(v, rotation);
    }
  }
  return { values: [a[0][0], a[1][1], a[2][2]], vectors: v };
}

/**
 * The orthogonal matrix nearest to `m`: the polar factor `m · (mᵀm)^(-1/2)`, computed from the
 * eigen-decomposition of `mᵀm`. For a non-singular `m` this equals `U · Vᵀ` from the SVD
 * `m = U · Σ · Vᵀ` (what nibabel's `io_orientation` and the NIfTI reference library's
 * `nifti_mat33_polar` compute), so a proper rotation stays proper and a reflection stays one.
 *
 * @param m - a 3x3 matrix, row-major
 * @example
 * ```ts
 * nearestOrthogonal([[2, 0, 0], [0, 3, 0.1], [0, 0, 4]]).matrix; // close to the identity
 * ```
 */
export function nearestOrthogonal(m: Mat3): PolarFactor {
  const { values, vectors } = symmetricEigen(transposeTimes(m, m));

  // singular values, and which of them are far enough from zero to invert
  const sigma = values.map((value) => Math.sqrt(Math.max(value, 0)));
  const largest = Math.max(...sigma);
  const keep = sigma.map((value) => largest > 0 && value > largest * RANK_TOLERANCE);

  // (mᵀm)^(-1/2) restricted to the kept directions, then m times it
  const inverseRoot = zeros();
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let n = 0; n < 3; n++) if (keep[n]) sum += (vectors[r][n] * vectors[c][n]) / sigma[n];
      inverseRoot[r][c] = sum;
    }
  }
  return { matrix: times(m, inverseRoot), rank: keep.filter(Boolean).length };
}

/** The determinant of a 3x3 matrix. */
export function determinant3(m: Mat3): number {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}
