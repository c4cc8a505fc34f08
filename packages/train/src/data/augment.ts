/**
 * Pre-training augmentation as the reference's (MONAI `RandFlipd` then `RandAffined`): a
 * left-right flip with probability 0.5, then with probability 0.8 a small random affine about the
 * grid's centre (rotation up to +-4 degrees about each axis, shear up to +-0.04, scale 1 +- 0.04),
 * trilinear for the images and nearest for the labels and the mask, zeros outside; then the
 * images are multiplied by the transformed mask. No intensity augmentation. Distillation uses none.
 *
 * Arrays are `[D, H, W(, C)]` with W fastest; W is the RAS grid's i axis, towards the right, so
 * the flip reverses W.
 * May depend on: ./random, ./training-case (types).
 */
import type { Random } from './random.js';
import type { TrainingCase } from './training-case.js';

/** The augmentation's settings. @defaultValue {@link REFERENCE_AUGMENTATION} */
export interface AugmentationSettings {
  /** Probability of the left-right flip. */
  flipProbability: number;
  /** Probability of the random affine. */
  affineProbability: number;
  /** Largest rotation about each axis, in degrees. */
  rotationDegrees: number;
  /** Largest magnitude of each of the six shear coefficients. */
  shear: number;
  /** Largest change of each axis' scale (factor 1 +- scale). */
  scale: number;
}

/** The reference's settings (`utils/transforms.py`). */
export const REFERENCE_AUGMENTATION: Readonly<AugmentationSettings> = Object.freeze({
  flipProbability: 0.5,
  affineProbability: 0.8,
  rotationDegrees: 4,
  shear: 0.04,
  scale: 0.04,
});

/** One draw of the augmentation: whether to flip, and the affine if any. */
export interface AugmentationDraw {
  flip: boolean;
  /**
   * Rotations about x (W), y (H), z (D) in radians; shear `[xy, xz, yx, yz, zx, zy]`; scale
   * factors along x, y, z.
   */
  affine?: { rotation: [number, number, number]; shear: number[]; scale: [number, number, number] };
}

/**
 * Draws the augmentation of one case from the stream: first the flip, then the affine's coin,
 * then (when it comes up) three rotations, six shears and three scales, in that order.
 */
export function drawAugmentation(
  rng: Random,
  settings: AugmentationSettings = REFERENCE_AUGMENTATION,
): AugmentationDraw {
  const flip = rng.chance(settings.flipProbability);
  if (!rng.chance(settings.affineProbability)) return { flip };
  const r = (settings.rotationDegrees * Math.PI) / 180;
  const rotation = [rng.uniform(-r, r), rng.uniform(-r, r), rng.uniform(-r, r)] as [number, number, number];
  const shear = Array.from({ length: 6 }, () => rng.uniform(-settings.shear, settings.shear));
  const scale = [0, 1, 2].map(() => 1 + rng.uniform(-settings.scale, settings.scale)) as [
    number,
    number,
    number,
  ];
  return { flip, affine: { rotation, shear, scale } };
}

type Matrix3 = [number, number, number, number, number, number, number, number, number];

function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array(9).fill(0) as Matrix3;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return out;
}

/**
 * The 3x3 matrix (row-major, acting on `(x, y, z)` = `(w, h, d)` offsets from the grid's centre)
 * that takes an output voxel to the input position it samples: `R_z R_y R_x · Shear · Scale`.
 */
export function affineMatrix(affine: NonNullable<AugmentationDraw['affine']>): Matrix3 {
  const [ax, ay, az] = affine.rotation;
  const [c1, s1, c2, s2, c3, s3] = [
    Math.cos(ax),
    Math.sin(ax),
    Math.cos(ay),
    Math.sin(ay),
    Math.cos(az),
    Math.sin(az),
  ];
  const rx: Matrix3 = [1, 0, 0, 0, c1, -s1, 0, s1, c1];
  const ry: Matrix3 = [c2, 0, s2, 0, 1, 0, -s2, 0, c2];
  const rz: Matrix3 = [c3, -s3, 0, s3, c3, 0, 0, 0, 1];
  const [h0, h1, h2, h3, h4, h5] = affine.shear;
  const shear: Matrix3 = [1, h0, h1, h2, 1, h3, h4, h5, 1];
  const [sx, sy, sz] = affine.scale;
  const scale: Matrix3 = [sx, 0, 0, 0, sy, 0, 0, 0, sz];
  return multiply(multiply(multiply(rz, ry), multiply(rx, shear)), scale);
}

