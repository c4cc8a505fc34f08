/**
 * The contract each runtime package implements (onnxruntime-node in `@hadnet/infer-node`,
 * onnxruntime-web in `@hadnet/infer-web`): read inputs, start a session on a device list, run
 * batches. `runSegmentation` drives it, so `segment()` has one implementation of its steps.
 * Depends on core's contracts, volume and the device types.
 */
import type { VolumeSource } from '../contracts.js';
import type { Volume } from '../volume.js';
import type { ConcreteDevice, DeviceAttempt } from './devices.js';

/** Where a model comes from: a path or URL (what each runtime can fetch), or the `.onnx` bytes. */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array;

/** Name of the model input, `[batch, channels, depth, height, width]` float32 (issue 5's exporter). */
export const MODEL_INPUT = 'input';

/** Name of the model output that `segment()` reads: the softmax over channels. */
export const MODEL_PROBABILITIES = 'probabilities';

/** Name of the raw-score output, beside {@link MODEL_PROBABILITIES}. */
export const MODEL_LOGITS = 'logits';

/** A model's bytes and the name to report it by. */
export interface LoadedModel {
  /** The `.onnx` file's bytes. */
  bytes: Uint8Array;
  /** The path or URL it came from, or `'the model bytes'`. */
  name: string;
}

/** A model ready to run on one device. */
export interface RuntimeSession {
  /** The device that runs it. */
  readonly device: ConcreteDevice;
  /** Devices tried before this one and dropped, with their reasons (empty when the first one started). */
  readonly attempts: readonly DeviceAttempt[];
  /**
   * Runs one batch.
   * @param input - `[batch, channels, depth, height, width]` (NCDHW), float32, in `shape`
   * @param shape - the input's shape
   * @returns the `probabilities` output, `[batch, classes, depth, height, width]` (NCDHW)
   */
  run(input: Float32Array, shape: readonly [number, number, number, number, number]): Promise<Float32Array>;
  /** Frees the session's memory (and device buffers). */
  release(): Promise<void>;
}

/** What a runtime package gives `runSegmentation`. */
export interface Runtime {
  /** Its name for messages, e.g. `'onnxruntime-node'`. */
  readonly name: string;
  /** The devices it serves, in the order `'auto'` tries them. */
  readonly devices: readonly ConcreteDevice[];
  /**
   * Reads a model's bytes (a path in Node, a URL in browsers; bytes pass through).
   * @throws TypeError for a kind of source this runtime does not take, naming the ones it takes
   */
  loadModel(source: ModelSource): Promise<LoadedModel>;
  /**
   * Reads one input volume.
   * @param source - any kind this runtime takes (see CONTRACTS.md)
   * @param name - the sequence or file name for messages
   */
  loadVolume(source: VolumeSource, name: string): Promise<Volume>;
  /**
   * Starts a session for a model on the first of `devices` that can run it, trying them in order.
   * @param model - the `.onnx` bytes
   * @param devices - devices to try, in order (already resolved from `'auto'` with `devicesToTry`)
   * @param name - the model's name for messages
   * @throws UnsupportedDeviceError listing every attempt and its reason when none starts
   * @throws InvalidModelError when the model cannot be loaded at all, or lacks the `input` or
   *   `probabilities` tensors
   */
  createSession(
    model: Uint8Array,
    devices: readonly ConcreteDevice[],
    name?: string,
  ): Promise<RuntimeSession>;
}
