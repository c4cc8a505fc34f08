/**
 * Reading a case from disk and preparing it as a preset says (core's `preprocess`: RAS order,
 * brain mask, crop, hadnet normalisation, resampling to the preset's spacing, centred padding to
 * its input shape), and a source that does this once per case and keeps the result in memory, so
 * that epochs do not read NIfTI again.
 * May depend on: node:fs, `@hadnet/core` (reader, preprocessing, labels, errors, log), ./layout,
 * ./training-case, ../networks (the preset type).
 */
import { readFile } from 'node:fs/promises';
import {
  checkGridPair,
  InvalidRunError,
  labelsToClasses,
  log,
  preprocess,
  readNifti,
  TEACHER_SEQUENCES,
  toNetworkGrid,
  type LabelConvention,
  type Sequence,
  type Volume,
} from '@hadnet/core';
import type { Preset } from '../networks/presets.js';
import { missingFiles, type CaseFiles, type CaseFileKind } from './layout.js';
import type { CaseSource, TrainingCase } from './training-case.js';

/** Options of {@link loadTrainingCase}. */
export interface LoadTrainingCaseOptions {
  /** The grid: `spacingMm` (working voxel size) and `inputShape` (`[D, H, W]` padded to). */
  preset: Pick<Preset, 'spacingMm' | 'inputShape'>;
  /** Sequences the case must have (the stage's network's). @defaultValue all four */
  sequences?: readonly Sequence[];
  /** The label file's convention. @defaultValue the case's (`'brats2023'` for the 2023+ names) */
  labelConvention?: LabelConvention;
  /** Keep the class map on the original grid and the record, for validation. @defaultValue false */
  keepOriginal?: boolean;
}

async function readVolume(path: string): Promise<Volume> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InvalidRunError(
      `loadTrainingCase: cannot read ${path} (${(error as { code?: string }).code})`,
      {
        cause: error,
      },
    );
  }
  return readNifti(bytes, { name: path });
}

/**
 * Reads one case and prepares it for training. Every sequence the case has is used, in the
 * teacher's channel order, and the brain mask is where all of them are non-zero (the reference
 * masks with all four sequences for the student too); the label map is mapped to class indices
 * and carried to the network grid with nearest-neighbour resampling.
 *
 * @param files - from `findCases`
 * @param options - the preset's grid, the sequences required, the label convention
 * @returns the case on the network grid (see {@link TrainingCase})
 * @throws InvalidRunError naming the files a case lacks; ModalityMismatchError when the label map
 *   is on another grid; what `readNifti`, `labelsToClasses` and `preprocess` throw
 */
export async function loadTrainingCase(
  files: CaseFiles,
  options: LoadTrainingCaseOptions,
): Promise<TrainingCase> {
  const required: CaseFileKind[] = [...(options.sequences ?? TEACHER_SEQUENCES), 'seg'];
  const missing = missingFiles(files, required);
  if (missing.length > 0) {
    throw new InvalidRunError(
      `loadTrainingCase: case ${files.id} (${files.dir}) lacks ${missing.join(', ')}; found ` +
        `${Object.keys(files.files).join(', ') || 'nothing'}`,
    );
  }

  // read every sequence the case has, and the label map
  const channels = TEACHER_SEQUENCES.filter((s) => files.files[s] !== undefined);
  const volumes: Partial<Record<Sequence, Volume>> = {};
  const names: Partial<Record<Sequence, string>> = {};
  for (const s of channels) {
    volumes[s] = await readVolume(files.files[s]!);
    names[s] = files.files[s];
  }
  const seg = await readVolume(files.files.seg!);
  const reference = volumes.flair ?? volumes[channels[0]]!;
  checkGridPair('loadTrainingCase', [channels[0], reference], ['seg', seg], {
    names: { ...names, seg: files.files.seg },
  });

  // preprocess as the preset says, and bring the labels along
  const { spacingMm, inputShape } = options.preset;
  const prepared = preprocess(volumes, {
    channels,
    names,
    targetSpacing: [...spacingMm],
    pad: { shape: [...inputShape] },
    layout: 'NDHWC',
  });
  for (const w of prepared.warnings) log.warn(`case ${files.id}: ${w}`);
  const classes = labelsToClasses(seg.data, options.labelConvention ?? files.labelConvention);
  const labels = toNetworkGrid(classes, prepared.record, { interpolation: 'nearest' }) as Uint8Array;
  const [, d, h, w] = prepared.shape;
  return {
    id: files.id,
    shape: [d, h, w],
    channels,
    images: prepared.tensor,
    labels,
    mask: prepared.mask,
    ...(options.keepOriginal ? { original: { classes, record: prepared.record } } : {}),
  };
}

/**
 * A {@link CaseSource} over cases on disk: each is read and prepared on first use and kept in
 * memory for every later epoch.
 *
 * TODO: a paper-preset dataset (335 cases of 160x192x160x4 floats, about 26 GB) does not fit in
 * memory; such runs need a disk cache of prepared cases, which this source does not have yet.
 *
 * @param cases - from `findCases`
 * @param ids - the ids this source serves (a split's list), each one of `cases`
 * @param options - as {@link loadTrainingCase}
 * @throws InvalidRunError naming ids that `cases` lacks
 */
export function diskCaseSource(
  cases: readonly CaseFiles[],
  ids: readonly string[],
  options: LoadTrainingCaseOptions,
): CaseSource {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new InvalidRunError(`diskCaseSource: the data folder holds no case ${unknown.join(', ')}`);
  }
  const cache = new Map<string, Promise<TrainingCase>>();
  return {
    ids: [...ids],
    load(id) {
      if (!ids.includes(id)) {
        return Promise.reject(new RangeError(`diskCaseSource: '${id}' is not one of this source's cases`));
      }
      let pending = cache.get(id);
      if (!pending) {
        pending = loadTrainingCase(byId.get(id)!, options);
        cache.set(id, pending);
        pending.catch(() => cache.delete(id));
      }
      return pending;
    },
  };
}
