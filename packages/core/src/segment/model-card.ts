/**
 * The hadnet model card: what an exported ONNX model states about itself in its `metadata_props`
 * (CONTRACTS.md, "Models and runs"), parsed and checked. Depends on core's contracts, errors, and
 * the normalisation and tile-size types.
 */
import { SEQUENCES, type Sequence } from '../contracts.js';
import { InvalidModelError } from '../errors.js';
import type { Normalisation } from '../preprocess/normalise.js';
import type { SpatialShape } from '../tiling/importance.js';
import type { MirrorAxis } from '../tiling/mirror.js';
import type { Vec3 } from '../volume.js';

/** Which network a model is: the four-sequence teacher, the plain student, or the distilled one. */
export type ModelRole = 'teacher' | 'student' | 'hadnet';

/** How a model must be run: over the whole (padded) volume, or in tiles of exactly `roiSize`. */
export type InputMode = 'whole' | 'tiles';

/** The model card, parsed. Field names drop the `hadnet.` prefix of the metadata keys. */
export interface ModelCard {
  /** `hadnet.format`: the card's version, 1. */
  format: 1;
  /** `hadnet.role`. */
  role: ModelRole;
  /** `hadnet.sequences`: the input channels in order, e.g. `['flair', 't1', 't2']`. */
  sequences: Sequence[];
  /** `hadnet.classes`: output channels; hadnet models have 4 (background, NCR/NET, ED, ET). */
  classes: number;
  /** Class names, when `hadnet.classes` lists them instead of counting them. */
  classNames?: string[];
  /** `hadnet.normalisation`: the intensity normalisation the model was trained with. */
  normalisation: Normalisation;
  /** `hadnet.spacingMm`: the working voxel size `[x, y, z]` in mm (RAS axes). */
  spacingMm: Vec3;
  /** `hadnet.inputMode`. */
  inputMode: InputMode;
  /** `hadnet.roiSize`: the tile `[depth, height, width]`; present when `inputMode` is `'tiles'`. */
  roiSize?: SpatialShape;
  /** `hadnet.padMultiple`: each side of the network grid is padded to a multiple of it. */
  padMultiple: number;
  /**
   * `hadnet.mirrorAxes` (optional key): the network-grid axes the model was trained to be
   * mirror-invariant on, which test-time mirroring may flip (`depth` = inferior-superior,
   * `height` = posterior-anterior, `width` = left-right, on the RAS network grid). hadnet's
   * training flips left-right only, so mirroring other axes shows the network images it never
   * saw. `parseModelCard` always fills it in: a card without the key gets `['width']`.
   */
  mirrorAxes?: MirrorAxis[];
  /** `hadnet.training`: data, split, epochs, preset, validation Dice (free-form JSON object). */
  training: Record<string, unknown>;
  /** `hadnet.codeVersion`: the hadnet version that exported the model. */
  codeVersion: string;
}

/** Every metadata key of the card, as CONTRACTS.md names them. */
export const MODEL_CARD_KEYS = Object.freeze([
  'hadnet.format',
  'hadnet.role',
  'hadnet.sequences',
  'hadnet.classes',
  'hadnet.normalisation',
  'hadnet.spacingMm',
  'hadnet.inputMode',
  'hadnet.roiSize',
  'hadnet.padMultiple',
  'hadnet.mirrorAxes',
  'hadnet.training',
  'hadnet.codeVersion',
] as const);

const ROLES: readonly ModelRole[] = ['teacher', 'student', 'hadnet'];
const MODES: readonly InputMode[] = ['whole', 'tiles'];
const NORMALISATIONS: readonly Normalisation[] = ['hadnet', 'zscore'];
const MIRROR_AXES: readonly MirrorAxis[] = ['depth', 'height', 'width'];

/** The mirror axes of a card that has no `hadnet.mirrorAxes`: left-right, what hadnet trains with. */
export const DEFAULT_MIRROR_AXES: readonly MirrorAxis[] = Object.freeze(['width'] as MirrorAxis[]);

function bad(key: string, expected: string, got: string | undefined): InvalidModelError {
  const came = got === undefined ? 'the key is missing' : `got ${JSON.stringify(got)}`;
  return new InvalidModelError(`parseModelCard: metadata key '${key}' must be ${expected}; ${came}`);
}

function json(metadata: Record<string, string>, key: string, expected: string): unknown {
  const raw = metadata[key];
  if (raw === undefined) throw bad(key, expected, raw);
  try {
    return JSON.parse(raw);
  } catch {
    throw bad(key, expected, raw);
  }
}

function oneOf<T extends string>(metadata: Record<string, string>, key: string, choices: readonly T[]): T {
  const raw = metadata[key];
  if (!choices.includes(raw as T)) throw bad(key, `one of ${choices.join(', ')}`, raw);
  return raw as T;
}

function positiveIntegers(metadata: Record<string, string>, key: string, expected: string): number[] {
  const value = json(metadata, key, expected);
  if (!Array.isArray(value) || value.length !== 3 || !value.every((n) => Number.isInteger(n) && n >= 1)) {
    throw bad(key, expected, metadata[key]);
  }
  return value;
}

