/**
 * Optional post-processing of a label map that BraTS teams commonly use: drop small connected
 * tumour components, and relabel a case's enhancing tumour as NCR/NET when there is too little of
 * it to be real. Off unless asked; the record says what was done. Depends on components.ts.
 */
import type { Vec3 } from '../volume.js';
import { CLASS_BACKGROUND, CLASS_ENHANCING, CLASS_NECROSIS, type LabelArray } from './convention.js';
import { connectedComponents, type Connectivity } from './components.js';

/** What to do; every step is off unless its option is given. */
export interface PostprocessOptions {
  /**
   * Connected components of the whole tumour (all tumour classes together) with fewer voxels than
   * this become background.
   * @defaultValue off
   */
  minComponentVoxels?: number;
  /** Neighbourhood of the component step. @defaultValue 26 */
  connectivity?: Connectivity;
  /**
   * When the case has at least one but fewer than this many ET voxels (counted after the component
   * step), every ET voxel becomes NCR/NET.
   * @defaultValue off
   */
  minEnhancingTumourVoxels?: number;
}

/** What {@link postprocessLabels} did, for the result and the report. */
export interface PostprocessRecord {
  /** The options that were on, as given (connectivity filled in when the component step ran). */
  options: PostprocessOptions;
  /** Whole-tumour components dropped, and their voxels. Absent when the step was off. */
  removedComponents?: { count: number; voxels: number };
  /** ET voxels relabelled as NCR/NET (0 when the case had enough). Absent when the step was off. */
  relabelledEnhancingVoxels?: number;
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
    throw new RangeError(`postprocessLabels: ${name} must be a whole number >= 0; got ${value}`);
  }
}

/**
 * Applies the post-processing steps that `options` turns on, to a copy of a class-index map.
 *
 * Steps, in order: drop whole-tumour components smaller than `minComponentVoxels`; then, when
 * the remaining ET has fewer than `minEnhancingTumourVoxels` voxels (and more than none), relabel
 * it as NCR/NET.
 * @param classes - class index per voxel (0..3), layout `classes[i + nx * (j + ny * k)]`
 * @param shape - `[nx, ny, nz]`
 * @param options - the steps to run; none by default
 * @returns the new class map (`Uint8Array`) and the record of what changed
 * @example
 * ```ts
 * const { classes: cleaned, record } = postprocessLabels(classes, shape, {
 *   minComponentVoxels: 20,
 *   minEnhancingTumourVoxels: 500,
 * });
 * ```
 */
export function postprocessLabels(
  classes: LabelArray,
  shape: Vec3,
  options: PostprocessOptions = {},
): { classes: Uint8Array; record: PostprocessRecord } {
  const { minComponentVoxels, minEnhancingTumourVoxels } = options;
  checkCount('minComponentVoxels', minComponentVoxels);
  checkCount('minEnhancingTumourVoxels', minEnhancingTumourVoxels);
  if (classes.length !== shape[0] * shape[1] * shape[2]) {
    throw new RangeError(
      `postprocessLabels: classes holds ${classes.length} voxels, but shape [${shape.join(', ')}] ` +
        `needs ${shape[0] * shape[1] * shape[2]}`,
    );
  }
  const out = Uint8Array.from(classes);
  const record: PostprocessRecord = { options: { ...options } };

  // drop small whole-tumour components
  if (minComponentVoxels !== undefined) {
    const connectivity = options.connectivity ?? 26;
    record.options.connectivity = connectivity;
    const tumour = new Uint8Array(out.length);
    for (let v = 0; v < out.length; v++) tumour[v] = out[v] === CLASS_BACKGROUND ? 0 : 1;
    const { labels, sizes } = connectedComponents(tumour, shape, { connectivity });
    const drop = sizes.map((size) => size < minComponentVoxels);
    let voxels = 0;
    for (let v = 0; v < out.length; v++) {
      if (labels[v] !== 0 && drop[labels[v] - 1]) {
        out[v] = CLASS_BACKGROUND;
        voxels++;
      }
    }
    record.removedComponents = { count: drop.filter(Boolean).length, voxels };
  }

  // relabel too little enhancing tumour as NCR/NET
  if (minEnhancingTumourVoxels !== undefined) {
    let enhancing = 0;
    for (let v = 0; v < out.length; v++) if (out[v] === CLASS_ENHANCING) enhancing++;
    const relabel = enhancing > 0 && enhancing < minEnhancingTumourVoxels;
    if (relabel) {
      for (let v = 0; v < out.length; v++) if (out[v] === CLASS_ENHANCING) out[v] = CLASS_NECROSIS;
    }
    record.relabelledEnhancingVoxels = relabel ? enhancing : 0;
  }
  return { classes: out, record };
}
