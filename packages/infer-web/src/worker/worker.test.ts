/**
 * The page-worker protocol without a browser: SegmentWorker against a stand-in worker that answers
 * like serveSegmentRequests (progress in order, the result, errors rebuilt with class and code),
 * and serveSegmentRequests against a stand-in scope, answering a request that fails in segment().
 */
import { describe, expect, it } from 'vitest';
import {
  HadnetError,
  InvalidModelError,
  UnsupportedDeviceError,
  type SegmentationResult,
  type SegmentProgress,
} from '@hadnet/core';
import { SegmentWorker, type WorkerLike } from './client.js';
import {
  errorFromWire,
  errorToWire,
  fromWire,
  toWire,
  type SegmentReply,
  type SegmentRequest,
} from './protocol.js';
import { serveSegmentRequests, type WorkerScopeLike } from './serve.js';

/** A worker whose replies the test writes. */
function standIn(): WorkerLike & { posted: SegmentRequest[]; reply(message: SegmentReply): void } {
  const listeners: ((event: MessageEvent & ErrorEvent) => void)[] = [];
  const posted: SegmentRequest[] = [];
  return {
    posted,
    postMessage: (message) => posted.push(structuredClone(message) as SegmentRequest),
    addEventListener: (type, listener) => {
      if (type === 'message') listeners.push(listener);
    },
    terminate: () => undefined,
    reply: (message) =>
      listeners.forEach((l) => l({ data: structuredClone(message) } as MessageEvent & ErrorEvent)),
  };
}

describe('the worker protocol', () => {
  it('sends URLs as text and runtime settings, and hands progress and the result back', async () => {
    const worker = standIn();
    const segmenter = new SegmentWorker(worker, { wasmPaths: 'http://127.0.0.1/ort/' });
    const events: SegmentProgress[] = [];
    const flair = new URL('http://127.0.0.1/case/flair.nii.gz');
    const pending = segmenter.segment(
      { flair, t1: new Uint8Array([1, 2]) },
      { model: new URL('http://127.0.0.1/m.onnx'), device: 'wasm', onProgress: (p) => events.push(p) },
    );
    const [request] = worker.posted;
    expect(request).toMatchObject({
      type: 'hadnet:segment',
      inputs: { flair: { url: flair.href }, t1: new Uint8Array([1, 2]) },
      options: { model: { url: 'http://127.0.0.1/m.onnx' }, device: 'wasm' },
      runtime: { wasmPaths: 'http://127.0.0.1/ort/' },
    });
    expect(fromWire(request.inputs.flair!)).toEqual(flair);

    worker.reply({ type: 'hadnet:progress', id: request.id, progress: { status: 'load' } });
    worker.reply({ type: 'hadnet:progress', id: request.id + 1, progress: { status: 'preprocess' } }); // not ours
    worker.reply({
      type: 'hadnet:progress',
      id: request.id,
      progress: { status: 'infer', tilesDone: 0, tilesTotal: 1 },
    });
    const result = { device: 'wasm', volumesMl: { ET: 1, TC: 2, WT: 3 } } as unknown as SegmentationResult;
    worker.reply({ type: 'hadnet:result', id: request.id, result });
    expect(await pending).toEqual(result);
    expect(events).toEqual([{ status: 'load' }, { status: 'infer', tilesDone: 0, tilesTotal: 1 }]);
  });

  it('rebuilds errors with their class, name and code', async () => {
    const worker = standIn();
    const segmenter = new SegmentWorker(worker);
    const pending = segmenter.segment({}, {});
    const thrown = new UnsupportedDeviceError("segment: device 'cpu' is not available on onnxruntime-web");
    const wire = errorToWire(thrown);
    wire.name = 'm'; // what a minifying bundler leaves of the class name
    worker.reply({ type: 'hadnet:error', id: worker.posted[0].id, error: wire });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedDeviceError);
    expect(error).toMatchObject({
      name: 'UnsupportedDeviceError',
      code: 'UNSUPPORTED_DEVICE',
      message: thrown.message,
    });

    expect(errorFromWire(errorToWire(new RangeError('overlap')))).toBeInstanceOf(RangeError);
    const fetchError = errorFromWire(
      errorToWire(Object.assign(new Error('GET x answered 404'), { code: 'EFETCH' })),
    );
    expect(fetchError).not.toBeInstanceOf(HadnetError);
    expect(fetchError).toMatchObject({ name: 'Error', code: 'EFETCH', message: 'GET x answered 404' });
    const future = errorFromWire({
      name: 'CohortError',
      code: 'COHORT_INCOMPLETE',
      message: 'm',
      hadnet: true,
    });
    expect(future).toBeInstanceOf(HadnetError);
    expect(future).toMatchObject({ name: 'CohortError', code: 'COHORT_INCOMPLETE' });
    expect(toWire(new Uint8Array([3]))).toEqual(new Uint8Array([3]));
  });

  it('serveSegmentRequests answers with the error segment() throws, by request id', async () => {
    const replies: SegmentReply[] = [];
    let listener: ((event: MessageEvent) => void) | undefined;
    const scope: WorkerScopeLike = {
      addEventListener: (_type, l) => (listener = l),
      postMessage: (message) => replies.push(message as SegmentReply),
    };
    serveSegmentRequests(scope);
    listener!({ data: { type: 'something else' } } as MessageEvent);
    const request: SegmentRequest = { type: 'hadnet:segment', id: 7, inputs: {}, options: {}, runtime: {} };
    listener!({ data: request } as MessageEvent);
    await expect.poll(() => replies.length).toBe(1);
    expect(replies[0]).toMatchObject({
      type: 'hadnet:error',
      id: 7,
      error: { code: 'INVALID_MODEL', hadnet: true },
    });
    const reply = replies[0];
    expect(reply.type === 'hadnet:error' && errorFromWire(reply.error)).toBeInstanceOf(InvalidModelError);
  });
});
