import { describe, expect, it } from 'vitest';
import { determinant3, nearestOrthogonal, type Mat3 } from './polar.js';

/** A small deterministic generator, so that a failure can be replayed. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function inverseTranspose(m: Mat3): Mat3 {
  const det = determinant3(m);
  // cofactor matrix divided by the determinant is the inverse transpose
  const cof = (r: number, c: number) => {
    const rows = [0, 1, 2].filter((x) => x !== r);
    const cols = [0, 1, 2].filter((x) => x !== c);
    const minor = m[rows[0]][cols[0]] * m[rows[1]][cols[1]] - m[rows[0]][cols[1]] * m[rows[1]][cols[0]];
    return ((r + c) % 2 === 0 ? 1 : -1) * minor;
  };
  return [0, 1, 2].map((r) => [0, 1, 2].map((c) => cof(r, c) / det)) as Mat3;
}

/** The polar factor by Newton's iteration X <- (X + X^-T) / 2: a different algorithm. */
function newtonPolar(m: Mat3): Mat3 {
  let x = m.map((row) => [...row]) as Mat3;
  for (let n = 0; n < 100; n++) {
    const y = inverseTranspose(x);
    x = x.map((row, r) => row.map((v, c) => (v + y[r][c]) / 2)) as Mat3;
  }
  return x;
}

function maxDifference(a: Mat3, b: Mat3): number {
  let worst = 0;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(a[r][c] - b[r][c]));
  return worst;
}

describe('nearestOrthogonal', () => {
  it('returns an orthogonal matrix with the sign of the determinant, equal to the Newton polar factor', () => {
    const random = lcg(7);
    for (let trial = 0; trial < 50; trial++) {
      const m = [0, 1, 2].map(() => [0, 1, 2].map(() => random() * 4 - 2)) as Mat3;
      if (Math.abs(determinant3(m)) < 0.05) continue;
      const { matrix, rank } = nearestOrthogonal(m);
      expect(rank).toBe(3);
      const gram = [0, 1, 2].map((r) =>
        [0, 1, 2].map(
          (c) => matrix[0][r] * matrix[0][c] + matrix[1][r] * matrix[1][c] + matrix[2][r] * matrix[2][c],
        ),
      ) as Mat3;
      expect(
        maxDifference(gram, [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ]),
      ).toBeLessThan(1e-12);
      expect(Math.sign(determinant3(matrix))).toBe(Math.sign(determinant3(m)));
      expect(maxDifference(matrix, newtonPolar(m))).toBeLessThan(1e-10);
    }
  });

  it('leaves a rotation unchanged and drops a null direction of a singular matrix', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const rotation: Mat3 = [
      [c, -s, 0],
      [s, c, 0],
      [0, 0, 1],
    ];
    expect(maxDifference(nearestOrthogonal(rotation).matrix, rotation)).toBeLessThan(1e-15);

    // diag(2, 3, 0): the polar factor on the kept directions is diag(1, 1, 0)
    const singular = nearestOrthogonal([
      [2, 0, 0],
      [0, 3, 0],
      [0, 0, 0],
    ]);
    expect(singular.rank).toBe(2);
    expect(
      maxDifference(singular.matrix, [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 0],
      ]),
    ).toBeLessThan(1e-15);
  });
});
