/**
 * hadnet's {@link Runtime} on onnxruntime-node: the only file of the Node package that imports
 * it (lazily, on the first session). Devices map to execution providers through a frozen table;
 * whether a device can start at all is found out once per process and remembered. Depends on
 * onnxruntime-node, node:fs, @hadnet/core, ../io/load and ./probe-model.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  getLogLevel,
  InvalidModelError,
  ortRuntimeSession,
  noDeviceStarted,
  type ConcreteDevice,
  type DeviceAttempt,
  type LoadedModel,
  type ModelSource,
  type Runtime,
  type RuntimeSession,
  UnsupportedDeviceError,
} from '@hadnet/core';
import type * as Ort from 'onnxruntime-node';
import { loadVolume } from '../io/load.js';
import { probeModelBytes } from './probe-model.js';

/** The devices onnxruntime-node serves. */
export type NodeDevice = 'cuda' | 'webgpu' | 'cpu';

/** An onnxruntime execution provider name. */
export type ExecutionProvider = 'cuda' | 'webgpu' | 'cpu';

/**
 * From each device a user may name in Node to the execution providers tried for it, in order, one
 * session attempt each. `'auto'` tries CUDA, then WebGPU, then the CPU. (An attempt on CUDA or
 * WebGPU still runs the few operators those providers lack on the CPU: that is onnxruntime's
 * own partitioning, not a fallback.)
 */
export const EXECUTION_PROVIDERS: Readonly<Record<'auto' | NodeDevice, readonly ExecutionProvider[]>> =
  Object.freeze({
    auto: Object.freeze(['cuda', 'webgpu', 'cpu'] as const),
    cuda: Object.freeze(['cuda'] as const),
    webgpu: Object.freeze(['webgpu'] as const),
    cpu: Object.freeze(['cpu'] as const),
  });

/** Name of this runtime in messages. */
const RUNTIME = 'onnxruntime-node';

type OrtModule = typeof Ort;
let ortModule: Promise<OrtModule> | undefined;

/** onnxruntime-node, imported on first use; its own log is quietened unless hadnet logs at debug level. */
function ort(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node').then((module) => {
    const loaded = ((module as { default?: OrtModule }).default ?? module) as OrtModule;
    // hadnet reports why a device failed; onnxruntime's own lines would repeat it on stderr
    loaded.env.logLevel = getLogLevel() === 'debug' ? 'warning' : 'fatal';
    return loaded;
  });
  return ortModule;
}

function sessionOptions(provider: ExecutionProvider): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    logSeverityLevel: getLogLevel() === 'debug' ? 2 : 4,
  };
}

/** A device's failure to start, in onnxruntime's words plus what to do about it. */
function startReason(provider: ExecutionProvider, error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).trim().split('\n')[0];
  if (provider === 'cuda' && /Failed to load shared library/i.test(message)) {
    return (
      `${message}: the CUDA execution provider's libraries are not installed (they are not in the npm ` +
      'package), or CUDA 12 and cuDNN 9 are missing; with an NVIDIA GPU, run ' +
      '`npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12`'
    );
  }
  if (provider === 'webgpu' && /adapter/i.test(message)) {
    return `${message.replace(/^.*?(Failed to get a WebGPU adapter)/, '$1')}: no GPU that WebGPU (Dawn) can use`;
  }
  return message;
}

/**
 * Whether each device can start, found once per process: the promise of its first session on a
 * one-node probe model. Concurrent callers share it; a failure is remembered, a success lets every
 * later model try the device.
 */
const startups = new Map<ExecutionProvider, Promise<void>>();

function startup(provider: ExecutionProvider): Promise<void> {
  let known = startups.get(provider);
  if (known === undefined) {
    known = ort().then(async (o) => {
      const probe = await o.InferenceSession.create(probeModelBytes(), sessionOptions(provider));
      await probe.release();
    });
    startups.set(provider, known);
    known.catch(() => undefined); // remembered and reported by each caller, never unhandled
  }
  return known;
}

