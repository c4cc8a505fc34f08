/**
 * Types of the preprocessing step: its options, its output, and the record that undoes it.
 * Depends on core's contracts, volume, orientation and tiling types.
 */
import type { Sequence } from '../contracts.js';
import type { Reorientation } from '../orientation/index.js';
import type { SpatialShape } from '../tiling/importance.js';
import type { Vec3, Volume } from '../volume.js';
import type { NonFiniteMode } from './finite.js';
import type { TensorLayout } from './layout.js';
import type { VoxelBox } from './mask.js';
import type { Normalisation, NormalisationStats } from './normalise.js';
import type { QualityMeasures, QualityThresholds } from './quality.js';

/**
 * How the network grid's size is chosen: each side padded up to a multiple (centred, zeros), or a
 * fixed `[depth, height, width]` (centred zero padding where the brain is smaller, centre crop
 * where it is larger, as the reference's inference does). `{ multiple: 1 }` pads nothing.
 */
export type PadOption = { multiple: number } | { shape: SpatialShape };

/** Options of `preprocess`. */
export interface PreprocessOptions {
  /**
   * Channel order of the tensor: the model's (`['flair', 't1', 't2']` student,
   * `['flair', 't1ce', 't1', 't2']` teacher). Every channel must be given.
   * @defaultValue the teacher order, keeping the sequences given
   */
  channels?: readonly Sequence[];
  /** File names per sequence, quoted in errors and warnings. */
  names?: Partial<Record<Sequence, string>>;
  /**
   * A brain mask on the inputs' grid (non-zero inside) to use instead of the reference rule
   * (voxels where every given sequence is non-zero).
   */
  mask?: Volume;
  /** Voxels kept around the mask's bounding box, one for all axes or per RAS axis `[x, y, z]`. @defaultValue 0 */
  margin?: number | Vec3;
  /** Intensity normalisation inside the mask. @defaultValue `'hadnet'` */
  normalisation?: Normalisation;
  /** Size of the network grid. @defaultValue `{ multiple: 16 }` */
  pad?: PadOption;
  /**
   * Working voxel size in mm along RAS x, y, z (a model's `hadnet.spacingMm`): the cropped images
   * are resampled trilinearly to it. @defaultValue none: the inputs' own spacing
   */
  targetSpacing?: Vec3;
  /** Layout of the tensor. @defaultValue `'NCDHW'` (ONNX); tfjs takes `'NDHWC'` */
  layout?: TensorLayout;
  /** NaN and infinite voxels: refused (`'error'`) or set to 0 with a warning. @defaultValue `'error'` */
  nonFinite?: NonFiniteMode;
  /** Input-quality findings throw an `InputQualityError` instead of warning. @defaultValue false */
  strict?: boolean;
  /** Thresholds of the input-quality checks; see `checkInputQuality`. */
  quality?: QualityThresholds;
  /** Largest accepted difference between the inputs' affine entries, in mm. @defaultValue 1e-3 */
  gridTolerance?: number;
}

/**
 * Everything needed to put a result on the network grid back onto the inputs' grid. Plain data
 * (JSON-serialisable). Axis order is noted per field: `[i, j, k]` of the RAS grid, or
 * `[depth, height, width]` = `[k, j, i]` of the network grid.
 */
export interface PreprocessRecord {
  /** Tensor channels, in order. */
  channels: Sequence[];
  /** The sequence whose grid and header results are written on: FLAIR when given. */
  reference: Sequence;
  /** From the inputs' voxel order to RAS voxel order; holds the inputs' shape, affine and header. */
  reorientation: Reorientation;
  /** The box kept, on the RAS grid, `[i, j, k]`, and the margin it includes. */
  crop: VoxelBox & { margin: Vec3 };
  /** The working grid after resampling, `[i, j, k]`; absent when nothing was resampled. */
  resample?: {
    /** `[nx, ny, nz]` of the working grid. */
    shape: Vec3;
    /** Its voxel size in mm: the crop's extent divided by `shape` (close to the target). */
    spacing: Vec3;
    /** The spacing asked for. */
    targetSpacing: Vec3;
  };
  /** Network grid `[i, j, k]`: a working voxel p lands at `p + offset` (negative: centre crop). */
  pad: { offset: Vec3; shape: Vec3 };
  /** Network grid as the tensor sees it, `[depth, height, width]`. */
  networkShape: SpatialShape;
  /** The normalisation, and what it measured per channel. */
  normalisation: { method: Normalisation; stats: Partial<Record<Sequence, NormalisationStats>> };
  /** Layout of the tensor. */
  layout: TensorLayout;
  /** NaN or infinite voxels set to 0, per sequence (with `nonFinite: 'zero'`). */
  replacedNonFinite: Partial<Record<Sequence, number>>;
}

/** The network's input, and how to undo its preparation. */
export interface Preprocessed {
  /**
   * The input tensor: `[1, C, D, H, W]` for `'NCDHW'` or `[1, D, H, W, C]` for `'NDHWC'`, with
   * D = k, H = j, W = i of the RAS grid and channels in `channels` order.
   */
  tensor: Float32Array;
  /** The tensor's layout. */
  layout: TensorLayout;
  /** The tensor's shape in its layout. */
  shape: [number, number, number, number, number];
  /** Channel order, e.g. `['flair', 't1', 't2']`. */
  channels: Sequence[];
  /** The brain mask on the network grid, `[D, H, W]` (width fastest), 1 inside. */
  mask: Uint8Array;
  /** What `restoreToOriginal` needs. */
  record: PreprocessRecord;
  /** Input-quality findings and repairs, for the result and the report. */
  warnings: string[];
  /** What the input checks measured. */
  quality: QualityMeasures;
}
