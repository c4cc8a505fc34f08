/**
 * The messages between a page and the web worker that runs `segment()`: requests, progress,
 * results and errors, in forms that `postMessage` can clone (a URL travels as its text, an error
 * as its class name, code and message). Depends on @hadnet/core.
 */
import {
  HadnetError,
  InputQualityError,
  InvalidModelError,
  InvalidRunError,
  InvalidVolumeError,
  ModalityMismatchError,
  UnsupportedDeviceError,
  UnsupportedVolumeError,
  type HadnetErrorCode,
  type ModelSource,
  type SegmentationResult,
  type SegmentOptions,
  type SegmentProgress,
  type Sequence,
  type VolumeSource,
} from '@hadnet/core';
import type { WebRuntimeConfig } from '../runtime/onnxruntime-web.js';

/** A volume or model source as it crosses to the worker: a URL becomes `{ url: href }`. */
export type WireSource = Exclude<VolumeSource, URL | string> | { url: string };

/** `segment()`'s options without the callback, which cannot cross; the model as a {@link WireSource}. */
export type WireOptions = Omit<SegmentOptions, 'onProgress' | 'model'> & { model?: WireSource | string };

/** Page to worker. */
export interface SegmentRequest {
  type: 'hadnet:segment';
  /** Matches the replies to this request. */
  id: number;
  inputs: Partial<Record<Sequence, WireSource>>;
  options: WireOptions;
  /** Runtime settings applied before the first session. */
  runtime: WebRuntimeConfig;
}

/** An error as it crosses back. */
export interface WireError {
  /** The class name, e.g. `'InvalidModelError'`, `'TypeError'`. */
  name: string;
  message: string;
  /** A hadnet error's code, or another error's `code` property (e.g. `'EFETCH'`). */
  code?: string;
  /** Whether it was a {@link HadnetError}. */
  hadnet?: boolean;
}

/** Worker to page. */
export type SegmentReply =
  | { type: 'hadnet:progress'; id: number; progress: SegmentProgress }
  | { type: 'hadnet:result'; id: number; result: SegmentationResult }
  | { type: 'hadnet:error'; id: number; error: WireError };

/** A source ready to post: URLs as text, everything else as it is (Files and Blobs clone). */
export function toWire(source: VolumeSource | ModelSource): WireSource | string {
  if (source instanceof URL) return { url: source.href };
  return source as WireSource | string;
}

/** A posted source back to what `segment()` takes. */
export function fromWire(source: WireSource | string): VolumeSource {
  if (typeof source === 'object' && source !== null && 'url' in source && typeof source.url === 'string') {
    return new URL(source.url);
  }
  return source as VolumeSource;
}

/** An error as it can be posted. */
export function errorToWire(error: unknown): WireError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error instanceof HadnetError ? { hadnet: true } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** The classes of hadnet's errors by code; a code without its own class here comes back as a `HadnetError`. */
const HADNET_ERRORS: Partial<Record<HadnetErrorCode, new (message: string) => HadnetError>> = {
  INVALID_VOLUME: InvalidVolumeError,
  UNSUPPORTED_VOLUME: UnsupportedVolumeError,
  MODALITY_MISMATCH: ModalityMismatchError,
  INPUT_QUALITY: InputQualityError,
  UNSUPPORTED_DEVICE: UnsupportedDeviceError,
  INVALID_MODEL: InvalidModelError,
  INVALID_RUN: InvalidRunError,
};

const HADNET_ERROR_NAMES: Partial<Record<HadnetErrorCode, string>> = {
  INVALID_VOLUME: 'InvalidVolumeError',
  UNSUPPORTED_VOLUME: 'UnsupportedVolumeError',
  MODALITY_MISMATCH: 'ModalityMismatchError',
  INPUT_QUALITY: 'InputQualityError',
  UNSUPPORTED_DEVICE: 'UnsupportedDeviceError',
  INVALID_MODEL: 'InvalidModelError',
  INVALID_RUN: 'InvalidRunError',
};

/**
 * A posted error rebuilt as the class it was thrown as: hadnet's errors by code (with their
 * class's name, even where a bundler minified it), `TypeError` and `RangeError` by name, anything
 * else as an `Error` that keeps its name and code.
 */
export function errorFromWire(wire: WireError): Error {
  const known = wire.code === undefined ? undefined : HADNET_ERRORS[wire.code as HadnetErrorCode];
  if (known !== undefined) {
    // by code: a minifying bundler renames classes, and with them new.target.name
    const error = new known(wire.message);
    error.name = HADNET_ERROR_NAMES[wire.code as HadnetErrorCode]!;
    return error;
  }
  if (wire.hadnet === true && wire.code !== undefined) {
    const error = new HadnetError(wire.code as HadnetErrorCode, wire.message);
    error.name = wire.name;
    return error;
  }
  if (wire.name === 'TypeError') return new TypeError(wire.message);
  if (wire.name === 'RangeError') return new RangeError(wire.message);
  const error = new Error(wire.message);
  error.name = wire.name;
  return wire.code === undefined ? error : Object.assign(error, { code: wire.code });
}

/** The buffers of a result's volumes, to transfer rather than copy. */
export function resultBuffers(result: SegmentationResult): ArrayBuffer[] {
  const volumes = [
    result.labels,
    ...(result.probabilities ?? []),
    ...(result.uncertainty === undefined ? [] : Object.values(result.uncertainty)),
  ];
  const buffers = new Set<ArrayBuffer>();
  for (const volume of volumes) {
    if (volume.data.buffer instanceof ArrayBuffer) buffers.add(volume.data.buffer);
  }
  return [...buffers];
}