/**
 * Starts an onnxruntime-node session for a model on the first device that works, trying `devices`
 * in order. A device that cannot start at all (no CUDA libraries, no GPU) is found out once per
 * process and skipped after that with the same reason; a device that starts but cannot load this
 * model is dropped for this model only.
 * @param model - the `.onnx` bytes
 * @param devices - Node devices, in the order to try them
 * @param name - the model's name for messages
 * @returns the session, the device that runs it and the attempts dropped before it
 * @throws UnsupportedDeviceError listing every attempt when no device starts
 * @throws InvalidModelError when devices start but none can load the model (every attempt listed),
 *   or the model lacks the `input` or `probabilities` tensors
 */
export async function createNodeSession(
  model: Uint8Array,
  devices: readonly ConcreteDevice[],
  name = 'the model',
): Promise<RuntimeSession> {
  const attempts: DeviceAttempt[] = [];
  let started = false;
  for (const device of devices) {
    if (!(EXECUTION_PROVIDERS.auto as readonly string[]).includes(device)) {
      throw new UnsupportedDeviceError(
        `createSession: device '${device}' is not available on ${RUNTIME}; it has ${EXECUTION_PROVIDERS.auto.join(', ')}`,
      );
    }
    for (const provider of EXECUTION_PROVIDERS[device as NodeDevice]) {
      // can the device start at all? (once per process)
      try {
        await startup(provider);
      } catch (error) {
        attempts.push({ device, providers: [provider], reason: startReason(provider, error) });
        continue;
      }

      // can it load this model?
      started = true;
      const o = await ort();
      let session: Ort.InferenceSession;
      try {
        session = await o.InferenceSession.create(model, sessionOptions(provider));
      } catch (error) {
        const message = (error instanceof Error ? error.message : String(error)).trim().split('\n')[0];
        attempts.push({
          device,
          providers: [provider],
          reason: `the device started, but ${name} did not load: ${message}`,
        });
        continue;
      }
      return ortRuntimeSession(
        session,
        name,
        (data, dims) => new o.Tensor('float32', data, dims),
        device as NodeDevice,
        attempts,
      );
    }
  }
  if (!started) throw noDeviceStarted('createSession', attempts);
  throw new InvalidModelError(
    `createSession: ${name} could not be loaded on any device; tried ` +
      attempts.map((a) => `${a.device}: ${a.reason}`).join('; '),
  );
}

/** Reads a model in Node: a path or `file:` URL from disk; bytes pass through. */
async function loadModel(source: ModelSource): Promise<LoadedModel> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'the model bytes' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: 'the model bytes' };
  let path: string;
  if (typeof source === 'string' && source.length > 0) {
    path = source.startsWith('file://') ? fileURLToPath(source) : source;
  } else if (source instanceof URL && source.protocol === 'file:') {
    path = fileURLToPath(source);
  } else {
    const got = source instanceof URL ? `a ${source.protocol} URL (${source.href})` : JSON.stringify(source);
    throw new TypeError(
      `segment: in Node options.model is a path (string or file: URL), an ArrayBuffer or a Uint8Array; got ${got}`,
    );
  }
  try {
    const buffer = await readFile(path);
    return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), name: path };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw Object.assign(new Error(`segment: cannot read the model ${path}: ${reason}`, { cause: error }), {
      code: typeof code === 'string' ? code : 'EIO',
    });
  }
}

const runtime: Runtime = {
  name: RUNTIME,
  devices: EXECUTION_PROVIDERS.auto,
  loadModel,
  loadVolume: (source, name) => loadVolume(source, { name }),
  createSession: (model, devices, name) => createNodeSession(model, devices, name),
};

/** hadnet's runtime for Node: onnxruntime-node on CUDA, WebGPU or the CPU. */
export const nodeRuntime: Runtime = Object.freeze(runtime);
