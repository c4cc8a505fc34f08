/**
 * Parity of the exported graph on real images: a BraTS case (FLAIR, T1, T2) prepared by
 * `@hadnet/core`'s `preprocess` (RAS, brain crop, hadnet normalisation) at 4 mm, so that the
 * whole brain with its tumour fits a 32x48x32 network grid, then run through a student with
 * random weights in tfjs, onnxruntime-node, onnxruntime-web (wasm, in Node) and the float64
 * reference.
 *
 * The issue's 1e-4 bar holds on random input at these extents (export-parity.test.ts), not here:
 * on real images onnxruntime's float32 InstanceNormalization puts its logits 1e-3 (node) and 8e-3
 * (wasm) from float64, where tfjs stays within 1.4e-4 (TOLERANCES in export-fixtures.ts has the
 * measurements). So each runtime is held to its measured tolerance against float64, and the class
 * of every voxel whose two best float64 logits are more than 0.05 apart must agree exactly.
 *
 * TODO: the same comparison for a trained checkpoint needs a run folder from the training stages
 * ("training core" issue), which do not write one yet; add it here when they do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { preprocess, readNifti, type Preprocessed } from '@hadnet/core';
import { exportGenerator, type Generator } from '@hadnet/train';
import { referenceLogits } from '../packages/train/test/export-reference.js';
import {
  classDisagreements,
  maxAbsDifference,
  randomGenerator,
  testCard,
  tfjsLogitsNcdhw,
  TOLERANCES,
} from '../packages/train/test/export-fixtures.js';

const sample = fileURLToPath(new URL('../../shared/data/brats-sample/', import.meta.url));
const CASE = 'Brats18_TCIA03_265_1';
const present = existsSync(join(sample, CASE, 'flair.nii.gz'));
if (!present) console.log(`export-parity-brats: skipped, no BraTS sample at ${sample}`);

describe.skipIf(!present)(`exported student on ${CASE}`, () => {
  let model: Generator;
  let prepared: Preprocessed;
  let bytes: Uint8Array;

  beforeAll(async () => {
    const read = (s: string) => readNifti(new Uint8Array(readFileSync(join(sample, CASE, `${s}.nii.gz`))));
    prepared = preprocess(
      { flair: read('flair'), t1: read('t1'), t2: read('t2') },
      { channels: ['flair', 't1', 't2'], targetSpacing: [4, 4, 4], pad: { shape: [32, 48, 32] } },
    );
    model = await randomGenerator({ role: 'student', k: 4, seed: 21 });
    bytes = exportGenerator(model, testCard('student'));
  });
  afterAll(() => model?.dispose());

  it('gives the logits of tfjs and of float64 on the real crop', async () => {
    const { tensor, shape } = prepared;
    expect(shape).toEqual([1, 3, 32, 48, 32]);
    // real images: a brain (non-zero) surrounded by background (zero)
    const inside = prepared.mask.reduce((a, b) => a + b, 0);
    expect(inside).toBeGreaterThan(0.3 * prepared.mask.length);
    expect(inside).toBeLessThan(prepared.mask.length);

    const truth = referenceLogits(model, tensor, shape);
    const fromTfjs = tfjsLogitsNcdhw(model, tensor, shape);
    const nodeSession = await ortNode.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    const fromNode = (await nodeSession.run({ input: new ortNode.Tensor('float32', tensor, shape) })).logits;
    await nodeSession.release();
    ortWeb.env.wasm.numThreads = 1;
    const webSession = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const fromWeb = (await webSession.run({ input: new ortWeb.Tensor('float32', tensor, shape) })).logits;
    await webSession.release();

    expect(fromNode.dims).toEqual([1, 4, 32, 48, 32]);
    expect(maxAbsDifference(truth, new Float64Array(truth.length))).toBeGreaterThan(2);
    const node = fromNode.data as Float32Array;
    const web = fromWeb.data as Float32Array;
    const margin = 0.05;
    expect(maxAbsDifference(fromTfjs, truth), 'tfjs vs float64').toBeLessThan(TOLERANCES.realTfjs);
    expect(maxAbsDifference(node, truth), 'onnxruntime-node vs float64').toBeLessThan(TOLERANCES.real);
    expect(maxAbsDifference(node, fromTfjs), 'onnxruntime-node vs tfjs').toBeLessThan(TOLERANCES.real);
    expect(maxAbsDifference(web, truth), 'wasm vs float64').toBeLessThan(TOLERANCES.realWasm);
    for (const [name, logits] of [
      ['tfjs', fromTfjs],
      ['onnxruntime-node', node],
      ['wasm', web],
    ] as const) {
      expect(classDisagreements(logits, truth, fromNode.dims, margin), `${name} classes`).toBe(0);
    }
  });
});
