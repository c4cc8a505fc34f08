import { describe, expect, it } from 'vitest';
import type { Affine } from '../volume.js';
import { qformFromAffine, type QformParameters } from './qform-from-affine.js';

/**
 * The qform rule of the NIfTI-1 standard (nifti1.h, "METHOD 2"), written out here independently of
 * hadnet's reader: R from the quaternion, then columns scaled by pixdim, the third by qfac too.
 */
function affineOfQform({ quatern: [b, c, d], qoffset, qfac, pixdim }: QformParameters): Affine {
  const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const scale = [pixdim[0], pixdim[1], qfac * pixdim[2]];
  return [
    [r[0][0] * scale[0], r[0][1] * scale[1], r[0][2] * scale[2], qoffset[0]],
    [r[1][0] * scale[0], r[1][1] * scale[1], r[1][2] * scale[2], qoffset[1]],
    [r[2][0] * scale[0], r[2][1] * scale[1], r[2][2] * scale[2], qoffset[2]],
    [0, 0, 0, 1],
  ];
}

function rotationFromAxisAngle(axis: number[], angle: number): number[][] {
  const n = Math.hypot(axis[0], axis[1], axis[2]);
  const [x, y, z] = axis.map((v) => v / n);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const t = 1 - c;
  return [
    [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
    [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
    [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
  ];
}

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function expectAffineClose(actual: Affine, expected: Affine, tolerance: number): void {
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) expect(Math.abs(actual[r][c] - expected[r][c])).toBeLessThan(tolerance);
  }
}

describe('qformFromAffine', () => {
  it('gives the known quaternions of RAS, LPS (BraTS) and LAS', () => {
    const ras = qformFromAffine([
      [2, 0, 0, 1],
      [0, 3, 0, 2],
      [0, 0, 4, 3],
      [0, 0, 0, 1],
    ]);
    expect(ras).toEqual({ quatern: [0, 0, 0], qoffset: [1, 2, 3], qfac: 1, pixdim: [2, 3, 4] });

    // LPS is a half turn about z: quaternion (0, 0, 0, 1)
    const lps = qformFromAffine([
      [-1, 0, 0, -0],
      [0, -1, 0, 239],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
    expect(lps.quatern).toEqual([0, 0, 1]);
    expect(lps.qfac).toBe(1);

    // LAS mirrors: qfac -1 leaves diag(-1, 1, -1), a half turn about y: quaternion (0, 0, 1, 0)
    const las = qformFromAffine([
      [-1, 0, 0, 90],
      [0, 1, 0, -126],
      [0, 0, 1, -72],
      [0, 0, 0, 1],
    ]);
    expect(las.quatern).toEqual([0, 1, 0]);
    expect(las.qfac).toBe(-1);
  });

  it('inverts the qform rule for random rotations, proper and mirrored, half turns included', () => {
    const random = lcg(11);
    const angles = [0.1, 1, 2.5, Math.PI, Math.PI - 1e-9];
    for (let trial = 0; trial < 60; trial++) {
      const axis = [random() - 0.5, random() - 0.5, random() - 0.5];
      const r = rotationFromAxisAngle(axis, angles[trial % angles.length]);
      const spacing = [0.5 + random() * 3, 0.5 + random() * 3, 0.5 + random() * 3];
      const mirror = trial % 2 === 0 ? 1 : -1;
      const affine: Affine = [
        [r[0][0] * spacing[0], r[0][1] * spacing[1], mirror * r[0][2] * spacing[2], 10 * random()],
        [r[1][0] * spacing[0], r[1][1] * spacing[1], mirror * r[1][2] * spacing[2], -10 * random()],
        [r[2][0] * spacing[0], r[2][1] * spacing[1], mirror * r[2][2] * spacing[2], 5],
        [0, 0, 0, 1],
      ];
      const q = qformFromAffine(affine);
      expect(q.qfac).toBe(mirror);
      expect(Math.hypot(...q.quatern)).toBeLessThanOrEqual(1 + 1e-12);
      // a is not stored: near a half turn, sqrt(1 - b² - c² - d²) only recovers it to about 1e-8
      const nearHalfTurn = angles[trial % angles.length] > 3;
      expectAffineClose(affineOfQform(q), affine, nearHalfTurn ? 1e-7 : 1e-12);
    }
  });

  it('holds the nearest rigid affine of a sheared one, with its column lengths', () => {
    // the sform of niivue's shear.nii.gz (a CT with gantry tilt)
    const sheared: Affine = [
      [0.48242188, 0, 0, -94.37935638],
      [0, 0.45749205, 0, -117.10601807],
      [0, 0.15307474, 2.37080932, -102.20355225],
      [0, 0, 0, 1],
    ];
    const q = qformFromAffine(sheared);
    expect(q.pixdim[1]).toBeCloseTo(Math.hypot(0.45749205, 0.15307474), 12);
    expect(q.pixdim[2]).toBeCloseTo(2.37080932, 12);
    // the value nibabel 5.0 gives for this file's qform (get_qform), rounded to 1e-6
    const nibabelQform = [
      [0.48242188, 0, 0, -94.37935638],
      [0, 0.476148635, -0.381090067, -117.106018],
      [0, 0.0775457493, 2.33998017, -102.203552],
      [0, 0, 0, 1],
    ] as Affine;
    expectAffineClose(affineOfQform(q), nibabelQform, 1e-6);
  });

  it('refuses an affine with a zero column or dependent columns', () => {
    expect(() =>
      qformFromAffine([
        [1, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ]),
    ).toThrow(/qformFromAffine: column 1 of the affine must be a finite, non-zero vector; got \(0, 0, 0\)/);
    expect(() =>
      qformFromAffine([
        [1, 1, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ]),
    ).toThrow(/linearly independent/);
  });
});
