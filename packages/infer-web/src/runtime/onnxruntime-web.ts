/**
 * hadnet's {@link Runtime} on onnxruntime-web: the only file of the browser package that imports
 * it (lazily, on the first session, from its `onnxruntime-web/webgpu` entry: the default bundle
 * cannot run 3D MaxPool on WebGPU). Devices map to execution providers through a frozen table;
 * WebGPU is tried only with an adapter actually obtained and a model whose largest tensor fits the
 * adapter's buffer limits. Depends on onnxruntime-web, @hadnet/core, ../io/load and this folder.
 */
import {
  getLogLevel,
  ortRuntimeSession,
  noDeviceStarted,
  UnsupportedDeviceError,
  type ConcreteDevice,
  type DeviceAttempt,
  type RuntimeSession,
} from '@hadnet/core';
import type * as Ort from 'onnxruntime-web/webgpu';
import { probeWebGpu, webGpuMisfit, type ActivationNeed, type GpuLike, type WebGpuProbe } from './webgpu.js';

/** The devices onnxruntime-web serves. */
export type WebDevice = 'webgpu' | 'wasm';

/**
 * From each device a user may name in a browser to the execution providers tried for it, in
 * order. `'auto'` tries WebGPU, then WebAssembly (on the CPU).
 */
export const WEB_EXECUTION_PROVIDERS: Readonly<Record<'auto' | WebDevice, readonly WebDevice[]>> =
  Object.freeze({
    auto: Object.freeze(['webgpu', 'wasm'] as const),
    webgpu: Object.freeze(['webgpu'] as const),
    wasm: Object.freeze(['wasm'] as const),
  });

/** Name of this runtime in messages. */
export const WEB_RUNTIME = 'onnxruntime-web';

/** Settings of the browser runtime; see {@link configureWebRuntime}. */
export interface WebRuntimeConfig {
  /**
   * The folder URL (ending in `/`) that serves `ORT_WASM_FILES`, on the page's own origin.
   * onnxruntime-web is never let to fetch them from elsewhere.
   * @defaultValue the `assets/` folder beside this package's built module (`dist/assets/`), which
   *   holds them; a bundler moves the module, so bundled pages set it
   */
  wasmPaths?: string;
  /**
   * WebAssembly threads. More than 1 needs a cross-origin isolated page (COOP `same-origin` and
   * COEP `require-corp` headers).
   * @defaultValue onnxruntime-web's: up to 4 when the page is cross-origin isolated, else 1
   */
  numThreads?: number;
}

const ASSET_FOLDER = './assets/';
let config: WebRuntimeConfig = {};
type OrtModule = typeof Ort;
let ortModule: Promise<OrtModule> | undefined;
let webGpuProbe: Promise<WebGpuProbe> | undefined;

/** The default {@link WebRuntimeConfig.wasmPaths}: `assets/` beside this module (ESM builds only). */
function defaultWasmPaths(): string | undefined {
  const here = import.meta.url as string | undefined;
  return typeof here === 'string' && here !== '' ? new URL(ASSET_FOLDER, here).href : undefined;
}

/**
 * Sets where onnxruntime-web's wasm files are served from and how many threads it uses. Call it
 * before the first `segment()`; onnxruntime-web reads these once.
 * @param settings - see {@link WebRuntimeConfig}
 * @throws TypeError for a `wasmPaths` that does not end in `/` or a bad `numThreads`
 * @throws Error when onnxruntime-web has already started with other settings
 * @example
 * ```ts
 * configureWebRuntime({ wasmPaths: new URL('ort/', location.href).href });
 * ```
 */
export function configureWebRuntime(settings: WebRuntimeConfig): void {
  const { wasmPaths, numThreads } = settings;
  if (wasmPaths !== undefined && !(typeof wasmPaths === 'string' && wasmPaths.endsWith('/'))) {
    throw new TypeError(
      `configureWebRuntime: wasmPaths must be a folder URL ending in '/'; got ${String(wasmPaths)}`,
    );
  }
  if (numThreads !== undefined && !(Number.isInteger(numThreads) && numThreads >= 1)) {
    throw new TypeError(
      `configureWebRuntime: numThreads must be a whole number >= 1; got ${String(numThreads)}`,
    );
  }
  const next = { ...config, ...settings };
  if (
    ortModule !== undefined &&
    (next.wasmPaths !== config.wasmPaths || next.numThreads !== config.numThreads)
  ) {
    throw new Error(
      `configureWebRuntime: onnxruntime-web has already started with wasmPaths ${String(config.wasmPaths)} and ` +
        `numThreads ${String(config.numThreads ?? 'default')}; configure it before the first segment()`,
    );
  }
  config = next;
}

