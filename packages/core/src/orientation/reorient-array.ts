/**
 * Moves the voxels of raw typed arrays between a grid and its RAS voxel order, by a
 * {@link Reorientation}: what `reorientToRas` does to a volume's data, open to label maps and
 * multi-channel probability arrays. Depends on the Volume types only.
 */
import type { VoxelArray } from '../volume.js';
import type { Reorientation } from './reorientation.js';

/** Options of {@link reorientArray}. */
export interface ReorientArrayOptions {
  /**
   * `'toRas'` reads an array on the source grid and returns it on the RAS grid; `'fromRas'` does
   * the inverse.
   * @defaultValue `'toRas'`
   */
  direction?: 'toRas' | 'fromRas';
  /**
   * Number of channels stored one after the other, each a whole volume in NIfTI memory order
   * (`[channels, k, j, i]`, i fastest: the memory of an NCDHW tensor with batch 1). Every channel is
   * reoriented alike.
   * @defaultValue `1`
   */
  channels?: number;
}

/**
 * Reorients a raw array of voxels, the same way `reorientToRas` / `reorientFromRas` reorient a
 * volume. Use it for arrays that travel beside a volume: label maps, probabilities, uncertainty.
 *
 * Layout in and out: `data[i + nx * (j + ny * (k + nz * c))]`, with `[nx, ny, nz]` the shape of the
 * grid read (`reorientation.sourceShape` for `'toRas'`, `reorientation.rasShape` for `'fromRas'`)
 * and `c` the channel. Voxels are moved, never interpolated: the output holds exactly the input's
 * values, in a new array of the same type.
 *
 * @param data - voxels on the grid read, `channels` volumes one after the other
 * @param reorientation - the plan, from `rasReorientation` or `reorientToRas`
 * @param options - direction and channel count
 * @returns a new array of the same type and length
 * @example
 * ```ts
 * const { volume: ras, reorientation } = reorientToRas(flair);
 * const labels = reorientArray(rasLabels, reorientation, { direction: 'fromRas' });
 * ```
 */
export function reorientArray<T extends VoxelArray>(
  data: T,
  reorientation: Reorientation,
  options: ReorientArrayOptions = {},
): T {
  const direction = options.direction ?? 'toRas';
  const channels = options.channels ?? 1;
  const { axes, flips, sourceShape, rasShape } = reorientation;
  const [nx, ny, nz] = sourceShape;
  const voxels = nx * ny * nz;

  // checks
  if (direction !== 'toRas' && direction !== 'fromRas') {
    throw new RangeError(
      `reorientArray: options.direction must be 'toRas' or 'fromRas'; got ${JSON.stringify(direction)}`,
    );
  }
  if (!Number.isInteger(channels) || channels < 1) {
    throw new RangeError(`reorientArray: options.channels must be a positive integer; got ${channels}`);
  }
  if (!ArrayBuffer.isView(data) || data.length !== voxels * channels) {
    const grid = direction === 'toRas' ? sourceShape : rasShape;
    throw new RangeError(
      `reorientArray: data must hold ${channels} x ${grid.join('x')} = ${voxels * channels} voxels ` +
        `(direction '${direction}'); got ${ArrayBuffer.isView(data) ? data.length : typeof data}`,
    );
  }

  // strides of the RAS grid, signed and offset for reversed axes, seen from the source axes
  const rasStride = [1, rasShape[0], rasShape[0] * rasShape[1]];
  const step = [0, 1, 2].map((s) => (flips[s] ? -1 : 1) * rasStride[axes[s]]);
  let origin = 0;
  for (let s = 0; s < 3; s++) if (flips[s]) origin += (sourceShape[s] - 1) * rasStride[axes[s]];

  // one pass in source memory order; index `ras` follows along
  const out = new (data.constructor as new (length: number) => T)(data.length);
  const toRas = direction === 'toRas';
  for (let c = 0; c < channels; c++) {
    const base = c * voxels;
    let source = base;
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        let ras = base + origin + j * step[1] + k * step[2];
        if (toRas) {
          for (let i = 0; i < nx; i++, source++, ras += step[0]) out[ras] = data[source];
        } else {
          for (let i = 0; i < nx; i++, source++, ras += step[0]) out[source] = data[ras];
        }
      }
    }
  }
  return out;
}
