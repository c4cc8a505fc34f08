/**
 * Parity of the exported graph on real images: a BraTS case (FLAIR, T1, T2) prepared by
 * `@hadnet/core`'s `preprocess` (RAS, brain crop, hadnet normalisation) at 4 mm, so that the
 * whole brain with its tumour fits a 32x48x32 network grid, run through a student in tfjs,
 * onnxruntime-node, onnxruntime-web (wasm, in Node) and the float64 reference. Two students: one
 * with random weights, and one trained here for a few dozen steps on the same case (its loss
 * must have fallen, so that its weights are shaped by the data).
 *
 * Every runtime's logits are within the 1e-4 of float64 and of tfjs' (PARITY_TOLERANCE
 * in export-fixtures.ts). This holds because the exporter writes instance normalisation with
 * primitive operators summed one axis at a time: with ONNX's InstanceNormalization, onnxruntime
 * summed whole channels in float32 and was 1.0e-3 (node) and 8.1e-3 (wasm) from float64 here
 * (docs/export.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { preprocess, readNifti, type Preprocessed } from '@hadnet/core';
import {
  AdamOptimizer,
  exportGenerator,
  findCases,
  Generator,
  loadTrainingCase,
  pretrainStep,
  selectChannels,
} from '@hadnet/train';
import { referenceLogits } from '../packages/train/test/export-reference.js';
import {
  maxAbsDifference,
  PARITY_TOLERANCE,
  randomGenerator,
  testCard,
  tfjsLogitsNcdhw,
  useTrainingKernels,
} from '../packages/train/test/export-fixtures.js';

const sample = fileURLToPath(new URL('../../shared/data/brats-sample/', import.meta.url));
const CASE = 'Brats18_TCIA03_265_1';
const present = existsSync(join(sample, CASE, 'flair.nii.gz'));
if (!present) console.log(`export-parity-brats: skipped, no BraTS sample at ${sample}`);

const GRID: [number, number, number] = [32, 48, 32];
const SPACING: [number, number, number] = [4, 4, 4];
const TRAINING_STEPS = 25;
/** The mean loss of the last five steps must fall below this share of the first step's. */
const LOSS_DROP = 0.85;

/** A student (k = 4) trained for {@link TRAINING_STEPS} AdamW steps on the case itself. */
async function trainedStudent(): Promise<{ model: Generator; losses: number[] }> {
  await useTrainingKernels();
  const files = (await findCases(sample)).find((c) => c.id === CASE)!;
  const c = await loadTrainingCase(files, {
    preset: { spacingMm: SPACING, inputShape: GRID },
    sequences: ['flair', 't1', 't2'],
  });
  const model = new Generator({ inputChannels: 3, k: 4, seed: 22 });
  const optimizer = new AdamOptimizer(model.parameters, {
    learningRate: 2e-3,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 1e-5,
  });
  const images = tf.tensor5d(selectChannels(c, ['flair', 't1', 't2']), [1, ...GRID, 3]);
  const labels = tf.tensor4d(Int32Array.from(c.labels), [1, ...GRID], 'int32');
  const losses: number[] = [];
  for (let step = 0; step < TRAINING_STEPS; step++) {
    losses.push(
      pretrainStep(model, optimizer, { images, labels, classWeights: [1, 5, 3, 5], dropoutSeed: step }),
    );
  }
  tf.dispose([images, labels]);
  return { model, losses };
}

describe.skipIf(!present)(`exported student on ${CASE}`, () => {
  let prepared: Preprocessed;
  const models: Generator[] = [];

  beforeAll(() => {
    const read = (s: string) => readNifti(new Uint8Array(readFileSync(join(sample, CASE, `${s}.nii.gz`))));
    prepared = preprocess(
      { flair: read('flair'), t1: read('t1'), t2: read('t2') },
      { channels: ['flair', 't1', 't2'], targetSpacing: SPACING, pad: { shape: GRID } },
    );
  });
  afterAll(() => models.forEach((m) => m.dispose()));

  /** Runs `model` exported on the crop in every runtime and checks the bar. */
  async function expectParity(model: Generator): Promise<void> {
    const { tensor, shape } = prepared;
    const bytes = exportGenerator(model, testCard('student'));
    const truth = referenceLogits(model, tensor, shape);
    const fromTfjs = tfjsLogitsNcdhw(model, tensor, shape);
    const nodeSession = await ortNode.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    const fromNode = (await nodeSession.run({ input: new ortNode.Tensor('float32', tensor, shape) })).logits;
    await nodeSession.release();
    ortWeb.env.wasm.numThreads = 1;
    const webSession = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const fromWeb = (await webSession.run({ input: new ortWeb.Tensor('float32', tensor, shape) })).logits;
    await webSession.release();

    expect(fromNode.dims).toEqual([1, 4, ...GRID]);
    expect(fromWeb.dims).toEqual([1, 4, ...GRID]);
    // the logits are not trivially small, so the bar says something
    expect(maxAbsDifference(truth, new Float64Array(truth.length))).toBeGreaterThan(2);
    const node = fromNode.data as Float32Array;
    const web = fromWeb.data as Float32Array;
    expect(maxAbsDifference(fromTfjs, truth), 'tfjs vs float64').toBeLessThan(PARITY_TOLERANCE);
    expect(maxAbsDifference(node, truth), 'onnxruntime-node vs float64').toBeLessThan(PARITY_TOLERANCE);
    expect(maxAbsDifference(web, truth), 'wasm vs float64').toBeLessThan(PARITY_TOLERANCE);
    expect(maxAbsDifference(node, fromTfjs), 'onnxruntime-node vs tfjs').toBeLessThan(PARITY_TOLERANCE);
    expect(maxAbsDifference(web, fromTfjs), 'wasm vs tfjs').toBeLessThan(PARITY_TOLERANCE);
  }

  it('is a real crop: a brain surrounded by background', () => {
    expect(prepared.shape).toEqual([1, 3, ...GRID]);
    const inside = prepared.mask.reduce((a, b) => a + b, 0);
    expect(inside).toBeGreaterThan(0.3 * prepared.mask.length);
    expect(inside).toBeLessThan(prepared.mask.length);
  });

  it('gives the logits of tfjs and of float64 to 1e-4, with random weights', async () => {
    const model = await randomGenerator({ role: 'student', k: 4, seed: 21 });
    models.push(model);
    await expectParity(model);
  });

  it('gives the logits of tfjs and of float64 to 1e-4, with weights trained on the case', async () => {
    const { model, losses } = await trainedStudent();
    models.push(model);
    const last = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(last, `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`).toBeLessThan(LOSS_DROP * losses[0]);
    await expectParity(model);
  }, 600_000); // about 15 s of CPU time; a busy machine stretches it
});
