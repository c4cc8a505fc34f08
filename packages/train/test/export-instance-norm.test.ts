/**
 * The exported instance normalisation (primitive operators, ../src/export/instance-norm-nodes.ts)
 * alone, in onnxruntime-node (cpu) and onnxruntime-web (wasm, in Node), against a float64
 * two-pass computation written here. A batch of two 32x48x32 volumes whose channels are hard for
 * float32 sums: values of mean 3 and spread 2 everywhere; a bright box in a zero background, as a
 * brain in its crop; and a mean 100 times the spread. The second sample is the first scaled and
 * shifted, so that statistics mixed across samples would show.
 *
 * Measured: 9e-6 from float64 in both runtimes, all of it in the mean-100 channel, where float32
 * holds the input itself only to 8e-6; the other channels 2e-7 to 6e-7. ONNX's
 * InstanceNormalization on the same data: 1.4e-4 (node) and 6.1e-4 (wasm), 5.5e-4 of it in the
 * box-in-background channel. The bar, 2e-5, tells the two apart.
 */
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { addInstanceNormNodes, INSTANCE_NORM_OPERATORS, OnnxGraphBuilder } from '@hadnet/train';
import { maxAbsDifference, randomNormal } from './export-fixtures.js';

const [D, H, W] = [32, 48, 32];
const VOXELS = D * H * W;
const CHANNELS = 3;
const gamma = new Float32Array([0.5, 1.25, 2]);
const beta = new Float32Array([-0.25, 0, 0.5]);

/** `[2, 3, D, H, W]`: sample 1 as described above, sample 2 = 3 * sample 1 - 7. */
function hardInput(): Float32Array {
  const noise = randomNormal(CHANNELS * VOXELS, 77);
  const x = new Float32Array(2 * CHANNELS * VOXELS);
  for (let v = 0; v < VOXELS; v++) {
    const [z, y, q] = [Math.floor(v / (H * W)), Math.floor(v / W) % H, v % W];
    const inBox = z >= 4 && z < 28 && y >= 6 && y < 42 && q >= 5 && q < 27;
    x[v] = 3 + 2 * noise[v];
    x[VOXELS + v] = inBox ? 5 + noise[VOXELS + v] : 0;
    x[2 * VOXELS + v] = 100 + noise[2 * VOXELS + v];
  }
  for (let i = 0; i < CHANNELS * VOXELS; i++) x[CHANNELS * VOXELS + i] = 3 * x[i] - 7;
  return x;
}

/** Instance norm in float64, two passes over each (sample, channel) of NCDHW. */
function float64Norm(x: Float32Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let s = 0; s < x.length / VOXELS; s++) {
    const c = s % CHANNELS;
    const at = s * VOXELS;
    let mean = 0;
    for (let i = 0; i < VOXELS; i++) mean += x[at + i];
    mean /= VOXELS;
    let variance = 0;
    for (let i = 0; i < VOXELS; i++) variance += (x[at + i] - mean) ** 2;
    variance /= VOXELS;
    const scale = gamma[c] / Math.sqrt(variance + 1e-5);
    for (let i = 0; i < VOXELS; i++) out[at + i] = (x[at + i] - mean) * scale + beta[c];
  }
  return out;
}

function normModel(): Uint8Array {
  const graph = new OnnxGraphBuilder();
  graph.input({ name: 'x', shape: ['batch', CHANNELS, 'depth', 'height', 'width'] });
  const epsilon = graph.initializer('epsilon', [], new Float32Array([1e-5]));
  addInstanceNormNodes(
    graph,
    'x',
    'y',
    { gamma: { values: gamma, shape: [3] }, beta: { values: beta, shape: [3] } },
    epsilon,
  );
  const dims = ['batch', CHANNELS, 'depth', 'height', 'width'];
  return graph.encode(
    { name: 'norm', docString: '', outputs: [{ name: 'y', shape: dims }] },
    { producerName: 'test', producerVersion: '0', docString: '', metadata: {} },
  );
}

describe('instance normalisation from primitive operators', () => {
  const x = hardInput();
  const shape = [2, CHANNELS, D, H, W];
  const truth = float64Norm(x);
  const bytes = normModel();

  it('uses only the operators it declares', async () => {
    const { decodeModel } = await import('./export-fixtures.js');
    const ops = new Set(decodeModel(bytes).nodes.map((n) => n.op));
    expect([...ops].sort()).toEqual([...INSTANCE_NORM_OPERATORS].sort());
  });

  it('refuses gamma and beta that are not both [channels]', () => {
    const graph = new OnnxGraphBuilder();
    const beta4 = { values: new Float32Array(4), shape: [4] };
    expect(() =>
      addInstanceNormNodes(graph, 'x', 'n', { gamma: { values: gamma, shape: [3] }, beta: beta4 }, 'e'),
    ).toThrow(/addInstanceNormNodes: 'n' needs gamma and beta of shape \[channels\]; got \[3\] and \[4\]/);
  });

  it('matches float64 in onnxruntime-node', async () => {
    const session = await ortNode.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    const y = (await session.run({ x: new ortNode.Tensor('float32', x, shape) })).y;
    await session.release();
    expect(y.dims).toEqual(shape);
    expect(maxAbsDifference(y.data as Float32Array, truth)).toBeLessThan(2e-5);
  });

  it('matches float64 in onnxruntime-web (wasm)', async () => {
    ortWeb.env.wasm.numThreads = 1;
    const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const y = (await session.run({ x: new ortWeb.Tensor('float32', x, shape) })).y;
    await session.release();
    expect(maxAbsDifference(y.data as Float32Array, truth)).toBeLessThan(2e-5);
  });
});
