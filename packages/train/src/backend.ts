/**
 * Chooses the TensorFlow.js backend that training runs on. Candidates, tried in order:
 * `@tensorflow/tfjs-node-gpu` (libtensorflow with CUDA), `@tensorflow/tfjs-node` (libtensorflow on
 * the CPU), then the pure-JS `cpu` backend of `@tensorflow/tfjs-backend-cpu`. The first two are
 * optional peer dependencies: their install downloads libtensorflow from outside the npm registry,
 * so they are detected at run time. The `wasm` backend is never chosen: it computes wrong 3D
 * gradients, a wrong conv3dTranspose and a wrong maxPool3d on all-negative windows without any
 * error.
 *
 * On the pure-JS `cpu` backend, hadnet's fast kernels (./kernels) replace its slowest kernels
 * unless `fastKernels: false`; they never apply on top of tfjs-node or tfjs-node-gpu.
 *
 * Nothing happens at import time: {@link setupTrainingBackend} loads and selects lazily.
 * May depend on: tfjs-core, the tfjs packages named above (dynamically), `@hadnet/core`'s log and
 * errors, ./kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { log, UnsupportedDeviceError } from '@hadnet/core';
import { disableFastKernels, enableFastKernels, type FastKernelsInfo } from './kernels/index.js';

/** A backend training can run on, in the order `'auto'` tries them. */
export type TrainingBackend = 'tensorflow-gpu' | 'tensorflow' | 'cpu';

/** One candidate of the table below: which package serves it and the tfjs backend it registers. */
interface Candidate {
  backend: TrainingBackend;
  packageName: string;
  tfjsBackend: string;
}

/** The candidates in the order `'auto'` tries them. Frozen: the order is part of the contract. */
export const TRAINING_BACKENDS: readonly Readonly<Candidate>[] = Object.freeze([
  Object.freeze({
    backend: 'tensorflow-gpu',
    packageName: '@tensorflow/tfjs-node-gpu',
    tfjsBackend: 'tensorflow',
  }),
  Object.freeze({ backend: 'tensorflow', packageName: '@tensorflow/tfjs-node', tfjsBackend: 'tensorflow' }),
  Object.freeze({ backend: 'cpu', packageName: '@tensorflow/tfjs-backend-cpu', tfjsBackend: 'cpu' }),
] as const);

/** A candidate that was tried and dropped, and why. */
export interface DroppedBackend {
  backend: TrainingBackend;
  packageName: string;
  reason: string;
}

/** What {@link setupTrainingBackend} chose. */
export interface TrainingBackendInfo {
  /** The backend that runs. */
  backend: TrainingBackend;
  /** The name tfjs knows it by (`tf.getBackend()`): `'tensorflow'` or `'cpu'`. */
  tfjsBackend: string;
  /** The npm package that provides it. */
  packageName: string;
  /** Every earlier candidate, with the reason it was dropped, in the order tried. */
  dropped: DroppedBackend[];
  /**
   * hadnet's fast kernels (native 3D convolutions, fused JS kernels) where they replace stock
   * `cpu` kernels; undefined on tfjs-node(-gpu) or when `fastKernels` is false.
   */
  fastKernels?: FastKernelsInfo;
}

/** Options of {@link setupTrainingBackend}. */
export interface SetupTrainingBackendOptions {
  /**
   * The backend to use, or `'auto'` for the first that works of `tensorflow-gpu`, `tensorflow`,
   * `cpu`. Naming one tries only that one.
   * @defaultValue `'auto'`
   */
  backend?: 'auto' | TrainingBackend;
  /**
   * On the pure-JS `cpu` backend, replace its slow kernels with hadnet's (3D convolutions and
   * BatchMatMul in a native addon built by `npm run build`, poolings, broadcasting arithmetic and
   * splits in plain JS); whatever cannot load stays stock, with the reason logged. Never applies
   * to tfjs-node or tfjs-node-gpu. `false` keeps every stock kernel.
   * @defaultValue true
   */
  fastKernels?: boolean;
  /**
   * How a package is loaded. Tests replace it to simulate missing packages.
   * @defaultValue a dynamic `import()`
   * @internal
   */
  importModule?: (specifier: string) => Promise<unknown>;
}

/** Registers the gradient of every tfjs kernel: tfjs-layers' Node bundle does this when loaded. */
const GRADIENTS_PACKAGE = '@tensorflow/tfjs-layers';

const defaultImport = (specifier: string): Promise<unknown> => import(specifier);
const memo = new Map<string, Promise<TrainingBackendInfo>>();
let current: TrainingBackendInfo | undefined;

/**
 * Loads and selects the backend that training runs on, and registers the gradients of all tfjs
 * kernels. Call it once before building or running a network; concurrent and repeated calls
 * with the same request share one selection.
 *
 * The choice goes to `@hadnet/core`'s log at level info, each dropped candidate with its reason;
 * when `'auto'` ends on the slow pure-JS `cpu` backend, a warning says why the others were
 * dropped.
 *
 * @param options - which backend to use; see {@link SetupTrainingBackendOptions}
 * @returns the backend that runs and why each earlier candidate was dropped
 * @throws UnsupportedDeviceError (code `UNSUPPORTED_DEVICE`) when no candidate works, listing
 *   every attempt, or when `'wasm'` (or any unknown name) is asked for
 * @example
 * ```ts
 * const { backend, dropped } = await setupTrainingBackend();
 * // backend === 'cpu' on a machine without tfjs-node; dropped lists tensorflow-gpu and tensorflow
 * ```
 */
