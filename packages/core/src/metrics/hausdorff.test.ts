import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../volume.js';
import { bruteHausdorff } from './brute-force.testing.js';
import { gridDiagonalMm, hausdorffDistance, pooledSurfaceDistances } from './hausdorff.js';

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

describe('hausdorffDistance (pooled HD95 of CONTRACTS.md)', () => {
  it('measures in mm along an anisotropic axis', () => {
    // single voxels at k = 0 and k = 3 with 2.5 mm slices: every distance is 7.5 mm
    const a = new Uint8Array([1, 0, 0, 0]);
    const b = new Uint8Array([0, 0, 0, 1]);
    expect(hausdorffDistance(a, b, { shape: [1, 1, 4], spacing: [1, 1, 2.5] })).toBe(7.5);
  });

  it('pools both directed distance sets before taking the percentile', () => {
    // grid 6 x 1 x 1 of 1 mm: pred = voxels 0..2, truth = voxel 5; on a one-voxel-thick line
    // every voxel is surface. pred → truth: 5, 4, 3; truth → pred: 3.
    // pooled sorted [3, 3, 4, 5]: rank 3 · 0.95 = 2.85, 4 + 0.85 · (5 - 4) = 4.85.
    // (the larger of the two directed 95th percentiles would be 4.9 instead.)
    const pred = new Uint8Array([1, 1, 1, 0, 0, 0]);
    const truth = new Uint8Array([0, 0, 0, 0, 0, 1]);
    const grid = { shape: [6, 1, 1] as Vec3, spacing: [1, 1, 1] as Vec3 };
    expect(Array.from(pooledSurfaceDistances(pred, truth, grid))).toEqual([5, 4, 3, 3]);
    expect(hausdorffDistance(pred, truth, grid)).toBeCloseTo(4.85, 12);
    expect(hausdorffDistance(pred, truth, grid, { percentile: 100 })).toBe(5);
  });

  it('ignores interior voxels: a 3 x 3 x 3 cube against its centre voxel', () => {
    // the cube's surface is its 26 outer voxels; the centre voxel alone is its own surface.
    // cube → centre: 6 faces at 1, 12 edges at √2, 8 corners at √3; centre → cube surface: 1.
    // pooled 27 values sorted: 7 × 1, 12 × √2, 8 × √3; rank 26 · 0.95 = 24.7 falls among the √3
    const shape: Vec3 = [5, 5, 5];
    const cubeMask = new Uint8Array(125);
    for (let k = 1; k <= 3; k++)
      for (let j = 1; j <= 3; j++) for (let i = 1; i <= 3; i++) cubeMask[i + 5 * (j + 5 * k)] = 1;
    const centre = new Uint8Array(125);
    centre[2 + 5 * (2 + 5 * 2)] = 1;
    expect(hausdorffDistance(cubeMask, centre, { shape, spacing: [1, 1, 1] })).toBeCloseTo(Math.sqrt(3), 12);
    // with the percentile at 50: rank 13 is among the √2 (indices 7..18)
    expect(
      hausdorffDistance(cubeMask, centre, { shape, spacing: [1, 1, 1] }, { percentile: 50 }),
    ).toBeCloseTo(Math.SQRT2, 12);
  });

  it('gives 0 for two empty masks and the grid diagonal when one is empty', () => {
    const grid = { shape: [240, 240, 155] as Vec3, spacing: [1, 1, 1] as Vec3 };
    const empty = new Uint8Array(240 * 240 * 155);
    const one = new Uint8Array(empty.length);
    one[12345] = 1;
    // √(240² + 240² + 155²) = √139225 = 373.12866...
    expect(gridDiagonalMm(grid)).toBeCloseTo(Math.sqrt(139225), 12);
    expect(hausdorffDistance(empty, empty, grid)).toBe(0);
    expect(hausdorffDistance(one, empty, grid)).toBeCloseTo(373.12866, 4);
    expect(hausdorffDistance(empty, one, grid)).toBeCloseTo(373.12866, 4);
  });

  it('agrees with brute force over surface voxels on random masks', () => {
    const next = random(11);
    for (const [shape, spacing] of [
      [
        [12, 10, 8],
        [1, 1, 1],
      ],
      [
        [9, 13, 6],
        [1, 1, 2.5],
      ],
      [
        [10, 10, 10],
        [0.8, 1.2, 3],
      ],
    ] as [Vec3, Vec3][]) {
      const n = shape[0] * shape[1] * shape[2];
      const a = new Uint8Array(n);
      const b = new Uint8Array(n);
      for (let v = 0; v < n; v++) {
        a[v] = next() < 0.3 ? 1 : 0;
        b[v] = next() < 0.15 ? 1 : 0;
      }
      for (const q of [95, 100, 50]) {
        expect(hausdorffDistance(a, b, { shape, spacing }, { percentile: q })).toBeCloseTo(
          bruteHausdorff(a, b, shape, spacing, q),
          9,
        );
      }
    }
  });

  it('refuses masks off the grid and bad spacings', () => {
    expect(() => hausdorffDistance([1], [1, 0], { shape: [1, 1, 1], spacing: [1, 1, 1] })).toThrow(
      /truth holds 2 voxels; grid.shape \[1,1,1\] needs 1/,
    );
    expect(() => hausdorffDistance([1], [1], { shape: [1, 1, 1], spacing: [1, -1, 1] })).toThrow(
      /grid.spacing must be 3 positive/,
    );
  });
});
