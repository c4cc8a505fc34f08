/**
 * `segment()` in Node (core's `runSegmentation` on onnxruntime-node) and `writeSegmentation`,
 * which writes a result's files all at once or not at all and clears an earlier run's. Depends on
 * node:fs, @hadnet/core, ./io/output-path and ./runtime.
 */
import { access, mkdir, readdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  InvalidModelError,
  runSegmentation,
  segmentReport,
  writeNifti,
  type SegmentationResult,
  type SegmentOptions,
  type SegmentReport,
  type Sequence,
  type VolumeSource,
} from '@hadnet/core';
import { OutputPathError, outputError } from './io/output-path.js';
import { temporaryPath, writeFlushed } from './io/save.js';
import { nodeRuntime } from './runtime/onnxruntime.js';

/** File name of the default model, in the package's `models/` folder. */
export const DEFAULT_MODEL_FILE = 'hadnet-student.onnx';

/** This file's folder: `src/` under vitest, `dist/` once built; the package root is one up. */
function moduleFolder(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/**
 * The path of the default model shipped with `@hadnet/infer-node` (`models/hadnet-student.onnx`).
 * @throws InvalidModelError when the package holds no default model
 */
export async function defaultModelPath(): Promise<string> {
  const path = resolve(moduleFolder(), '..', 'models', DEFAULT_MODEL_FILE);
  try {
    await access(path);
  } catch {
    throw new InvalidModelError(
      `segment: no model given, and this installation has no default model (${path} is missing); ` +
        'pass options.model (hadnet segment --model FILE) with an ONNX model exported by hadnet-train export',
    );
  }
  return path;
}

/**
 * Segments one case in Node: reads the volumes (paths, `file:` URLs, bytes or Volumes), runs the
 * model with onnxruntime-node on the device asked for (`'auto'`: CUDA, then WebGPU, then CPU),
 * and returns the label map on the FLAIR's grid with the rest of {@link SegmentationResult}.
 *
 * The model's card says which sequences it needs (the student: `flair`, `t1`, `t2`) and how it
 * runs (whole volume or tiles); see core's `runSegmentation` for the steps.
 * @param inputs - volumes by sequence, all on one grid
 * @param options - see {@link SegmentOptions}; `model` defaults to the shipped model
 * @returns the result; write it with {@link writeSegmentation}
 * @throws ModalityMismatchError, InvalidVolumeError, InvalidModelError, UnsupportedDeviceError,
 *   InputQualityError (with `strict`), TypeError, RangeError; see `runSegmentation`
 * @example
 * ```ts
 * const result = await segment(
 *   { flair: 'case/flair.nii.gz', t1: 'case/t1.nii.gz', t2: 'case/t2.nii.gz' },
 *   { model: 'hadnet-student.onnx', uncertainty: true },
 * );
 * console.log(result.device, result.volumesMl);
 * await writeSegmentation(result, 'out/case');
 * ```
 */
export async function segment(
  inputs: Partial<Record<Sequence, VolumeSource>>,
  options: SegmentOptions = {},
): Promise<SegmentationResult> {
  const model = options.model ?? (await defaultModelPath());
  return runSegmentation(inputs, { ...options, model }, nodeRuntime);
}

/** Options of {@link writeSegmentation}. */
export interface WriteSegmentationOptions {
  /** The case name in `report.json`. @defaultValue the folder's name */
  case?: string;
}

/** What {@link writeSegmentation} wrote. */
export interface WrittenSegmentation {
  /** The paths written, `report.json` last. */
  files: string[];
  /**
   * The paths removed: an earlier run's outputs that this result does not replace (say `unc_*`
   * when this run has no uncertainty maps) and temporary files a killed run left.
   */
  removed: string[];
  /** The contents of `report.json`. */
  report: SegmentReport;
}

/** The probability maps' file names, by class index 0..3. */
export const PROBABILITY_FILES = Object.freeze([
  'prob_background.nii.gz',
  'prob_ncr_net.nii.gz',
  'prob_oedema.nii.gz',
  'prob_enhancing.nii.gz',
]);

/** The uncertainty maps' file names: whole tumour, tumour core, enhancing tumour (QU-BraTS). */
const UNCERTAINTY_FILES = Object.freeze(['unc_whole.nii.gz', 'unc_core.nii.gz', 'unc_enhance.nii.gz']);

/** Every file name {@link writeSegmentation} may write, `report.json` last. */
export const SEGMENTATION_FILES: readonly string[] = Object.freeze([
  'seg.nii.gz',
  ...UNCERTAINTY_FILES,
  ...PROBABILITY_FILES,
  'report.json',
]);

/** What a folder holds of hadnet's segmentation outputs. */
export interface SegmentationFilesIn {
  /** Names of {@link SEGMENTATION_FILES} present, in that order. */
  outputs: string[];
  /** Temporary files of an interrupted write: `.<one of SEGMENTATION_FILES>.<12 hex digits>.tmp`. */
  leftovers: string[];
}

const leftoverName = (name: string) => {
  const match = /^\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(name);
  return match !== null && SEGMENTATION_FILES.includes(match[1]);
};

/**
 * Lists hadnet's own segmentation files in a folder (other files are not looked at).
 * @param dir - the folder; a missing one holds nothing
 * @example
 * ```ts
 * const { outputs } = await segmentationFilesIn('out'); // ['seg.nii.gz', 'report.json']
 * ```
 */
export async function segmentationFilesIn(dir: string): Promise<SegmentationFilesIn> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { outputs: [], leftovers: [] };
    throw error;
  }
  return {
    outputs: SEGMENTATION_FILES.filter((name) => names.includes(name)),
    leftovers: names.filter(leftoverName).sort(),
  };
}

