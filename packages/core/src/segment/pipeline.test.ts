import { afterEach, describe, expect, it } from 'vitest';
import type { Sequence } from '../contracts.js';
import { setLogger } from '../logger.js';
import type { Affine, Volume } from '../volume.js';
import { convModel, flairThresholdModel, studentCard } from '../../../../test/helpers/onnx-model.js';
import { expectedThresholdClasses } from '../../../../test/helpers/expected-labels.js';
import { SYNTHETIC_AFFINE, SYNTHETIC_SHAPE, syntheticCase } from '../../../../test/helpers/synthetic-case.js';
import type { DeviceAttempt } from './devices.js';
import type { SegmentOptions, SegmentProgress } from './options.js';
import { runSegmentation } from './pipeline.js';
import type { Runtime } from './runtime.js';

const SHAPE = SYNTHETIC_SHAPE;
const AFFINE = SYNTHETIC_AFFINE;
const BRATS = [0, 1, 2, 4];

/** What a fake runtime saw and did. */
interface Calls {
  loaded: string[];
  shapes: number[][];
  released: number;
}

/**
 * A runtime whose "network" is the FLAIR-threshold model evaluated in plain code (softmax of
 * l0 = 0, l1 = 20x - 8.5, l2 = 10x - 3, l3 = 30x - 17.5 on channel 0), with devices that fail as told.
 */
function fakeRuntime(calls: Calls, dropped: DeviceAttempt[] = []): Runtime {
  return {
    name: 'fake-runtime',
    devices: ['cuda', 'webgpu', 'cpu'],
    loadModel: async (source) => ({ bytes: source as Uint8Array, name: 'model.onnx' }),
    loadVolume: async (source, name) => {
      calls.loaded.push(name);
      return source as Volume;
    },
    createSession: async (_model, devices) => ({
      device: devices[devices.length - 1],
      attempts: dropped,
      run: async (input, shape) => {
        calls.shapes.push([...shape]);
        const [batch, channels, d, h, w] = shape;
        const voxels = d * h * w;
        const out = new Float32Array(batch * 4 * voxels);
        for (let b = 0; b < batch; b++) {
          for (let v = 0; v < voxels; v++) {
            const x = input[b * channels * voxels + v];
            const e = [0, 20 * x - 8.5, 10 * x - 3, 30 * x - 17.5].map(Math.exp);
            const sum = e[0] + e[1] + e[2] + e[3];
            for (let c = 0; c < 4; c++) out[(b * 4 + c) * voxels + v] = e[c] / sum;
          }
        }
        return out;
      },
      release: async () => {
        calls.released++;
      },
    }),
  };
}

function expectedLabels(inputs: Record<'flair' | 't1' | 't2', Volume>) {
  return expectedThresholdClasses([inputs.flair.data, inputs.t1.data, inputs.t2.data], inputs.flair.shape);
}

function mismatches(
  labels: ArrayLike<number>,
  expected: ReturnType<typeof expectedLabels>,
  values = BRATS,
): number {
  let count = 0;
  for (let v = 0; v < labels.length; v++)
    if (!expected.undecided[v] && labels[v] !== values[expected.classes[v]]) count++;
  return count;
}

afterEach(() => setLogger(null, 'silent'));

