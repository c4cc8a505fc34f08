/**
 * The web worker's side: answers `segment` requests from the page, posting progress events as
 * they come and the result with its buffers transferred. Depends on ../segment, ../runtime and
 * ./protocol.
 */
import type { Sequence, VolumeSource } from '@hadnet/core';
import { configureWebRuntime } from '../runtime/onnxruntime-web.js';
import { segment } from '../segment.js';
import { errorToWire, fromWire, resultBuffers, type SegmentReply, type SegmentRequest } from './protocol.js';

/** The part of a worker's global scope used here. */
export interface WorkerScopeLike {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/**
 * Makes this web worker answer {@link SegmentWorker} requests. Call it once in the worker's
 * module; requests run one after the other.
 * @param scope - the worker's global scope
 * @defaultValue scope `self`
 * @example
 * ```ts
 * // segment.worker.ts, started by the page with new Worker(new URL('./segment.worker.ts', import.meta.url), { type: 'module' })
 * import { serveSegmentRequests } from '@hadnet/infer-web';
 * serveSegmentRequests();
 * ```
 */
export function serveSegmentRequests(
  scope: WorkerScopeLike = globalThis as unknown as WorkerScopeLike,
): void {
  let queue: Promise<void> = Promise.resolve();
  const post = (reply: SegmentReply, transfer: Transferable[] = []) => scope.postMessage(reply, transfer);
  scope.addEventListener('message', (event: MessageEvent) => {
    const request = event.data as SegmentRequest;
    if (request?.type !== 'hadnet:segment') return;
    const { id } = request;
    queue = queue.then(async () => {
      try {
        configureWebRuntime(request.runtime ?? {});
        const inputs: Partial<Record<Sequence, VolumeSource>> = {};
        for (const [sequence, source] of Object.entries(request.inputs)) {
          if (source !== undefined) inputs[sequence as Sequence] = fromWire(source);
        }
        const { model, ...rest } = request.options;
        const result = await segment(inputs, {
          ...rest,
          ...(model === undefined ? {} : { model: fromWire(model) as URL | ArrayBuffer | Uint8Array }),
          onProgress: (progress) => post({ type: 'hadnet:progress', id, progress }),
        });
        post({ type: 'hadnet:result', id, result }, resultBuffers(result));
      } catch (error) {
        post({ type: 'hadnet:error', id, error: errorToWire(error) });
      }
    });
  });
}
