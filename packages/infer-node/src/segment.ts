/**
 * `segment()` in Node (core's `runSegmentation` on onnxruntime-node) and `writeSegmentation`,
 * which writes a result's files all at once or not at all. Depends on node:fs, @hadnet/core and
 * ./runtime.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readdir, rename, rm, rmdir } from 'node:fs/promises';
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
 * flushed, then all are renamed into place. On any error the temporary files, any file already
 * renamed by this call, and the folder itself when this call created it and left it empty, are
 * removed; the error is passed on. Files already there are replaced.
 * @param result - what {@link segment} returned
 * @param dir - the output folder; created when missing
 * @param options - see {@link WriteSegmentationOptions}
 * @returns the paths written and the report
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
  const started = performance.now();
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new TypeError(`writeSegmentation: dir must be a non-empty path; got ${JSON.stringify(dir)}`);
  }

  // encode every volume before touching the disk
  const outputs: [string, Uint8Array][] = [['seg.nii.gz', writeNifti(result.labels, { datatype: 'uint8' })]];
  if (result.uncertainty !== undefined) {
    const { wholeTumour, tumourCore, enhancingTumour } = result.uncertainty;
    outputs.push(['unc_whole.nii.gz', writeNifti(wholeTumour, { datatype: 'uint8' })]);
    outputs.push(['unc_core.nii.gz', writeNifti(tumourCore, { datatype: 'uint8' })]);
    outputs.push(['unc_enhance.nii.gz', writeNifti(enhancingTumour, { datatype: 'uint8' })]);
  }
  result.probabilities?.forEach((volume, c) => {
    outputs.push([PROBABILITY_FILES[c], writeNifti(volume, { datatype: 'float32' })]);
  });

  // the folder, remembering whether this call made it
  const folder = resolve(dir);
  const created = (await mkdir(folder, { recursive: true })) !== undefined;
  const temporaries: string[] = [];
  const placed: string[] = [];
  const writeTemporary = async (name: string, bytes: Uint8Array) => {
    const temporary = join(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    temporaries.push(temporary);
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temporary;
  };
  try {
    // every file under a temporary name, then the report, then all renamed into place
    const staged: [string, string][] = [];
    for (const [name, bytes] of outputs) staged.push([await writeTemporary(name, bytes), join(folder, name)]);
    const report = segmentReport(result, {
      case: options.case ?? basename(folder),
      writeMs: performance.now() - started,
    });
    const json = new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`);
    staged.push([await writeTemporary('report.json', json), join(folder, 'report.json')]);
    for (const [temporary, path] of staged) {
      await rename(temporary, path);
      placed.push(path);
    }
    return { files: placed, report };
  } catch (error) {
    await Promise.all([...temporaries, ...placed].map((path) => rm(path, { force: true })));
    if (created && (await readdir(folder)).length === 0) await rmdir(folder);
    throw error;
  }
}