describe('runSegmentation', () => {
  const model = flairThresholdModel();
  const newCalls = (): Calls => ({ loaded: [], shapes: [], released: 0 });

  it("gives the independently computed labels on the input's own grid and voxel order", async () => {
    const inputs = syntheticCase();
    const expected = expectedLabels(inputs);
    const calls = newCalls();
    const result = await runSegmentation(inputs, { model }, fakeRuntime(calls));
    expect(result.labels.shape).toEqual(SHAPE);
    expect(result.labels.affine).toEqual(AFFINE);
    expect(mismatches(result.labels.data, expected)).toBe(0);
    // all four classes occur, so swapped classes or axes would show
    expect(new Set(expected.classes)).toEqual(new Set([0, 1, 2, 3]));
    // region volumes: label counts x 1 mm³
    const count = (labels: number[]) => result.labels.data.filter((l) => labels.includes(l)).length;
    expect(result.volumesMl).toEqual({
      ET: count([4]) / 1000,
      TC: count([1, 4]) / 1000,
      WT: count([1, 2, 4]) / 1000,
    });
    expect(result.model.card.role).toBe('student');
    expect(result.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.inputs).toEqual({ flair: 'flair (volume)', t1: 't1 (volume)', t2: 't2 (volume)' });
    expect(result.inference).toMatchObject({ mode: 'whole', tiles: 1, tta: false });
    // one pass over the whole network grid, a multiple of 16 on each side
    expect(calls.shapes).toHaveLength(1);
    expect(calls.shapes[0].slice(0, 2)).toEqual([1, 3]);
    expect(calls.shapes[0].slice(2).every((n) => n % 16 === 0)).toBe(true);
    expect(calls.released).toBe(1);
  });

  it("writes ET as 3 with the 'brats2023' convention", async () => {
    const inputs = syntheticCase();
    const result = await runSegmentation(
      inputs,
      { model, labelConvention: 'brats2023' },
      fakeRuntime(newCalls()),
    );
    expect(mismatches(result.labels.data, expectedLabels(inputs), [0, 1, 2, 3])).toBe(0);
    expect(result.labelConvention).toBe('brats2023');
  });

  it('runs tiles of exactly roiSize, reports each batch, and gives the same labels', async () => {
    const inputs = syntheticCase();
    const metadata = studentCard({
      'hadnet.inputMode': 'tiles',
      'hadnet.roiSize': '[16, 16, 16]',
      'hadnet.padMultiple': '8',
    });
    const calls = newCalls();
    const events: SegmentProgress[] = [];
    const result = await runSegmentation(
      inputs,
      { model: flairThresholdModel(3, metadata), swBatchSize: 2, onProgress: (p) => events.push(p) },
      fakeRuntime(calls),
    );
    expect(mismatches(result.labels.data, expectedLabels(inputs))).toBe(0);
    expect(calls.shapes.length).toBeGreaterThan(1);
    for (const shape of calls.shapes) expect(shape.slice(1)).toEqual([3, 16, 16, 16]);
    const tiles = result.inference.tiles;
    expect(calls.shapes.reduce((n, s) => n + s[0], 0)).toBe(tiles);
    const statuses = events.map((e) =>
      e.status === 'infer' ? `infer ${e.tilesDone}/${e.tilesTotal}` : e.status,
    );
    const batches = Math.ceil(tiles / 2);
    expect(statuses.slice(0, 3)).toEqual(['load', 'preprocess', `infer 0/${tiles}`]);
    expect(statuses).toHaveLength(3 + batches + 2);
    expect(statuses.slice(-2)).toEqual(['postprocess', 'done']);
    const done = events[events.length - 1];
    expect(done.status === 'done' && done.device).toBe('cpu');
  });

  it('pads a brain smaller than one tile up to the tile', async () => {
    const inputs = syntheticCase();
    const metadata = studentCard({ 'hadnet.inputMode': 'tiles', 'hadnet.roiSize': '[32, 48, 32]' });
    const calls = newCalls();
    const result = await runSegmentation(
      inputs,
      { model: flairThresholdModel(3, metadata) },
      fakeRuntime(calls),
    );
    expect(calls.shapes).toEqual([[1, 3, 32, 48, 32]]);
    expect(mismatches(result.labels.data, expectedLabels(inputs))).toBe(0);
  });

  it("resamples to the card's working spacing and brings the labels back to the input grid", async () => {
    const inputs = syntheticCase();
    const calls = newCalls();
    const metadata = studentCard({ 'hadnet.spacingMm': '[2, 2, 2]', 'hadnet.padMultiple': '4' });
    const result = await runSegmentation(
      inputs,
      { model: flairThresholdModel(3, metadata) },
      fakeRuntime(calls),
    );
    // the brain spans about 31 x 27 x 23 voxels of 1 mm: at 2 mm the network grid is about half
    const [, , d, h, w] = calls.shapes[0];
    expect(Math.max(d, h, w)).toBeLessThanOrEqual(16);
    expect(result.labels.shape).toEqual(SHAPE);
    expect(result.labels.affine).toEqual(AFFINE);
    // trilinear down and up blurs the class borders only: most brain voxels keep their class
    const expected = expectedLabels(inputs);
    let brain = 0;
    let agree = 0;
    for (let v = 0; v < expected.classes.length; v++) {
      if (inputs.flair.data[v] === 0) continue;
      brain++;
      if (result.labels.data[v] === BRATS[expected.classes[v]]) agree++;
    }
    expect(agree / brain).toBeGreaterThan(0.8);
    expect(agree).toBeLessThan(brain);
  });

  it('mirrors with tta (8 runs per tile), adds probabilities and uncertainty on the input grid', async () => {
    const inputs = syntheticCase();
    const calls = newCalls();
    const result = await runSegmentation(
      inputs,
      {
        model,
        tta: true,
        saveProbabilities: true,
        uncertainty: true,
        postprocess: { minComponentVoxels: 5 },
      },
      fakeRuntime(calls),
    );
    expect(calls.shapes).toHaveLength(8);
    expect(result.inference.tta).toBe(true);
    const probabilities = result.probabilities!;
    expect(probabilities).toHaveLength(4);
    // background probability 1 outside the crop (the corner), the four classes summing to 1 everywhere
    expect(probabilities[0].data[0]).toBe(1);
    for (const v of [0, 777, 20_000, 43_000]) {
      expect(probabilities.reduce((sum, p) => sum + p.data[v], 0)).toBeCloseTo(1, 5);
    }
    const { wholeTumour, tumourCore, enhancingTumour } = result.uncertainty!;
    for (const map of [wholeTumour, tumourCore, enhancingTumour]) {
      expect(map.shape).toEqual(SHAPE);
      expect(map.data).toBeInstanceOf(Uint8Array);
      expect(map.data[0]).toBe(0);
    }
    // the voxelwise network is unchanged by mirroring: labels as without tta; the ellipsoid's
    // tumour is one component, so the component filter removes nothing
    expect(mismatches(result.labels.data, expectedLabels(inputs))).toBe(0);
    expect(result.postprocess).toEqual({
      options: { minComponentVoxels: 5, connectivity: 26 },
      removedComponents: { count: 0, voxels: 0 },
    });
  });

  it('says which devices were dropped and why, in the result, the warnings and the log', async () => {
    const logged: string[] = [];
    setLogger({ debug: () => {}, info: () => {}, warn: (m) => logged.push(m), error: () => {} }, 'warn');
    const dropped: DeviceAttempt[] = [{ device: 'cuda', providers: ['cuda'], reason: 'no CUDA libraries' }];
    const result = await runSegmentation(syntheticCase(), { model }, fakeRuntime(newCalls(), dropped));
    expect(result.device).toBe('cpu');
    expect(result.deviceAttempts).toEqual(dropped);
    const message = 'device cuda could not start (no CUDA libraries); ran on cpu instead';
    expect(result.warnings).toContain(message);
    expect(logged).toContain(`segment: ${message}`);
  });

  it('leaves unread, saying so in the log at info level, a sequence the model does not take', async () => {
    const logged: string[] = [];
    setLogger(
      { debug: () => {}, info: (m) => logged.push(m), warn: (m) => logged.push(m), error: () => {} },
      'info',
    );
    const inputs = syntheticCase();
    const calls = newCalls();
    const result = await runSegmentation({ ...inputs, t1ce: inputs.t1 }, { model }, fakeRuntime(calls));
    expect(calls.loaded).toEqual(['flair (volume)', 't1 (volume)', 't2 (volume)']);
    expect(logged).toEqual([
      'segment: t1ce is given but the model (role student) does not take it; it was not used',
    ]);
    expect(result.warnings).toEqual([]);
  });

  describe('refuses, before any output exists', () => {
    const run = (
      inputs: Partial<Record<Sequence, Volume>>,
      options: Partial<SegmentOptions> = {},
      calls = newCalls(),
    ) => runSegmentation(inputs, { model, ...options }, fakeRuntime(calls));

    it('a missing sequence, naming it, without reading any volume', async () => {
      const { flair, t1 } = syntheticCase();
      const calls = newCalls();
      await expect(run({ flair, t1 }, {}, calls)).rejects.toThrow(
        expect.objectContaining({
          code: 'MODALITY_MISMATCH',
          message:
            'segment: the model (role student) needs flair, t1, t2; t2 is not given (given: flair, t1)',
        }),
      );
      expect(calls.loaded).toEqual([]);
    });

    it('a model whose card asks for other sequences (a teacher without T1ce)', async () => {
      const teacher = flairThresholdModel(
        4,
        studentCard({ 'hadnet.role': 'teacher', 'hadnet.sequences': '["flair","t1ce","t1","t2"]' }),
      );
      await expect(run(syntheticCase(), { model: teacher })).rejects.toThrow(
        /^segment: the model \(role teacher\) needs flair, t1ce, t1, t2; t1ce is not given \(given: flair, t1, t2\)$/,
      );
    });

    it('a T1 on a different grid, before starting a session', async () => {
      const inputs = syntheticCase();
      const shifted: Volume = {
        ...inputs.t1,
        affine: inputs.t1.affine.map((row, r) =>
          row.map((x, c) => (r === 0 && c === 3 ? x + 2 : x)),
        ) as Affine,
      };
      const calls = newCalls();
      await expect(run({ ...inputs, t1: shifted }, {}, calls)).rejects.toThrow(
        expect.objectContaining({
          code: 'MODALITY_MISMATCH',
          message: expect.stringMatching(
            /flair .* and t1 .* are on different grids: affine\[0\]\[3\] 20 vs 22/,
          ),
        }),
      );
      expect(calls.shapes).toEqual([]);
      expect(calls.released).toBe(0);
    });

    it('inputs that do not look skull-stripped when strict (a warning otherwise), releasing the session', async () => {
      const inputs = syntheticCase();
      const t2: Volume = { ...inputs.t2, data: Int16Array.from(inputs.t2.data, (x) => x || 50) };
      const calls = newCalls();
      await expect(run({ ...inputs, t2 }, { strict: true }, calls)).rejects.toThrow(
        expect.objectContaining({ code: 'INPUT_QUALITY', message: expect.stringMatching(/t2/) }),
      );
      expect(calls.released).toBe(1);
      const lenient = await run({ ...inputs, t2 });
      expect(lenient.warnings.some((w) => /t2/.test(w) && /skull/.test(w))).toBe(true);
    });

    it('a device the runtime lacks, naming those it has', async () => {
      await expect(run(syntheticCase(), { device: 'wasm' })).rejects.toThrow(
        expect.objectContaining({
          code: 'UNSUPPORTED_DEVICE',
          message: expect.stringMatching(/'wasm' is not available on fake-runtime; it has cuda, webgpu, cpu/),
        }),
      );
    });

    it('models without a card, or with other than 4 classes', async () => {
      const bare = convModel({
        weights: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
          [1, 1, 1],
        ],
        bias: [0, 0, 0, 0],
        metadata: {},
      });
      await expect(run(syntheticCase(), { model: bare })).rejects.toThrow(/has no hadnet model card/);
      const three = convModel({
        weights: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        bias: [0, 0, 0],
        metadata: studentCard({ 'hadnet.classes': '3' }),
      });
      await expect(run(syntheticCase(), { model: three })).rejects.toThrow(
        expect.objectContaining({
          code: 'INVALID_MODEL',
          message: expect.stringMatching(/hadnet.classes is 3; segment\(\) needs the 4 classes/),
        }),
      );
    });

    it('bad options', async () => {
      const inputs = syntheticCase();
      await expect(run(inputs, { overlap: 1 })).rejects.toThrow(
        new RangeError('segment: overlap must be a number in [0, 1); got 1'),
      );
      await expect(run(inputs, { labelConvention: 'brats2021' as never })).rejects.toThrow(
        /labelConvention must be one of brats, brats2023/,
      );
      await expect(run({ ...inputs, t3: inputs.t1 } as never)).rejects.toThrow(
        /unknown sequence 't3' in inputs/,
      );
      await expect(runSegmentation(inputs, {}, fakeRuntime(newCalls()))).rejects.toThrow(
        /options.model is required/,
      );
    });
  });
});
