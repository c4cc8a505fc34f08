/**
 * segment() in browsers refuses what it cannot run before loading anything: no model (the package
 * ships none), a Node-only device. Running models is tested in real Chromium (test/browser/).
 */
import { describe, expect, it } from 'vitest';
import { segment } from './segment.js';

describe('segment (browsers)', () => {
  it('needs a model', async () => {
    await expect(segment({})).rejects.toMatchObject({
      code: 'INVALID_MODEL',
      message: expect.stringMatching(/^segment: no model given, and @hadnet\/infer-web ships none/),
    });
  });

  it("refuses Node's devices, naming the browser's", async () => {
    await expect(segment({}, { model: new Uint8Array(4), device: 'cpu' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_DEVICE',
      message:
        "segment: device 'cpu' is not available on onnxruntime-web; it has webgpu, wasm (or 'auto', which tries them in that order)",
    });
  });
});
