/**
 * Blending weights of one sliding-window tile (MONAI's importance map): constant, or a separable
 * Gaussian that trusts a tile's centre more than its edges. Depends on nothing.
 */

/** How overlapping tiles are blended. */
export type Blending = 'gaussian' | 'constant';

/** Spatial size `[depth, height, width]` of a tile or a volume, in voxels. */
export type SpatialShape = [number, number, number];

/** The floor under Gaussian weights, so that no voxel is ever divided by a zero weight sum. */
export const MIN_GAUSSIAN_WEIGHT = 1e-3;

/**
 * The weight of each voxel of a tile, `[depth, height, width]` flattened (width fastest).
 *
 * `'constant'`: 1 everywhere. `'gaussian'`: the product over the three axes of
 * `exp(-x² / (2 σ²))`, x measured from the tile's centre `(n - 1) / 2` and `σ = sigmaScale · n`;
 * weights below `max(smallest weight, 1e-3)` are raised to it (MONAI's rule).
 * @param roiSize - tile size `[depth, height, width]`
 * @param options - `blending` and, for `'gaussian'`, `sigmaScale`
 * @defaultValue blending `'gaussian'`, sigmaScale 0.125
 * @returns a `Float32Array` of `depth · height · width` weights
 */
export function importanceMap(
  roiSize: SpatialShape,
  options: { blending?: Blending; sigmaScale?: number } = {},
): Float32Array {
  const blending = options.blending ?? 'gaussian';
  const sigmaScale = options.sigmaScale ?? 0.125;
  if (blending !== 'gaussian' && blending !== 'constant') {
    throw new RangeError(`importanceMap: blending must be 'gaussian' or 'constant'; got ${String(blending)}`);
  }
  if (!(sigmaScale > 0 && Number.isFinite(sigmaScale))) {
    throw new RangeError(`importanceMap: sigmaScale must be a positive number; got ${sigmaScale}`);
  }
  const [nd, nh, nw] = roiSize;
  const map = new Float32Array(nd * nh * nw);
  if (blending === 'constant') return map.fill(1);

  // one 1D Gaussian per axis, centred on the tile
  const profile = (n: number): Float64Array => {
    const sigma = sigmaScale * n;
    return Float64Array.from({ length: n }, (_, x) =>
      Math.exp(-((x - (n - 1) / 2) ** 2) / (2 * sigma * sigma)),
    );
  };
  const [gd, gh, gw] = [profile(nd), profile(nh), profile(nw)];

  // their product, then the floor
  let smallest = Infinity;
  for (let d = 0, v = 0; d < nd; d++) {
    for (let h = 0; h < nh; h++) {
      for (let w = 0; w < nw; w++, v++) {
        map[v] = gd[d] * gh[h] * gw[w];
        smallest = Math.min(smallest, map[v]);
      }
    }
  }
  const floor = Math.max(smallest, MIN_GAUSSIAN_WEIGHT);
  for (let v = 0; v < map.length; v++) if (map[v] < floor) map[v] = floor;
  return map;
}
