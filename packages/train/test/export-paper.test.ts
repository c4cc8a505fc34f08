/**
 * The exported `paper` student holds exactly the 16,488,324 parameters of ../shared/CONTRACTS.md,
 * counted from the initializers read back out of the file (the upsampling scales and instance
 * norm's epsilon, constants that only Resize and the `.variance_eps` nodes read, set apart), and
 * only allowed operators. The graph is never run: a forward pass at 160x192x160 is a GPU job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOWED_OPERATORS,
  exportGenerator,
  Generator,
  getPreset,
  setupTrainingBackend,
} from '@hadnet/train';
import { decodeModel, testCard, type DecodedModel } from './export-fixtures.js';

describe('the exported paper student', () => {
  let model: Generator;
  let bytes: Uint8Array;
  let graph: DecodedModel;

  beforeAll(async () => {
    await setupTrainingBackend({ backend: 'cpu' });
    model = new Generator({ inputChannels: 3, k: getPreset('paper').k, seed: 1 });
    bytes = exportGenerator(model, testCard('student'));
    graph = decodeModel(bytes);
  });
  afterAll(() => model?.dispose());

  it('holds 16,488,324 parameters', () => {
    // two constants are not parameters: Resize's scales and instance norm's epsilon (the second
    // input of each `.variance_eps` Add); each is read by those nodes alone
    const scales = graph.nodes.filter((n) => n.op === 'Resize').map((n) => n.inputs[2]);
    const epsilons = graph.nodes.filter((n) => n.name.endsWith('.variance_eps')).map((n) => n.inputs[1]);
    const constants = new Set([...scales, ...epsilons]);
    expect(constants).toEqual(new Set(['upsample.scales', 'norm.epsilon']));
    for (const n of graph.nodes) {
      n.inputs.forEach((input, i) => {
        if (!constants.has(input)) return;
        if (n.op === 'Resize') expect(i).toBe(2);
        else expect([n.name, i]).toEqual([expect.stringMatching(/\.variance_eps$/), 1]);
      });
    }
    let parameters = 0;
    for (const [name, t] of graph.initializers) {
      expect(t.values.length).toBe(t.dims.reduce((a, b) => a * b, 1));
      if (!constants.has(name)) parameters += t.values.length;
    }
    expect(parameters).toBe(16_488_324);
    // 4 bytes a value, plus the graph and card
    expect(bytes.length).toBeGreaterThan(16_488_324 * 4);
    expect(bytes.length).toBeLessThan(16_488_324 * 4 + 100_000);
  });

  it('uses only the allowed operators', () => {
    for (const n of graph.nodes) expect(ALLOWED_OPERATORS).toContain(n.op);
  });
});
