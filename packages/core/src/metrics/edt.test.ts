import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../volume.js';
import { squaredDistanceTransform } from './edt.js';

/** A small seeded generator (mulberry32), so that failures can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('squaredDistanceTransform', () => {
  it('gives squared mm along a line of anisotropic voxels', () => {
    // feature at i = 0, voxels 2 mm: distances 0, 2, 4 mm, squared 0, 4, 16
    expect(Array.from(squaredDistanceTransform(new Uint8Array([1, 0, 0]), [3, 1, 1], [2, 1, 1]))).toEqual([
      0, 4, 16,
    ]);
    // features at both ends of 5 voxels of 1 mm: 0, 1, 4, 1, 0
    expect(Array.from(squaredDistanceTransform([1, 0, 0, 0, 1], [5, 1, 1], [1, 1, 1]))).toEqual([
      0, 1, 4, 1, 0,
    ]);
  });

  it('combines the axes: a feature at the origin of a 2 x 2 x 2 grid of 1 x 2 x 3 mm voxels', () => {
    // voxel (i, j, k) gets i² · 1 + j² · 4 + k² · 9
    const features = new Uint8Array(8);
    features[0] = 1;
    const d = squaredDistanceTransform(features, [2, 2, 2], [1, 2, 3]);
    expect(Array.from(d)).toEqual([0, 1, 4, 5, 9, 10, 13, 14]);
  });

  it('gives Infinity everywhere when there is no feature', () => {
    expect(Array.from(squaredDistanceTransform(new Uint8Array(4), [2, 2, 1], [1, 1, 1]))).toEqual([
      Infinity,
      Infinity,
      Infinity,
      Infinity,
    ]);
  });

  it('equals the distance to the nearest feature found by trying every feature', () => {
    const next = random(7);
    for (const [shape, spacing, density] of [
      [[9, 7, 5], [1, 1, 2.5], 0.05],
      [[6, 11, 4], [0.7, 1.3, 2], 0.02],
      [[5, 5, 5], [1, 1, 1], 0.3],
    ] as [Vec3, Vec3, number][]) {
      const [nx, ny, nz] = shape;
      const features = new Uint8Array(nx * ny * nz);
      for (let v = 0; v < features.length; v++) features[v] = next() < density ? 1 : 0;
      features[Math.floor(next() * features.length)] = 1;
      const points: Vec3[] = [];
      for (let v = 0; v < features.length; v++) {
        if (features[v]) points.push([v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))]);
      }
      const d = squaredDistanceTransform(features, shape, spacing);
      for (let v = 0; v < features.length; v++) {
        const [i, j, k] = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
        const best = Math.min(
          ...points.map(
            ([a, b, c]) =>
              ((i - a) * spacing[0]) ** 2 + ((j - b) * spacing[1]) ** 2 + ((k - c) * spacing[2]) ** 2,
          ),
        );
        expect(d[v]).toBeCloseTo(best, 9);
      }
    }
  });

  it('refuses bad shapes, spacings and lengths', () => {
    expect(() => squaredDistanceTransform([1], [1, 1, 0], [1, 1, 1])).toThrow(/shape must be 3 positive/);
    expect(() => squaredDistanceTransform([1], [1, 1, 1], [1, 0, 1])).toThrow(/spacing must be 3 positive/);
    expect(() => squaredDistanceTransform([1, 0], [1, 1, 1], [1, 1, 1])).toThrow(/holds 2 voxels/);
  });
});
