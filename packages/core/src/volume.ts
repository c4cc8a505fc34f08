/**
 * The `Volume` type every hadnet package passes around, and small helpers on its geometry.
 * Depends on nothing but the NIfTI header type.
 */
import type { NiftiHeader } from './nifti/header.js';

/** Three numbers along the voxel axes i, j, k (NIfTI order). */
export type Vec3 = [number, number, number];

/**
 * A 4x4 affine, row-major: `world = affine · [i, j, k, 1]`, world in mm in NIfTI's RAS+ frame
 * (x towards Right, y towards Anterior, z towards Superior).
 */
export type Affine = [
  [number, number, number, number],
  [number, number, number, number],
  [number, number, number, number],
  [number, number, number, number],
];

/** Typed arrays a volume's voxels may be stored in. 64-bit integers are read into Float64Array. */
export type VoxelArray =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/**
 * A scalar 3D image on a voxel grid.
 *
 * Layout: `data[i + nx * (j + ny * k)]` is voxel (i, j, k), with `shape = [nx, ny, nz]`: the NIfTI
 * memory order, i fastest. In a network tensor the same memory is `[depth, height, width]` =
 * `[k, j, i]` (ONNX NCDHW and tfjs NDHWC alike, see CONTRACTS.md).
 */
export interface Volume {
  /** Voxel values, already scaled by `scl_slope`/`scl_inter` when the file asked for it. */
  data: VoxelArray;
  /** `[nx, ny, nz]`: voxels along i, j, k. */
  shape: Vec3;
  /** Voxel size in mm along i, j, k: the norms of the affine's first three columns. */
  spacing: Vec3;
  /** Voxel to world (mm, RAS+). See {@link Affine}. */
  affine: Affine;
  /** The header the volume was read from; writers copy its geometry so results overlay the input. */
  header?: NiftiHeader;
}

/** Duck-typed check for a {@link Volume}: typed-array data, a three-number shape and a 4x4 affine. */
export function isVolume(source: unknown): source is Volume {
  if (typeof source !== 'object' || source === null) return false;
  const candidate = source as Partial<Volume>;
  return (
    ArrayBuffer.isView(candidate.data) &&
    Array.isArray(candidate.shape) &&
    candidate.shape.length === 3 &&
    Array.isArray(candidate.affine) &&
    candidate.affine.length === 4
  );
}

/** Number of voxels in a grid of this shape. */
export function voxelCount(shape: readonly number[]): number {
  return shape[0] * shape[1] * shape[2];
}

/** Voxel size along i, j, k from an affine: the Euclidean norm of each of its first three columns. */
export function spacingFromAffine(affine: Affine): Vec3 {
  const norm = (c: number) => Math.hypot(affine[0][c], affine[1][c], affine[2][c]);
  return [norm(0), norm(1), norm(2)];
}

/** A 4x4 identity affine. */
export function identityAffine(): Affine {
  return [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
}
