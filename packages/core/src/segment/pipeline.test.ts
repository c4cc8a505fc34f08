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
  sessions: number;
  released: number;
}

/** A voxelwise "network": the four class probabilities at a voxel whose channel 0 holds x. */
type VoxelNetwork = (x: number) => number[];

/** The FLAIR-threshold model: softmax of l0 = 0, l1 = 20x - 8.5, l2 = 10x - 3, l3 = 30x - 17.5. */
const thresholdNetwork: VoxelNetwork = (x) => {
  const e = [0, 20 * x - 8.5, 10 * x - 3, 30 * x - 17.5].map(Math.exp);
  const sum = e[0] + e[1] + e[2] + e[3];
  return e.map((p) => p / sum);
};

/**
 * A runtime whose "network" is evaluated in plain code voxel by voxel (the FLAIR-threshold model
 * unless told otherwise), with devices that fail as told.
 */
function fakeRuntime(
  calls: Calls,
  dropped: DeviceAttempt[] = [],
  network: VoxelNetwork = thresholdNetwork,
): Runtime {
  return {
    name: 'fake-runtime',
    devices: ['cuda', 'webgpu', 'cpu'],
    loadModel: async (source) => ({ bytes: source as Uint8Array, name: 'model.onnx' }),
    loadVolume: async (source, name) => {
      calls.loaded.push(name);
      return source as Volume;
    },
    createSession: async (_model, devices) => {
      calls.sessions++;
      return {
        device: devices[devices.length - 1],
        attempts: dropped,
        run: async (input, shape) => {
          calls.shapes.push([...shape]);
          const [batch, channels, d, h, w] = shape;
          const voxels = d * h * w;
          const out = new Float32Array(batch * 4 * voxels);
          for (let b = 0; b < batch; b++) {
            for (let v = 0; v < voxels; v++) {
              const p = network(input[b * channels * voxels + v]);
              for (let c = 0; c < 4; c++) out[(b * 4 + c) * voxels + v] = p[c];
            }
          }
          return out;
        },
        release: async () => {
          calls.released++;
        },
      };
    },
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
  const newCalls = (): Calls => ({ loaded: [], shapes: [], sessions: 0, released: 0 });

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

  it("mirrors with tta only along the card's mirror axes, and once with a warning when it has none", async () => {
    // no hadnet.mirrorAxes: left-right only, 2 runs (hadnet's training flips left-right only)
    const plain = newCalls();
    const byDefault = await runSegmentation(syntheticCase(), { model, tta: true }, fakeRuntime(plain));
    expect(plain.shapes).toHaveLength(2);
    expect(byDefault.warnings).toEqual([]);
    const twoAxes = newCalls();
    const two = flairThresholdModel(3, studentCard({ 'hadnet.mirrorAxes': '["width","height"]' }));
    await runSegmentation(syntheticCase(), { model: two, tta: true }, fakeRuntime(twoAxes));
    expect(twoAxes.shapes).toHaveLength(4);
    const none = newCalls();
    const unmirrored = flairThresholdModel(3, studentCard({ 'hadnet.mirrorAxes': '[]' }));
    const once = await runSegmentation(syntheticCase(), { model: unmirrored, tta: true }, fakeRuntime(none));
    expect(none.shapes).toHaveLength(1);
    expect(once.warnings).toEqual([
      'tta: model.onnx was trained without mirroring (its card lists no mirror axes); ran it once',
    ]);
  });

  it('mirrors with tta (8 runs per tile for a card with all three axes), adds probabilities and uncertainty on the input grid', async () => {
    const inputs = syntheticCase();
    const calls = newCalls();
    const result = await runSegmentation(
      inputs,
      {
        model: flairThresholdModel(3, studentCard({ 'hadnet.mirrorAxes': '["depth","height","width"]' })),
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
      brainMask: {
        applied: true,
        rule: 'all-sequences-nonzero',
        brainVoxels: inputs.flair.data.filter((x) => x !== 0).length,
        tumourVoxelsOutside: 0,
      },
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

  describe('tumour only inside the brain mask', () => {
    // a badly trained network: ET with probability 0.6 at every voxel it sees, brain or not
    const everywhereTumour: VoxelNetwork = () => [0.4, 0, 0, 0.6];

    /** The brain mask (every sequence non-zero) and its bounding box, worked out in the input's order. */
    function maskAndBox(inputs: Record<'flair' | 't1' | 't2', Volume>) {
      const [nx, ny, nz] = inputs.flair.shape;
      const mask = new Uint8Array(nx * ny * nz);
      const lo = [nx, ny, nz];
      const hi = [-1, -1, -1];
      for (let k = 0; k < nz; k++)
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++) {
            const v = i + nx * (j + ny * k);
            if (inputs.flair.data[v] === 0 || inputs.t1.data[v] === 0 || inputs.t2.data[v] === 0) continue;
            mask[v] = 1;
            [i, j, k].forEach((c, a) => ((lo[a] = Math.min(lo[a], c)), (hi[a] = Math.max(hi[a], c))));
          }
      const box = new Uint8Array(mask.length);
      for (let k = lo[2]; k <= hi[2]; k++)
        for (let j = lo[1]; j <= hi[1]; j++)
          for (let i = lo[0]; i <= hi[0]; i++) box[i + nx * (j + ny * k)] = 1;
      const count = (a: Uint8Array) => a.reduce((n, x) => n + x, 0);
      return { mask, box, brainVoxels: count(mask), boxVoxels: count(box) };
    }

    it('sets tumour outside the mask to background, with probabilities and uncertainty to match', async () => {
      const inputs = syntheticCase();
      const { mask, brainVoxels, boxVoxels } = maskAndBox(inputs);
      const result = await runSegmentation(
        inputs,
        { model, saveProbabilities: true, uncertainty: true },
        fakeRuntime(newCalls(), [], everywhereTumour),
      );
      // ET (4) exactly on the brain mask
      let wrong = 0;
      for (let v = 0; v < mask.length; v++) if (result.labels.data[v] !== (mask[v] ? 4 : 0)) wrong++;
      expect(wrong).toBe(0);
      expect(result.volumesMl).toEqual({
        ET: brainVoxels / 1000,
        TC: brainVoxels / 1000,
        WT: brainVoxels / 1000,
      });
      // the network saw the mask's bounding box: its voxels outside the mask were tumour
      expect(boxVoxels - brainVoxels).toBeGreaterThan(1000);
      expect(result.postprocess).toEqual({
        brainMask: {
          applied: true,
          rule: 'all-sequences-nonzero',
          brainVoxels,
          tumourVoxelsOutside: boxVoxels - brainVoxels,
        },
      });
      // probabilities: the network's inside, certain background outside; uncertainty
      // 100 * H(0.6) = 97.1 inside for every region (WT, TC and ET all have p = 0.6), 0 outside
      const [background, , , enhancing] = result.probabilities!;
      const { wholeTumour, tumourCore, enhancingTumour } = result.uncertainty!;
      let inconsistent = 0;
      for (let v = 0; v < mask.length; v++) {
        const expected = mask[v] ? [0.4, 0.6, 97] : [1, 0, 0];
        if (Math.abs(background.data[v] - expected[0]) > 1e-6) inconsistent++;
        if (Math.abs(enhancing.data[v] - expected[1]) > 1e-6) inconsistent++;
        for (const map of [wholeTumour, tumourCore, enhancingTumour])
          if (map.data[v] !== expected[2]) inconsistent++;
      }
      expect(inconsistent).toBe(0);
    });

    it('with restrictToBrainMask: false, keeps what the network gave and still counts it', async () => {
      const inputs = syntheticCase();
      const { box, brainVoxels, boxVoxels } = maskAndBox(inputs);
      const result = await runSegmentation(
        inputs,
        { model, restrictToBrainMask: false, postprocess: { minComponentVoxels: 5 } },
        fakeRuntime(newCalls(), [], everywhereTumour),
      );
      let wrong = 0;
      for (let v = 0; v < box.length; v++) if (result.labels.data[v] !== (box[v] ? 4 : 0)) wrong++;
      expect(wrong).toBe(0);
      expect(result.volumesMl.ET).toBe(boxVoxels / 1000);
      expect(result.postprocess).toEqual({
        options: { minComponentVoxels: 5, connectivity: 26 },
        removedComponents: { count: 0, voxels: 0 },
        brainMask: {
          applied: false,
          rule: 'all-sequences-nonzero',
          brainVoxels,
          tumourVoxelsOutside: boxVoxels - brainVoxels,
        },
      });
      await expect(
        runSegmentation(inputs, { model, restrictToBrainMask: 'yes' as never }, fakeRuntime(newCalls())),
      ).rejects.toThrow(new TypeError('segment: restrictToBrainMask must be true or false; got yes'));
    });
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
          message:
            'checkSameGrid: flair and t1 are on different grids: affine[0][3] 20 vs 22 (tolerance 0.001 mm)',
        }),
      );
      expect(calls.shapes).toEqual([]);
      expect(calls.sessions).toBe(0);
    });

    it('NaN or infinite voxels, before starting a session; with nonFinite: zero, a warning instead', async () => {
      const inputs = syntheticCase();
      // three voxels of the float T1: NaN in the brain, +Infinity in the brain, NaN in the background (corner)
      const centre = 20 + 40 * (18 + 36 * 15);
      const data = Float32Array.from(inputs.t1.data);
      data[centre] = NaN;
      data[centre + 1] = Infinity;
      data[0] = NaN;
      const t1: Volume = { ...inputs.t1, data };
      const calls = newCalls();
      await expect(run({ ...inputs, t1 }, {}, calls)).rejects.toThrow(
        expect.objectContaining({
          code: 'INVALID_VOLUME',
          message: `segment: t1 holds 3 NaN or infinite voxels of ${data.length}; repair the file, or set them to 0 (segment()'s nonFinite: 'zero', hadnet segment's --zero-non-finite)`,
        }),
      );
      expect(calls.sessions).toBe(0);

      // set to 0: the two brain voxels leave the brain mask, so they are background
      const zeroed = await run({ ...inputs, t1 }, { nonFinite: 'zero' });
      expect(zeroed.warnings).toContain('t1: 3 NaN or infinite voxels set to 0');
      expect(zeroed.labels.data[centre]).toBe(0);
      expect(zeroed.labels.data[centre + 1]).toBe(0);
      await expect(run(inputs, { nonFinite: 'nan' as never })).rejects.toThrow(
        new RangeError("segment: nonFinite must be 'error' or 'zero'; got nan"),
      );
    });

    it('a sequence that is zero everywhere, naming it, before starting a session', async () => {
      const inputs = syntheticCase();
      const t2: Volume = { ...inputs.t2, data: new Int16Array(inputs.t2.data.length) };
      const calls = newCalls();
      await expect(run({ ...inputs, t2 }, {}, calls)).rejects.toThrow(
        expect.objectContaining({
          code: 'INPUT_QUALITY',
          message: expect.stringMatching(/^segment: t2 is 0 in all 43200 voxels: it holds no image/),
        }),
      );
      expect(calls.sessions).toBe(0);
    });

    it('a network that gives NaN probabilities, releasing the session', async () => {
      const calls = newCalls();
      await expect(
        runSegmentation(
          syntheticCase(),
          { model },
          fakeRuntime(calls, [], () => [NaN, 0, 0, 0]),
        ),
      ).rejects.toThrow(
        expect.objectContaining({
          code: 'INVALID_MODEL',
          message: expect.stringMatching(
            /^segment: model\.onnx: the network gave \d+ NaN or infinite probabilities of \d+ \(the first at index 0 /,
          ),
        }),
      );
      expect(calls.released).toBe(1);
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
