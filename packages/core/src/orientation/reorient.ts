/**
 * Reorients whole volumes to canonical RAS voxel order and back, exactly: permutations and flips
 * only, every voxel keeps its value and its world position. Depends on the Volume types and the
 * other files of this folder.
 */
import { InvalidVolumeError } from '../errors.js';
import type { Vec3, Volume } from '../volume.js';
import { checkAffine } from './axis-codes.js';
import { rasReorientation, type Reorientation } from './reorientation.js';
import { reorientArray } from './reorient-array.js';

function checkVolume(fn: string, volume: Volume, name = 'volume'): void {
  if (volume === null || typeof volume !== 'object' || !ArrayBuffer.isView(volume.data)) {
    throw new TypeError(`${fn}: ${name} must be a Volume with a typed array in data; got ${typeof volume}`);
  }
  const shape = volume.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidVolumeError(
      `${fn}: ${name}.shape must be three positive integers; got ${JSON.stringify(shape)}`,
    );
  }
  const voxels = shape[0] * shape[1] * shape[2];
  if (volume.data.length !== voxels) {
    throw new InvalidVolumeError(
      `${fn}: ${name}.data holds ${volume.data.length} voxels, but ${name}.shape ${shape.join('x')} needs ${voxels}`,
    );
  }
  const spacing = volume.spacing;
  if (!Array.isArray(spacing) || spacing.length !== 3 || !spacing.every((v) => typeof v === 'number')) {
    throw new InvalidVolumeError(
      `${fn}: ${name}.spacing must be three numbers; got ${JSON.stringify(spacing)}`,
    );
  }
  checkAffine(fn, volume.affine);
}

/**
 * Reorients a volume to canonical RAS voxel order: index i increases towards Right, j towards
 * Anterior, k towards Superior (as closely as an oblique affine allows; the closest axis
 * permutation is chosen as nibabel's `io_orientation` does, see {@link axisCodes}).
 *
 * Permutations and flips only: no resampling, the data keep their typed array type and values, and
 * the returned affine gives every voxel the world position it had. The RAS volume carries no
 * `header` (the source header describes the source grid); {@link reorientFromRas} hands it back.
 *
 * @param volume - any volume with a non-degenerate affine
 * @returns the RAS volume, and the plan that {@link reorientFromRas} and `reorientArray` use
 * @throws InvalidVolumeError when data and shape disagree or the affine has a zero column
 * @example
 * ```ts
 * const { volume: ras, reorientation } = reorientToRas(flair); // a BraTS volume: i and j flipped
 * const back = reorientFromRas(ras, reorientation); // flair's own grid, bit for bit
 * ```
 */
export function reorientToRas(volume: Volume): { volume: Volume; reorientation: Reorientation } {
  checkVolume('reorientToRas', volume);
  const reorientation = rasReorientation(volume.shape, volume.affine, volume.header);
  const spacing: Vec3 = [0, 0, 0];
  for (let s = 0; s < 3; s++) spacing[reorientation.axes[s]] = volume.spacing[s];
  const ras: Volume = {
    data: reorientArray(volume.data, reorientation),
    shape: [...reorientation.rasShape],
    spacing,
    affine: reorientation.rasAffine.map((row) => [...row]) as Volume['affine'],
  };
  return { volume: ras, reorientation };
}

/**
 * Puts a volume on the RAS grid back into the source grid's voxel order: the inverse of
 * {@link reorientToRas}. `reorientFromRas(reorientToRas(v).volume, plan)` returns `v` bit for bit:
 * the same typed array type and values, shape, spacing and affine, and `v`'s header.
 *
 * The volume may be any volume on the RAS grid (a segmentation, a probability map): only its data
 * and spacing are used; the returned affine is the source's, the header the source's.
 *
 * @param volume - a volume whose shape is `reorientation.rasShape`
 * @param reorientation - the plan returned by {@link reorientToRas} (or `rasReorientation`)
 * @throws InvalidVolumeError when the volume's shape is not the plan's RAS shape
 */
export function reorientFromRas(volume: Volume, reorientation: Reorientation): Volume {
  checkVolume('reorientFromRas', volume);
  const { rasShape, axes } = reorientation;
  if (volume.shape.some((n, a) => n !== rasShape[a])) {
    throw new InvalidVolumeError(
      `reorientFromRas: volume.shape must be the reorientation's RAS shape ${rasShape.join('x')}; ` +
        `got ${volume.shape.join('x')}`,
    );
  }
  const spacing: Vec3 = [0, 0, 0];
  for (let s = 0; s < 3; s++) spacing[s] = volume.spacing[axes[s]];
  const source: Volume = {
    data: reorientArray(volume.data, reorientation, { direction: 'fromRas' }),
    shape: [...reorientation.sourceShape],
    spacing,
    affine: reorientation.sourceAffine.map((row) => [...row]) as Volume['affine'],
  };
  if (reorientation.sourceHeader !== undefined) source.header = reorientation.sourceHeader;
  return source;
}
