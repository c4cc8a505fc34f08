/**
 * segment() on a real BraTS case (LPS voxel order, int16) with the FLAIR-threshold test model:
 * the label map comes back on the input's own grid, equal voxel for voxel to the one worked out
 * independently (test/helpers/expected-labels.ts), whole and in tiles; the volumes are the label
 * counts times the voxel volume; the files written read back on the FLAIR's grid.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti, type Volume } from '@hadnet/core';
import { segment, writeSegmentation, type SegmentationResult } from '@hadnet/infer-node';
import { flairThresholdModel, studentCard } from './helpers/onnx-model.js';
import { expectedThresholdClasses, type ExpectedClasses } from './helpers/expected-labels.js';

const sample = fileURLToPath(new URL('../../shared/data/brats-sample/', import.meta.url));
const CASE = 'Brats18_TCIA03_265_1';
const present = existsSync(join(sample, CASE, 'flair.nii.gz'));
if (!present) console.log(`segment-brats: skipped, no BraTS sample at ${sample}`);

const BRATS_LABEL = [0, 1, 2, 4];

/** Voxels where two maps differ (vitest's deep equality is far too slow on 9 million voxels). */
function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let differ = 0;
  for (let v = 0; v < a.length; v++) if (a[v] !== b[v]) differ++;
  return differ;
}

