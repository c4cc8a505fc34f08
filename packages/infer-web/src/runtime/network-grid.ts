/**
 * The grid a model sees in one call, known before preprocessing runs: a tile of the card's
 * `roiSize`, or the whole volume cropped to the brain, resampled to the card's spacing and padded
 * to its `padMultiple`, worked out the way core's `preprocess` does it. Depends on @hadnet/core.
 */
import {
  brainMask,
  maskBoundingBox,
  planPadding,
  rasReorientation,
  resampledShape,
  type ModelCard,
  type Vec3,
  type Volume,
} from '@hadnet/core';

/**
 * `[depth, height, width]` of the grid one network call sees.
 *
 * In `'tiles'` mode it is the card's `roiSize`. In `'whole'` mode: the brain mask (every volume
 * non-zero), its bounding box in RAS order, resampled from the volumes' spacing to the card's
 * `spacingMm` (`round(n x spacing / target)` per axis), padded up to a multiple of `padMultiple`.
 * @param card - the model card
 * @param volumes - the volumes the model takes, on one grid, any voxel order
 * @example
 * ```ts
 * networkGrid(card, [flair, t1, t2]); // e.g. [144, 176, 144] for a BraTS case at 1 mm, multiple 16
 * ```
 */
export function networkGrid(card: ModelCard, volumes: readonly Volume[]): [number, number, number] {
  if (card.inputMode === 'tiles' && card.roiSize !== undefined) return [...card.roiSize];
  const reference = volumes[0];
  const { axes } = rasReorientation(reference.shape, reference.affine, reference.header);

  // the brain's bounding box, with its size and spacing along the RAS axes
  const box = maskBoundingBox(brainMask(volumes.map((v) => v.data)), reference.shape);
  const size: Vec3 = [0, 0, 0];
  const spacing: Vec3 = [0, 0, 0];
  for (let s = 0; s < 3; s++) {
    size[axes[s]] = box.size[s];
    spacing[axes[s]] = reference.spacing[s];
  }

  // resample to the card's spacing, pad to its multiple; [x, y, z] = [width, height, depth]
  const working = resampledShape(size, spacing, card.spacingMm);
  const [w, h, d] = planPadding(working, { multiple: card.padMultiple }).shape;
  return [d, h, w];
}
