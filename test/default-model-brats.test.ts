/**
 * The shipped default model end to end (issue "The main job"): `hadnet segment` (the built CLI, as
 * a user runs it, with its default model) on the two test cases of the default model's split,
 * from FLAIR, T1 and T2 only. The label map must come back on the FLAIR's grid with BraTS labels,
 * the report's volumes must match the label counts, and the whole-tumour Dice against the expert
 * labels, worked out here from the files, must reach 0.70 on average and beat the FLAIR
 * hyperintensity baseline (test/helpers/flair-baseline.ts, its percentile chosen on the training
 * cases). TC and ET Dice are printed, with no floor yet.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readNifti } from '@hadnet/core';
import { binaryDice, FLAIR_BASELINE_PERCENTILE, flairBaselineMask } from './helpers/flair-baseline.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const sample = join(root, '../shared/data/brats-sample');
const cli = join(root, 'packages/infer-node/dist/cli.js');
const split = JSON.parse(
  readFileSync(join(root, 'packages/infer-node/models/hadnet-student.split.json'), 'utf8'),
) as { test: string[] };
const present = split.test.every((id) => existsSync(join(sample, id, 'flair.nii.gz')));
if (!present) console.log(`default-model-brats: skipped, no BraTS sample at ${sample}`);

/** Regions as label sets (BraTS: 1 NCR/NET, 2 oedema, 4 enhancing). */
const REGIONS = { WT: [1, 2, 4], TC: [1, 4], ET: [4] } as const;
const regionMask = (labels: ArrayLike<number>, region: keyof typeof REGIONS): Uint8Array =>
  Uint8Array.from(labels as ArrayLike<number>, (l) =>
    (REGIONS[region] as readonly number[]).includes(l) ? 1 : 0,
  );

describe.skipIf(!present)('the default model on the test cases of its split', () => {
  const out = mkdtempSync(join(tmpdir(), 'hadnet-default-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const wt: number[] = [];
  const baseline: number[] = [];

  for (const id of split.test) {
    it(`segments ${id} from FLAIR, T1 and T2 on the FLAIR's grid`, async () => {
      const dir = join(sample, id);
      const caseOut = join(out, id);
      const { stdout } = await promisify(execFile)(process.execPath, [
        cli,
        'segment',
        ...[
          '--flair',
          join(dir, 'flair.nii.gz'),
          '--t1',
          join(dir, 't1.nii.gz'),
          '--t2',
          join(dir, 't2.nii.gz'),
        ],
        ...['--out', caseOut, '--device', 'cpu', '--json'],
      ]);
      const report = JSON.parse(stdout);
      expect(report.model.role).toBe('student');
      expect(Object.keys(report.inputs).sort()).toEqual(['flair', 't1', 't2']);

      const flair = readNifti(readFileSync(join(dir, 'flair.nii.gz')));
      const truth = readNifti(readFileSync(join(dir, 'seg.nii.gz')));
      const seg = readNifti(readFileSync(join(caseOut, 'seg.nii.gz')));
      expect(seg.shape).toEqual(flair.shape);
      seg.affine.flat().forEach((x, i) => expect(x).toBeCloseTo(flair.affine.flat()[i], 4));
      expect(seg.header?.datatype).toBe('uint8');
      const present = new Set(seg.data);
      expect([...present].every((l) => [0, 1, 2, 4].includes(l))).toBe(true);

      // volumes: label counts times the voxel volume (|det| of the affine's 3x3, mm³; 1 mL = 1000 mm³)
      const [a, b, c] = flair.affine;
      const det =
        a[0] * (b[1] * c[2] - b[2] * c[1]) -
        a[1] * (b[0] * c[2] - b[2] * c[0]) +
        a[2] * (b[0] * c[1] - b[1] * c[0]);
      const voxelMl = Math.abs(det) / 1000;
      for (const region of ['WT', 'TC', 'ET'] as const) {
        const count = regionMask(seg.data, region).reduce((s, x) => s + x, 0);
        expect(report.volumesMl[region]).toBeCloseTo(count * voxelMl, 3);
      }

      const dice = Object.fromEntries(
        (['WT', 'TC', 'ET'] as const).map((r) => [
          r,
          binaryDice(regionMask(seg.data, r), regionMask(truth.data, r)),
        ]),
      );
      const flairOnly = binaryDice(flairBaselineMask(flair.data, FLAIR_BASELINE_PERCENTILE), truth.data);
      wt.push(dice.WT);
      baseline.push(flairOnly);
      console.log(
        `${id}: Dice WT ${dice.WT.toFixed(3)} TC ${dice.TC.toFixed(3)} ET ${dice.ET.toFixed(3)}; ` +
          `FLAIR baseline (percentile ${FLAIR_BASELINE_PERCENTILE}) WT ${flairOnly.toFixed(3)}`,
      );
    });
  }

  it('reaches a mean WT Dice of 0.70, above the FLAIR hyperintensity baseline', () => {
    expect(wt).toHaveLength(split.test.length);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    console.log(`mean WT Dice ${mean(wt).toFixed(3)}, baseline ${mean(baseline).toFixed(3)}`);
    expect(mean(wt)).toBeGreaterThanOrEqual(0.7);
    expect(mean(wt)).toBeGreaterThan(mean(baseline));
  });
});