/**
 * Writes a result into a folder:
 * - `seg.nii.gz`: the labels, uint8, on the FLAIR's grid with its header's sform and qform;
 * - `unc_whole.nii.gz`, `unc_core.nii.gz`, `unc_enhance.nii.gz`: uint8 0-100, when the result
 *   has uncertainty maps;
 * - `prob_background.nii.gz`, `prob_ncr_net.nii.gz`, `prob_oedema.nii.gz`,
 *   `prob_enhancing.nii.gz`: float32, when the result has probabilities;
 * - `report.json`: the object of CONTRACTS.md (`case`, `inputs`, `device`, `model`, `volumesMl`,
 *   `timingsMs` with `write`, `warnings`).
 *
 * All or nothing: every file is encoded first, written under a temporary name in the folder and
 * flushed; then an earlier run's `report.json` is removed, and so are its other outputs that this
 * result does not replace (`unc_*` or `prob_*` of a run that asked for them) and the temporary files
 * of a killed run (see {@link segmentationFilesIn}); then the new files are renamed into place,
 * `report.json` last. So the folder never shows an old report beside new images, nor old maps beside
 * a new report. Files that are not hadnet's are left alone. One writer per folder at a time.
 *
 * On any error the temporary files, any file already renamed by this call, and the folder itself
 * when this call created it and left it empty, are removed; an earlier run's outputs may be gone by
 * then. The error is passed on; a file-system error is an {@link OutputPathError} naming the folder
 * or the file's final name (never a temporary name), with Node's code (`ENOTDIR`, `EACCES`, ...).
 * @param result - what {@link segment} returned
 * @param dir - the output folder; created when missing
 * @param options - see {@link WriteSegmentationOptions}
 * @returns the paths written and removed, and the report
 * @example
 * ```ts
 * const { files } = await writeSegmentation(result, 'out/Brats18_TCIA03_265_1');
 * ```
 */
export async function writeSegmentation(
  result: SegmentationResult,
  dir: string,
  options: WriteSegmentationOptions = {},
): Promise<WrittenSegmentation> {
  const caller = 'writeSegmentation';
  const started = performance.now();
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new TypeError(`writeSegmentation: dir must be a non-empty path; got ${JSON.stringify(dir)}`);
  }

  // encode every volume before touching the disk
  const outputs: [string, Uint8Array][] = [['seg.nii.gz', writeNifti(result.labels, { datatype: 'uint8' })]];
  if (result.uncertainty !== undefined) {
    const { wholeTumour, tumourCore, enhancingTumour } = result.uncertainty;
    outputs.push([UNCERTAINTY_FILES[0], writeNifti(wholeTumour, { datatype: 'uint8' })]);
    outputs.push([UNCERTAINTY_FILES[1], writeNifti(tumourCore, { datatype: 'uint8' })]);
    outputs.push([UNCERTAINTY_FILES[2], writeNifti(enhancingTumour, { datatype: 'uint8' })]);
  }
  result.probabilities?.forEach((volume, c) => {
    outputs.push([PROBABILITY_FILES[c], writeNifti(volume, { datatype: 'float32' })]);
  });

  // the folder, remembering whether this call made it
  const folder = resolve(dir);
  let created: boolean;
  try {
    created = (await mkdir(folder, { recursive: true })) !== undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') {
      throw new OutputPathError('ENOTDIR', dir, `${caller}: ${dir} is a file, not a folder`, {
        cause: error,
      });
    }
    throw outputError(caller, 'cannot create the folder', dir, error);
  }
  const temporaries: string[] = [];
  const placed: string[] = [];
  const removed: string[] = [];
  const writeTemporary = async (name: string, bytes: Uint8Array) => {
    const temporary = temporaryPath(join(folder, name));
    temporaries.push(temporary);
    try {
      await writeFlushed(temporary, bytes);
    } catch (error) {
      throw outputError(caller, 'cannot write', join(dir, name), error);
    }
    return temporary;
  };
  try {
    // every file under a temporary name, then the report
    const staged: [string, string][] = [];
    for (const [name, bytes] of outputs) staged.push([await writeTemporary(name, bytes), join(folder, name)]);
    const report = segmentReport(result, {
      case: options.case ?? basename(folder),
      writeMs: performance.now() - started,
    });
    const json = new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`);
    staged.push([await writeTemporary('report.json', json), join(folder, 'report.json')]);

    // an earlier run's report first, its outputs this run does not replace, a killed run's leftovers
    const before = await segmentationFilesIn(folder);
    const own = new Set(temporaries.map((t) => basename(t)));
    const stale = [
      ...before.outputs.filter((name) => name === 'report.json'),
      ...before.outputs.filter((name) => name !== 'report.json' && !outputs.some(([n]) => n === name)),
      ...before.leftovers.filter((name) => !own.has(name)),
    ];
    for (const name of stale) {
      try {
        await unlink(join(folder, name));
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') continue;
        throw outputError(caller, 'cannot remove the earlier output', join(dir, name), error);
      }
      removed.push(join(folder, name));
    }

    // all renamed into place, report.json last
    for (const [temporary, path] of staged) {
      try {
        await rename(temporary, path);
      } catch (error) {
        throw outputError(caller, 'cannot write', join(dir, basename(path)), error);
      }
      placed.push(path);
    }
    return { files: placed, removed, report };
  } catch (error) {
    await Promise.all([...temporaries, ...placed].map((path) => rm(path, { force: true })));
    if (created && (await readdir(folder)).length === 0) await rmdir(folder);
    throw error;
  }
}
