/**
 * Sliding-window inference over any async `runTile` callback (an ONNX Runtime session, a tfjs
 * model, a test double): tiles in batches, outputs blended by importance weights. Also the
 * whole-volume mode of the reference. Depends on the other files of this folder only.
 */
import { importanceMap, type Blending, type SpatialShape } from './importance.js';
import { planTiles, type Tile } from './plan.js';
import { splitTileOutputs, withMirroring, type MirrorAxis, type RunTile, type TileInput } from './mirror.js';

/** Progress of a sliding window, reported after each batch. */
export interface TileProgress {
  /** Tiles finished so far. */
  done: number;
  /** Tiles in the plan. */
  total: number;
}

/** Options of {@link slidingWindowInference}. */
export interface SlidingWindowOptions {
  /** Volume size `[depth, height, width]`. */
  inputShape: SpatialShape;
  /**
   * The input voxels, `[channels, depth, height, width]` (NCDHW without the batch). When given,
   * each tile passed to `runTile` carries its own `data` cut from it. Needed by `mirrorAxes`.
   */
  input?: { data: Float32Array; channels: number };
  /**
   * `'tiles'`: a sliding window of `roiSize`. `'whole'`: one pass over the whole volume, as the
   * reference does (`roiSize` equal to `inputShape` gives the same).
   * @defaultValue `'tiles'`
   */
  mode?: 'tiles' | 'whole';
  /** Tile size `[depth, height, width]`, at most `inputShape`; required in `'tiles'` mode. */
  roiSize?: SpatialShape;
  /** Fraction of a tile shared with its neighbour along each axis, in [0, 1). @defaultValue 0.5 */
  overlap?: number;
  /** How overlapping outputs are weighted. @defaultValue `'gaussian'` */
  blending?: Blending;
  /** σ of the Gaussian weights as a fraction of the tile size. @defaultValue 0.125 */
  sigmaScale?: number;
  /** Tiles per `runTile` call. @defaultValue 1 */
  swBatchSize?: number;
  /** Test-time mirroring: also run each tile flipped along every combination of these axes. */
  mirrorAxes?: MirrorAxis[];
  /** The network: outputs `[outChannels, depth, height, width]` per tile. */
  runTile: RunTile;
  /** Called after each batch. */
  onProgress?: (progress: TileProgress) => void;
}

/** The blended output over the whole volume. */
export interface SlidingWindowResult {
  /** `[1, outChannels, depth, height, width]` (NCDHW), width fastest. */
  data: Float32Array;
  /** `[1, outChannels, depth, height, width]`. */
  shape: [1, number, number, number, number];
  /** The tiles that ran, in order. */
  tiles: Tile[];
}

function cutTile(
  input: { data: Float32Array; channels: number },
  shape: SpatialShape,
  tile: Tile,
): Float32Array {
  const [, nh, nw] = shape;
  const [td, th, tw] = tile.size;
  const [d0, h0, w0] = tile.start;
  const out = new Float32Array(input.channels * td * th * tw);
  let to = 0;
  for (let c = 0; c < input.channels; c++) {
    for (let d = 0; d < td; d++) {
      for (let h = 0; h < th; h++) {
        const from = ((c * shape[0] + d0 + d) * nh + h0 + h) * nw + w0;
        out.set(input.data.subarray(from, from + tw), to);
        to += tw;
      }
    }
  }
  return out;
}

/**
 * Runs `runTile` over a volume tile by tile and blends the outputs: each output voxel is
 * `Σ weight · output / Σ weight` over the tiles that cover it, summed in double precision, so
 * that tiles that agree give exactly their common value.
 *
 * Tiles start every `roiSize · (1 - overlap)` voxels; the last tile along an axis is shifted back
 * to end at the volume's edge, so tiles never leave the volume. Memory: the sums take
 * `8 · (outChannels + 1)` bytes per voxel.
 * @returns the blended output, `[1, outChannels, depth, height, width]`
 * @throws RangeError on a bad size or overlap, or when `runTile` returns outputs of the wrong size
 * @example
 * ```ts
 * const { data } = await slidingWindowInference({
 *   inputShape: [160, 192, 160],
 *   input: { data: tensor, channels: 3 },
 *   roiSize: [128, 128, 128],
 *   runTile: async (tiles) => run(session, tiles), // [batch, 4, 128, 128, 128] probabilities
 * });
 * ```
 */