/**
 * Parses and checks a model card from an ONNX model's `metadata_props`.
 *
 * Keys (CONTRACTS.md): `hadnet.format` `"1"`; `hadnet.role` teacher | student | hadnet;
 * `hadnet.sequences` a JSON array of distinct sequence names in channel order;
 * `hadnet.classes` a JSON whole number or a JSON array of class names; `hadnet.normalisation`
 * hadnet | zscore; `hadnet.spacingMm` JSON `[x, y, z]` (mm, > 0); `hadnet.inputMode` whole | tiles;
 * `hadnet.roiSize` JSON `[depth, height, width]` (required for tiles, each a multiple of
 * `padMultiple`); `hadnet.padMultiple` a whole number >= 1; `hadnet.mirrorAxes` (optional) a JSON
 * array of distinct axes among depth, height, width; `hadnet.training` a JSON object;
 * `hadnet.codeVersion` a non-empty string. Other keys are ignored.
 * @param metadata - the model's metadata, e.g. from `readOnnxMetadata`
 * @returns the card
 * @throws InvalidModelError naming the first key that is missing or malformed, what it must be and
 *   what came
 * @example
 * ```ts
 * const card = parseModelCard(readOnnxMetadata(bytes));
 * card.sequences; // ['flair', 't1', 't2']
 * ```
 */
export function parseModelCard(metadata: Record<string, string>): ModelCard {
  if (typeof metadata !== 'object' || metadata === null) {
    throw new TypeError(`parseModelCard: metadata must be an object of strings; got ${String(metadata)}`);
  }
  if (metadata['hadnet.format'] === undefined) {
    const keys = Object.keys(metadata);
    throw new InvalidModelError(
      "parseModelCard: the model has no hadnet model card: metadata key 'hadnet.format' is missing " +
        `(metadata keys: ${keys.length === 0 ? 'none' : keys.join(', ')}); export models with 'hadnet-train export'`,
    );
  }
  if (metadata['hadnet.format'] !== '1') throw bad('hadnet.format', '"1"', metadata['hadnet.format']);
  const role = oneOf(metadata, 'hadnet.role', ROLES);

  // channels: known sequence names, each once
  const sequenceText = `a JSON array of distinct sequence names (${SEQUENCES.join(', ')})`;
  const sequences = json(metadata, 'hadnet.sequences', sequenceText);
  if (
    !Array.isArray(sequences) ||
    sequences.length === 0 ||
    !sequences.every((s) => SEQUENCES.includes(s)) ||
    new Set(sequences).size !== sequences.length
  ) {
    throw bad('hadnet.sequences', sequenceText, metadata['hadnet.sequences']);
  }

  // classes: a count, or the names
  const classText = 'a JSON whole number >= 2 or a JSON array of class names';
  const classes = json(metadata, 'hadnet.classes', classText);
  const classNames =
    Array.isArray(classes) && classes.every((c) => typeof c === 'string') ? classes : undefined;
  const classCount = classNames?.length ?? classes;
  if (!(typeof classCount === 'number' && Number.isInteger(classCount) && classCount >= 2)) {
    throw bad('hadnet.classes', classText, metadata['hadnet.classes']);
  }

  const normalisation = oneOf(metadata, 'hadnet.normalisation', NORMALISATIONS);
  const spacingText = 'a JSON array [x, y, z] of voxel sizes in mm, each > 0';
  const spacing = json(metadata, 'hadnet.spacingMm', spacingText);
  if (
    !Array.isArray(spacing) ||
    spacing.length !== 3 ||
    !spacing.every((n) => typeof n === 'number' && n > 0)
  ) {
    throw bad('hadnet.spacingMm', spacingText, metadata['hadnet.spacingMm']);
  }

  // geometry: the grid multiple, and the tile when the model runs in tiles
  const padText = metadata['hadnet.padMultiple'];
  const padMultiple = /^\d+$/.test(padText ?? '') ? Number(padText) : NaN;
  if (!(padMultiple >= 1)) throw bad('hadnet.padMultiple', 'a whole number >= 1', padText);
  const inputMode = oneOf(metadata, 'hadnet.inputMode', MODES);
  let roiSize: SpatialShape | undefined;
  if (inputMode === 'tiles') {
    const roiText = `a JSON array [depth, height, width] of whole numbers, each a multiple of hadnet.padMultiple (${padMultiple})`;
    roiSize = positiveIntegers(metadata, 'hadnet.roiSize', roiText) as SpatialShape;
    if (roiSize.some((n) => n % padMultiple !== 0))
      throw bad('hadnet.roiSize', roiText, metadata['hadnet.roiSize']);
  }

  // test-time mirroring: only the flips the model was trained with
  let mirrorAxes = [...DEFAULT_MIRROR_AXES];
  if (metadata['hadnet.mirrorAxes'] !== undefined) {
    const mirrorText = `a JSON array of distinct axes among ${MIRROR_AXES.join(', ')} (may be empty)`;
    const axes = json(metadata, 'hadnet.mirrorAxes', mirrorText);
    if (
      !Array.isArray(axes) ||
      !axes.every((a) => MIRROR_AXES.includes(a)) ||
      new Set(axes).size !== axes.length
    ) {
      throw bad('hadnet.mirrorAxes', mirrorText, metadata['hadnet.mirrorAxes']);
    }
    mirrorAxes = axes as MirrorAxis[];
  }

  // provenance
  const training = json(metadata, 'hadnet.training', 'a JSON object');
  if (typeof training !== 'object' || training === null || Array.isArray(training)) {
    throw bad('hadnet.training', 'a JSON object', metadata['hadnet.training']);
  }
  const codeVersion = metadata['hadnet.codeVersion'];
  if (typeof codeVersion !== 'string' || codeVersion.trim() === '') {
    throw bad('hadnet.codeVersion', 'a non-empty string', codeVersion);
  }

  return {
    format: 1,
    role,
    sequences: sequences as Sequence[],
    classes: classCount,
    ...(classNames === undefined ? {} : { classNames }),
    normalisation,
    spacingMm: spacing as Vec3,
    inputMode,
    ...(roiSize === undefined ? {} : { roiSize }),
    padMultiple,
    mirrorAxes,
    training: training as Record<string, unknown>,
    codeVersion,
  };
}
