/**
 * Test-time mirroring of tiles: run each tile once per combination of flipped axes, flip each
 * output back and average them. Depends on plan.ts for the tile type.
 */
import type { SpatialShape } from './importance.js';
import type { Tile } from './plan.js';

/** A spatial axis of a `[channels, depth, height, width]` tile. */
export type MirrorAxis = 'depth' | 'height' | 'width';

const AXES: readonly MirrorAxis[] = ['depth', 'height', 'width'];

/** A tile as `runTile` receives it: its place, and its input voxels when the planner holds them. */
export interface TileInput extends Tile {
  /** The input under the tile, `[channels, depth, height, width]` (NCDHW without the batch). */
  data?: Float32Array;
}

/**
 * Runs a batch of tiles and returns one output per tile, `[outChannels, depth, height, width]`
 * each: either an array of per-tile outputs, or one array holding them back to back (the batch
 * output of an ONNX session, `[batch, outChannels, depth, height, width]`).
 */
export type RunTile = (tiles: TileInput[]) => Promise<Float32Array | Float32Array[]>;

/**
 * Copies a `[channels, depth, height, width]` array flipped along the given axes.
 * @param data - the voxels, width fastest
 * @param size - `[depth, height, width]`
 * @param axes - axes to flip; flipping twice along the same axis restores the input
 */
export function flipTile(data: Float32Array, size: SpatialShape, axes: readonly MirrorAxis[]): Float32Array {
  const [nd, nh, nw] = size;
  const voxels = nd * nh * nw;
  const [fd, fh, fw] = AXES.map((axis) => axes.includes(axis));
  const out = new Float32Array(data.length);
  for (let base = 0; base < data.length; base += voxels) {
    for (let d = 0; d < nd; d++) {
      const sd = fd ? nd - 1 - d : d;
      for (let h = 0; h < nh; h++) {
        const sh = fh ? nh - 1 - h : h;
        const to = base + (d * nh + h) * nw;
        const from = base + (sd * nh + sh) * nw;
        for (let w = 0; w < nw; w++) out[to + w] = data[from + (fw ? nw - 1 - w : w)];
      }
    }
  }
  return out;
}

/** Every subset of the given axes, the empty one first: 2^n combinations. */
export function mirrorCombinations(axes: readonly MirrorAxis[]): MirrorAxis[][] {
  let subsets: MirrorAxis[][] = [[]];
  for (const axis of axes) subsets = [...subsets, ...subsets.map((s) => [...s, axis])];
  return subsets;
}

/**
 * Splits what a {@link RunTile} returned into one output per tile.
 * @throws RangeError when the outputs do not hold a whole number of channels per tile
 */
export function splitTileOutputs(
  result: Float32Array | Float32Array[],
  count: number,
  tileVoxels: number,
): Float32Array[] {
  const outputs = Array.isArray(result)
    ? result
    : Array.from({ length: count }, (_, t) =>
        result.subarray((t * result.length) / count, ((t + 1) * result.length) / count),
      );
  const fits = outputs.length === count && outputs.every((o) => o.length > 0 && o.length % tileVoxels === 0);
  if (!fits || (!Array.isArray(result) && result.length % count !== 0)) {
    const got = Array.isArray(result) ? `${result.length} arrays` : `one array of ${result.length} values`;
    throw new RangeError(
      `runTile: expected ${count} outputs of outChannels x ${tileVoxels} values (one per tile); got ${got}` +
        (Array.isArray(result) ? ` of lengths ${result.map((o) => o.length).join(', ')}` : ''),
    );
  }
  return outputs;
}

/**
 * Wraps a {@link RunTile} so that it runs each batch once per combination of flipped axes and
 * returns, per tile, the mean of the outputs flipped back. Return probabilities from the wrapped
 * callback to average probabilities.
 * @param runTile - the callback to wrap; its tiles must carry `data`
 * @param axes - the axes to mirror; all three give 8 runs per tile
 */
export function withMirroring(runTile: RunTile, axes: readonly MirrorAxis[]): RunTile {
  const combinations = mirrorCombinations(axes);
  return async (tiles) => {
    const sums: Float64Array[] = [];
    for (const flip of combinations) {
      // flip the inputs, run, flip the outputs back
      const flipped = tiles.map((tile) => {
        if (tile.data === undefined) {
          throw new TypeError('slidingWindowInference: mirrorAxes needs the input voxels; pass `input`');
        }
        return { ...tile, data: flip.length === 0 ? tile.data : flipTile(tile.data, tile.size, flip) };
      });
      const outputs = splitTileOutputs(await runTile(flipped), tiles.length, voxelsOf(tiles[0].size));
      outputs.forEach((output, t) => {
        const back = flip.length === 0 ? output : flipTile(output, tiles[t].size, flip);
        sums[t] ??= new Float64Array(back.length);
        if (sums[t].length !== back.length) {
          throw new RangeError(
            `runTile: output lengths changed between mirrored runs of tile ${tiles[t].index}`,
          );
        }
        for (let v = 0; v < back.length; v++) sums[t][v] += back[v];
      });
    }
    return sums.map((sum) => {
      const mean = new Float32Array(sum.length);
      for (let v = 0; v < sum.length; v++) mean[v] = sum[v] / combinations.length;
      return mean;
    });
  };
}

function voxelsOf(size: SpatialShape): number {
  return size[0] * size[1] * size[2];
}
