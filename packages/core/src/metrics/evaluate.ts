/**
 * `evaluateSegmentation`: every number `hadnet evaluate` prints for one case, per region (Dice,
 * HD95, sensitivity, specificity, volumes) and, given uncertainty maps, the QU-BraTS scores. The
 * result has the JSON shape of CONTRACTS.md. Depends on the files beside it and on ../labels.
 */
import type { LabelConvention } from '../contracts.js';
import { InvalidVolumeError } from '../errors.js';
import { labelsToClasses } from '../labels/convention.js';
import { REGIONS, regionMasks, type Region, type RegionMasks } from '../labels/regions.js';
import type { Volume } from '../volume.js';
import { assertSameGrid, type NamedVolume } from './grid.js';
import { hausdorffDistance } from './hausdorff.js';
import { confusionCounts, diceFromCounts, sensitivityFromCounts, specificityFromCounts } from './overlap.js';
import { scoreUncertainty, type UncertaintyScore } from './uncertainty.js';

/** Options of {@link evaluateSegmentation}. */
export interface EvaluateSegmentationOptions {
  /** The predicted BraTS label map. */
  pred: Volume;
  /** The reference BraTS label map, on the same grid. */
  truth: Volume;
  /**
   * Label values of both maps: `'brats'` (1, 2, 4) or `'brats2023'` (1, 2, 3).
   * @defaultValue `'brats'`
   */
  labelConvention?: LabelConvention;
  /**
   * Brain mask (any non-zero voxel is brain; a skull-stripped image does), for specificity and the
   * uncertainty ratios. The whole grid when omitted.
   */
  brainMask?: Volume;
  /** QU-BraTS uncertainty maps in [0, 100], one per region (`unc_enhance`, `unc_core`, `unc_whole`). */
  uncertainty?: Partial<Record<Region, Volume>>;
  /**
   * Threshold steps of the uncertainty scoring.
   * @defaultValue 40
   */
  uncertaintySteps?: number;
  /** What error messages call each input, such as its file name. */
  names?: {
    pred?: string;
    truth?: string;
    brainMask?: string;
    uncertainty?: Partial<Record<Region, string>>;
  };
}

/** The metrics of one region. */
export interface RegionMetrics {
  /** 2|P∩T| / (|P| + |T|); 1 when both are empty. */
  dice: number;
  /** 95 % Hausdorff distance in mm (pooled); 0 when both empty, the grid diagonal when one is. */
  hd95: number;
  /** TP / (TP + FN); 1 when the truth is empty. */
  sensitivity: number;
  /** TN / (TN + FP) inside the brain mask; 1 when it holds no negative. */
  specificity: number;
  /** Volumes in mL: voxels × voxel volume (mm³, from the affine) / 1000. */
  volumeMl: { pred: number; truth: number };
}

/**
 * One case's evaluation, in the JSON shape of `hadnet evaluate --json`:
 * `{ regions: { ET, TC, WT }, uncertainty?: { ET, TC, WT } }`.
 */
export interface SegmentationEvaluation {
  regions: Record<Region, RegionMetrics>;
  /** Present when uncertainty maps were given; holds the regions that had one. */
  uncertainty?: Partial<Record<Region, UncertaintyScore>>;
}

const labelOf = (name: string, file: string | undefined) => (file ? `${name} (${file})` : name);

/**
 * Scores a predicted label map against a reference one: Dice, HD95, sensitivity, specificity and
 * volumes for ET, TC and WT, and the QU-BraTS uncertainty scores when maps are given. Definitions
 * as CONTRACTS.md "Metrics" pins them; see {@link hausdorffDistance} and {@link scoreUncertainty}.
 *
 * @throws ModalityMismatchError when any two inputs are on different grids
 * @throws InvalidVolumeError when a label map holds a value its convention does not use, or an
 *   uncertainty map a value outside [0, 100]
 * @example
 * const result = evaluateSegmentation({ pred, truth, labelConvention: 'brats' });
 * result.regions.ET.dice;
 */