export async function slidingWindowInference(options: SlidingWindowOptions): Promise<SlidingWindowResult> {
  const { inputShape, input, runTile, onProgress } = options;
  const mode = options.mode ?? 'tiles';
  const overlap = options.overlap ?? 0.5;
  const swBatchSize = options.swBatchSize ?? 1;
  const mirrorAxes = options.mirrorAxes ?? [];
  const voxels = inputShape[0] * inputShape[1] * inputShape[2];

  // check the arguments
  if (mode !== 'tiles' && mode !== 'whole') {
    throw new RangeError(`slidingWindowInference: mode must be 'tiles' or 'whole'; got ${String(mode)}`);
  }
  if (mode === 'tiles' && options.roiSize === undefined) {
    throw new TypeError("slidingWindowInference: roiSize is required in 'tiles' mode");
  }
  if (!(Number.isInteger(swBatchSize) && swBatchSize >= 1)) {
    throw new RangeError(
      `slidingWindowInference: swBatchSize must be a whole number >= 1; got ${swBatchSize}`,
    );
  }
  if (input !== undefined && input.data.length !== input.channels * voxels) {
    throw new RangeError(
      `slidingWindowInference: input holds ${input.data.length} values, but ${input.channels} channels ` +
        `of [${inputShape.join(', ')}] need ${input.channels * voxels}`,
    );
  }
  const roiSize: SpatialShape = mode === 'whole' ? [...inputShape] : [...options.roiSize!];
  const tiles = planTiles(inputShape, roiSize, overlap);
  const weights = importanceMap(roiSize, { blending: options.blending, sigmaScale: options.sigmaScale });
  const run = mirrorAxes.length > 0 ? withMirroring(runTile, mirrorAxes) : runTile;

  // run the tiles batch by batch and add up weighted outputs
  const [, nh, nw] = inputShape;
  const [td, th, tw] = roiSize;
  const tileVoxels = td * th * tw;
  const weightSum = new Float64Array(voxels);
  let sums: Float64Array | undefined;
  let channels = 0;
  for (let first = 0; first < tiles.length; first += swBatchSize) {
    const batch: TileInput[] = tiles.slice(first, first + swBatchSize).map((tile) => ({
      ...tile,
      ...(input === undefined ? {} : { data: cutTile(input, inputShape, tile) }),
    }));
    const outputs = splitTileOutputs(await run(batch), batch.length, tileVoxels);
    for (const [t, output] of outputs.entries()) {
      if (sums === undefined) {
        channels = output.length / tileVoxels;
        sums = new Float64Array(channels * voxels);
      } else if (output.length !== channels * tileVoxels) {
        throw new RangeError(
          `runTile: tile ${batch[t].index} returned ${output.length / tileVoxels} channels; earlier tiles ${channels}`,
        );
      }
      const [d0, h0, w0] = batch[t].start;
      for (let d = 0, v = 0; d < td; d++) {
        for (let h = 0; h < th; h++) {
          const row = ((d0 + d) * nh + h0 + h) * nw + w0;
          for (let w = 0; w < tw; w++, v++) {
            weightSum[row + w] += weights[v];
            for (let c = 0; c < channels; c++)
              sums[c * voxels + row + w] += weights[v] * output[c * tileVoxels + v];
          }
        }
      }
    }
    onProgress?.({ done: Math.min(first + swBatchSize, tiles.length), total: tiles.length });
  }

  // divide by the weight sums
  const data = new Float32Array(channels * voxels);
  for (let c = 0; c < channels; c++) {
    for (let v = 0; v < voxels; v++) data[c * voxels + v] = sums![c * voxels + v] / weightSum[v];
  }
  return { data, shape: [1, channels, ...inputShape], tiles };
}
