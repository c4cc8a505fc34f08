/**
 * Where the tiles of a sliding window go (MONAI's rule): starts every `roi · (1 - overlap)`
 * voxels along each axis, and the last tile shifted back so that no tile leaves the volume.
 * Depends on nothing.
 */
import type { SpatialShape } from './importance.js';

/** One tile: where it starts in the volume and its size, both `[depth, height, width]`. */
export interface Tile {
  /** Position in the plan, 0-based, depth-major. */
  index: number;
  /** First voxel of the tile in the volume, `[d, h, w]`. */
  start: SpatialShape;
  /** Tile size, `[depth, height, width]`: always the roiSize. */
  size: SpatialShape;
}

/**
 * Tile starts along one axis.
 * @param length - volume extent along the axis
 * @param roi - tile extent along the axis, at most `length`
 * @param overlap - fraction of a tile shared with the next, in [0, 1)
 * @returns increasing starts; the first is 0 and the last is `length - roi`
 */
export function tileStarts(length: number, roi: number, overlap: number): number[] {
  if (roi === length) return [0];
  const step = Math.max(Math.floor(roi * (1 - overlap)), 1);
  const starts: number[] = [];
  for (let start = 0; ; start += step) {
    starts.push(Math.min(start, length - roi));
    if (start + roi >= length) return starts;
  }
}

/**
 * Every tile of a sliding window over a volume, depth-major (width varies fastest).
 * @param inputShape - volume size `[depth, height, width]`
 * @param roiSize - tile size `[depth, height, width]`, each at most the volume's
 * @param overlap - fraction of a tile shared with its neighbour along each axis, in [0, 1)
 * @throws RangeError when a tile is larger than the volume, or the overlap is outside [0, 1)
 */
export function planTiles(inputShape: SpatialShape, roiSize: SpatialShape, overlap: number): Tile[] {
  if (!(overlap >= 0 && overlap < 1)) {
    throw new RangeError(`planTiles: overlap must be in [0, 1); got ${overlap}`);
  }
  for (let axis = 0; axis < 3; axis++) {
    const roi = roiSize[axis];
    if (!(Number.isInteger(roi) && roi >= 1 && Number.isInteger(inputShape[axis]) && inputShape[axis] >= 1)) {
      throw new RangeError(
        `planTiles: inputShape and roiSize must be positive whole numbers; got inputShape ` +
          `[${inputShape.join(', ')}] and roiSize [${roiSize.join(', ')}]`,
      );
    }
    if (roi > inputShape[axis]) {
      throw new RangeError(
        `planTiles: roiSize [${roiSize.join(', ')}] is larger than the input [${inputShape.join(', ')}] ` +
          `along ${['depth', 'height', 'width'][axis]}; pad the input to at least roiSize first`,
      );
    }
  }
  const [sd, sh, sw] = [0, 1, 2].map((axis) => tileStarts(inputShape[axis], roiSize[axis], overlap));
  const tiles: Tile[] = [];
  for (const d of sd) {
    for (const h of sh) {
      for (const w of sw) tiles.push({ index: tiles.length, start: [d, h, w], size: [...roiSize] });
    }
  }
  return tiles;
}
