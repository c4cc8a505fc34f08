import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dice, regionMask, restoreToOriginal } from '@hadnet/core';
import { describe, expect, it } from 'vitest';
import { getPreset } from '../networks/presets.js';
import { BRAIN, labelAt, NIFTI_SHAPE, writeNiftiCase } from '../../test/nifti-cases.js';
import { findCases } from './layout.js';
import { diskCaseSource, loadTrainingCase } from './load.js';

const grid = { spacingMm: [2, 2, 2] as const, inputShape: [32, 32, 32] as const };

describe('loadTrainingCase on synthetic NIfTI cases', () => {
  it('crops to the brain, pads it centred to the preset shape and carries the labels (BraTS 2017 names)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-load-'));
    writeNiftiCase(root, 'Brats_1', { scheme: 'brats2017' });
    const [files] = await findCases(root);
    const c = await loadTrainingCase(files, { preset: grid, keepOriginal: true });
    expect(c.shape).toEqual([32, 32, 32]);
    expect(c.channels).toEqual(['flair', 't1ce', 't1', 't2']);
    expect(c.images).toHaveLength(32 ** 3 * 4);

    // the brain box is 12 x 14 x 10 voxels (i, j, k): centred in 32, it starts at w 10, h 9, d 11
    const size = BRAIN.end.map((e, a) => e - BRAIN.start[a] + 1);
    expect(size).toEqual([12, 14, 10]);
    const offset = size.map((n) => Math.floor((32 - n) / 2));
    const net = (i: number, j: number, k: number) =>
      (k - BRAIN.start[2] + offset[2]) * 32 * 32 +
      (j - BRAIN.start[1] + offset[1]) * 32 +
      (i - BRAIN.start[0] + offset[0]);
    expect(c.labels[net(6, 7, 5)]).toBe(3); // ET (4 in the file)
    expect(c.labels[net(10, 10, 8)]).toBe(1);
    expect(c.labels[net(5, 13, 7)]).toBe(2);
    const counts = [0, 0, 0, 0];
    for (const l of c.labels) counts[l]++;
    expect(counts.slice(1)).toEqual([1, 4 * 3 * 4, 1]);

    // the mask is the brain box; images are zero outside it and in [0, 1] inside, ordered as the raw values
    expect(c.mask.reduce((s, v) => s + v, 0)).toBe(12 * 14 * 10);
    expect(c.mask[net(4, 5, 3)]).toBe(1);
    expect(c.mask[net(4, 5, 3) - 1]).toBe(0);
    expect(c.images[(net(4, 5, 3) - 1) * 4]).toBe(0);
    const flair = (i: number, j: number, k: number) => c.images[net(i, j, k) * 4];
    expect(flair(4, 5, 3)).toBeGreaterThanOrEqual(0);
    expect(flair(5, 5, 3)).toBeGreaterThan(flair(4, 5, 3));
    expect(flair(15, 18, 12)).toBeLessThanOrEqual(1);

    // the original class map, and the record taking network labels back onto it
    let same = 0;
    for (let k = 0; k < NIFTI_SHAPE[2]; k++)
      for (let j = 0; j < NIFTI_SHAPE[1]; j++)
        for (let i = 0; i < NIFTI_SHAPE[0]; i++) {
          const expected = [0, 1, 2, 4].indexOf(labelAt(i, j, k, 4));
          if (c.original!.classes[i + NIFTI_SHAPE[0] * (j + NIFTI_SHAPE[1] * k)] === expected) same++;
        }
    expect(same).toBe(20 * 24 * 16);
    const [back] = restoreToOriginal(c.labels, c.original!.record, { channels: 1 });
    expect(Array.from(back.data)).toEqual(Array.from(c.original!.classes));
  });

  it("reads the 2023+ names with ET = 3, and leaves out the t1ce a student's case lacks", async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-load-'));
    writeNiftiCase(root, 'X-2', { scheme: 'brats2023', omit: ['t1ce'] });
    const [files] = await findCases(root);
    expect(files.labelConvention).toBe('brats2023');
    const c = await loadTrainingCase(files, { preset: grid, sequences: ['flair', 't1', 't2'] });
    expect(c.channels).toEqual(['flair', 't1', 't2']);
    expect(c.labels.filter((l) => l === 3)).toHaveLength(1);
    expect(c.original).toBeUndefined();
    await expect(loadTrainingCase(files, { preset: grid })).rejects.toThrow(
      /loadTrainingCase: case X-2 \(.*\) lacks t1ce; found flair, t1, t2, seg/,
    );
  });

  it('diskCaseSource prepares each case once and serves only its ids', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-load-'));
    writeNiftiCase(root, 'a');
    writeNiftiCase(root, 'b');
    const cases = await findCases(root);
    const source = diskCaseSource(cases, ['a'], { preset: grid });
    const first = await source.load('a');
    expect(await source.load('a')).toBe(first);
    await expect(source.load('b')).rejects.toThrow(/'b' is not one of this source's cases/);
    expect(() => diskCaseSource(cases, ['a', 'z'], { preset: grid })).toThrow(/holds no case z/);
  });
});

const sample = fileURLToPath(new URL('../../../../../shared/data/brats-sample/', import.meta.url));
const hasSample = existsSync(join(sample, 'Brats18_CBICA_AQN_1', 'seg.nii.gz'));
if (!hasSample) console.log(`skipping the BraTS sample load test: ${sample} is absent`);

describe.skipIf(!hasSample)('loadTrainingCase on a BraTS sample case (tiny preset, 3 mm)', () => {
  it('holds the brain in 64^3 with label volumes near the manifest counts', async () => {
    const cases = await findCases(sample);
    const files = cases.find((c) => c.id === 'Brats18_CBICA_AQN_1')!;
    const c = await loadTrainingCase(files, { preset: getPreset('tiny'), keepOriginal: true });
    expect(c.shape).toEqual([64, 64, 64]);
    expect(c.channels).toEqual(['flair', 't1ce', 't1', 't2']);

    // label voxels of 27 mm3 against the manifest's 1 mm3 counts (README): NCR 7867, ED 9070, ET 9563
    const counts = [0, 0, 0, 0];
    for (const l of c.labels) counts[l]++;
    [7867, 9070, 9563].forEach((n, i) => expect(Math.abs((counts[i + 1] * 27) / n - 1)).toBeLessThan(0.25));

    // back on the 1 mm grid, the 3 mm labels still overlap the truth
    const [back] = restoreToOriginal(c.labels, c.original!.record, { channels: 1 });
    expect(dice(regionMask(back.data, 'WT'), regionMask(c.original!.classes, 'WT'))).toBeGreaterThan(0.8);
  });
});
