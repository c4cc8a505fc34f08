import { describe, expect, it } from 'vitest';
import type { Affine, Vec3, Volume } from '../volume.js';
import { axisCodes, orientationFromAffine } from './axis-codes.js';
import { reorientArray } from './reorient-array.js';
import { reorientFromRas, reorientToRas } from './reorient.js';
import { rasReorientation } from './reorientation.js';

const PERMUTATIONS: Vec3[] = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];
const SIGNS: Vec3[] = [-1, 1].flatMap((a) => [-1, 1].flatMap((b) => [-1, 1].map((c) => [a, b, c] as Vec3)));

/** Every one of the 48 axis orders: voxel axis s runs along world axis perm[s], in direction sign[s]. */
const ORDERS = PERMUTATIONS.flatMap((perm) => SIGNS.map((sign) => ({ perm, sign })));

function codeOf(perm: Vec3, sign: Vec3): string {
  return perm.map((axis, s) => (sign[s] > 0 ? 'RAS' : 'LPI')[axis]).join('');
}

function rotationAbout(axis: 0 | 1 | 2, radians: number): number[][] {
  const c = Math.cos(radians);
  const s = Math.sin(radians);
  const [p, q] = [0, 1, 2].filter((x) => x !== axis);
  const m = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  m[p][p] = c;
  m[p][q] = -s;
  m[q][p] = s;
  m[q][q] = c;
  return m;
}

/** A signed-permutation affine with anisotropic voxels, optionally turned by a world rotation. */
function affineFor(perm: Vec3, sign: Vec3, spacing: Vec3, rotation?: number[][]): Affine {
  const affine: Affine = [
    [0, 0, 0, 12.5],
    [0, 0, 0, -30],
    [0, 0, 0, 7.25],
    [0, 0, 0, 1],
  ];
  for (let s = 0; s < 3; s++) affine[perm[s]][s] = sign[s] * spacing[s];
  if (!rotation) return affine;
  const turned = affine.map((row) => [...row]) as Affine;
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++)
      turned[r][c] = [0, 1, 2].reduce((sum, n) => sum + rotation[r][n] * affine[n][c], 0);
  }
  return turned;
}

/** Solves affine · [i, j, k, 1] = world for the voxel, by Cramer's rule. */
function voxelAt(affine: Affine, world: number[]): number[] {
  const m = affine.slice(0, 3).map((row) => row.slice(0, 3));
  const b = [0, 1, 2].map((r) => world[r] - affine[r][3]);
  const det = (x: number[][]) =>
    x[0][0] * (x[1][1] * x[2][2] - x[1][2] * x[2][1]) -
    x[0][1] * (x[1][0] * x[2][2] - x[1][2] * x[2][0]) +
    x[0][2] * (x[1][0] * x[2][1] - x[1][1] * x[2][0]);
  const d = det(m);
  return [0, 1, 2].map((c) => det(m.map((row, r) => row.map((v, cc) => (cc === c ? b[r] : v)))) / d);
}

function worldOf(affine: Affine, voxel: number[]): number[] {
  return [0, 1, 2].map(
    (r) => affine[r][0] * voxel[0] + affine[r][1] * voxel[1] + affine[r][2] * voxel[2] + affine[r][3],
  );
}

function syntheticVolume(affine: Affine, shape: Vec3, spacing: Vec3): Volume {
  const data = new Int16Array(shape[0] * shape[1] * shape[2]);
  for (let n = 0; n < data.length; n++) data[n] = ((n * 7919) % 30011) - 15000;
  return { data, shape, spacing, affine };
}

/**
 * The voxels a RAS volume should hold, worked out by geometry alone: each RAS voxel's world
 * position, mapped back through the source affine to a source voxel.
 */
