/**
 * After inference: tumour only inside the brain. BraTS images are skull-stripped and their tumour
 * lies inside the brain, so a tumour label where the inputs show no brain is a network error (a
 * badly trained model labels background). This file sets such labels to background and makes the
 * probability and uncertainty maps agree. Depends on core's volume and the label constants.
 */
import { CLASS_BACKGROUND } from '../labels/convention.js';
import type { Volume } from '../volume.js';

/** What the brain-mask step found and did, for the result and `report.json`. */
export interface BrainMaskRecord {
  /** Whether tumour labels outside the mask were set to background (`restrictToBrainMask`). */
  applied: boolean;
  /**
   * The mask's rule: voxels where every sequence the model takes is non-zero (after NaN and
   * infinite voxels were set to 0, when asked), the rule preprocessing crops and normalises with.
   */
  rule: 'all-sequences-nonzero';
  /** Voxels inside the mask, on the input's grid. */
  brainVoxels: number;
  /**
   * Voxels outside the mask that the network labelled NCR/NET, ED or ET: set to background when
   * `applied`, left as the network gave them otherwise.
   */
  tumourVoxelsOutside: number;
}

/**
 * Counts the tumour voxels of a class map that lie outside a brain mask and, when asked, sets them
 * to background (class 0) in place.
 * @param classes - class index per voxel (0 background, 1 NCR/NET, 2 ED, 3 ET), any voxel order;
 *   changed in place when `apply`
 * @param mask - 1 inside the brain, 0 outside; the same length and voxel order as `classes`
 * @param apply - whether to set the tumour voxels outside the mask to background
 * @returns the record: brain voxels, tumour voxels found outside, and whether they were cleared
 * @throws RangeError when `mask` and `classes` differ in length
 * @example
 * ```ts
 * const record = restrictToBrainMask(classes, brainMask([flair.data, t1.data, t2.data]), true);
 * record.tumourVoxelsOutside; // now background
 * ```
 */
export function restrictToBrainMask(classes: Uint8Array, mask: Uint8Array, apply: boolean): BrainMaskRecord {
  if (mask.length !== classes.length) {
    throw new RangeError(
      `restrictToBrainMask: the mask holds ${mask.length} voxels; the class map ${classes.length}`,
    );
  }
  let brainVoxels = 0;
  let tumourVoxelsOutside = 0;
  for (let v = 0; v < classes.length; v++) {
    if (mask[v] !== 0) {
      brainVoxels++;
    } else if (classes[v] !== CLASS_BACKGROUND) {
      tumourVoxelsOutside++;
      if (apply) classes[v] = CLASS_BACKGROUND;
    }
  }
  return { applied: apply, rule: 'all-sequences-nonzero', brainVoxels, tumourVoxelsOutside };
}

/**
 * Sets each map's voxels outside a brain mask to a value per map, in place: the class
 * probabilities to `[1, 0, 0, 0]` (certain background, as outside the crop), uncertainty maps to 0.
 * @param maps - volumes on the mask's grid and voxel order (their `data` is changed)
 * @param mask - 1 inside the brain, 0 outside
 * @param values - the value for each map, in the order of `maps`
 * @throws RangeError when a map's length differs from the mask's, or `values` from `maps`
 */
export function fillOutsideBrain(maps: readonly Volume[], mask: Uint8Array, values: readonly number[]): void {
  if (values.length !== maps.length) {
    throw new RangeError(`fillOutsideBrain: ${maps.length} maps but ${values.length} values`);
  }
  maps.forEach((map, m) => {
    if (map.data.length !== mask.length) {
      throw new RangeError(
        `fillOutsideBrain: map ${m} holds ${map.data.length} voxels; the mask ${mask.length}`,
      );
    }
    const data = map.data;
    for (let v = 0; v < data.length; v++) if (mask[v] === 0) data[v] = values[m];
  });
}
