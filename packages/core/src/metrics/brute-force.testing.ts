/**
 * Slow, independent re-implementations of the surface distances, for tests only (never imported
 * by the library): surfaces found by checking each voxel's six neighbours, distances by comparing
 * every pair of surface voxels, the percentile by a plain sort. Written apart from hausdorff.ts,
 * edt.ts and surface.ts so that a shared mistake cannot pass unnoticed.
 */

type Point = [number, number, number];

/** Coordinates of the voxels of a mask with at least one face neighbour outside the mask or grid. */
export function bruteSurfacePoints(mask: ArrayLike<number>, shape: readonly number[]): Point[] {
  const [nx, ny, nz] = shape;
  const inside = (i: number, j: number, k: number) =>
    i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz && mask[i + nx * (j + ny * k)] !== 0;
  const points: Point[] = [];
  const steps: Point[] = [
    [1, 0, 0],
    [-1, 0, 0],
    [0, 1, 0],
    [0, -1, 0],
    [0, 0, 1],
    [0, 0, -1],
  ];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        if (!inside(i, j, k)) continue;
        if (steps.some(([a, b, c]) => !inside(i + a, j + b, k + c))) points.push([i, j, k]);
      }
    }
  }
  return points;
}

/** For each point of `from`, the distance in mm to the nearest point of `to`, by trying them all. */
export function bruteDirectedDistances(from: Point[], to: Point[], spacing: readonly number[]): number[] {
  const [sx, sy, sz] = spacing;
  // the targets as flat mm coordinates, so that the double loop stays quick in tests
  const xs = Float64Array.from(to, (p) => p[0] * sx);
  const ys = Float64Array.from(to, (p) => p[1] * sy);
  const zs = Float64Array.from(to, (p) => p[2] * sz);
  return from.map(([i, j, k]) => {
    const x = i * sx;
    const y = j * sy;
    const z = k * sz;
    let best = Infinity;
    for (let t = 0; t < xs.length; t++) {
      const d2 = (x - xs[t]) ** 2 + (y - ys[t]) ** 2 + (z - zs[t]) ** 2;
      if (d2 < best) best = d2;
    }
    return Math.sqrt(best);
  });
}

/** Linear-interpolation percentile (numpy's default) after a plain ascending sort. */
export function brutePercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q / 100) * (sorted.length - 1);
  const below = sorted[Math.floor(rank)];
  const above = sorted[Math.ceil(rank)];
  return below + (above - below) * (rank - Math.floor(rank));
}

/** Pooled HD at percentile q between two non-empty masks, the slow way. */
export function bruteHausdorff(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  shape: readonly number[],
  spacing: readonly number[],
  q = 95,
): number {
  const pa = bruteSurfacePoints(a, shape);
  const pb = bruteSurfacePoints(b, shape);
  return brutePercentile(
    [...bruteDirectedDistances(pa, pb, spacing), ...bruteDirectedDistances(pb, pa, spacing)],
    q,
  );
}
