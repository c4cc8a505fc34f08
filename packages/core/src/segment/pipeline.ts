/**
 * `runSegmentation`: the one implementation of `segment()`'s steps, which every runtime package
 * calls with its own {@link Runtime}: load, check the model card against the inputs, preprocess as
 * the card says, run the network whole or in tiles, put the result back on the input's grid.
 * Depends on core's contracts, errors, logger, preprocess, tiling, labels and this folder.
 */
import { SEQUENCES, type Sequence, type VolumeSource } from '../contracts.js';
import { InvalidModelError, ModalityMismatchError } from '../errors.js';
import { classesToLabels, LABEL_VALUES } from '../labels/convention.js';
import { postprocessLabels } from '../labels/postprocess.js';
import { log } from '../logger.js';
import { checkSameGrid } from '../preprocess/grid.js';
import { brainMask } from '../preprocess/mask.js';
import { preprocess } from '../preprocess/preprocess.js';
import type { Preprocessed, PreprocessOptions } from '../preprocess/record.js';
import { restoreToOriginal } from '../preprocess/restore.js';
import { checkVoxelValues } from '../preprocess/values.js';
import type { SpatialShape } from '../tiling/importance.js';
import { planTiles } from '../tiling/plan.js';
import { slidingWindowInference } from '../tiling/sliding-window.js';
import type { Volume } from '../volume.js';
import { fillOutsideBrain, restrictToBrainMask } from './brain-mask.js';
import { devicesToTry } from './devices.js';
import { DEFAULT_MIRROR_AXES, parseModelCard, type ModelCard } from './model-card.js';
import { readOnnxMetadata } from './onnx-metadata.js';
import type { SegmentOptions, SegmentProgress, SegmentTimings } from './options.js';
import type { SegmentationResult, SegmentPostprocess, UncertaintyMaps } from './result.js';
import type { Runtime, RuntimeSession } from './runtime.js';
import { regionUncertainty } from './uncertainty.js';
import { regionVolumesMl } from './volumes.js';

const FN = 'segment';

/** An input's file name: its path, URL or File name; undefined for bytes, Blobs and Volumes. */
function fileName(source: VolumeSource): string | undefined {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    return 'name' in source && typeof source.name === 'string' ? source.name : undefined;
  }
  return undefined;
}

/** A name for an input in reports: its file name, or its kind. */
function sourceName(source: VolumeSource, sequence: Sequence): string {
  const file = fileName(source);
  if (file !== undefined) return file;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return `${sequence} (Blob)`;
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return `${sequence} (bytes)`;
  return `${sequence} (volume)`;
}

