import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti, setLogger, writeNifti, type Affine, type Volume } from '@hadnet/core';
import { convModel, flairThresholdModel, studentCard } from '../../../test/helpers/onnx-model.js';
import { expectedThresholdClasses } from '../../../test/helpers/expected-labels.js';
import { SYNTHETIC_AFFINE, syntheticCase } from '../../../test/helpers/synthetic-case.js';
import { DEFAULT_MODEL_FILE, segment, writeSegmentation } from './segment.js';

const BRATS = [0, 1, 2, 4];

describe('segment() and writeSegmentation() in Node', () => {
  let folder: string;
  const files = { flair: '', t1: '', t2: '' };
  const volumes = syntheticCase();

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-segment-'));
    for (const s of ['flair', 't1', 't2'] as const) {
      files[s] = join(folder, `${s}.nii.gz`);
      writeFileSync(files[s], writeNifti(volumes[s]));
    }
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('reads NIfTI paths and gives the independently computed labels on the FLAIR grid', async () => {
    const result = await segment(files, { model: flairThresholdModel(), device: 'cpu' });
    const expected = expectedThresholdClasses(
      [volumes.flair.data, volumes.t1.data, volumes.t2.data],
      volumes.flair.shape,
    );
    let wrong = 0;
    for (let v = 0; v < expected.classes.length; v++) {
      if (!expected.undecided[v] && result.labels.data[v] !== BRATS[expected.classes[v]]) wrong++;
    }
    expect(wrong).toBe(0);
    expect(result.labels.shape).toEqual(volumes.flair.shape);
    expect(result.labels.affine).toEqual(SYNTHETIC_AFFINE);
    expect(result.inputs).toEqual(files);
  });

  it.skipIf(existsSync(join(__dirname, '..', 'models', DEFAULT_MODEL_FILE)))(
    'says plainly when no model is given and none is shipped yet',
    async () => {
      await expect(segment(files)).rejects.toThrow(
        expect.objectContaining({
          code: 'INVALID_MODEL',
          message: expect.stringMatching(
            /no model given, and this installation has no default model \(.*models\/hadnet-student\.onnx is missing\)/,
          ),
        }),
      );
    },
  );

  it("in 'auto', drops the devices that cannot start and logs what ran instead", async () => {
    const logged: string[] = [];
    setLogger({ debug: () => {}, info: () => {}, warn: (m) => logged.push(m), error: () => {} }, 'warn');
    try {
      const result = await segment(files, { model: flairThresholdModel() });
      expect(['cuda', 'webgpu', 'cpu']).toContain(result.device);
      for (const attempt of result.deviceAttempts) {
        const line = `segment: device ${attempt.device} could not start (${attempt.reason}); ran on ${result.device} instead`;
        expect(logged).toContain(line);
        expect(result.warnings).toContain(line.slice('segment: '.length));
      }
      if (result.device === 'cpu')
        expect(result.deviceAttempts.map((a) => a.device)).toEqual(['cuda', 'webgpu']);
    } finally {
      setLogger(null, 'silent');
    }
  });

  it('writes every file, probabilities included, with the report last', async () => {
    const result = await segment(files, {
      model: flairThresholdModel(),
      device: 'cpu',
      uncertainty: true,
      saveProbabilities: true,
    });
    const out = join(folder, 'out-all');
    const { files: written, report } = await writeSegmentation(result, out);
    expect(readdirSync(out).sort()).toEqual(
      [
        'prob_background.nii.gz',
        'prob_enhancing.nii.gz',
        'prob_ncr_net.nii.gz',
        'prob_oedema.nii.gz',
        'report.json',
        'seg.nii.gz',
        'unc_core.nii.gz',
        'unc_enhance.nii.gz',
        'unc_whole.nii.gz',
      ].sort(),
    );
    expect(written[written.length - 1]).toBe(join(out, 'report.json'));
    expect(report.case).toBe('out-all');
    const read = (name: string) => readNifti(new Uint8Array(readFileSync(join(out, name))));
    expect(read('seg.nii.gz').header!.datatype).toBe('uint8');
    expect(read('unc_whole.nii.gz').header!.datatype).toBe('uint8');
    const probability = read('prob_enhancing.nii.gz');
    expect(probability.header!.datatype).toBe('float32');
    expect(probability.affine).toEqual(SYNTHETIC_AFFINE);
    expect(Array.from(probability.data.subarray(0, 100))).toEqual(
      Array.from(result.probabilities![3].data.subarray(0, 100)),
    );
  });

  it('leaves no file behind when a write fails half-way, and keeps what was there', async () => {
    const result = await segment(files, { model: flairThresholdModel(), device: 'cpu', uncertainty: true });
    const out = join(folder, 'out-blocked');
    // report.json is a non-empty folder: its rename fails after the maps were renamed into place
    mkdirSync(join(out, 'report.json'), { recursive: true });
    writeFileSync(join(out, 'report.json', 'keep.txt'), 'mine');
    await expect(writeSegmentation(result, out)).rejects.toThrow();
    expect(readdirSync(out)).toEqual(['report.json']);
    expect(readdirSync(join(out, 'report.json'))).toEqual(['keep.txt']);
  });

  it('creates no folder when a volume cannot be encoded', async () => {
    const result = await segment(files, { model: flairThresholdModel(), device: 'cpu' });
    const broken = {
      ...result,
      labels: { ...result.labels, data: new Float32Array(result.labels.data.length).fill(2.5) },
    };
    const out = join(folder, 'out-unencodable');
    await expect(writeSegmentation(broken, out)).rejects.toThrow(RangeError);
    expect(existsSync(out)).toBe(false);
  });

  describe('keeps tumour inside the brain', () => {
    // a badly trained model: logits (0, 0, 0, 4) at every voxel, so it calls every voxel ET
    const everywhereTumour = convModel({
      weights: Array.from({ length: 4 }, () => [0, 0, 0]),
      bias: [0, 0, 0, 4],
    });

    /** The brain mask (every sequence non-zero) and the voxels of its bounding box, in input order. */
    function maskAndBox() {
      const [nx, ny, nz] = volumes.flair.shape;
      const mask = new Uint8Array(nx * ny * nz);
      const lo = [nx, ny, nz];
      const hi = [-1, -1, -1];
      for (let k = 0; k < nz; k++)
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++) {
            const v = i + nx * (j + ny * k);
            if (volumes.flair.data[v] && volumes.t1.data[v] && volumes.t2.data[v]) {
              mask[v] = 1;
              [i, j, k].forEach((c, a) => ((lo[a] = Math.min(lo[a], c)), (hi[a] = Math.max(hi[a], c))));
            }
          }
      const boxVoxels = (hi[0] - lo[0] + 1) * (hi[1] - lo[1] + 1) * (hi[2] - lo[2] + 1);
      return { mask, brainVoxels: mask.reduce((n, x) => n + x, 0), boxVoxels };
    }

    it('sets what a model labels outside the brain mask to background, and says so in report.json', async () => {
      const { mask, brainVoxels, boxVoxels } = maskAndBox();
      const result = await segment(files, { model: everywhereTumour, device: 'cpu', uncertainty: true });
      let wrong = 0;
      for (let v = 0; v < mask.length; v++) if (result.labels.data[v] !== (mask[v] ? 4 : 0)) wrong++;
      expect(wrong).toBe(0);
      expect(result.volumesMl.WT).toBe(brainVoxels / 1000);

      // uncertainty: 100 * H(p) of each region's probability in the brain, 0 outside; with logits
      // (0, 0, 0, 4), p(class) = e^l / (3 + e^4): WT = 1 - p(background), TC = p(NCR/NET) + p(ET)
      const z = 3 + Math.exp(4);
      const entropy = (p: number) => -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
      const expected = {
        wholeTumour: 1 - 1 / z, // 0.98264: 100 H = 12.64
        tumourCore: (1 + Math.exp(4)) / z, // 0.96528: 100 H = 21.76
        enhancingTumour: Math.exp(4) / z, // 0.94791: 100 H = 29.52
      };
      expect(Object.values(expected).map((p) => 100 * entropy(p))).toEqual([
        expect.closeTo(12.64, 1),
        expect.closeTo(21.76, 1),
        expect.closeTo(29.52, 1),
      ]);
      for (const [region, p] of Object.entries(expected)) {
        const map = result.uncertainty![region as keyof typeof expected];
        const inside = Math.round(100 * entropy(p));
        let off = 0;
        for (let v = 0; v < mask.length; v++) if (map.data[v] !== (mask[v] ? inside : 0)) off++;
        expect(off).toBe(0);
      }

      const out = join(folder, 'out-brain');
      await writeSegmentation(result, out);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      // the network saw the mask's bounding box; its voxels outside the mask were tumour
      expect(report.inference.postprocess).toEqual({
        brainMask: {
          applied: true,
          rule: 'all-sequences-nonzero',
          brainVoxels,
          tumourVoxelsOutside: boxVoxels - brainVoxels,
        },
      });
      expect(report.volumesMl.ET).toBe(brainVoxels / 1000);
    });

    it('refuses a model whose weights hold NaN, naming it', async () => {
      const broken = convModel({
        weights: [
          [0, 0, 0],
          [NaN, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
        bias: [0, 0, 0, 0],
      });
      await expect(segment(files, { model: broken, device: 'cpu' })).rejects.toThrow(
        expect.objectContaining({
          code: 'INVALID_MODEL',
          message: expect.stringMatching(
            /^segment: the model bytes: the network gave \d+ NaN or infinite probabilities of \d+ .*its weights may hold NaN/,
          ),
        }),
      );
    });
  });

  describe('refuses clearly', () => {
    it('a T1 on a different grid, naming both files', async () => {
      const moved: Volume = {
        ...volumes.t1,
        affine: SYNTHETIC_AFFINE.map((row, r) =>
          row.map((x, c) => (r === 2 && c === 3 ? x + 0.5 : x)),
        ) as Affine,
      };
      const t1 = join(folder, 't1-moved.nii.gz');
      writeFileSync(t1, writeNifti(moved));
      await expect(
        segment({ ...files, t1 }, { model: flairThresholdModel(), device: 'cpu' }),
      ).rejects.toThrow(
        expect.objectContaining({
          code: 'MODALITY_MISMATCH',
          message: expect.stringContaining(
            `flair (${files.flair}) and t1 (${t1}) are on different grids: affine[2][3] -10 vs -9.5`,
          ),
        }),
      );
    });

    it('a file that is not NIfTI, naming it', async () => {
      const t2 = join(folder, 'notes.nii.gz');
      writeFileSync(t2, 'these are notes, not an image\n'.repeat(20));
      await expect(
        segment({ ...files, t2 }, { model: flairThresholdModel(), device: 'cpu' }),
      ).rejects.toThrow(
        expect.objectContaining({ code: 'INVALID_VOLUME', message: expect.stringContaining(t2) }),
      );
    });

    it('a model whose card asks for T1ce', async () => {
      const teacher = flairThresholdModel(
        4,
        studentCard({ 'hadnet.role': 'teacher', 'hadnet.sequences': '["flair","t1ce","t1","t2"]' }),
      );
      await expect(segment(files, { model: teacher, device: 'cpu' })).rejects.toThrow(
        expect.objectContaining({
          code: 'MODALITY_MISMATCH',
          message: expect.stringMatching(/t1ce is not given/),
        }),
      );
    });
  });
});
