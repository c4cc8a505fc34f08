/**
 * The options of `segment()` and the progress events it reports: one definition for every
 * runtime. Depends on core's contracts, labels and tiling types and the runtime contract.
 */
import type { Device, LabelConvention } from '../contracts.js';
import type { PostprocessOptions } from '../labels/postprocess.js';
import type { NonFiniteMode } from '../preprocess/finite.js';
import type { Blending } from '../tiling/importance.js';
import type { ConcreteDevice } from './devices.js';
import type { ModelSource } from './runtime.js';

/** Time spent per stage, in milliseconds. */
export interface SegmentTimings {
  /** Reading the model and the volumes, and starting the session. */
  load: number;
  /** Checks, reorientation, crop, normalisation, resampling, padding. */
  preprocess: number;
  /** The network, tile by tile (with mirroring when `tta`). */
  infer: number;
  /** Back to the input's grid, labels, post-processing, uncertainty, volumes. */
  postprocess: number;
  /** From the call to the result. */
  total: number;
}

/**
 * Progress of one `segment()` call, in order: `load`, `preprocess`, `infer` (first with
 * `tilesDone: 0`, then after each batch of tiles), `postprocess`, `done`.
 */
export type SegmentProgress =
  | { status: 'load' }
  | { status: 'preprocess' }
  | { status: 'infer'; tilesDone: number; tilesTotal: number }
  | { status: 'postprocess' }
  | { status: 'done'; timingsMs: SegmentTimings; device: ConcreteDevice };

/** Options of `segment()`, the same in every runtime. */
export interface SegmentOptions {
  /**
   * The ONNX model: a path (Node) or URL (browsers), or its bytes. Its model card says which
   * sequences it needs and how it must be run.
   * @defaultValue the default model shipped with the runtime package
   */
  model?: ModelSource;
  /**
   * Where the model runs. Node has `'cuda' | 'webgpu' | 'cpu'`, browsers `'webgpu' | 'wasm'`;
   * `'auto'` tries them in that order and the result says which ran and why others were dropped.
   * @defaultValue `'auto'`
   */
  device?: Device;
  /** Fraction shared by neighbouring tiles, in [0, 1); only for models run in tiles. @defaultValue 0.5 */
  overlap?: number;
  /** How overlapping tiles are blended; only for models run in tiles. @defaultValue `'gaussian'` */
  blending?: Blending;
  /** Tiles per network call. @defaultValue 1 */
  swBatchSize?: number;
  /**
   * Test-time augmentation: run the network on every mirroring of each tile that its card's
   * `mirrorAxes` allows (every combination of flips along those axes: 2 passes for hadnet's
   * left-right-only models, 8 for a card that lists all three axes) and average the
   * probabilities. A model whose card lists no axis runs once, with a warning.
   * @defaultValue false
   */
  tta?: boolean;
  /**
   * Add the three uncertainty maps (whole tumour, tumour core, enhancing tumour), uint8 0-100:
   * the binary entropy of each region's probability, 0 outside the brain mask (see
   * `regionUncertainty`).
   * @defaultValue false
   */
  uncertainty?: boolean;
  /** Add the four class probabilities on the input's grid to the result. @defaultValue false */
  saveProbabilities?: boolean;
  /** Label values written: `'brats'` (ET = 4) or `'brats2023'` (ET = 3). @defaultValue `'brats'` */
  labelConvention?: LabelConvention;
  /** Post-processing of the label map (small components, too little ET); off unless given. */
  postprocess?: PostprocessOptions;
  /**
   * Keep tumour labels inside the brain mask (the voxels where every sequence the model takes is
   * non-zero, the mask preprocessing uses): voxels outside it become background, their
   * probabilities `[1, 0, 0, 0]` and their uncertainty 0. BraTS images are skull-stripped and
   * their tumour lies inside the brain, so a label outside is a network error. The result's
   * `postprocess.brainMask` says how many tumour voxels were outside, also when this is off.
   * @defaultValue true
   */
  restrictToBrainMask?: boolean;
  /**
   * NaN and infinite voxels in an input: `'error'` refuses the case (an `InvalidVolumeError` naming
   * the sequence and the count); `'zero'` sets them to 0 (outside the brain, as the background of
   * a skull-stripped image) and adds a warning to the result (and `report.json`).
   * @defaultValue `'error'`
   */
  nonFinite?: NonFiniteMode;
  /**
   * Refuse inputs that do not look skull-stripped or co-registered (an `InputQualityError`)
   * instead of warning. @defaultValue false
   */
  strict?: boolean;
  /** Called at each stage and after each batch of tiles. */
  onProgress?: (progress: SegmentProgress) => void;
}
