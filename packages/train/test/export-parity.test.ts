/**
 * Numeric parity of the exported graph. A generator with random weights (every bias, scale and
 * shift random too) runs on the same random input in tfjs, in onnxruntime-node's CPU provider and
 * in onnxruntime-web's wasm backend (in Node), and in an independent float64 implementation
 * (./export-reference.ts). Each runtime's logits agree with tfjs' and with float64 to 1e-4 (max
 * absolute difference), the issue's bar (PARITY_TOLERANCE in export-fixtures.ts says what was
 * measured). The probabilities agree with a softmax of the float64 logits. Small widths and extents keep it
 * fast: a student (k = 4) on 32x32x32 and on the non-cubic 32x48x32, and a teacher (k = 4, four
 * channels) on a batch of two 32x32x32 volumes (the dynamic batch axis).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { exportGenerator, type Generator } from '@hadnet/train';
import { referenceLogits } from './export-reference.js';
import {
  maxAbsDifference,
  PARITY_TOLERANCE,
  randomGenerator,
  randomNormal,
  testCard,
  tfjsLogitsNcdhw,
} from './export-fixtures.js';

type Shape5 = [number, number, number, number, number];

interface Outputs {
  logits: Float32Array;
  probabilities: Float32Array;
}

/** Softmax over axis 1 of `[batch, classes, D, H, W]`, in float64. */
function softmaxOverClasses(logits: Float64Array, shape: Shape5): Float64Array {
  const [b, c] = shape;
  const voxels = shape[2] * shape[3] * shape[4];
  const out = new Float64Array(logits.length);
  for (let n = 0; n < b; n++) {
    for (let v = 0; v < voxels; v++) {
      const at = (j: number): number => (n * c + j) * voxels + v;
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, logits[at(j)]);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(logits[at(j)] - max);
      for (let j = 0; j < c; j++) out[at(j)] = Math.exp(logits[at(j)] - max) / sum;
    }
  }
  return out;
}

async function runNode(
  session: ortNode.InferenceSession,
  input: Float32Array,
  shape: Shape5,
): Promise<Outputs> {
  const result = await session.run({ input: new ortNode.Tensor('float32', input, shape) });
  expect(result.logits.dims).toEqual([shape[0], 4, ...shape.slice(2)]);
  return {
    logits: result.logits.data as Float32Array,
    probabilities: result.probabilities.data as Float32Array,
  };
}

async function runWeb(
  session: ortWeb.InferenceSession,
  input: Float32Array,
  shape: Shape5,
): Promise<Outputs> {
  const result = await session.run({ input: new ortWeb.Tensor('float32', input, shape) });
  expect(result.logits.dims).toEqual([shape[0], 4, ...shape.slice(2)]);
  return {
    logits: result.logits.data as Float32Array,
    probabilities: result.probabilities.data as Float32Array,
  };
}

const cases: { name: string; role: 'student' | 'teacher'; seed: number; shapes: Shape5[] }[] = [
  {
    name: 'student, k = 4',
    role: 'student',
    seed: 11,
    shapes: [
      [1, 3, 32, 32, 32],
      [1, 3, 32, 48, 32],
    ],
  },
  { name: 'teacher, k = 4, batch 2', role: 'teacher', seed: 12, shapes: [[2, 4, 32, 32, 32]] },
];

describe.each(cases)('exported $name', ({ role, seed, shapes }) => {
  let model: Generator;
  let nodeSession: ortNode.InferenceSession;
  let webSession: ortWeb.InferenceSession;

  beforeAll(async () => {
    model = await randomGenerator({ role, k: 4, seed });
    const bytes = exportGenerator(model, testCard(role));
    nodeSession = await ortNode.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    ortWeb.env.wasm.numThreads = 1;
    webSession = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  });
  afterAll(async () => {
    model?.dispose();
    await nodeSession?.release();
    await webSession?.release();
  });

  it.each(shapes)('matches tfjs on a random [%i, %i, %i, %i, %i] input', async (...dims) => {
    const shape = dims as Shape5;
    const input = randomNormal(
      shape.reduce((a, b) => a * b, 1),
      seed * 101 + shape[3],
    );
    const truth = referenceLogits(model, input, shape);
    const fromTfjs = tfjsLogitsNcdhw(model, input, shape);
    const fromNode = await runNode(nodeSession, input, shape);
    const fromWeb = await runWeb(webSession, input, shape);

    // the logits are not trivially small, so the tolerances say something
    expect(maxAbsDifference(truth, new Float64Array(truth.length))).toBeGreaterThan(2);
    expect(maxAbsDifference(fromNode.logits, fromTfjs), 'onnxruntime-node vs tfjs').toBeLessThan(
      PARITY_TOLERANCE,
    );
    expect(maxAbsDifference(fromTfjs, truth), 'tfjs vs float64').toBeLessThan(PARITY_TOLERANCE);
    expect(maxAbsDifference(fromNode.logits, truth), 'onnxruntime-node vs float64').toBeLessThan(
      PARITY_TOLERANCE,
    );
    expect(maxAbsDifference(fromWeb.logits, fromTfjs), 'wasm vs tfjs').toBeLessThan(PARITY_TOLERANCE);
    expect(maxAbsDifference(fromWeb.logits, truth), 'wasm vs float64').toBeLessThan(PARITY_TOLERANCE);
    const probabilities = softmaxOverClasses(truth, [shape[0], 4, shape[2], shape[3], shape[4]]);
    expect(maxAbsDifference(fromNode.probabilities, probabilities), 'node probabilities').toBeLessThan(
      PARITY_TOLERANCE,
    );
    expect(maxAbsDifference(fromWeb.probabilities, probabilities), 'wasm probabilities').toBeLessThan(
      PARITY_TOLERANCE,
    );
  });
});
