import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { convModel } from '../../../../test/helpers/onnx-model.js';
import { createNodeSession, EXECUTION_PROVIDERS, nodeRuntime } from './onnxruntime.js';
import { probeModelBytes } from './probe-model.js';

const { onnx } = onnxProto;

// Whether this machine has onnxruntime-node's CUDA provider library (the npm package lacks it
// unless installed with --onnxruntime-node-install=cuda12): without it CUDA must be dropped.
const ortFolder = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
const cudaLibrary = join(
  ortFolder,
  'bin',
  'napi-v6',
  process.platform,
  process.arch,
  'libonnxruntime_providers_cuda.so',
);
const cudaInstalled = existsSync(cudaLibrary);
if (cudaInstalled)
  console.log(`onnxruntime.test: ${cudaLibrary} exists; the CUDA-fallback checks are skipped`);

// logits = W · x + b per voxel, 3 channels -> 4 classes
const W = [
  [1, 0, 0],
  [0, 2, 0],
  [0, 0, -1],
  [1, 1, 1],
];
const B = [0, -1, 0.5, -2];
const model = convModel({ weights: W, bias: B });

describe('probe model', () => {
  it('decodes with onnx-proto as y = Identity(x), IR 8, opset 17, and runs on the CPU', async () => {
    const decoded = onnx.ModelProto.decode(probeModelBytes());
    expect(Number(decoded.irVersion)).toBe(8);
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    const graph = decoded.graph as InstanceType<typeof onnx.GraphProto>;
    expect(graph.node.map((n) => [n.opType, n.input, n.output])).toEqual([['Identity', ['x'], ['y']]]);
    expect(graph.input[0].type?.tensorType?.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(probeModelBytes(), { executionProviders: ['cpu'] });
    const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.of(4.5), [1]) });
    expect(Array.from(y.data as Float32Array)).toEqual([4.5]);
    await session.release();
  });
});

describe('createNodeSession', () => {
  it('runs a batch on the CPU: probabilities = softmax(W · x + b), worked out by hand', async () => {
    const session = await createNodeSession(model, ['cpu']);
    expect(session.device).toBe('cpu');
    expect(session.attempts).toEqual([]);
    // batch 2, 3 channels, 1 x 1 x 2 voxels: [b][c][w]
    const x = [
      [
        [1, 0],
        [2, 1],
        [3, -1],
      ],
      [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
    ];
    const output = await session.run(Float32Array.from(x.flat(2)), [2, 3, 1, 1, 2]);
    expect(output).toHaveLength(2 * 4 * 2);
    for (let b = 0; b < 2; b++) {
      for (let w = 0; w < 2; w++) {
        const logits = W.map((row, c) => row.reduce((s, weight, ch) => s + weight * x[b][ch][w], B[c]));
        const total = logits.reduce((s, l) => s + Math.exp(l), 0);
        logits.forEach((l, c) => expect(output[(b * 4 + c) * 2 + w]).toBeCloseTo(Math.exp(l) / total, 6));
      }
    }
    await session.release();
  });

  it.skipIf(cudaInstalled)(
    "'auto' drops CUDA (no provider library) and WebGPU when it has no adapter, saying why, and runs",
    async () => {
      const session = await createNodeSession(model, EXECUTION_PROVIDERS.auto);
      const [cuda, ...rest] = session.attempts;
      expect(cuda).toEqual({
        device: 'cuda',
        providers: ['cuda'],
        reason: expect.stringMatching(
          /Failed to load shared library: the CUDA execution provider's libraries are not installed .*--onnxruntime-node-install=cuda12/,
        ),
      });
      // WebGPU starts only where Dawn finds a GPU adapter; where it does not, it is dropped too
      if (session.device === 'cpu') {
        expect(rest).toEqual([
          { device: 'webgpu', providers: ['webgpu'], reason: expect.stringMatching(/adapter/i) },
        ]);
      } else {
        expect(session.device).toBe('webgpu');
        expect(rest).toEqual([]);
      }
      console.log(
        `onnxruntime.test: auto ran on ${session.device}; dropped: ${JSON.stringify(session.attempts)}`,
      );
      const output = await session.run(new Float32Array(3), [1, 3, 1, 1, 1]);
      expect(output.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      await session.release();
    },
  );

  it.skipIf(cudaInstalled)("'cuda' alone fails with one error that lists the attempt", async () => {
    await expect(createNodeSession(model, ['cuda'])).rejects.toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED_DEVICE',
        message: expect.stringMatching(
          /^createSession: no device could start; tried cuda: cuda \(providers cuda\): .*Failed to load shared library: the CUDA execution provider's libraries/,
        ),
      }),
    );
  });

  it.skipIf(cudaInstalled)(
    'remembers a device that could not start, also for concurrent callers',
    async () => {
      const first = await createNodeSession(model, ['cuda', 'cpu']);
      const [second, third] = await Promise.all([
        createNodeSession(model, ['cuda', 'cpu']),
        createNodeSession(model, ['cuda', 'cpu']),
      ]);
      expect(second.attempts).toEqual(first.attempts);
      expect(third.attempts).toEqual(first.attempts);
      await Promise.all([first.release(), second.release(), third.release()]);
    },
  );

  it('refuses wasm, naming the devices Node has', async () => {
    await expect(createNodeSession(model, ['wasm'])).rejects.toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED_DEVICE',
        message:
          "createSession: device 'wasm' is not available on onnxruntime-node; it has cuda, webgpu, cpu",
      }),
    );
  });

  it('refuses a model without the exporter’s tensor names, and bytes onnxruntime cannot load', async () => {
    const renamed = convModel({ weights: W, bias: B, probabilitiesName: 'scores' });
    await expect(createNodeSession(renamed, ['cpu'], 'renamed.onnx')).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_MODEL',
        message:
          "createSession: renamed.onnx is not a hadnet segmentation model: its outputs [logits, scores] lack 'probabilities'",
      }),
    );
    await expect(createNodeSession(Uint8Array.of(8, 1, 2, 3), ['cpu'], 'broken.onnx')).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_MODEL',
        message: expect.stringMatching(
          /^createSession: broken\.onnx could not be loaded on any device; tried cpu: the device started, but broken\.onnx did not load/,
        ),
      }),
    );
  });
});

describe('nodeRuntime.loadModel', () => {
  it('reads a path, passes bytes through, and refuses other kinds and missing files', async () => {
    expect((await nodeRuntime.loadModel(model)).bytes).toBe(model);
    expect((await nodeRuntime.loadModel(new Uint8Array(model).buffer)).bytes).toEqual(new Uint8Array(model));
    await expect(nodeRuntime.loadModel(new URL('https://example.org/m.onnx'))).rejects.toThrow(
      /in Node options.model is a path \(string or file: URL\), an ArrayBuffer or a Uint8Array; got a https: URL/,
    );
    await expect(nodeRuntime.loadModel('/nonexistent/m.onnx')).rejects.toThrow(
      expect.objectContaining({
        code: 'ENOENT',
        message: 'segment: cannot read the model /nonexistent/m.onnx: no such file',
      }),
    );
  });
});
