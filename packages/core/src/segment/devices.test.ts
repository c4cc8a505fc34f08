import { describe, expect, it } from 'vitest';
import { devicesToTry, noDeviceStarted } from './devices.js';

describe('devicesToTry', () => {
  const node = ['cuda', 'webgpu', 'cpu'] as const;

  it("expands 'auto' to the runtime's devices in order, and keeps a served device", () => {
    expect(devicesToTry('segment', 'auto', node, 'onnxruntime-node')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(devicesToTry('segment', 'cpu', node, 'onnxruntime-node')).toEqual(['cpu']);
  });

  it('refuses a device the runtime does not have, naming the ones it has', () => {
    expect(() => devicesToTry('segment', 'wasm', node, 'onnxruntime-node')).toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED_DEVICE',
        message:
          "segment: device 'wasm' is not available on onnxruntime-node; it has cuda, webgpu, cpu (or 'auto', which tries them in that order)",
      }),
    );
  });

  it('refuses a value that is no device at all with a RangeError listing the devices', () => {
    expect(() => devicesToTry('segment', 'gpu' as never, node, 'onnxruntime-node')).toThrow(
      new RangeError('segment: device must be one of auto, cuda, webgpu, wasm, cpu; got "gpu"'),
    );
  });
});

describe('noDeviceStarted', () => {
  it('lists every attempt with its providers and reason', () => {
    const error = noDeviceStarted('createSession', [
      { device: 'cuda', providers: ['cuda'], reason: 'no libraries' },
      { device: 'cpu', providers: ['cpu'], reason: 'out of memory' },
    ]);
    expect(error.code).toBe('UNSUPPORTED_DEVICE');
    expect(error.message).toBe(
      'createSession: no device could start; tried cuda, cpu: cuda (providers cuda): no libraries; cpu (providers cpu): out of memory',
    );
  });
});
