/**
 * `segment()` in browsers: core's `runSegmentation` on onnxruntime-web, with the same signature,
 * options, progress events and result as in Node. Depends on @hadnet/core, ./io and ./runtime.
 */
import {
  InvalidModelError,
  parseModelCard,
  readOnnxMetadata,
  runSegmentation,
  type Runtime,
  type SegmentationResult,
  type SegmentOptions,
  type Sequence,
  type Volume,
  type VolumeSource,
} from '@hadnet/core';
import { loadModel, loadVolume } from './io/load.js';
import { widestActivation } from './runtime/activation-size.js';
import { networkGrid } from './runtime/network-grid.js';
import { readOnnxGraph } from './runtime/onnx-graph.js';
import { createWebSession, WEB_EXECUTION_PROVIDERS, WEB_RUNTIME } from './runtime/onnxruntime-web.js';
import type { ActivationNeed } from './runtime/webgpu.js';

/**
 * The runtime for one `segment()` call. It remembers the volumes it reads, so that before trying
 * WebGPU it knows the grid the network will see (see `networkGrid`).
 */
function webRuntime(swBatchSize: number): Runtime {
  const volumes: Volume[] = [];
  return {
    name: WEB_RUNTIME,
    devices: WEB_EXECUTION_PROVIDERS.auto,
    loadModel,
    async loadVolume(source, name) {
      const volume = await loadVolume(source, { name });
      volumes.push(volume);
      return volume;
    },
    createSession(model, devices, name = 'the model') {
      const need = (): ActivationNeed => {
        const card = parseModelCard(readOnnxMetadata(model, name));
        const grid = networkGrid(card, volumes);
        return {
          widest: widestActivation(readOnnxGraph(model, name), card.sequences.length),
          voxels: grid[0] * grid[1] * grid[2],
          grid,
          batch: card.inputMode === 'tiles' ? swBatchSize : 1,
        };
      };
      return createWebSession(model, devices, name, need);
    },
  };
}

/**
 * Segments one case in a browser or web worker: reads the volumes (File, Blob, ArrayBuffer,
 * Uint8Array, URL or Volume), runs the model with onnxruntime-web on the device asked for
 * (`'auto'`: WebGPU, then WebAssembly) and returns the label map on the FLAIR's grid with the rest
 * of {@link SegmentationResult}. The images never leave the machine.
 *
 * The same function as `segment()` of `@hadnet/infer-node`; the model's card says which
 * sequences it needs and how it runs (whole volume or tiles of exactly its `roiSize`). WebGPU is
 * used only when an adapter is obtained and the model's largest tensor fits the adapter's
 * `maxStorageBufferBindingSize` and `maxBufferSize`; otherwise `result.deviceAttempts` and
 * `result.warnings` say why it was dropped. On a page, prefer {@link SegmentWorker}, which runs
 * this in a web worker so that the page stays responsive.
 * @param inputs - volumes by sequence, all on one grid
 * @param options - see {@link SegmentOptions}; `model` is required in browsers (a URL or the bytes):
 *   the package ships no model
 * @returns the result
 * @throws InvalidModelError when no model is given; otherwise as `runSegmentation`:
 *   ModalityMismatchError, InvalidVolumeError, InvalidModelError, UnsupportedDeviceError (`'cpu'`
 *   and `'cuda'` are Node's), InputQualityError (with `strict`), TypeError, RangeError
 * @example
 * ```ts
 * const result = await segment(
 *   { flair: files.flair, t1: files.t1, t2: files.t2 },
 *   { model: new URL('models/hadnet-student.onnx', location.href), uncertainty: true },
 * );
 * console.log(result.device, result.deviceAttempts, result.volumesMl);
 * ```
 */
export async function segment(
  inputs: Partial<Record<Sequence, VolumeSource>>,
  options: SegmentOptions = {},
): Promise<SegmentationResult> {
  if (options.model === undefined) {
    throw new InvalidModelError(
      'segment: no model given, and @hadnet/infer-web ships none; pass options.model, a URL of an ONNX ' +
        'model exported by hadnet-train export (or its bytes)',
    );
  }
  return runSegmentation(inputs, options, webRuntime(options.swBatchSize ?? 1));
}