/** The augmented arrays of a case. */
export interface AugmentedArrays {
  images: Float32Array;
  labels: Uint8Array;
  mask: Uint8Array;
}

/**
 * Applies a draw to a case: flip W, then the affine (output voxel p samples the flipped input at
 * `centre + M (p - centre)`), images trilinear and labels and mask nearest, zero outside; then
 * images times the new mask. A draw with neither returns the case's own arrays.
 *
 * @param c - the case; `images` is `[D, H, W, C]`
 * @param draw - from {@link drawAugmentation}
 * @returns new arrays, or the case's when nothing is drawn
 */
export function applyAugmentation(
  c: Pick<TrainingCase, 'shape' | 'images' | 'labels' | 'mask'>,
  draw: AugmentationDraw,
): AugmentedArrays {
  if (!draw.flip && !draw.affine) return { images: c.images, labels: c.labels, mask: c.mask };
  const [nd, nh, nw] = c.shape;
  const voxels = nd * nh * nw;
  const channels = c.images.length / voxels;
  const images = new Float32Array(c.images.length);
  const labels = new Uint8Array(voxels);
  const mask = new Uint8Array(voxels);
  const m = draw.affine ? affineMatrix(draw.affine) : ([1, 0, 0, 0, 1, 0, 0, 0, 1] as Matrix3);
  const [cx, cy, cz] = [(nw - 1) / 2, (nh - 1) / 2, (nd - 1) / 2];
  const source = (x: number): number => (draw.flip ? nw - 1 - x : x);

  for (let d = 0; d < nd; d++) {
    for (let h = 0; h < nh; h++) {
      for (let w = 0; w < nw; w++) {
        const out = (d * nh + h) * nw + w;

        // the input position this voxel samples (in the flipped image's coordinates)
        const [ox, oy, oz] = [w - cx, h - cy, d - cz];
        const x = cx + m[0] * ox + m[1] * oy + m[2] * oz;
        const y = cy + m[3] * ox + m[4] * oy + m[5] * oz;
        const z = cz + m[6] * ox + m[7] * oy + m[8] * oz;

        // nearest for the labels and the mask
        const [rx, ry, rz] = [Math.round(x), Math.round(y), Math.round(z)];
        if (rx >= 0 && rx < nw && ry >= 0 && ry < nh && rz >= 0 && rz < nd) {
          const src = (rz * nh + ry) * nw + source(rx);
          labels[out] = c.labels[src];
          mask[out] = c.mask[src];
        }
        if (mask[out] === 0) continue;

        // trilinear for the images, zero outside the grid
        const [x0, y0, z0] = [Math.floor(x), Math.floor(y), Math.floor(z)];
        const [fx, fy, fz] = [x - x0, y - y0, z - z0];
        for (let k = 0; k < 8; k++) {
          const [xi, yi, zi] = [x0 + (k & 1), y0 + ((k >> 1) & 1), z0 + ((k >> 2) & 1)];
          if (xi < 0 || xi >= nw || yi < 0 || yi >= nh || zi < 0 || zi >= nd) continue;
          const weight = (k & 1 ? fx : 1 - fx) * ((k >> 1) & 1 ? fy : 1 - fy) * ((k >> 2) & 1 ? fz : 1 - fz);
          if (weight === 0) continue;
          const src = ((zi * nh + yi) * nw + source(xi)) * channels;
          for (let ch = 0; ch < channels; ch++) images[out * channels + ch] += weight * c.images[src + ch];
        }
      }
    }
  }
  return { images, labels, mask };
}