/** onnxruntime-web, imported on first use and pointed at the wasm files on the page's origin. */
function ort(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-web/webgpu').then((module) => {
    const loaded = ((module as { default?: OrtModule }).default ?? module) as OrtModule;
    const wasmPaths = config.wasmPaths ?? defaultWasmPaths();
    config = { ...config, wasmPaths };
    if (wasmPaths !== undefined) loaded.env.wasm.wasmPaths = wasmPaths;
    if (config.numThreads !== undefined) loaded.env.wasm.numThreads = config.numThreads;
    // hadnet reports why a device failed; onnxruntime's own console lines would repeat it
    loaded.env.logLevel = getLogLevel() === 'debug' ? 'warning' : 'fatal';
    return loaded;
  });
  return ortModule;
}

/** The WebGPU adapter of this page or worker, looked for once and remembered. */
function webGpu(): Promise<WebGpuProbe> {
  webGpuProbe ??= probeWebGpu((globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu);
  return webGpuProbe;
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).trim().split('\n')[0];

/**
 * Starts an onnxruntime-web session for a model on the first device that works, trying `devices`
 * in order. WebGPU is dropped, with the reason, when no adapter is obtained
 * (`navigator.gpu.requestAdapter()`), when the model's largest tensor is larger than the
 * adapter's `maxStorageBufferBindingSize` or `maxBufferSize`, or when onnxruntime-web cannot
 * start it; WebAssembly when its files cannot be loaded.
 * @param model - the `.onnx` bytes
 * @param devices - browser devices, in the order to try them
 * @param name - the model's name for messages
 * @param need - what one network call needs, worked out on demand (only when WebGPU is tried)
 * @returns the session, the device that runs it and the attempts dropped before it
 * @throws UnsupportedDeviceError listing every attempt and its reason when no device starts or
 *   none loads the model (naming the limit when the model does not fit WebGPU)
 * @throws InvalidModelError when the model lacks the `input` or `probabilities` tensors
 */
export async function createWebSession(
  model: Uint8Array,
  devices: readonly ConcreteDevice[],
  name: string,
  need: () => ActivationNeed,
): Promise<RuntimeSession> {
  const attempts: DeviceAttempt[] = [];
  for (const device of devices) {
    if (!(WEB_EXECUTION_PROVIDERS.auto as readonly string[]).includes(device)) {
      throw new UnsupportedDeviceError(
        `createSession: device '${device}' is not available on ${WEB_RUNTIME}; it has ${WEB_EXECUTION_PROVIDERS.auto.join(', ')}`,
      );
    }
    const provider = device as WebDevice;

    // WebGPU: an adapter, and room in its buffers for the largest tensor
    if (provider === 'webgpu') {
      const probe = await webGpu();
      if (!probe.available) {
        attempts.push({ device, providers: [provider], reason: probe.reason });
        continue;
      }
      const misfit = webGpuMisfit(need(), probe.limits);
      if (misfit !== undefined) {
        attempts.push({ device, providers: [provider], reason: `adapter ${probe.adapterName}: ${misfit}` });
        continue;
      }
    }

    // start onnxruntime-web on the device and load the model
    let o: OrtModule;
    let session: Ort.InferenceSession;
    try {
      o = await ort();
      session = await o.InferenceSession.create(model, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      const where = provider === 'wasm' ? ` (wasm files from ${String(config.wasmPaths)})` : '';
      attempts.push({
        device,
        providers: [provider],
        reason: `onnxruntime-web could not start it${where}: ${firstLine(error)}`,
      });
      continue;
    }
    return ortRuntimeSession(
      session,
      name,
      (data, dims) => new o.Tensor('float32', data, dims),
      provider,
      attempts,
    );
  }
  throw noDeviceStarted('createSession', attempts);
}
