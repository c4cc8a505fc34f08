/**
 * From a 4x4 affine to NIfTI's qform parameters (quaternion, offset, qfac, voxel sizes): the
 * inverse of the qform-to-affine rule, for writers. Depends on the Volume types and the polar
 * decomposition in ../orientation.
 */
import { determinant3, nearestOrthogonal, type Mat3 } from '../orientation/polar.js';
import type { Affine, Vec3 } from '../volume.js';

/** The qform fields of a NIfTI header that describe one affine. */
export interface QformParameters {
  /** `[quatern_b, quatern_c, quatern_d]`: the rotation's unit quaternion without `a` (`a >= 0`). */
  quatern: [number, number, number];
  /** `[qoffset_x, qoffset_y, qoffset_z]`: world position of voxel (0, 0, 0), in mm. */
  qoffset: [number, number, number];
  /** `pixdim[0]`: `1` for a proper rotation, `-1` when the k axis is mirrored (determinant < 0). */
  qfac: 1 | -1;
  /** `pixdim[1..3]`: the lengths of the affine's first three columns, in mm. */
  pixdim: Vec3;
}

/**
 * Converts an affine to qform parameters, the way the NIfTI reference library's
 * `nifti_mat44_to_quatern` does (written afresh here):
 *
 * 1. `qoffset` is the translation column; `pixdim[1..3]` are the lengths of the first three columns.
 * 2. The columns are normalised, and a non-orthogonal (sheared) result is replaced by the nearest
 *    orthogonal matrix (its polar factor), since a qform can only hold a rotation.
 * 3. A negative determinant (an improper rotation, as in LAS or LPI grids) sets `qfac = -1` and
 *    negates the third column, leaving a proper rotation.
 * 4. The rotation becomes a unit quaternion `(a, b, c, d)` with `a >= 0`, computed from whichever
 *    of `a, b, c, d` is largest, for accuracy near 180-degree turns.
 *
 * A sheared affine cannot be held exactly by a qform: the sform holds it; the qform holds the
 * nearest rigid one with the same voxel sizes.
 *
 * @param affine - voxel to world, row-major, with non-zero, linearly independent columns
 * @throws RangeError when a column is zero or the columns are linearly dependent
 * @example
 * ```ts
 * qformFromAffine([[-1, 0, 0, 0], [0, -1, 0, 239], [0, 0, 1, 0], [0, 0, 0, 1]]);
 * // { quatern: [0, 0, 1], qoffset: [0, 239, 0], qfac: 1, pixdim: [1, 1, 1] }
 * ```
 */
export function qformFromAffine(affine: Affine): QformParameters {
  // voxel sizes, and the 3x3 part with unit columns
  const pixdim: Vec3 = [0, 0, 0];
  const m: Mat3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let c = 0; c < 3; c++) {
    pixdim[c] = Math.hypot(affine[0][c], affine[1][c], affine[2][c]);
    if (!(pixdim[c] > 0) || !Number.isFinite(pixdim[c])) {
      throw new RangeError(
        `qformFromAffine: column ${c} of the affine must be a finite, non-zero vector; got ` +
          `(${affine[0][c]}, ${affine[1][c]}, ${affine[2][c]})`,
      );
    }
    for (let r = 0; r < 3; r++) m[r][c] = affine[r][c] / pixdim[c];
  }

  // the nearest rotation (or reflection), then a proper rotation by qfac
  const { matrix: rotation, rank } = nearestOrthogonal(m);
  if (rank < 3) {
    throw new RangeError(
      `qformFromAffine: the affine's columns must be linearly independent; got ${JSON.stringify(affine.slice(0, 3))}`,
    );
  }
  const qfac = determinant3(rotation) > 0 ? 1 : -1;
  if (qfac < 0) for (let r = 0; r < 3; r++) rotation[r][2] = -rotation[r][2];

  return {
    quatern: quaternionOf(rotation),
    qoffset: [affine[0][3], affine[1][3], affine[2][3]],
    qfac,
    pixdim,
  };
}

/** `[b, c, d]` of the unit quaternion `(a, b, c, d)`, `a >= 0`, of a proper rotation matrix. */
function quaternionOf(r: Mat3): [number, number, number] {
  // 4a², 4b², 4c², 4d² from the diagonal; start from the largest for a well-conditioned division
  const fourSquares = [
    1 + r[0][0] + r[1][1] + r[2][2],
    1 + r[0][0] - r[1][1] - r[2][2],
    1 - r[0][0] + r[1][1] - r[2][2],
    1 - r[0][0] - r[1][1] + r[2][2],
  ];
  const largest = fourSquares.indexOf(Math.max(...fourSquares));
  const q = [0, 0, 0, 0];
  const root = 0.5 * Math.sqrt(Math.max(fourSquares[largest], 0));
  q[largest] = root;
  const quarter = 0.25 / root;

  // the off-diagonal sums and differences give the other three: 4ab, 4ac, 4ad, 4bc, 4bd, 4cd
  const ab = r[2][1] - r[1][2];
  const ac = r[0][2] - r[2][0];
  const ad = r[1][0] - r[0][1];
  const bc = r[0][1] + r[1][0];
  const bd = r[0][2] + r[2][0];
  const cd = r[1][2] + r[2][1];
  if (largest === 0) [q[1], q[2], q[3]] = [ab * quarter, ac * quarter, ad * quarter];
  if (largest === 1) [q[0], q[2], q[3]] = [ab * quarter, bc * quarter, bd * quarter];
  if (largest === 2) [q[0], q[1], q[3]] = [ac * quarter, bc * quarter, cd * quarter];
  if (largest === 3) [q[0], q[1], q[2]] = [ad * quarter, bd * quarter, cd * quarter];

  // q and -q are the same rotation; NIfTI stores the one with a >= 0
  const sign = q[0] < 0 ? -1 : 1;
  return [sign * q[1] + 0, sign * q[2] + 0, sign * q[3] + 0];
}
