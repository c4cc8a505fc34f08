/**
 * The plan of a reorientation to canonical RAS voxel order: which source axis becomes which RAS
 * axis, which are reversed, and the grids on both sides. Permutations and flips only; nothing is
 * resampled. Depends on the Volume types and {@link orientationFromAffine}.
 */
import type { NiftiHeader } from '../nifti/header.js';
import type { Affine, Vec3 } from '../volume.js';
import { checkAffine, orientationFromAffine, type WorldAxis } from './axis-codes.js';

/**
 * How a grid maps onto its canonical RAS voxel order, and back.
 *
 * RAS voxel order: index u (the first, fastest axis) increases towards Right, v towards Anterior,
 * w towards Superior, each as closely as the affine allows (oblique grids stay oblique). Source
 * voxel axis `s` becomes RAS axis `axes[s]`; where `flips[s]`, it is reversed:
 * `ras[axes[s]] = flips[s] ? sourceShape[s] - 1 - source[s] : source[s]`.
 */
export interface Reorientation {
  /** For source axes i, j, k: the RAS axis (0 towards R, 1 towards A, 2 towards S) it becomes. */
  axes: [WorldAxis, WorldAxis, WorldAxis];
  /** For source axes i, j, k: whether the index runs towards L, P or I and is therefore reversed. */
  flips: [boolean, boolean, boolean];
  /** `[nx, ny, nz]` of the source grid. */
  sourceShape: Vec3;
  /** Voxel to world of the source grid, as given. */
  sourceAffine: Affine;
  /** `[nx, ny, nz]` of the RAS grid: `rasShape[axes[s]] = sourceShape[s]`. */
  rasShape: Vec3;
  /** Voxel to world of the RAS grid: every voxel keeps its world position. */
  rasAffine: Affine;
  /** The source volume's header, handed back by `reorientFromRas`; the RAS grid has none. */
  sourceHeader?: NiftiHeader;
}

/** `true` when the reorientation changes nothing: the source is already in RAS voxel order. */
export function isIdentityReorientation(reorientation: Reorientation): boolean {
  return reorientation.axes.every((axis, s) => axis === s) && reorientation.flips.every((flip) => !flip);
}

function copyAffine(affine: Affine): Affine {
  return affine.map((row) => [...row]) as Affine;
}

/** Positive integers, three of them, or a RangeError naming the function. */
function checkShape(fn: string, shape: readonly number[], name = 'shape'): void {
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(
      `${fn}: ${name} must be three positive integers [nx, ny, nz]; got ${JSON.stringify(shape)}`,
    );
  }
}

/**
 * Plans the reorientation of a grid to canonical RAS voxel order, without touching any voxels.
 * The axis assignment is that of {@link axisCodes} (nibabel's `io_orientation`): an oblique or
 * sheared grid gets the closest axis permutation, and its RAS affine stays oblique.
 *
 * @param shape - `[nx, ny, nz]` of the source grid
 * @param affine - voxel to world of the source grid
 * @param header - optional source header, kept so that `reorientFromRas` can hand it back
 * @throws InvalidVolumeError when the affine has a zero column (no direction for some axis)
 * @example
 * ```ts
 * const plan = rasReorientation([240, 240, 155], flair.affine); // BraTS, LPS: flips i and j
 * plan.flips; // [true, true, false]
 * ```
 */
export function rasReorientation(shape: Vec3, affine: Affine, header?: NiftiHeader): Reorientation {
  checkShape('rasReorientation', shape);
  checkAffine('rasReorientation', affine);
  const { axes, signs } = orientationFromAffine(affine);
  const flips = signs.map((sign) => sign < 0) as [boolean, boolean, boolean];

  // the RAS grid: shape permuted; column axes[s] is ± source column s
  const rasShape: Vec3 = [0, 0, 0];
  const rasAffine: Affine = [
    [0, 0, 0, affine[0][3]],
    [0, 0, 0, affine[1][3]],
    [0, 0, 0, affine[2][3]],
    [0, 0, 0, 1],
  ];
  for (let s = 0; s < 3; s++) {
    rasShape[axes[s]] = shape[s];
    for (let r = 0; r < 3; r++) rasAffine[r][axes[s]] = flips[s] ? 0 - affine[r][s] : affine[r][s]; // 0 - x: never -0
  }

  // a reversed axis starts at the source's last voxel: move the origin there
  for (let s = 0; s < 3; s++) {
    if (!flips[s]) continue;
    for (let r = 0; r < 3; r++) rasAffine[r][3] += (shape[s] - 1) * affine[r][s];
  }

  return {
    axes,
    flips,
    sourceShape: [shape[0], shape[1], shape[2]],
    sourceAffine: copyAffine(affine),
    rasShape,
    rasAffine,
    ...(header === undefined ? {} : { sourceHeader: header }),
  };
}