function expectedRasData(source: Volume, rasAffine: Affine, rasShape: Vec3): number[] {
  const out: number[] = [];
  const [nx, ny] = source.shape;
  for (let w = 0; w < rasShape[2]; w++) {
    for (let v = 0; v < rasShape[1]; v++) {
      for (let u = 0; u < rasShape[0]; u++) {
        const voxel = voxelAt(source.affine, worldOf(rasAffine, [u, v, w]));
        const [i, j, k] = voxel.map((x) => {
          expect(Math.abs(x - Math.round(x))).toBeLessThan(1e-6);
          return Math.round(x);
        });
        out.push(source.data[i + nx * (j + ny * k)]);
      }
    }
  }
  return out;
}

/** The RAS grid's direction cosines point along +x, +y, +z (up to the rotation given). */
function expectRasDirections(rasAffine: Affine): void {
  for (let a = 0; a < 3; a++) {
    const column = [rasAffine[0][a], rasAffine[1][a], rasAffine[2][a]];
    const dominant = column.map(Math.abs).indexOf(Math.max(...column.map(Math.abs)));
    expect(dominant).toBe(a);
    expect(column[a]).toBeGreaterThan(0);
  }
}

describe('axisCodes', () => {
  it.each(ORDERS.map(({ perm, sign }) => [codeOf(perm, sign), perm, sign] as const))(
    '%s: the letters of a signed-permutation affine, also when turned by 20 degrees or sheared',
    (code, perm, sign) => {
      expect(axisCodes(affineFor(perm, sign, [1, 2.5, 4]))).toBe(code);
      for (const axis of [0, 1, 2] as const) {
        expect(axisCodes(affineFor(perm, sign, [1, 2.5, 4], rotationAbout(axis, (20 * Math.PI) / 180)))).toBe(
          code,
        );
      }
      const sheared = affineFor(perm, sign, [1, 1, 1]);
      sheared[perm[0]][2] += 0.3 * sign[0]; // k picks up a component along i's world axis
      expect(axisCodes(sheared)).toBe(code);
    },
  );

  it('gives LPS for the BraTS grid and ? for an axis without direction', () => {
    const brats: Affine = [
      [-1, 0, 0, -0],
      [0, -1, 0, 239],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ];
    expect(axisCodes(brats)).toBe('LPS');
    const flat: Affine = [
      [1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 1],
    ];
    expect(axisCodes(flat)).toBe('R??');
    expect(() => orientationFromAffine(flat)).toThrow(expect.objectContaining({ code: 'INVALID_VOLUME' }));
    expect(() => orientationFromAffine(flat)).toThrow(/voxel axis j has no direction/);
  });

  it('settles a 45-degree-like near tie by the larger component, in the order i, j, k', () => {
    // i points mostly along +y (0.71 vs 0.70), so i takes A and j (the only one left) takes R or L
    const c = 0.7;
    const s = Math.sqrt(1 - c * c);
    const affine: Affine = [
      [c, s, 0, 0],
      [s, -c, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ];
    expect(axisCodes(affine)).toBe('ARS');
  });

  it('refuses a malformed affine with the function named', () => {
    expect(() => axisCodes([[1, 0, 0]] as unknown as Affine)).toThrow(TypeError);
    expect(() =>
      axisCodes([
        [1, 0, 0, NaN],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ]),
    ).toThrow(/axisCodes: affine\[0\]\[3\] must be finite; got NaN/);
  });
});

describe('reorientToRas / reorientFromRas on synthetic volumes', () => {
  const shape: Vec3 = [3, 4, 5];
  const spacing: Vec3 = [1, 2.5, 4];

  it.each(ORDERS.map(({ perm, sign }) => [codeOf(perm, sign), perm, sign] as const))(
    '%s: voxels land where the affines say, and the round trip is bit for bit',
    (_code, perm, sign) => {
      for (const rotation of [undefined, rotationAbout(1, (25 * Math.PI) / 180)]) {
        const volume = syntheticVolume(affineFor(perm, sign, spacing, rotation), shape, spacing);
        const { volume: ras, reorientation } = reorientToRas(volume);

        // shape and spacing permuted; RAS directions; every voxel at its old world position
        expect(ras.shape).toEqual(perm.map((_, a) => shape[perm.indexOf(a)]));
        expect(ras.spacing).toEqual(perm.map((_, a) => spacing[perm.indexOf(a)]));
        if (!rotation) expectRasDirections(ras.affine);
        expect(ras.data).toBeInstanceOf(Int16Array);
        expect(Array.from(ras.data)).toEqual(expectedRasData(volume, ras.affine, ras.shape));

        // the round trip
        const back = reorientFromRas(ras, reorientation);
        expect(back.data).toBeInstanceOf(Int16Array);
        expect(back.data).toEqual(volume.data);
        expect(back.shape).toEqual(volume.shape);
        expect(back.spacing).toEqual(volume.spacing);
        expect(back.affine).toEqual(volume.affine);
      }
    },
  );

  it('keeps RAS input as it is, and keeps Float32 and Uint8 types', () => {
    const affine = affineFor([0, 1, 2], [1, 1, 1], [1, 1, 1]);
    const data = new Float32Array([0.5, -1, NaN, 3, 4, 5]);
    const { volume: ras, reorientation } = reorientToRas({
      data,
      shape: [1, 2, 3],
      spacing: [1, 1, 1],
      affine,
    });
    expect(ras.data).toBeInstanceOf(Float32Array);
    expect(ras.data).toEqual(data);
    expect(ras.affine).toEqual(affine);
    expect(reorientation.flips).toEqual([false, false, false]);
    const labels = new Uint8Array([1, 2, 4, 0, 0, 1]);
    expect(reorientArray(labels, reorientation)).toBeInstanceOf(Uint8Array);
  });

  it('flips i and j of the BraTS grid (LPS) and moves the origin to the far corner', () => {
    const brats: Affine = [
      [-1, 0, 0, -0],
      [0, -1, 0, 239],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ];
    const plan = rasReorientation([240, 240, 155], brats);
    expect(plan.axes).toEqual([0, 1, 2]);
    expect(plan.flips).toEqual([true, true, false]);
    expect(plan.rasShape).toEqual([240, 240, 155]);
    // voxel (0, 0, 0) of the RAS grid is source voxel (239, 239, 0): world (-239, 0, 0)
    expect(plan.rasAffine).toEqual([
      [1, 0, 0, -239],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
  });

  it('moves several channels alike, in both directions', () => {
    const affine = affineFor([2, 0, 1], [-1, 1, -1], [1, 1, 1]); // ILP
    const plan = rasReorientation([2, 3, 4], affine);
    const one = new Float32Array(24).map((_, n) => n);
    const two = new Float32Array(24).map((_, n) => 100 + n);
    const both = new Float32Array(48);
    both.set(one);
    both.set(two, 24);
    const ras = reorientArray(both, plan, { channels: 2 });
    expect(ras.subarray(0, 24)).toEqual(reorientArray(one, plan));
    expect(ras.subarray(24)).toEqual(reorientArray(two, plan));
    expect(reorientArray(ras, plan, { channels: 2, direction: 'fromRas' })).toEqual(both);
  });

  it('refuses data that do not fit the grid, with codes and messages that name the problem', () => {
    const affine = affineFor([0, 1, 2], [1, 1, 1], [1, 1, 1]);
    const bad: Volume = { data: new Uint8Array(5), shape: [2, 2, 2], spacing: [1, 1, 1], affine };
    expect(() => reorientToRas(bad)).toThrow(expect.objectContaining({ code: 'INVALID_VOLUME' }));
    expect(() => reorientToRas(bad)).toThrow(
      /reorientToRas: volume.data holds 5 voxels, but volume.shape 2x2x2 needs 8/,
    );
    const plan = rasReorientation([2, 2, 2], affine);
    expect(() => reorientArray(new Uint8Array(7), plan)).toThrow(RangeError);
    expect(() => reorientArray(new Uint8Array(8), plan, { channels: 0 })).toThrow(/options.channels/);
    const wrong: Volume = { data: new Uint8Array(12), shape: [2, 2, 3], spacing: [1, 1, 1], affine };
    expect(() => reorientFromRas(wrong, plan)).toThrow(/RAS shape 2x2x2; got 2x2x3/);
  });
});
