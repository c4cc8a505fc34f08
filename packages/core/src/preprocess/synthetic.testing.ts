/**
 * A synthetic case for the preprocessing tests (never imported by the library): a box-shaped
 * "brain" on a RAS grid whose voxel values encode their position, and the same case written in
 * any other voxel order by an independent permute-and-flip (not the orientation module's).
 */
import type { Affine, Vec3, Volume, VoxelArray } from '../volume.js';

/** RAS grid of the case: 20 x 18 x 12 voxels of 1.5 x 1 x 2 mm. */
export const RAS_SHAPE: Vec3 = [20, 18, 12];
export const RAS_AFFINE: Affine = [
  [1.5, 0, 0, -10],
  [0, 1, 0, 5],
  [0, 0, 2, 3],
  [0, 0, 0, 1],
];
/** The brain: i in [3, 14], j in [2, 15], k in [1, 9] (12 x 14 x 9 voxels). */
export const BRAIN_START: Vec3 = [3, 2, 1];
export const BRAIN_SIZE: Vec3 = [12, 14, 9];

export const inBrain = (i: number, j: number, k: number): boolean =>
  i >= 3 && i <= 14 && j >= 2 && j <= 15 && k >= 1 && k <= 9;

/** An array on the RAS grid from a function of the RAS voxel. */
export function rasArray<T extends VoxelArray>(
  make: new (length: number) => T,
  value: (i: number, j: number, k: number) => number,
): T {
  const [nx, ny, nz] = RAS_SHAPE;
  const out = new make(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) out[i + nx * (j + ny * k)] = value(i, j, k);
  return out;
}

/** The case's sequences on the RAS grid: flair 100 + i, t1 200 + j, t2 300 + k inside the brain. */
export const rasSequences = {
  flair: () => rasArray(Int16Array, (i, j, k) => (inBrain(i, j, k) ? 100 + i : 0)),
  t1: () => rasArray(Int16Array, (i, j, k) => (inBrain(i, j, k) ? 200 + j : 0)),
  t2: () => rasArray(Int16Array, (i, j, k) => (inBrain(i, j, k) ? 300 + k : 0)),
};

/** A blocky label map (BraTS labels 0, 1, 2, 4) inside the brain, 0 outside. */
export const rasLabels = (): Uint8Array =>
  rasArray(Uint8Array, (i, j, k) => (inBrain(i, j, k) ? [0, 1, 2, 4][((i >> 1) + (j >> 2) + k) % 4] : 0));

/** A voxel order: source axis s runs along RAS axis `axes[s]`, reversed where `flips[s]`. */
export interface Order {
  name: string;
  axes: Vec3;
  flips: [boolean, boolean, boolean];
}

export const ORDERS: Order[] = [
  { name: 'RAS', axes: [0, 1, 2], flips: [false, false, false] },
  { name: 'LPS (BraTS)', axes: [0, 1, 2], flips: [true, true, false] },
  { name: 'SLA', axes: [2, 0, 1], flips: [false, true, false] },
  { name: 'PIR', axes: [1, 2, 0], flips: [true, true, false] },
  { name: 'ILP', axes: [2, 0, 1], flips: [true, true, true] },
];

/** RAS voxel of a source voxel. */
export function rasIndex(order: Order, source: Vec3): Vec3 {
  const ras: Vec3 = [0, 0, 0];
  for (let s = 0; s < 3; s++) {
    const axis = order.axes[s];
    ras[axis] = order.flips[s] ? RAS_SHAPE[axis] - 1 - source[s] : source[s];
  }
  return ras;
}

/** The source grid's shape and affine. */
export function sourceGrid(order: Order): { shape: Vec3; affine: Affine } {
  const shape = order.axes.map((axis) => RAS_SHAPE[axis]) as Vec3;
  const origin = rasIndex(order, [0, 0, 0]);
  const affine: Affine = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 1],
  ];
  for (let r = 0; r < 3; r++) {
    for (let s = 0; s < 3; s++) affine[r][s] = (order.flips[s] ? -1 : 1) * RAS_AFFINE[r][order.axes[s]];
    affine[r][3] = RAS_AFFINE[r][3] + origin.reduce((sum, x, a) => sum + RAS_AFFINE[r][a] * x, 0);
  }
  return { shape, affine };
}

/** A RAS array rewritten in another voxel order, as a Volume. */
export function inOrder<T extends VoxelArray>(ras: T, order: Order): Volume {
  const { shape, affine } = sourceGrid(order);
  const out = new (ras.constructor as new (length: number) => T)(ras.length);
  for (let c = 0; c < shape[2]; c++)
    for (let b = 0; b < shape[1]; b++)
      for (let a = 0; a < shape[0]; a++) {
        const [i, j, k] = rasIndex(order, [a, b, c]);
        out[a + shape[0] * (b + shape[1] * c)] = ras[i + RAS_SHAPE[0] * (j + RAS_SHAPE[1] * k)];
      }
  const spacing = [0, 1, 2].map((s) => Math.hypot(affine[0][s], affine[1][s], affine[2][s])) as Vec3;
  return { data: out, shape, spacing, affine };
}

/** The case's three sequences in a voxel order. */
export function caseInOrder(order: Order): { flair: Volume; t1: Volume; t2: Volume } {
  return {
    flair: inOrder(rasSequences.flair(), order),
    t1: inOrder(rasSequences.t1(), order),
    t2: inOrder(rasSequences.t2(), order),
  };
}
