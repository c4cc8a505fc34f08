/**
 * Named network and input settings (../shared/CONTRACTS.md, "Presets"): the paper's, and smaller
 * ones that train on a CPU. A model card records the preset's width, spacing and extent.
 * May depend on: nothing.
 */

/** The presets hadnet knows. */
export type PresetName = 'paper' | 'small' | 'tiny';

/** One preset. Shapes are `[D, H, W]` (D = k, H = j, W = i of the RAS-ordered grid). */
export interface Preset {
  name: PresetName;
  /** The generator's base width k (encoder k, 2k, 4k, 8k; bottleneck 16k). */
  k: number;
  /** The discriminator's base width (disc_1 has 4x, disc_4 32x). */
  discriminatorWidth: number;
  /** The whole-volume input every case is padded (or centre-cropped) to, `[D, H, W]`. */
  inputShape: readonly [number, number, number];
  /** The working voxel size in mm, `[x, y, z]`, that cases are resampled to first. */
  spacingMm: readonly [number, number, number];
  /** How the network sees a case: the whole volume at once. */
  inputMode: 'whole';
  /** Channel-dropout rate at block inputs. */
  dropoutRate: number;
  /** One line for `--help` and model cards. */
  description: string;
}

/**
 * The presets.
 *
 * - `paper`: the reference exactly: k = 32 and the discriminator's width 32, whole volumes at
 *   1 mm padded to 160x192x160 (16,488,324 student, 16,489,188 teacher and 88,205,184
 *   discriminator parameters). About 100 GFLOP per generator forward pass: a GPU preset.
 * - `small`: k = 8 (1,032,420 student parameters), whole volumes resampled to 2 mm and padded to
 *   80x96x80, which holds every BraTS brain (about 140x170x140 mm, 70x85x70 voxels at 2 mm). At
 *   2 mm the network still sees the whole brain at once, as the paper's does, so instance norm
 *   sees the same statistics in training and inference and no tiling is needed; k = 8 keeps a
 *   generator forward pass near 5 GFLOP (k = 12 would double it). Measured on stock tfjs-cpu
 *   (2 cores, shared with other work): one student training step took 169 s (k = 4 at the same
 *   size: 31-41 s). It is the preset for a CPU-trained default model once the faster training
 *   kernels of the "training compute" issue exist (a 20x target); until then use `tiny` for runs
 *   that must finish in minutes.
 * - `tiny`: k = 4 (258,740 student parameters) at 3 mm, 64x64x64 (a BraTS brain is about
 *   47x57x47 voxels at 3 mm): 13-19 s per student training step on stock tfjs-cpu. For smoke
 *   runs of the three stages on a few cases, not a model to use.
 */
export const PRESETS: Readonly<Record<PresetName, Readonly<Preset>>> = Object.freeze({
  paper: Object.freeze({
    name: 'paper',
    k: 32,
    discriminatorWidth: 32,
    inputShape: [160, 192, 160] as const,
    spacingMm: [1, 1, 1] as const,
    inputMode: 'whole',
    dropoutRate: 0.2,
    description: 'the reference: k = 32, whole volumes at 1 mm padded to 160x192x160 (a GPU preset)',
  }),
  small: Object.freeze({
    name: 'small',
    k: 8,
    discriminatorWidth: 8,
    inputShape: [80, 96, 80] as const,
    spacingMm: [2, 2, 2] as const,
    inputMode: 'whole',
    dropoutRate: 0.2,
    description: 'k = 8, whole volumes at 2 mm padded to 80x96x80 (CPU training)',
  }),
  tiny: Object.freeze({
    name: 'tiny',
    k: 4,
    discriminatorWidth: 4,
    inputShape: [64, 64, 64] as const,
    spacingMm: [3, 3, 3] as const,
    inputMode: 'whole',
    dropoutRate: 0.2,
    description: 'k = 4, whole volumes at 3 mm padded to 64x64x64 (smoke runs only)',
  }),
});

/** The preset names, in the order of {@link PRESETS}. */
export const PRESET_NAMES: readonly PresetName[] = Object.freeze(Object.keys(PRESETS) as PresetName[]);

/**
 * The preset called `name`.
 * @throws RangeError listing the valid names when there is none
 */
export function getPreset(name: string): Readonly<Preset> {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`getPreset: unknown preset '${name}'; valid presets: ${PRESET_NAMES.join(', ')}`);
  }
  return PRESETS[name as PresetName];
}
