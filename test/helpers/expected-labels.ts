/**
 * The label map the FLAIR-threshold test model must give, worked out here in plain loops on the
 * input's own voxel order, apart from hadnet's preprocessing code: the brain mask (every sequence
 * non-zero), the reference normalisation of the FLAIR (z-score with the mask's mean and population
 * standard deviation, clipped above at 3, rescaled from the lowest z in the mask's bounding box to
 * 3 onto [0, 1]), then the model's thresholds on that value.
 */
import type { VoxelArray } from '@hadnet/core';
import { FLAIR_THRESHOLDS, flairThresholdClass } from './onnx-model.js';

/** Expected classes, and the voxels too close to a threshold to judge (float32 rounding). */
export interface ExpectedClasses {
  /** Class index per voxel, input voxel order. */
  classes: Uint8Array;
  /** 1 where the normalised FLAIR lies within `margin` of a threshold. */
  undecided: Uint8Array;
  /** The normalised FLAIR per voxel (0 outside the mask). */
  normalised: Float64Array;
}

/**
 * @param sequences - the voxel arrays of every sequence the model takes, FLAIR first
 * @param shape - `[nx, ny, nz]`
 * @param margin - distance to a threshold below which a voxel is undecided
 */
export function expectedThresholdClasses(
  sequences: VoxelArray[],
  shape: [number, number, number],
  margin = 1e-4,
): ExpectedClasses {
  const [nx, ny, nz] = shape;
  const n = nx * ny * nz;
  const flair = sequences[0];
  const inMask = (v: number) => sequences.every((s) => s[v] !== 0);

  // mean and population standard deviation of the FLAIR inside the mask; the mask's bounding box
  let count = 0;
  let sum = 0;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const v = i + nx * (j + ny * k);
        if (!inMask(v)) continue;
        count++;
        sum += flair[v];
        [i, j, k].forEach((c, a) => {
          lo[a] = Math.min(lo[a], c);
          hi[a] = Math.max(hi[a], c);
        });
      }
    }
  }
  const mean = sum / count;
  let squares = 0;
  for (let v = 0; v < n; v++) if (inMask(v)) squares += (flair[v] - mean) ** 2;
  const std = Math.sqrt(squares / count);

  // the lowest z inside the box (background voxels in it count), capped at 3
  let minZ = 3;
  for (let k = lo[2]; k <= hi[2]; k++) {
    for (let j = lo[1]; j <= hi[1]; j++) {
      for (let i = lo[0]; i <= hi[0]; i++) minZ = Math.min(minZ, (flair[i + nx * (j + ny * k)] - mean) / std);
    }
  }

  // normalise inside the mask, then threshold
  const classes = new Uint8Array(n);
  const undecided = new Uint8Array(n);
  const normalised = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    if (!inMask(v)) continue;
    const x = (Math.min((flair[v] - mean) / std, 3) - minZ) / (3 - minZ);
    normalised[v] = x;
    classes[v] = flairThresholdClass(x);
    if (FLAIR_THRESHOLDS.some((t) => Math.abs(x - t) < margin)) undecided[v] = 1;
  }
  return { classes, undecided, normalised };
}
