/**
 * The page's side: {@link SegmentWorker} sends `segment()` calls to a web worker and gives back
 * the same promise, progress events and errors as calling `segment()` directly. Depends on
 * @hadnet/core's types and ./protocol.
 */
import type { SegmentationResult, SegmentOptions, Sequence, VolumeSource } from '@hadnet/core';
import type { WebRuntimeConfig } from '../runtime/onnxruntime-web.js';
import {
  errorFromWire,
  toWire,
  type SegmentReply,
  type SegmentRequest,
  type WireSource,
} from './protocol.js';

/** The part of a `Worker` used here. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message' | 'error', listener: (event: MessageEvent & ErrorEvent) => void): void;
  terminate(): void;
}

interface Pending {
  resolve: (result: SegmentationResult) => void;
  reject: (error: Error) => void;
  onProgress?: SegmentOptions['onProgress'];
}

/**
 * `segment()` in a web worker, so that the page stays responsive while the model runs. The worker
 * module calls `serveSegmentRequests()`; the page makes the worker (its bundler decides the URL)
 * and hands it over.
 * @example
 * ```ts
 * const worker = new Worker(new URL('./segment.worker.ts', import.meta.url), { type: 'module' });
 * const segmenter = new SegmentWorker(worker, { wasmPaths: new URL('ort/', location.href).href });
 * const result = await segmenter.segment({ flair, t1, t2 }, { model: modelUrl, onProgress: show });
 * ```
 */
export class SegmentWorker {
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  /**
   * @param worker - a module worker whose module calls `serveSegmentRequests()`
   * @param runtime - settings for onnxruntime-web in the worker (see `configureWebRuntime`)
   */
  constructor(
    private readonly worker: WorkerLike,
    private readonly runtime: WebRuntimeConfig = {},
  ) {
    worker.addEventListener('message', (event) => this.receive(event.data as SegmentReply));
    worker.addEventListener('error', (event) => {
      const error = new Error(`SegmentWorker: the worker failed: ${event.message ?? 'no message'}`);
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    });
  }

  /**
   * Runs `segment()` in the worker: same arguments, same result, same errors (rebuilt with their
   * class and code), progress through `options.onProgress` on the page.
   * @param inputs - volumes by sequence (File, Blob, ArrayBuffer, Uint8Array, URL or Volume); bytes are copied
   * @param options - `segment()`'s options
   */
  segment(
    inputs: Partial<Record<Sequence, VolumeSource>>,
    options: SegmentOptions = {},
  ): Promise<SegmentationResult> {
    const id = this.next++;
    const { onProgress, model, ...rest } = options;
    const wireInputs: Partial<Record<Sequence, WireSource>> = {};
    for (const [sequence, source] of Object.entries(inputs)) {
      if (source !== undefined) wireInputs[sequence as Sequence] = toWire(source) as WireSource;
    }
    const request: SegmentRequest = {
      type: 'hadnet:segment',
      id,
      inputs: wireInputs,
      options: { ...rest, ...(model === undefined ? {} : { model: toWire(model) }) },
      runtime: this.runtime,
    };
    return new Promise<SegmentationResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      try {
        this.worker.postMessage(request);
      } catch (error) {
        this.pending.delete(id);
        reject(error);
      }
    });
  }

  /** Stops the worker; calls still running are rejected. */
  terminate(): void {
    this.worker.terminate();
    for (const pending of this.pending.values()) pending.reject(new Error('SegmentWorker: terminated'));
    this.pending.clear();
  }

  private receive(reply: SegmentReply): void {
    const pending = this.pending.get(reply?.id);
    if (pending === undefined) return;
    if (reply.type === 'hadnet:progress') {
      pending.onProgress?.(reply.progress);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.type === 'hadnet:result') pending.resolve(reply.result);
    else pending.reject(errorFromWire(reply.error));
  }
}
