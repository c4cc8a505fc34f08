/**
 * A small synthetic case for segmentation tests: an ellipsoid "brain" where FLAIR, T1 and T2 are
 * all non-zero, FLAIR rising along i with a bright spot, on a grid whose voxel axes run P, S, L
 * (world x = -k, y = -i, z = j), so that every axis is permuted or flipped on the way to RAS.
 */
import type { Affine, Vec3, Volume } from '@hadnet/core';

/** The default grid `[nx, ny, nz]`. */
export const SYNTHETIC_SHAPE: Vec3 = [40, 36, 30];

/** Voxel to world: i towards P, j towards S, k towards L, 1 mm. */
export const SYNTHETIC_AFFINE: Affine = [
  [0, 0, -1, 20],
  [-1, 0, 0, 30],
  [0, 1, 0, -10],
  [0, 0, 0, 1],
];

/** FLAIR, T1 and T2 of the synthetic case, int16. */
export function syntheticCase(
  shape: Vec3 = SYNTHETIC_SHAPE,
  radii: Vec3 = [15, 13, 11],
): Record<'flair' | 't1' | 't2', Volume> {
  const [nx, ny, nz] = shape;
  const make = () => new Int16Array(nx * ny * nz);
  const flair = make();
  const t1 = make();
  const t2 = make();
  const centre = shape.map((n) => (n - 1) / 2);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const r = [i, j, k].reduce((sum, c, a) => sum + ((c - centre[a]) / radii[a]) ** 2, 0);
        if (r > 1) continue;
        const v = i + nx * (j + ny * k);
        const spot = (i - centre[0] - 5) ** 2 + (j - centre[1]) ** 2 + (k - centre[2]) ** 2 <= 6;
        flair[v] = spot ? 2000 : 100 + Math.round((400 * i) / nx) + ((i * 7 + j * 3 + k) % 11);
        t1[v] = 300 + (j % 5);
        t2[v] = 500 + (k % 3);
      }
    }
  }
  const volume = (data: Int16Array): Volume => ({
    data,
    shape: [...shape],
    spacing: [1, 1, 1],
    affine: SYNTHETIC_AFFINE.map((row) => [...row]) as Affine,
  });
  return { flair: volume(flair), t1: volume(t1), t2: volume(t2) };
}