describe.skipIf(!present)(`segment() on ${CASE}`, () => {
  const files = { flair: '', t1: '', t2: '' };
  let volumes: Record<'flair' | 't1' | 't2', Volume>;
  let expected: ExpectedClasses;
  let whole: SegmentationResult;
  let out: string;

  beforeAll(async () => {
    for (const s of ['flair', 't1', 't2'] as const) files[s] = join(sample, CASE, `${s}.nii.gz`);
    volumes = {
      flair: readNifti(new Uint8Array(readFileSync(files.flair))),
      t1: readNifti(new Uint8Array(readFileSync(files.t1))),
      t2: readNifti(new Uint8Array(readFileSync(files.t2))),
    };
    expected = expectedThresholdClasses(
      [volumes.flair.data, volumes.t1.data, volumes.t2.data],
      volumes.flair.shape,
    );
    whole = await segment(files, { model: flairThresholdModel(), device: 'cpu', uncertainty: true });
    out = mkdtempSync(join(tmpdir(), 'hadnet-segment-brats-'));
  });
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('returns labels on the FLAIR grid in its LPS voxel order, equal to the independent computation', () => {
    const { labels } = whole;
    expect(labels.shape).toEqual([240, 240, 155]);
    expect(labels.affine).toEqual(volumes.flair.affine);
    expect(labels.data).toBeInstanceOf(Uint8Array);
    let undecided = 0;
    let mismatches = 0;
    const counts = [0, 0, 0, 0];
    for (let v = 0; v < labels.data.length; v++) {
      if (expected.undecided[v]) {
        undecided++;
        continue;
      }
      if (labels.data[v] !== BRATS_LABEL[expected.classes[v]]) mismatches++;
      counts[expected.classes[v]]++;
    }
    expect(mismatches).toBe(0);
    expect(undecided).toBeLessThan(50);
    // every class appears, so a swap of classes or axes could not go unseen
    expect(counts.every((c) => c > 1000)).toBe(true);
    expect(new Set(labels.data)).toEqual(new Set([0, 1, 2, 4]));
  });

  it('reports volumes equal to label counts times the voxel volume (1 mm³)', () => {
    const count = (set: number[]) => {
      let n = 0;
      for (const label of whole.labels.data) if (set.includes(label)) n++;
      return n;
    };
    expect(whole.volumesMl.ET).toBeCloseTo(count([4]) / 1000, 9);
    expect(whole.volumesMl.TC).toBeCloseTo(count([1, 4]) / 1000, 9);
    expect(whole.volumesMl.WT).toBeCloseTo(count([1, 2, 4]) / 1000, 9);
    expect(whole.device).toBe('cpu');
    expect(whole.inference).toMatchObject({ mode: 'whole', tiles: 1, tta: false });
  });

  it('gives uncertainty 100 · H(p) per region inside the brain mask, 0 outside', () => {
    const { wholeTumour, tumourCore, enhancingTumour } = whole.uncertainty!;
    for (const map of [wholeTumour, tumourCore, enhancingTumour]) {
      expect(map.shape).toEqual([240, 240, 155]);
      expect(map.data).toBeInstanceOf(Uint8Array);
      expect(Math.max(...new Set(map.data))).toBeLessThanOrEqual(100);
    }
    // at sampled voxels, recompute the region probabilities from the model's logits at the
    // normalised FLAIR; outside the mask (some sequence is 0) the maps are 0
    const inMask = (v: number) =>
      volumes.flair.data[v] !== 0 && volumes.t1.data[v] !== 0 && volumes.t2.data[v] !== 0;
    const entropy = (p: number) => (p <= 0 || p >= 1 ? 0 : -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p)));
    let checked = 0;
    let outside = 0;
    for (let v = 0; v < expected.normalised.length; v += 997) {
      if (!inMask(v)) {
        expect(wholeTumour.data[v] + tumourCore.data[v] + enhancingTumour.data[v]).toBe(0);
        outside++;
        continue;
      }
      const x = expected.normalised[v];
      const logits = [0, 20 * x - 8.5, 10 * x - 3, 30 * x - 17.5];
      const exp = logits.map(Math.exp);
      const total = exp.reduce((a, b) => a + b, 0);
      const wt = (exp[1] + exp[2] + exp[3]) / total;
      const tc = (exp[1] + exp[3]) / total;
      const et = exp[3] / total;
      expect(Math.abs(wholeTumour.data[v] - 100 * entropy(wt))).toBeLessThanOrEqual(0.5 + 1e-3);
      expect(Math.abs(tumourCore.data[v] - 100 * entropy(tc))).toBeLessThanOrEqual(0.5 + 1e-3);
      expect(Math.abs(enhancingTumour.data[v] - 100 * entropy(et))).toBeLessThanOrEqual(0.5 + 1e-3);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
    expect(outside).toBeGreaterThan(2000);
  });

  it('gives the same labels in tiles of exactly roiSize, and reports progress per tile', async () => {
    const metadata = studentCard({
      'hadnet.inputMode': 'tiles',
      'hadnet.roiSize': JSON.stringify([64, 64, 64]),
    });
    const events: string[] = [];
    const tiled = await segment(files, {
      model: flairThresholdModel(3, metadata),
      device: 'cpu',
      overlap: 0.25,
      onProgress: (p) =>
        events.push(p.status === 'infer' ? `infer ${p.tilesDone}/${p.tilesTotal}` : p.status),
    });
    expect(tiled.inference.mode).toBe('tiles');
    expect(tiled.inference.roiSize).toEqual([64, 64, 64]);
    expect(tiled.inference.tiles).toBeGreaterThan(8);
    let differ = 0;
    for (let v = 0; v < tiled.labels.data.length; v++) {
      if (!expected.undecided[v] && tiled.labels.data[v] !== whole.labels.data[v]) differ++;
    }
    expect(differ).toBe(0);
    console.log(
      `segment-brats: whole ${JSON.stringify(whole.timingsMs)}; tiles ${JSON.stringify(tiled.timingsMs)}`,
    );
    const total = tiled.inference.tiles;
    expect(events[0]).toBe('load');
    expect(events[1]).toBe('preprocess');
    expect(events[2]).toBe(`infer 0/${total}`);
    expect(events.filter((e) => e.startsWith('infer'))).toHaveLength(total + 1);
    expect(events.slice(-3)).toEqual([`infer ${total}/${total}`, 'postprocess', 'done']);
  });

  it('writes seg.nii.gz (uint8), the uncertainty maps and report.json on the FLAIR grid', async () => {
    const { files: written, report } = await writeSegmentation(whole, out, { case: CASE });
    expect(written.map((f) => f.slice(out.length + 1))).toEqual([
      'seg.nii.gz',
      'unc_whole.nii.gz',
      'unc_core.nii.gz',
      'unc_enhance.nii.gz',
      'report.json',
    ]);
    const seg = readNifti(new Uint8Array(readFileSync(join(out, 'seg.nii.gz'))));
    expect(seg.header!.datatype).toBe('uint8');
    expect(seg.shape).toEqual(volumes.flair.shape);
    expect(seg.affine).toEqual(volumes.flair.affine);
    expect(seg.header!.sformCode).toBe(volumes.flair.header!.sformCode);
    expect(seg.header!.qformCode).toBe(volumes.flair.header!.qformCode);
    expect(countDifferences(seg.data, whole.labels.data)).toBe(0);
    const onDisk = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(onDisk).toEqual(report);
    expect(Object.keys(onDisk)).toEqual([
      'case',
      'inputs',
      'device',
      'model',
      'volumesMl',
      'timingsMs',
      'warnings',
      'inference',
    ]);
    expect(onDisk.inference).toMatchObject({
      mode: 'whole',
      overlap: 0.5,
      tta: false,
      labelConvention: 'brats',
    });
    expect(onDisk.case).toBe(CASE);
    expect(onDisk.inputs).toEqual(files);
    expect(onDisk.model.role).toBe('student');
    expect(onDisk.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(onDisk.timingsMs).sort()).toEqual(
      ['infer', 'load', 'postprocess', 'preprocess', 'total', 'write'].sort(),
    );
    expect(onDisk.volumesMl).toEqual(whole.volumesMl);
  });
});
