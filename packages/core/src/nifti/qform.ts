/**
 * The NIfTI qform: a rotation stored as a unit quaternion, voxel sizes, a handedness sign (qfac)
 * and an offset, turned into a 4x4 affine. Pure arithmetic; depends on the Affine type only.
 */
import type { Affine } from '../volume.js';

/** The header fields that define a qform. */
export interface QformFields {
  /** `quatern_b, quatern_c, quatern_d`; `quatern_a` follows from them (the quaternion is unit). */
  quatern: readonly [number, number, number];
  /** `qoffset_x, qoffset_y, qoffset_z`, in mm. */
  qoffset: readonly [number, number, number];
  /** `pixdim[0..3]`: pixdim[0] is qfac (negative flips k; 0 or anything else means +1). */
  pixdim: readonly number[];
}

/**
 * The qform affine, as the NIfTI-1 standard defines it (method 2):
 * `[x y z]ᵀ = R · [pixdim1·i, pixdim2·j, qfac·pixdim3·k]ᵀ + qoffset`, with R the rotation of the
 * quaternion `(a, b, c, d)`, `a = sqrt(1 - b² - c² - d²)`.
 *
 * Repairs as nifti1_io does: when `b² + c² + d²` exceeds 1 (rounding), a is 0 and (b, c, d) is
 * renormalised; a voxel size that is not positive counts as 1 mm.
 *
 * @param fields - the quaternion, offset and pixdim of a header
 * @returns a row-major 4x4 voxel-to-world affine (mm, RAS+)
 * @example
 * ```ts
 * qformToAffine({ quatern: [0, 0, 1], qoffset: [90, 126, -72], pixdim: [-1, 2, 2, 2] });
 * // a 180° turn about z: rows [-2 0 0 90] [0 -2 0 126] [0 0 -2 -72] [0 0 0 1]
 * ```
 */
export function qformToAffine(fields: QformFields): Affine {
  let [b, c, d] = fields.quatern;
  const [qx, qy, qz] = fields.qoffset;
  const qfac = fields.pixdim[0] < 0 ? -1 : 1;
  const size = (v: number) => (v > 0 ? v : 1);
  const dx = size(fields.pixdim[1]);
  const dy = size(fields.pixdim[2]);
  const dz = size(fields.pixdim[3]) * qfac;

  // Recover a from the unit norm; renormalise (b, c, d) when rounding pushed them past 1.
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    const norm = Math.hypot(b, c, d);
    a = 0;
    if (norm > 0) {
      b /= norm;
      c /= norm;
      d /= norm;
    }
  } else {
    a = Math.sqrt(a);
  }

  // The rotation matrix of (a, b, c, d), its columns scaled by the voxel sizes.
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  return [
    [r[0][0] * dx, r[0][1] * dy, r[0][2] * dz, qx],
    [r[1][0] * dx, r[1][1] * dy, r[1][2] * dz, qy],
    [r[2][0] * dx, r[2][1] * dy, r[2][2] * dz, qz],
    [0, 0, 0, 1],
  ];
}
