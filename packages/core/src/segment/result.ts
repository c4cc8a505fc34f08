/**
 * What `segment()` returns, and the `report.json` object CONTRACTS.md pins, built from it. Depends
 * on core's contracts, volume and labels types and the other types of this folder.
 */
import type { LabelConvention, Sequence } from '../contracts.js';
import type { PostprocessRecord } from '../labels/postprocess.js';
import type { Region } from '../labels/regions.js';
import type { SpatialShape } from '../tiling/importance.js';
import type { Volume } from '../volume.js';
import type { BrainMaskRecord } from './brain-mask.js';
import type { ConcreteDevice, DeviceAttempt } from './devices.js';
import type { ModelCard } from './model-card.js';
import type { SegmentTimings } from './options.js';

/** The three QU-BraTS uncertainty maps, uint8 0 (certain) to 100 (most uncertain), on the input's grid. */
export interface UncertaintyMaps {
  /** WT: written as `unc_whole.nii.gz`. */
  wholeTumour: Volume;
  /** TC: written as `unc_core.nii.gz`. */
  tumourCore: Volume;
  /** ET: written as `unc_enhance.nii.gz`. */
  enhancingTumour: Volume;
}

/** The model that ran. */
export interface SegmentModelInfo {
  /** Its path or URL, or `'the model bytes'`. */
  name: string;
  /** SHA-256 of its bytes, lowercase hex. */
  sha256: string;
  /** Its card. */
  card: ModelCard;
}

/** How the network ran. */
export interface SegmentInference {
  /** `'whole'` or `'tiles'`, as the card says. */
  mode: ModelCard['inputMode'];
  /** The network grid `[depth, height, width]` after padding. */
  networkShape: SpatialShape;
  /** The tile `[depth, height, width]` (the network grid in `'whole'` mode). */
  roiSize: SpatialShape;
  /** Tiles run (each once per mirroring with `tta`). */
  tiles: number;
  /** Overlap of neighbouring tiles, as a fraction of `roiSize`. */
  overlap: number;
  /** Whether test-time mirroring ran. */
  tta: boolean;
}

/**
 * What happened to the label map after the network: the brain-mask step (always recorded), and
 * the optional post-processing's record (`options`, `removedComponents`,
 * `relabelledEnhancingVoxels`) when `postprocess` was asked for.
 */
export interface SegmentPostprocess extends Partial<PostprocessRecord> {
  /** Tumour outside the brain mask: how much there was, and whether it was set to background. */
  brainMask: BrainMaskRecord;
}

/** The result of `segment()`. Every volume is on the input's own grid and voxel order (the FLAIR's). */
export interface SegmentationResult {
  /**
   * The label map: uint8 BraTS labels (0, 1 NCR/NET, 2 ED, 4 ET with `'brats'`, 3 ET with
   * `'brats2023'`) on the FLAIR's grid, with its affine and header.
   */
  labels: Volume;
  /** The label convention of `labels`. */
  labelConvention: LabelConvention;
  /** Class probabilities, float32, one volume per class 0..3, when `saveProbabilities`. */
  probabilities?: Volume[];
  /** The three uncertainty maps, when `uncertainty`. */
  uncertainty?: UncertaintyMaps;
  /** Region volumes in mL: voxels x voxel volume (mm³) / 1000, from `labels`. */
  volumesMl: Record<Region, number>;
  /** Time per stage. */
  timingsMs: SegmentTimings;
  /** The device that ran the model. */
  device: ConcreteDevice;
  /** Devices tried first and dropped, with the reasons (e.g. CUDA libraries not installed). */
  deviceAttempts: DeviceAttempt[];
  /** Input-quality findings, repairs and dropped devices, one sentence each. */
  warnings: string[];
  /** The model that ran. */
  model: SegmentModelInfo;
  /** How the network ran. */
  inference: SegmentInference;
  /**
   * What was done after the network: the brain-mask step (tumour labels outside the brain set to
   * background unless `restrictToBrainMask: false`), then any post-processing asked for.
   */
  postprocess: SegmentPostprocess;
  /** The name (path or kind) of each input used, by sequence. */
  inputs: Partial<Record<Sequence, string>>;
}

/** `DIR/report.json` of `hadnet segment`, field for field as CONTRACTS.md pins it. */
export interface SegmentReport {
  case: string;
  inputs: Partial<Record<Sequence, string>>;
  device: ConcreteDevice;
  model: { file: string; sha256: string; role: ModelCard['role']; card: ModelCard };
  volumesMl: Record<Region, number>;
  timingsMs: SegmentTimings & { write: number };
  warnings: string[];
  /**
   * The settings that change the result (not in CONTRACTS.md's minimal shape; added so that two
   * reports tell apart runs with and without mirroring, other overlaps or label conventions).
   */
  inference: SegmentInference & { labelConvention: LabelConvention; postprocess: SegmentPostprocess };
}

/**
 * The report object of a result.
 * @param result - what `segment()` returned
 * @param extra - the case name and the time spent writing the files (ms), added to `timingsMs.total`
 */
export function segmentReport(
  result: SegmentationResult,
  extra: { case: string; writeMs: number },
): SegmentReport {
  return {
    case: extra.case,
    inputs: { ...result.inputs },
    device: result.device,
    model: {
      file: result.model.name,
      sha256: result.model.sha256,
      role: result.model.card.role,
      card: result.model.card,
    },
    volumesMl: { ...result.volumesMl },
    timingsMs: { ...result.timingsMs, write: extra.writeMs, total: result.timingsMs.total + extra.writeMs },
    warnings: [...result.warnings],
    inference: {
      ...result.inference,
      labelConvention: result.labelConvention,
      postprocess: result.postprocess,
    },
  };
}
