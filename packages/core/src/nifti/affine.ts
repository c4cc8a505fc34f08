/**
 * Which affine a NIfTI header means: the sform when sform_code > 0, else the qform when
 * qform_code > 0, else a diagonal from pixdim. Warns (through the logger) when the affine in use
 * is sheared or when sform and qform disagree. Depends on qform.ts and the logger.
 */
import { log } from '../logger.js';
import type { Affine } from '../volume.js';
import { qformToAffine, type QformFields } from './qform.js';

/** The header fields the affine rule looks at. */
export interface AffineFields extends QformFields {
  qformCode: number;
  sformCode: number;
  /** The sform rows `srow_x`, `srow_y`, `srow_z`, then `[0, 0, 0, 1]`. */
  sform: Affine;
}

/** The affine in use and where it came from. */
export interface AffineChoice {
  affine: Affine;
  source: 'sform' | 'qform' | 'pixdim';
}

/** Largest |cos| between two voxel axes before an affine counts as sheared (about 0.06°). */
const SHEAR_COSINE = 1e-3;
/** Largest difference, entry by entry (mm), before sform and qform count as disagreeing. */
const AGREEMENT_MM = 1e-3;

/**
 * Picks a header's affine by the NIfTI rule:
 * 1. `sform_code > 0`: the sform (srow_x, srow_y, srow_z);
 * 2. else `qform_code > 0`: the qform ({@link qformToAffine});
 * 3. else the pixdim diagonal `diag(pixdim1, pixdim2, pixdim3)` with zero offset (the standard's
 *    "method 1"; nibabel instead centres the grid and flips x, as Analyze did).
 *
 * A sform or qform that cannot be used (non-finite entries, or axes that collapse) is skipped with
 * a warning and the next rule applies. Also warns when the affine in use is sheared, and when both
 * codes are set and the two affines differ by more than 1e-3 in any entry.
 *
 * @param fields - the header's codes, sform rows, quaternion, offset and pixdim
 * @param subject - how warnings name the file (e.g. `"readNifti: brain.nii.gz"`); `null` logs nothing
 * @returns the affine (row-major, voxel to mm, RAS+) and its source
 */
export function chooseAffine(fields: AffineFields, subject: string | null = 'chooseAffine'): AffineChoice {
  const warn = (message: () => string) => {
    if (subject !== null) log.warn(message);
  };
  const qform = qformToAffine(fields);
  const sformUsable = usable(fields.sform);
  const qformUsable = usable(qform);
  let choice: AffineChoice;

  // The rule, with broken candidates skipped.
  if (fields.sformCode > 0 && sformUsable) {
    choice = { affine: fields.sform, source: 'sform' };
  } else if (fields.qformCode > 0 && qformUsable) {
    choice = { affine: qform, source: 'qform' };
  } else {
    choice = { affine: pixdimAffine(fields.pixdim), source: 'pixdim' };
  }
  if (fields.sformCode > 0 && !sformUsable) {
    warn(
      () =>
        `${subject}: sform_code is ${fields.sformCode} but the sform is degenerate or not finite; ` +
        `using the ${choice.source} instead`,
    );
  }
  if (fields.qformCode > 0 && !qformUsable && choice.source === 'pixdim') {
    warn(
      () => `${subject}: qform_code is ${fields.qformCode} but the quaternion is not finite; using pixdim`,
    );
  }

  // Warnings about the affine in use.
  const cosine = maxAxisCosine(choice.affine);
  if (cosine > SHEAR_COSINE) {
    const degrees = (Math.acos(Math.min(1, cosine)) * 180) / Math.PI;
    warn(
      () =>
        `${subject}: the ${choice.source} is sheared (two voxel axes meet at ${degrees.toFixed(2)}°, not 90°); ` +
        'hadnet keeps it as stored, but reorienting to RAS cannot remove the shear',
    );
  }
  if (fields.sformCode > 0 && fields.qformCode > 0 && sformUsable && qformUsable) {
    const difference = maxDifference(fields.sform, qform);
    if (difference > AGREEMENT_MM) {
      warn(
        () =>
          `${subject}: sform (code ${fields.sformCode}) and qform (code ${fields.qformCode}) disagree ` +
          `by up to ${difference.toPrecision(3)} mm; using the sform, as the NIfTI rule says`,
      );
    }
  }
  return choice;
}

/** `diag(pixdim1, pixdim2, pixdim3, 1)`; a voxel size that is not a positive number counts as 1. */
export function pixdimAffine(pixdim: readonly number[]): Affine {
  const size = (v: number) => (v > 0 && Number.isFinite(v) ? v : 1);
  return [
    [size(pixdim[1]), 0, 0, 0],
    [0, size(pixdim[2]), 0, 0],
    [0, 0, size(pixdim[3]), 0],
    [0, 0, 0, 1],
  ];
}

/** The largest |cos| of the angle between two of the affine's first three columns (0 when orthogonal). */
export function maxAxisCosine(affine: Affine): number {
  const column = (c: number) => [affine[0][c], affine[1][c], affine[2][c]];
  const columns = [column(0), column(1), column(2)];
  let worst = 0;
  for (const [p, q] of [
    [0, 1],
    [0, 2],
    [1, 2],
  ]) {
    const u = columns[p];
    const v = columns[q];
    const dot = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
    worst = Math.max(worst, Math.abs(dot) / (Math.hypot(...u) * Math.hypot(...v)));
  }
  return worst;
}

/** True when every entry is finite and the 3x3 part is invertible. */
function usable(affine: Affine): boolean {
  if (!affine.every((row) => row.every(Number.isFinite))) return false;
  const [[a, b, c], [d, e, f], [g, h, i]] = affine;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  const scale = Math.hypot(a, b, c, d, e, f, g, h, i);
  return Math.abs(det) > 1e-12 * scale * scale * scale && scale > 0;
}

function maxDifference(x: Affine, y: Affine): number {
  let worst = 0;
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(x[r][c] - y[r][c]));
  }
  return worst;
}