export function evaluateSegmentation(options: EvaluateSegmentationOptions): SegmentationEvaluation {
  const caller = 'evaluateSegmentation';
  const { pred, truth, brainMask, uncertainty = {}, names = {} } = options;
  const convention = options.labelConvention ?? 'brats';

  // every input on the prediction's grid
  const predNamed: NamedVolume = { name: labelOf('pred', names.pred), volume: pred };
  const others: NamedVolume[] = [{ name: labelOf('truth', names.truth), volume: truth }];
  if (brainMask) others.push({ name: labelOf('brainMask', names.brainMask), volume: brainMask });
  for (const region of REGIONS) {
    const map = uncertainty[region];
    if (map)
      others.push({ name: labelOf(`uncertainty.${region}`, names.uncertainty?.[region]), volume: map });
  }
  for (const other of others) assertSameGrid(caller, predNamed, other);
  for (const region of REGIONS) {
    const map = uncertainty[region];
    if (map) checkUncertaintyRange(map, labelOf(`uncertainty.${region}`, names.uncertainty?.[region]));
  }

  // region masks, then the metrics of each region
  const predMasks = masksByRegion(pred.data, convention, predNamed.name);
  const truthMasks = masksByRegion(truth.data, convention, others[0].name);
  const grid = { shape: pred.shape, spacing: pred.spacing };
  // mm³ first, then mL, so that a whole number of mm³ gives its exact decimal mL
  const voxelMm3 = voxelVolumeMm3(pred);
  const regions = {} as Record<Region, RegionMetrics>;
  for (const region of REGIONS) {
    const p = predMasks[region];
    const t = truthMasks[region];
    const counts = confusionCounts(p, t, brainMask?.data);
    regions[region] = {
      dice: diceFromCounts(counts),
      hd95: hausdorffDistance(p, t, grid),
      sensitivity: sensitivityFromCounts(counts),
      specificity: specificityFromCounts(counts),
      volumeMl: {
        pred: ((counts.truePositives + counts.falsePositives) * voxelMm3) / 1000,
        truth: ((counts.truePositives + counts.falseNegatives) * voxelMm3) / 1000,
      },
    };
  }

  // QU-BraTS scores for the regions that have a map
  const result: SegmentationEvaluation = { regions };
  const scored = REGIONS.filter((region) => uncertainty[region] !== undefined);
  if (scored.length > 0) {
    result.uncertainty = {};
    for (const region of scored) {
      result.uncertainty[region] = scoreUncertainty({
        pred: predMasks[region],
        truth: truthMasks[region],
        uncertainty: uncertainty[region]!.data,
        brainMask: brainMask?.data,
        steps: options.uncertaintySteps,
      });
    }
  }
  return result;
}

/** Voxel volume in mm³: |det| of the affine's 3 x 3 part (the product of spacings when axes are orthogonal). */
function voxelVolumeMm3(volume: Pick<Volume, 'affine'>): number {
  const [[a, b, c], [d, e, f], [g, h, i]] = volume.affine;
  return Math.abs(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g));
}

/** The region masks of a BraTS label map, keyed as the JSON keys them. */
function masksByRegion(
  labels: Volume['data'],
  convention: LabelConvention,
  name: string,
): Record<Region, Uint8Array> {
  let masks: RegionMasks;
  try {
    masks = regionMasks(labelsToClasses(labels, convention));
  } catch (error) {
    // name the file: the labels module does not know which map it was given
    if (!(error instanceof InvalidVolumeError)) throw error;
    throw new InvalidVolumeError(`evaluateSegmentation: ${name}: ${error.message}`, { cause: error });
  }
  return { ET: masks.enhancingTumour, TC: masks.tumourCore, WT: masks.wholeTumour };
}

function checkUncertaintyRange(map: Volume, name: string): void {
  const data = map.data;
  for (let v = 0; v < data.length; v++) {
    const u = data[v];
    if (!(u >= 0 && u <= 100)) {
      throw new InvalidVolumeError(
        `evaluateSegmentation: ${name} holds ${u} at voxel index ${v}; QU-BraTS uncertainty maps hold [0, 100]`,
      );
    }
  }
}