export function setupTrainingBackend(
  options: SetupTrainingBackendOptions = {},
): Promise<TrainingBackendInfo> {
  const requested = options.backend ?? 'auto';
  const valid = ['auto', ...TRAINING_BACKENDS.map((c) => c.backend)];
  if (!valid.includes(requested)) {
    const why =
      requested === ('wasm' as string)
        ? 'the wasm backend computes wrong 3D gradients, conv3dTranspose and maxPool3d without an error'
        : 'it is not a training backend';
    return Promise.reject(
      new UnsupportedDeviceError(
        `setupTrainingBackend: options.backend must be one of ${valid.join(', ')}; got ` +
          `'${String(requested)}' (${why})`,
      ),
    );
  }
  const fast = options.fastKernels ?? true;
  if (options.importModule) return select(requested, options.importModule, fast);
  const key = `${requested}:${fast}`;
  let pending = memo.get(key);
  if (!pending) {
    pending = select(requested, defaultImport, fast);
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
  }
  return pending;
}

/** The backend chosen by the last successful {@link setupTrainingBackend}, if any. */
export function currentTrainingBackend(): TrainingBackendInfo | undefined {
  return current;
}

/**
 * Throws unless tfjs currently runs on a backend that computes 3D gradients correctly. Training
 * stages call it before their first step, so that a backend switched by someone else (`wasm`,
 * `webgl`) is refused instead of training silently wrong.
 * @throws UnsupportedDeviceError (code `UNSUPPORTED_DEVICE`) naming the backend that runs
 */
export function assertTrainingBackend(): void {
  const name = tf.getBackend();
  const allowed = new Set(TRAINING_BACKENDS.map((c) => c.tfjsBackend));
  if (!allowed.has(name)) {
    throw new UnsupportedDeviceError(
      `assertTrainingBackend: tfjs runs on '${name}', which training does not use; expected one of ` +
        `${[...allowed].join(', ')} (call setupTrainingBackend() first)` +
        (name === 'wasm' ? '; wasm computes wrong 3D gradients without an error' : ''),
    );
  }
}

/** Tries the candidates the request allows, in order, and selects the first that works. */
async function select(
  requested: 'auto' | TrainingBackend,
  importModule: (specifier: string) => Promise<unknown>,
  fast: boolean,
): Promise<TrainingBackendInfo> {
  const candidates = TRAINING_BACKENDS.filter((c) => requested === 'auto' || c.backend === requested);
  const dropped: DroppedBackend[] = [];

  // the gradients first: without them every backward pass fails
  await importModule(GRADIENTS_PACKAGE);

  for (const candidate of candidates) {
    const reason = await tryCandidate(candidate, importModule);
    if (reason === undefined) {
      const info: TrainingBackendInfo = { ...candidate, dropped };

      // the fast kernels replace cpu-backend kernels only, and only on the cpu backend
      disableFastKernels();
      if (candidate.backend === 'cpu' && fast) info.fastKernels = enableFastKernels();
      current = info;
      report(info, requested);
      return info;
    }
    dropped.push({ backend: candidate.backend, packageName: candidate.packageName, reason });
    log.debug(`setupTrainingBackend: dropped ${candidate.backend}: ${reason}`);
  }
  const attempts = dropped.map((d) => `${d.backend} (${d.packageName}): ${d.reason}`).join('; ');
  throw new UnsupportedDeviceError(
    `setupTrainingBackend: no training backend could start for '${requested}'; tried ${attempts}`,
  );
}

/** Loads one candidate and makes it tfjs' backend; returns why it failed, or undefined. */
async function tryCandidate(
  candidate: Candidate,
  importModule: (specifier: string) => Promise<unknown>,
): Promise<string | undefined> {
  try {
    await importModule(candidate.packageName);
  } catch (error) {
    return describeImportFailure(candidate.packageName, error);
  }

  // a tfjs-node built against another copy of tfjs-core registers its backend there, not here
  if (tf.findBackendFactory(candidate.tfjsBackend) === null) {
    return (
      `${candidate.packageName} loaded but registered no '${candidate.tfjsBackend}' backend with this ` +
      `copy of @tensorflow/tfjs-core (${tf.version_core}); install the same version of both`
    );
  }

  // the pure-JS backend greets Node users on its first tensor; hadnet logs through its own logger
  if (candidate.backend === 'cpu') tf.env().set('PROD', true);
  try {
    const ok = await tf.setBackend(candidate.tfjsBackend);
    if (!ok) return `tfjs could not initialise the '${candidate.tfjsBackend}' backend`;
  } catch (error) {
    return `initialising '${candidate.tfjsBackend}' failed: ${messageOf(error)}`;
  }
  return undefined;
}

function describeImportFailure(packageName: string, error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return `${packageName} is not installed (it is an optional peer dependency)`;
  }
  return `loading ${packageName} failed: ${messageOf(error)}`;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

function report(info: TrainingBackendInfo, requested: string): void {
  log.info(`training backend: ${info.backend} (${info.packageName}, tfjs backend '${info.tfjsBackend}')`);
  for (const d of info.dropped) log.info(`training backend: dropped ${d.backend}: ${d.reason}`);
  const fast = info.fastKernels;
  if (fast) {
    log.info(`training backend: hadnet fast kernels for ${fast.kernels.join(', ')}`);
    for (const reason of fast.skipped) log.warn(`training backend: stock cpu kernels kept: ${reason}`);
  }
  const slow = !fast || fast.skipped.length > 0;
  if (requested === 'auto' && info.backend === 'cpu' && slow) {
    const why = info.dropped.map((d) => `${d.backend}: ${d.reason}`).join('; ');
    log.warn(`training runs on the slow pure-JS cpu backend (about 1 GFLOP/s on conv3d); ${why}`);
  }
}
