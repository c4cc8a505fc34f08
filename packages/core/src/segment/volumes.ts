/**
 * Region volumes of a label map in mL, as CONTRACTS.md defines them: voxels x voxel volume in
 * mm³ / 1000. Depends on core's volume and labels.
 */
import type { LabelArray } from '../labels/convention.js';
import { REGION_CLASSES, REGIONS, type Region } from '../labels/regions.js';
import type { Affine } from '../volume.js';

/** Voxel volume in mm³: |det| of the affine's 3 x 3 part (the product of the spacings for orthogonal axes). */
export function voxelVolumeMm3(affine: Affine): number {
  const [[a, b, c], [d, e, f], [g, h, i]] = affine;
  return Math.abs(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g));
}

/**
 * ET, TC and WT volumes in mL of a map of class indices.
 * @param classes - class index per voxel (0..3)
 * @param affine - the map's affine, for the voxel volume
 * @returns `{ ET, TC, WT }` in mL
 * @example
 * ```ts
 * regionVolumesMl(classes, flair.affine); // { ET: 17.097, TC: 39.093, WT: 60.356 }
 * ```
 */
export function regionVolumesMl(classes: LabelArray, affine: Affine): Record<Region, number> {
  const counts = [0, 0, 0, 0];
  for (let v = 0; v < classes.length; v++) {
    const c = classes[v];
    if (c >= 0 && c < 4) counts[c]++;
  }
  const voxelMm3 = voxelVolumeMm3(affine);
  const volumes = {} as Record<Region, number>;
  for (const region of REGIONS) {
    // mm³ first, then mL: 55370 voxels of 1 mm³ give 55.37, not 55.370000000000005 (x 0.001)
    volumes[region] = (REGION_CLASSES[region].reduce((sum, c) => sum + counts[c], 0) * voxelMm3) / 1000;
  }
  return volumes;
}
