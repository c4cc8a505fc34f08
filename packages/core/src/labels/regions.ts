/**
 * BraTS evaluation regions as binary masks over network class indices: ET = {ET},
 * TC = {NCR/NET, ET}, WT = {NCR/NET, ED, ET}. Depends only on the class constants.
 */
import { CLASS_ENHANCING, CLASS_NECROSIS, CLASS_OEDEMA, type LabelArray } from './convention.js';

/** Region keys as JSON writes them. */
export type Region = 'ET' | 'TC' | 'WT';

/** Every region, in the order reports list them. */
export const REGIONS: readonly Region[] = Object.freeze(['ET', 'TC', 'WT']);

/** The class indices each region is made of. */
export const REGION_CLASSES: Readonly<Record<Region, readonly number[]>> = Object.freeze({
  ET: Object.freeze([CLASS_ENHANCING]),
  TC: Object.freeze([CLASS_NECROSIS, CLASS_ENHANCING]),
  WT: Object.freeze([CLASS_NECROSIS, CLASS_OEDEMA, CLASS_ENHANCING]),
});

/** The three region masks of one label map; each 1 inside the region, 0 outside, same voxel order. */
export interface RegionMasks {
  /** ET: enhancing tumour. */
  enhancingTumour: Uint8Array;
  /** TC: NCR/NET and ET. */
  tumourCore: Uint8Array;
  /** WT: NCR/NET, ED and ET. */
  wholeTumour: Uint8Array;
}

/**
 * One region as a mask.
 * @param classes - class index per voxel (0..3); values outside 0..3 count as outside every region
 * @param region - `'ET'`, `'TC'` or `'WT'`
 * @returns a new `Uint8Array`, 1 where the voxel's class belongs to the region
 */
export function regionMask(classes: LabelArray, region: Region): Uint8Array {
  const members = REGION_CLASSES[region];
  if (members === undefined) {
    throw new RangeError(`regionMask: region must be one of ${REGIONS.join(', ')}; got ${String(region)}`);
  }
  const inside = new Uint8Array(256);
  for (const c of members) inside[c] = 1;
  const out = new Uint8Array(classes.length);
  for (let v = 0; v < classes.length; v++) {
    const c = classes[v];
    out[v] = c >= 0 && c < 256 ? inside[c] : 0;
  }
  return out;
}

/**
 * The ET, TC and WT masks of a label map of class indices (convert BraTS labels first with
 * `labelsToClasses`).
 * @param classes - class index per voxel (0..3)
 * @example
 * ```ts
 * const { enhancingTumour, tumourCore, wholeTumour } = regionMasks(labelsToClasses(seg, 'brats'));
 * ```
 */
export function regionMasks(classes: LabelArray): RegionMasks {
  return {
    enhancingTumour: regionMask(classes, 'ET'),
    tumourCore: regionMask(classes, 'TC'),
    wholeTumour: regionMask(classes, 'WT'),
  };
}
