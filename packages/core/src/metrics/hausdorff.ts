/**
 * The 95 % Hausdorff distance of CONTRACTS.md "Metrics": surfaces are the masks minus their
 * 6-connected erosions; every surface voxel of each mask gets its distance in mm to the nearest
 * surface voxel of the other (anisotropic spacing honoured); HD95 is the 95th percentile, linearly
 * interpolated as numpy's default, of both directed distance sets pooled together.
 *
 * Fast on a whole BraTS grid: the masks are cropped to the box holding both, which is exact (every
 * surface voxel lies inside it, so every nearest surface voxel does too, and cropping changes no
 * surface), and each surface gets one exact distance transform ({@link squaredDistanceTransform})
 * read at the other surface's voxels. Distances treat the voxel axes as orthogonal, with the
 * voxel sizes along i, j, k (a sheared affine's shear is ignored). Depends on the files beside it.
 */
import type { Vec3 } from '../volume.js';
import { squaredDistanceTransform } from './edt.js';
import { percentileOfSorted } from './percentile.js';
import { boundingBox, boxShape, cropMask, surfaceVoxels, unionBox, type VoxelBox } from './surface.js';

/** A voxel grid: `[nx, ny, nz]` voxels of `spacing` mm along i, j, k. */
export interface VoxelGrid {
  shape: Vec3;
  spacing: Vec3;
}

/** Options of {@link hausdorffDistance}. */
export interface HausdorffOptions {
  /**
   * Which percentile of the pooled distances: 95 for HD95, 100 for the classic Hausdorff distance.
   * @defaultValue 95
   */
  percentile?: number;
}

/** The diagonal of a grid in mm: `√((nx·sx)² + (ny·sy)² + (nz·sz)²)`, 373.13 on the BraTS grid. */
export function gridDiagonalMm(grid: VoxelGrid): number {
  const [nx, ny, nz] = grid.shape;
  const [sx, sy, sz] = grid.spacing;
  return Math.hypot(nx * sx, ny * sy, nz * sz);
}

function checkGrid(caller: string, pred: ArrayLike<number>, truth: ArrayLike<number>, grid: VoxelGrid) {
  const { shape, spacing } = grid;
  if (shape?.length !== 3 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`${caller}: grid.shape must be 3 positive integers; got [${shape}]`);
  }
  if (spacing?.length !== 3 || !spacing.every((s) => Number.isFinite(s) && s > 0)) {
    throw new RangeError(`${caller}: grid.spacing must be 3 positive numbers (mm); got [${spacing}]`);
  }
  const n = shape[0] * shape[1] * shape[2];
  for (const [name, mask] of [
    ['pred', pred],
    ['truth', truth],
  ] as const) {
    if (mask.length !== n) {
      throw new RangeError(
        `${caller}: ${name} holds ${mask.length} voxels; grid.shape [${shape}] needs ${n}`,
      );
    }
  }
}

/**
 * Both directed surface distance sets, in mm, pooled into one array: first the distance of every
 * surface voxel of `pred` to the surface of `truth`, then the other way round. Empty when either
 * mask is empty.
 *
 * Layout: masks are `mask[i + nx * (j + ny * k)]` with `grid.shape = [nx, ny, nz]`.
 */
export function pooledSurfaceDistances(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  grid: VoxelGrid,
): Float64Array {
  checkGrid('pooledSurfaceDistances', pred, truth, grid);
  const predBox = boundingBox(pred, grid.shape);
  const truthBox = boundingBox(truth, grid.shape);
  if (!predBox || !truthBox) return new Float64Array(0);
  return distancesInBoxes(pred, predBox, truth, truthBox, grid);
}

function distancesInBoxes(
  pred: ArrayLike<number>,
  predBox: VoxelBox,
  truth: ArrayLike<number>,
  truthBox: VoxelBox,
  grid: VoxelGrid,
): Float64Array {
  // crop both masks to the box holding both: exact, see the file header
  const box = unionBox(predBox, truthBox);
  const shape = boxShape(box);
  const predSurface = surfaceVoxels(cropMask(pred, grid.shape, box), shape);
  const truthSurface = surfaceVoxels(cropMask(truth, grid.shape, box), shape);

  // distance maps of each surface, read at the other surface's voxels
  const toTruth = squaredDistanceTransform(truthSurface, shape, grid.spacing);
  const toPred = squaredDistanceTransform(predSurface, shape, grid.spacing);
  let count = 0;
  for (let v = 0; v < predSurface.length; v++) count += predSurface[v] + truthSurface[v];
  const distances = new Float64Array(count);
  let o = 0;
  for (let v = 0; v < predSurface.length; v++) if (predSurface[v]) distances[o++] = Math.sqrt(toTruth[v]);
  for (let v = 0; v < truthSurface.length; v++) if (truthSurface[v]) distances[o++] = Math.sqrt(toPred[v]);
  return distances;
}

/**
 * The percentile Hausdorff distance in mm between two binary masks (HD95 by default), as
 * CONTRACTS.md defines it: pooled directed surface distances, 95th percentile by numpy's linear
 * interpolation. Both masks empty: 0. One empty and the other not: the grid's diagonal in mm
 * ({@link gridDiagonalMm}).
 *
 * @param pred - predicted mask, `pred[i + nx * (j + ny * k)]`, non-zero = inside
 * @param truth - reference mask, same layout
 * @param grid - `shape = [nx, ny, nz]` and `spacing` in mm along i, j, k
 * @example
 * // two single voxels 3 voxels apart along k on 1 x 1 x 2.5 mm voxels: every distance is 7.5 mm
 * hausdorffDistance(a, b, { shape: [1, 1, 4], spacing: [1, 1, 2.5] }); // 7.5
 */
export function hausdorffDistance(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  grid: VoxelGrid,
  options: HausdorffOptions = {},
): number {
  const q = options.percentile ?? 95;
  if (!(q >= 0 && q <= 100)) {
    throw new RangeError(`hausdorffDistance: options.percentile must be in [0, 100]; got ${q}`);
  }
  checkGrid('hausdorffDistance', pred, truth, grid);
  const predBox = boundingBox(pred, grid.shape);
  const truthBox = boundingBox(truth, grid.shape);
  if (!predBox && !truthBox) return 0;
  if (!predBox || !truthBox) return gridDiagonalMm(grid);
  const distances = distancesInBoxes(pred, predBox, truth, truthBox, grid).sort();
  return percentileOfSorted(distances, q);
}