/** Lowercase hex SHA-256, with the Web Crypto API that Node 20 and browsers share. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes.slice().buffer as ArrayBuffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The card's checks against the inputs: every sequence it needs is given. */
function checkSequences(card: ModelCard, given: Sequence[]): string[] {
  const missing = card.sequences.filter((s) => !given.includes(s));
  if (missing.length > 0) {
    throw new ModalityMismatchError(
      `${FN}: the model (role ${card.role}) needs ${card.sequences.join(', ')}; ` +
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not given (given: ${given.join(', ') || 'none'})`,
    );
  }
  return given
    .filter((s) => !card.sequences.includes(s))
    .map((s) => `${s} is given but the model (role ${card.role}) does not take it; it was not used`);
}

/**
 * Preprocesses as the card says. In tiles mode a brain smaller than one tile is padded up to it
 * (a second pass with a fixed grid: rare, and cheaper than a second copy of the padding rules).
 */
function prepare(
  volumes: Partial<Record<Sequence, Volume>>,
  card: ModelCard,
  options: PreprocessOptions,
): Preprocessed {
  const base: PreprocessOptions = {
    ...options,
    channels: card.sequences,
    normalisation: card.normalisation,
    targetSpacing: card.spacingMm,
    pad: { multiple: card.padMultiple },
  };
  const prepared = preprocess(volumes, base);
  const roi = card.roiSize;
  const grid = prepared.record.networkShape;
  if (card.inputMode !== 'tiles' || roi === undefined || grid.every((n, a) => n >= roi[a])) return prepared;
  const shape = grid.map((n, a) => Math.max(n, roi[a])) as SpatialShape;
  return preprocess(volumes, { ...base, pad: { shape } });
}

/** Concatenates tiles' `[channels, d, h, w]` inputs into one `[batch, channels, d, h, w]` array. */
function batchOf(tiles: { data?: Float32Array }[]): Float32Array {
  if (tiles.length === 1) return tiles[0].data!;
  const size = tiles[0].data!.length;
  const batch = new Float32Array(tiles.length * size);
  tiles.forEach((tile, b) => batch.set(tile.data!, b * size));
  return batch;
}

/** How many of the network's probabilities are NaN or infinite, and the first such index. */
function nonFiniteProbabilities(data: Float32Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let v = 0; v < data.length; v++) {
    if (!Number.isFinite(data[v])) {
      if (count++ === 0) first = v;
    }
  }
  return { count, first };
}

/** A restored float map as uint8, rounded and clamped to 0..100. */
function toPercent(volume: Volume): Volume {
  const data = Uint8Array.from(volume.data, (u) => Math.min(100, Math.max(0, Math.round(u))));
  return { ...volume, data };
}

/**
 * Segments one case with a runtime: the steps behind `segment()` in every runtime package.
 *
 * Steps: read the model and its card (`readOnnxMetadata`, `parseModelCard`); check that every
 * sequence the card names is given (a `ModalityMismatchError` names the missing one); read those
 * volumes, check that they share one grid and that their voxels are finite (or set to 0 with
 * `nonFinite: 'zero'`) and not all zero, and start a session on the first device that works;
 * preprocess as the card says
 * (channels, normalisation, working spacing, padding to `padMultiple`); run the network over the
 * whole grid or in tiles of exactly the card's `roiSize` (instance normalisation makes outputs
 * depend on the extent it sees), mirrored when `tta`; blend probabilities; restore them to the
 * input's grid (trilinear when resampled), argmax, tumour outside the brain mask set to background
 * (`restrictToBrainMask`), optional post-processing, labels in the chosen convention; region
 * volumes; optional probabilities and uncertainty maps, consistent with the labels outside the brain.
 * @param inputs - the volumes by sequence; the model card says which are needed
 * @param options - see {@link SegmentOptions}; `model` is required here (`segment()` fills in its
 *   runtime's default)
 * @param runtime - the runtime package's implementation of {@link Runtime}
 * @returns the label map and the rest of {@link SegmentationResult}, on the FLAIR's grid
 * @throws ModalityMismatchError for a missing sequence or inputs on different grids;
 *   InvalidModelError for a file that is not an ONNX model (or a truncated one), a bad card, outputs
 *   that do not fit it, or NaN or infinite probabilities; UnsupportedDeviceError for a device the
 *   runtime lacks, or when no device starts (every attempt listed); InvalidVolumeError for inputs
 *   that are not NIfTI, or hold NaN or infinite voxels (unless `nonFinite: 'zero'`);
 *   UnsupportedVolumeError for a file of several volumes (4D); InputQualityError for a sequence
 *   that is zero everywhere, and with `strict`; TypeError and RangeError for bad options
 * @example
 * ```ts
 * const result = await runSegmentation({ flair, t1, t2 }, { model: bytes, uncertainty: true }, runtime);
 * result.volumesMl; // { ET, TC, WT } in mL
 * ```
 */
export async function runSegmentation(
  inputs: Partial<Record<Sequence, VolumeSource>>,
  options: SegmentOptions,
  runtime: Runtime,
): Promise<SegmentationResult> {
  const started = performance.now();

  // convert the arguments
  if (typeof inputs !== 'object' || inputs === null) {
    throw new TypeError(
      `${FN}: inputs must be an object of volume sources by sequence; got ${String(inputs)}`,
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${FN}: options must be an object; got ${String(options)}`);
  }
  const requested = options.device ?? 'auto';
  const overlap = options.overlap ?? 0.5;
  const tta = options.tta ?? false;
  const labelConvention = options.labelConvention ?? 'brats';
  const swBatchSize = options.swBatchSize ?? 1;
  const restrictToBrain = options.restrictToBrainMask ?? true;
  const nonFinite = options.nonFinite ?? 'error';
  const emit = (progress: SegmentProgress) => options.onProgress?.(progress);
  const given = Object.keys(inputs).filter((key) => inputs[key as Sequence] !== undefined) as Sequence[];

  // one block of checks
  const unknown = given.filter((key) => !SEQUENCES.includes(key));
  if (unknown.length > 0) {
    throw new RangeError(
      `${FN}: unknown sequence '${unknown[0]}' in inputs; sequences are ${SEQUENCES.join(', ')}`,
    );
  }
  if (options.model === undefined) {
    throw new TypeError(`${FN}: options.model is required (a path, URL or bytes)`);
  }
  if (!(typeof overlap === 'number' && overlap >= 0 && overlap < 1)) {
    throw new RangeError(`${FN}: overlap must be a number in [0, 1); got ${String(overlap)}`);
  }
  if (!(Number.isInteger(swBatchSize) && swBatchSize >= 1)) {
    throw new RangeError(`${FN}: swBatchSize must be a whole number >= 1; got ${String(swBatchSize)}`);
  }
  if (!(labelConvention in LABEL_VALUES)) {
    throw new RangeError(
      `${FN}: labelConvention must be one of ${Object.keys(LABEL_VALUES).join(', ')}; got ${String(labelConvention)}`,
    );
  }
  if (typeof restrictToBrain !== 'boolean') {
    throw new TypeError(`${FN}: restrictToBrainMask must be true or false; got ${String(restrictToBrain)}`);
  }
  if (nonFinite !== 'error' && nonFinite !== 'zero') {
    throw new RangeError(`${FN}: nonFinite must be 'error' or 'zero'; got ${String(nonFinite)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError(`${FN}: onProgress must be a function; got ${typeof options.onProgress}`);
  }
  const devices = devicesToTry(FN, requested, runtime.devices, runtime.name);

  // load the model, check its card against the inputs, read the volumes, start a session
  emit({ status: 'load' });
  const model = await runtime.loadModel(options.model);
  const card = parseModelCard(readOnnxMetadata(model.bytes, model.name));
  if (card.classes !== 4) {
    throw new InvalidModelError(
      `${FN}: ${model.name}: hadnet.classes is ${card.classes}; segment() needs the 4 classes ` +
        'background, NCR/NET, ED, ET',
    );
  }
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    log.warn(`${FN}: ${message}`);
  };
  const mirrorAxes = card.mirrorAxes ?? [...DEFAULT_MIRROR_AXES];
  if (tta && mirrorAxes.length === 0) {
    warn(`tta: ${model.name} was trained without mirroring (its card lists no mirror axes); ran it once`);
  }
  // a sequence the model does not take (the T1ce of a full case, for the student) is simply unused
  for (const unused of checkSequences(card, given)) log.info(`${FN}: ${unused}`);
  const names: Partial<Record<Sequence, string>> = {};
  for (const s of card.sequences) names[s] = sourceName(inputs[s]!, s);
  // messages quote a sequence's file where it has one: 't1 (case/t1.nii.gz)', else just 't1'
  const files: Partial<Record<Sequence, string>> = {};
  for (const s of card.sequences) files[s] = fileName(inputs[s]!);
  const loaded = await Promise.all(card.sequences.map((s) => runtime.loadVolume(inputs[s]!, names[s]!)));
  const read: Partial<Record<Sequence, Volume>> = {};
  card.sequences.forEach((s, c) => (read[s] = loaded[c]));
  checkSameGrid(read, { names: files });

  // voxel values, before any device starts: NaN and infinite voxels, sequences that are all zero
  const checked = checkVoxelValues(read, { names: files, nonFinite, caller: FN });
  checked.warnings.forEach(warn);
  const volumes = checked.volumes;
  const sha256 = await sha256Hex(model.bytes);
  const session: RuntimeSession = await runtime.createSession(model.bytes, devices, model.name);
  try {
    for (const attempt of session.attempts) {
      warn(`device ${attempt.device} could not start (${attempt.reason}); ran on ${session.device} instead`);
    }
    const timings: Partial<SegmentTimings> = { load: performance.now() - started };

    // preprocess as the card says
    emit({ status: 'preprocess' });
    let mark = performance.now();
    const prepared = prepare(volumes, card, { strict: options.strict, names: files });
    prepared.warnings.forEach(warn);
    timings.preprocess = performance.now() - mark;

    // run the network, whole or in tiles of the card's roiSize
    mark = performance.now();
    const [, channels, ...grid] = prepared.shape;
    const inputShape = grid as SpatialShape;
    const roiSize = card.inputMode === 'tiles' ? card.roiSize! : inputShape;
    const tilesTotal = planTiles(inputShape, roiSize, overlap).length;
    emit({ status: 'infer', tilesDone: 0, tilesTotal });
    const blended = await slidingWindowInference({
      inputShape,
      input: { data: prepared.tensor, channels },
      mode: card.inputMode,
      roiSize,
      overlap,
      blending: options.blending,
      swBatchSize,
      ...(tta ? { mirrorAxes } : {}),
      runTile: (tiles) => session.run(batchOf(tiles), [tiles.length, channels, ...tiles[0].size]),
      onProgress: ({ done, total }) => emit({ status: 'infer', tilesDone: done, tilesTotal: total }),
    });
    if (blended.shape[1] !== card.classes) {
      throw new InvalidModelError(
        `${FN}: ${model.name}: the probabilities output has ${blended.shape[1]} channels; its card says ${card.classes}`,
      );
    }
    const broken = nonFiniteProbabilities(blended.data);
    if (broken.count > 0) {
      throw new InvalidModelError(
        `${FN}: ${model.name}: the network gave ${broken.count} NaN or infinite probabilities of ` +
          `${blended.data.length} (the first at index ${broken.first} of its [classes, depth, height, width] ` +
          `output) on finite inputs; expected values in [0, 1]: its weights may hold NaN (a diverged training?)`,
      );
    }
    timings.infer = performance.now() - mark;

    // back to the input's grid: argmax, post-processing, labels, volumes
    emit({ status: 'postprocess' });
    mark = performance.now();
    const { record } = prepared;
    const [classMap] = restoreToOriginal(blended.data, record, {
      interpolation: 'linear',
      argmax: true,
      channels: 4,
    });
    let classes = classMap.data as Uint8Array;

    // tumour only inside the brain mask (every sequence non-zero), then the post-processing asked for
    const brain = brainMask(card.sequences.map((s) => volumes[s]!.data));
    const postprocess: SegmentPostprocess = {
      brainMask: restrictToBrainMask(classes, brain, restrictToBrain),
    };
    if (options.postprocess !== undefined) {
      const done = postprocessLabels(classes, classMap.shape, options.postprocess);
      classes = done.classes;
      Object.assign(postprocess, done.record);
    }
    const labels: Volume = { ...classMap, data: classesToLabels(classes, labelConvention) };
    const volumesMl = regionVolumesMl(classes, classMap.affine);

    // optional maps: probabilities (background 1 outside the crop, and outside the brain where its
    // labels were cleared), uncertainty (0 outside the brain mask)
    const probabilities =
      options.saveProbabilities === true
        ? restoreToOriginal(blended.data, record, {
            interpolation: 'linear',
            channels: 4,
            fill: [1, 0, 0, 0],
          })
        : undefined;
    if (probabilities !== undefined && restrictToBrain) fillOutsideBrain(probabilities, brain, [1, 0, 0, 0]);
    let uncertainty: UncertaintyMaps | undefined;
    if (options.uncertainty === true) {
      const maps = regionUncertainty(blended.data, 4, prepared.mask);
      const [whole, core, enhancing] = restoreToOriginal(maps, record, {
        interpolation: 'linear',
        channels: 3,
      });
      uncertainty = {
        wholeTumour: toPercent(whole),
        tumourCore: toPercent(core),
        enhancingTumour: toPercent(enhancing),
      };
      // trilinear resampling can carry a little uncertainty across the mask's edge
      const { wholeTumour, tumourCore, enhancingTumour } = uncertainty;
      fillOutsideBrain([wholeTumour, tumourCore, enhancingTumour], brain, [0, 0, 0]);
    }
    timings.postprocess = performance.now() - mark;
    const timingsMs = { ...timings, total: performance.now() - started } as SegmentTimings;
    emit({ status: 'done', timingsMs, device: session.device });

    return {
      labels,
      labelConvention,
      ...(probabilities === undefined ? {} : { probabilities }),
      ...(uncertainty === undefined ? {} : { uncertainty }),
      volumesMl,
      timingsMs,
      device: session.device,
      deviceAttempts: [...session.attempts],
      warnings,
      model: { name: model.name, sha256, card },
      inference: {
        mode: card.inputMode,
        networkShape: record.networkShape,
        roiSize,
        tiles: tilesTotal,
        overlap,
        tta,
      },
      postprocess,
      inputs: names,
    };
  } finally {
    await session.release();
  }
}
