/**
 * Which world direction each voxel axis of a grid runs towards: axis codes such as "LPS", and the
 * axis-to-axis orientation that reorientation to RAS is planned from. Depends on the Volume types
 * and the polar decomposition only.
 */
import { InvalidVolumeError } from '../errors.js';
import type { Affine } from '../volume.js';
import { nearestOrthogonal, type Mat3 } from './polar.js';

/** A world axis of NIfTI's RAS+ frame: 0 is x (left to right), 1 is y (P to A), 2 is z (I to S). */
export type WorldAxis = 0 | 1 | 2;

/**
 * How the voxel axes of a grid lie in the world: for voxel axes i, j, k (in that order), the world
 * axis each runs closest to, and whether its index increases towards R, A, S (`+1`) or towards
 * L, P, I (`-1`). nibabel calls the same thing an "ornt" array.
 */
export interface AxisOrientation {
  /** For i, j, k: the world axis (0 x, 1 y, 2 z) the voxel axis is closest to. A permutation. */
  axes: [WorldAxis, WorldAxis, WorldAxis];
  /** For i, j, k: `+1` when the index increases towards R/A/S, `-1` when towards L/P/I. */
  signs: [1 | -1, 1 | -1, 1 | -1];
}

const POSITIVE = ['R', 'A', 'S'] as const;
const NEGATIVE = ['L', 'P', 'I'] as const;

/** numpy's `allclose(column, 0)`: every entry within 1e-8 of zero. */
const ZERO_COLUMN = 1e-8;

/**
 * nibabel's `io_orientation` algorithm, written afresh: normalise the columns of the affine's 3x3
 * part, replace it by the nearest orthogonal matrix (so shear and obliquity do not decide), then,
 * for i, j, k in turn, take the world axis with the largest absolute entry in that column, and
 * remove that world axis from the choices of the axes after it (ties go to the lower world axis).
 *
 * @returns one entry per voxel axis; `null` where the axis has no direction (a zero column)
 */
function orientVoxelAxes(affine: Affine): Array<{ axis: WorldAxis; sign: 1 | -1 } | null> {
  // the 3x3 part with unit columns (a zero column stays zero)
  const m: Mat3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let c = 0; c < 3; c++) {
    const length = Math.hypot(affine[0][c], affine[1][c], affine[2][c]) || 1;
    for (let r = 0; r < 3; r++) m[r][c] = affine[r][c] / length;
  }

  // rotation closest to it, then greedy choice of the dominant world axis per voxel axis
  const rotation = nearestOrthogonal(m).matrix;
  const result: Array<{ axis: WorldAxis; sign: 1 | -1 } | null> = [];
  for (let c = 0; c < 3; c++) {
    const column = [rotation[0][c], rotation[1][c], rotation[2][c]];
    if (column.every((value) => Math.abs(value) <= ZERO_COLUMN)) {
      result.push(null);
      continue;
    }
    let best = 0;
    for (let r = 1; r < 3; r++) if (Math.abs(column[r]) > Math.abs(column[best])) best = r;
    result.push({ axis: best as WorldAxis, sign: column[best] < 0 ? -1 : 1 });
    for (let other = 0; other < 3; other++) rotation[best][other] = 0;
  }
  return result;
}

/**
 * Axis codes of an affine, in nibabel's `aff2axcodes` convention: for voxel axes i, j, k, the
 * letter of the world direction its index increases towards (R or L, A or P, S or I).
 *
 * Oblique and sheared affines get the closest axis permutation, as nibabel's `io_orientation`
 * chooses it: the columns are normalised, replaced by the nearest orthogonal matrix, and each voxel
 * axis takes the world axis of its largest entry, in the order i, j, k, a world axis taken only once.
 * An axis whose column is zero (a degenerate affine) gets `'?'`.
 *
 * @param affine - voxel to world, row-major (see {@link Affine})
 * @returns three letters, e.g. `"LPS"` for a BraTS volume, `"RAS"` for canonical order
 * @example
 * ```ts
 * axisCodes([[-1, 0, 0, 0], [0, -1, 0, 239], [0, 0, 1, 0], [0, 0, 0, 1]]); // "LPS"
 * ```
 */
export function axisCodes(affine: Affine): string {
  checkAffine('axisCodes', affine);
  return orientVoxelAxes(affine)
    .map((entry) => (entry === null ? '?' : (entry.sign > 0 ? POSITIVE : NEGATIVE)[entry.axis]))
    .join('');
}

/**
 * The orientation of a grid: for voxel axes i, j, k, the world axis each is closest to and its
 * direction, by the rule of {@link axisCodes}.
 *
 * @param affine - voxel to world, row-major
 * @throws InvalidVolumeError when a voxel axis has no direction (a zero column in the affine)
 */
export function orientationFromAffine(affine: Affine): AxisOrientation {
  checkAffine('orientationFromAffine', affine);
  const entries = orientVoxelAxes(affine);
  const missing = entries.findIndex((entry) => entry === null);
  if (missing >= 0) {
    throw new InvalidVolumeError(
      `orientationFromAffine: voxel axis ${'ijk'[missing]} has no direction: column ${missing} of the ` +
        `affine is zero (${affine.map((row) => row[missing]).join(', ')}); expected a non-singular affine`,
    );
  }
  const present = entries as Array<{ axis: WorldAxis; sign: 1 | -1 }>;
  return {
    axes: [present[0].axis, present[1].axis, present[2].axis],
    signs: [present[0].sign, present[1].sign, present[2].sign],
  };
}

/** A 4x4 array of finite numbers, or a TypeError naming the function. */
export function checkAffine(fn: string, affine: Affine): void {
  const ok =
    Array.isArray(affine) &&
    affine.length === 4 &&
    affine.every((row) => Array.isArray(row) && row.length === 4 && row.every((v) => typeof v === 'number'));
  if (!ok) throw new TypeError(`${fn}: affine must be a 4x4 array of numbers; got ${JSON.stringify(affine)}`);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      if (!Number.isFinite(affine[r][c])) {
        throw new RangeError(`${fn}: affine[${r}][${c}] must be finite; got ${affine[r][c]}`);
      }
    }
  }
}
