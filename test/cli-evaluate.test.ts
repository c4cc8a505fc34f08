/**
 * `hadnet evaluate` end to end: spawns the built bin (packages/infer-node/dist/cli.js; `npm test`
 * builds it first) on small label maps written here, whose metrics are worked out by hand in the
 * comments, and on a real BraTS case; checks the JSON shape of CONTRACTS.md, the CSV, the table
 * and the exit codes 0, 1 and 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeNifti, type Affine, type Vec3 } from '@hadnet/core';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = `${root}packages/infer-node/dist/cli.js`;
const built = existsSync(bin);
if (!built)
  console.log(`skipping hadnet evaluate tests: ${bin} is not built (run npm run build, as npm test does)`);
const sample = fileURLToPath(new URL('../../shared/data/brats-sample/', import.meta.url));
const hasSample = existsSync(sample);
if (!hasSample) console.log(`skipping hadnet evaluate on BraTS: no sample at ${sample}`);

function hadnet(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'evaluate', ...args], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes an n x 1 x 1 uint8 volume of `dx` x 1 x 1 mm voxels. */
function writeLine(file: string, values: number[], dx = 2): string {
  const affine: Affine = [
    [dx, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  const volume = {
    data: Uint8Array.from(values),
    shape: [values.length, 1, 1] as Vec3,
    spacing: [dx, 1, 1] as Vec3,
    affine,
  };
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, writeNifti(volume, { datatype: 'uint8' }));
  return file;
}

let dir = '';
const f = (name: string) => join(dir, name);

beforeAll(() => {
  if (!built) return;
  dir = mkdtempSync(join(tmpdir(), 'hadnet-evaluate-'));
  // voxel:  0  1  2  3  4   (2 mm apart; on a one-voxel line every voxel is surface)
  // truth:  4  1  2  0  0   ET {0}     TC {0, 1}  WT {0, 1, 2}
  // pred:   4  4  2  2  0   ET {0, 1}  TC {0, 1}  WT {0, 1, 2, 3}
  writeLine(f('truth.nii.gz'), [4, 1, 2, 0, 0]);
  writeLine(f('pred.nii.gz'), [4, 4, 2, 2, 0]);
  writeLine(f('mask.nii.gz'), [1, 1, 1, 1, 0]);
  writeLine(f('zero.nii.gz'), [0, 0, 0, 0, 0]);
  writeLine(f('short.nii.gz'), [4, 1, 2, 0]);
  writeLine(f('modern.nii.gz'), [3, 1, 2, 0, 0]);
  writeLine(f('unc101.nii.gz'), [0, 0, 101, 0, 0]);

  // folders: caseA (pred file, truth folder with a FLAIR for the brain mask), caseB (pred folder
  // with zero uncertainty maps, truth file), and one unmatched case on each side
  writeLine(f('preds/caseA.nii.gz'), [4, 4, 2, 2, 0]);
  for (const name of ['seg', 'unc_whole', 'unc_core', 'unc_enhance']) {
    writeLine(f(`preds/caseB/${name}.nii.gz`), name === 'seg' ? [4, 1, 2, 0, 0] : [0, 0, 0, 0, 0]);
  }
  writeLine(f('preds/orphan_x.nii.gz'), [0, 0, 0, 0, 0]);
  writeLine(f('truths/caseA/seg.nii.gz'), [4, 1, 2, 0, 0]);
  writeLine(f('truths/caseA/flair.nii.gz'), [7, 7, 7, 7, 0]);
  writeLine(f('truths/caseB_seg.nii.gz'), [4, 1, 2, 0, 0]);
  writeLine(f('truths/lonely/seg.nii.gz'), [0, 0, 0, 0, 0]);
  writeFileSync(f('truths/notes.txt'), 'not a case\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!built)('hadnet evaluate', () => {
  test('--json prints the contract object with the hand-worked metrics', () => {
    const { code, stdout, stderr } = hadnet(
      '--pred',
      f('pred.nii.gz'),
      '--truth',
      f('truth.nii.gz'),
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(['regions']);
    expect(Object.keys(out.regions)).toEqual(['ET', 'TC', 'WT']);
    for (const r of ['ET', 'TC', 'WT']) {
      expect(Object.keys(out.regions[r])).toEqual(['dice', 'hd95', 'sensitivity', 'specificity', 'volumeMl']);
      expect(Object.keys(out.regions[r].volumeMl)).toEqual(['pred', 'truth']);
    }
    // ET: TP 1, FP 1, TN 3 over the grid: Dice 2/3, spec 3/4; pooled distances [0, 0, 2 mm]:
    // rank 1.9 gives 1.8; volumes 2 and 1 voxels of 2 mm³
    expect(out.regions.ET.dice).toBeCloseTo(2 / 3, 12);
    expect(out.regions.ET.hd95).toBeCloseTo(1.8, 12);
    expect(out.regions.ET.specificity).toBe(0.75);
    expect(out.regions.ET.volumeMl.pred).toBeCloseTo(0.004, 12);
    expect(out.regions.ET.volumeMl.truth).toBeCloseTo(0.002, 12);
    expect(out.regions.TC).toMatchObject({ dice: 1, hd95: 0, sensitivity: 1, specificity: 1 });
    // WT: TP 3, FP 1, TN 1: Dice 6/7, spec 1/2; distances [0,0,0,2,0,0,0]: rank 5.7 gives 1.4
    expect(out.regions.WT.dice).toBeCloseTo(6 / 7, 12);
    expect(out.regions.WT.hd95).toBeCloseTo(1.4, 12);
    expect(out.regions.WT.specificity).toBe(0.5);
  });

  test('--mask restricts specificity to the brain; zero uncertainty maps add QU-BraTS scores', () => {
    const z = f('zero.nii.gz');
    const args = ['--pred', f('pred.nii.gz'), '--truth', f('truth.nii.gz'), '--mask', f('mask.nii.gz')];
    const { code, stdout } = hadnet(...args, '--unc-whole', z, '--unc-core', z, '--unc-enhance', z, '--json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    // brain = voxels 0..3: ET TN {2, 3}, FP {1}: 2/3; WT TN none, FP {3}: 0
    expect(out.regions.ET.specificity).toBeCloseTo(2 / 3, 12);
    expect(out.regions.WT.specificity).toBe(0);
    expect(Object.keys(out)).toEqual(['regions', 'uncertainty']);
    expect(Object.keys(out.uncertainty)).toEqual(['ET', 'TC', 'WT']);
    expect(Object.keys(out.uncertainty.ET)).toEqual(['aucDice', 'aucFtp', 'aucFtn', 'score']);
    // nothing is ever filtered: the Dice curve is flat at 2/3, FTP = FTN = 0
    expect(out.uncertainty.ET.aucDice).toBeCloseTo(2 / 3, 12);
    expect(out.uncertainty.ET.score).toBeCloseTo((2 / 3 + 2) / 3, 12);
  });

  test('scores an uncertainty map over the 41 default thresholds (hand-worked)', () => {
    //   voxel:   0   1   2   3   4   5   6    7
    //   truth:   4   4   4   0   0   0   0    0     ET kinds: TP TP FN FP TN TN TN TN(outside)
    //   pred:    4   4   0   4   0   0   0    0
    //   unc:    10  60  80  90   0  30   0  100
    //   brain:   1   1   1   1   1   1   1    0
    // thresholds 100, 97.5, ..., 0; filtered when unc > threshold.
    // Dice: 2/3 at 100..90 (5 points), 4/5 at 87.5..80 (4), 1 at 77.5..0 (32):
    //   2.5 · (5·2/3 + 4·4/5 + 32 − (2/3 + 1)/2) / 100 = 0.9425
    // FTP (2 TP in the brain): 0 at 100..60 (17), 1/2 at 57.5..10 (20), 1 at 7.5..0 (4):
    //   2.5 · (10 + 4 − 1/2) / 100 = 0.3375
    // FTN (3 TN in the brain, voxel 5 filtered below 30): 1/3 at 27.5..0 (12):
    //   2.5 · (4 − 1/6) / 100 = 0.0958333
    // score (0.9425 + 0.6625 + 0.9041667) / 3 = 0.8363889
    const truth = writeLine(f('u/truth.nii.gz'), [4, 4, 4, 0, 0, 0, 0, 0], 1);
    const pred = writeLine(f('u/pred.nii.gz'), [4, 4, 0, 4, 0, 0, 0, 0], 1);
    const unc = writeLine(f('u/unc.nii.gz'), [10, 60, 80, 90, 0, 30, 0, 100], 1);
    const mask = writeLine(f('u/mask.nii.gz'), [1, 1, 1, 1, 1, 1, 1, 0], 1);
    const { code, stdout } = hadnet(
      ...['--pred', pred, '--truth', truth, '--mask', mask, '--unc-enhance', unc],
      ...['--unc-core', unc, '--unc-whole', unc, '--json'],
    );
    expect(code).toBe(0);
    const et = JSON.parse(stdout).uncertainty.ET;
    expect(et.aucDice).toBeCloseTo(0.9425, 9);
    expect(et.aucFtp).toBeCloseTo(0.3375, 6);
    expect(et.aucFtn).toBeCloseTo(0.0958333, 6);
    expect(et.score).toBeCloseTo(0.8363889, 6);
  });

  test('prints a readable table without --json', () => {
    const { code, stdout } = hadnet('--pred', f('pred.nii.gz'), '--truth', f('truth.nii.gz'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^region\s+Dice\s+HD95 mm\s+sensitivity\s+specificity\s+pred mL\s+truth mL$/m);
    expect(stdout).toMatch(/^ET\s+0\.6667\s+1\.80\s+1\.0000\s+0\.7500\s+0\.00\s+0\.00$/m);
    expect(stdout).toMatch(/^brain mask\s+none \(whole grid\)$/m);
  });

  test('folders with --skip-missing: matches cases by id, skips the rest, writes the CSV and the means', () => {
    const csv = f('out/cases.csv');
    mkdirSync(f('out'), { recursive: true });
    const { code, stdout, stderr } = hadnet(
      '--pred-dir',
      f('preds'),
      '--truth-dir',
      f('truths'),
      '--skip-missing',
      '--csv',
      csv,
      '--json',
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: evaluate: 1 case\(s\) only in the pred folder, skipped: orphan_x/);
    expect(stderr).toMatch(/only in the truth folder, skipped: lonely/);
    const out = JSON.parse(stdout);
    // CONTRACTS' { cases, mean, skipped }, extended with failed and counts
    expect(Object.keys(out)).toEqual(['cases', 'mean', 'skipped', 'failed', 'counts']);
    expect(out.failed).toEqual([]);
    expect(out.counts).toEqual({ scored: 2, penalised: 0, excluded: 0 });
    expect(out.cases.map((c: { case: string }) => c.case)).toEqual(['caseA', 'caseB']);
    expect(out.skipped).toEqual({ pred: ['orphan_x'], truth: ['lonely'] });
    const [a, b] = out.cases;
    expect(a.pred).toBe(f('preds/caseA.nii.gz'));
    expect(a.truth).toBe(f('truths/caseA/seg.nii.gz'));
    // caseA's brain mask is its FLAIR's non-zero voxels 0..3: ET specificity 2/3, WT 0
    expect(a.brainMask).toBe('sequences');
    expect(a.regions.ET.specificity).toBeCloseTo(2 / 3, 12);
    expect(a.regions.WT.specificity).toBe(0);
    expect(a.uncertainty).toBeUndefined();
    // caseB is perfect, without a brain mask, with certain uncertainty maps: score 1
    expect(b.brainMask).toBe('none');
    expect(b.regions.ET).toMatchObject({ dice: 1, hd95: 0, specificity: 1 });
    expect(b.uncertainty.ET).toEqual({ aucDice: 1, aucFtp: 0, aucFtn: 0, score: 1 });
    // means: ET Dice (2/3 + 1)/2, HD95 (1.8 + 0)/2, specificity (2/3 + 1)/2; WT Dice (6/7 + 1)/2
    expect(out.mean.regions.ET.dice).toBeCloseTo(5 / 6, 12);
    expect(out.mean.regions.ET.hd95).toBeCloseTo(0.9, 12);
    expect(out.mean.regions.ET.specificity).toBeCloseTo(5 / 6, 12);
    expect(out.mean.regions.WT.dice).toBeCloseTo(13 / 14, 12);
    expect(out.mean.uncertainty.ET.score).toBe(1);

    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    // case, ten columns per region, then status and error
    expect(lines[0].split(',')).toHaveLength(1 + 3 * 10 + 2);
    expect(lines[0].endsWith(',status,error')).toBe(true);
    expect(lines.map((l) => l.split(',')[0])).toEqual(['case', 'caseA', 'caseB', 'mean']);
    expect(lines.map((l) => l.split(',').at(-2))).toEqual(['status', 'scored', 'scored', 'mean']);
    expect(Number(lines[3].split(',')[1])).toBeCloseTo(5 / 6, 12);
  });

  test('folders: a missing, an unreadable and a wrong-grid prediction do not stop the others; each is listed and scored as a miss; exit 1 after the output', () => {
    // c1 perfect; c2's prediction is not NIfTI; c3 has none; c4's is on another grid;
    // c5's truth is not NIfTI, c6's holds label 3, which 'brats' does not use (both left out of the mean)
    writeLine(f('fp/c1.nii.gz'), [4, 1, 2, 0, 0]);
    writeFileSync(f('fp/c2.nii.gz'), 'not a NIfTI file');
    writeLine(f('fp/c4.nii.gz'), [4, 1, 2, 0]);
    writeLine(f('fp/c5.nii.gz'), [4, 1, 2, 0, 0]);
    for (const id of ['c1', 'c2', 'c3', 'c4']) writeLine(f(`ft/${id}.nii.gz`), [4, 1, 2, 0, 0]);
    writeFileSync(f('ft/c5.nii.gz'), 'not a NIfTI file either');
    writeLine(f('fp/c6.nii.gz'), [4, 1, 2, 0, 0]);
    writeLine(f('ft/c6.nii.gz'), [3, 1, 2, 0, 0]);
    const csv = f('fp-scores.csv');
    const { code, stdout, stderr } = hadnet(
      '--pred-dir',
      f('fp'),
      '--truth-dir',
      f('ft'),
      '--csv',
      csv,
      '--json',
    );
    expect(code).toBe(1);
    const last = stderr.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(
      /^hadnet: EVALUATION_INCOMPLETE: hadnet evaluate: 5 of 6 truth cases could not be scored \(c2: INVALID_VOLUME, c3: MISSING_PREDICTION, c4: MODALITY_MISMATCH, c5: INVALID_VOLUME, c6: INVALID_VOLUME\); 3 scored as misses in the mean, 2 left out of it/,
    );
    const out = JSON.parse(stdout);
    expect(out.cases.map((c: { case: string }) => c.case)).toEqual(['c1']);
    expect(out.counts).toEqual({ scored: 1, penalised: 3, excluded: 2 });
    expect(out.skipped).toEqual({ pred: [], truth: [] });
    expect(
      out.failed.map((x: { case: string; code: string; penalised: boolean; pred: string | null }) => [
        x.case,
        x.code,
        x.penalised,
        x.pred,
      ]),
    ).toEqual([
      ['c2', 'INVALID_VOLUME', true, f('fp/c2.nii.gz')],
      ['c3', 'MISSING_PREDICTION', true, null],
      ['c4', 'MODALITY_MISMATCH', true, f('fp/c4.nii.gz')],
      ['c5', 'INVALID_VOLUME', false, f('fp/c5.nii.gz')],
      ['c6', 'INVALID_VOLUME', false, f('fp/c6.nii.gz')],
    ]);
    expect(out.failed[4].reason).toMatch(/truth \(.*ft\/c6\.nii\.gz\).* holds label 3/);
    expect(out.failed[0].reason).toMatch(/c2\.nii\.gz/);
    expect(out.failed[1].reason).toBe('no prediction for this case in --pred-dir');
    expect(out.failed[3].reason).toMatch(/ft\/c5\.nii\.gz/);
    expect(out.failed[3].regions).toBeUndefined();
    // a miss on the 5 x 1 x 1 grid of 2 x 1 x 1 mm voxels: Dice 0, HD95 = √(10² + 1² + 1²) = √102 mm
    const diagonal = Math.sqrt(102);
    for (const r of ['ET', 'TC', 'WT']) {
      expect(out.failed[1].regions[r]).toMatchObject({ dice: 0, sensitivity: 0, specificity: 0 });
      expect(out.failed[1].regions[r].hd95).toBeCloseTo(diagonal, 12);
      expect(out.failed[1].regions[r].volumeMl.pred).toBe(0);
    }
    // the truth's own volumes: ET 1, TC 2, WT 3 voxels of 2 mm³
    expect(out.failed[1].regions.ET.volumeMl.truth).toBeCloseTo(0.002, 12);
    expect(out.failed[1].regions.WT.volumeMl.truth).toBeCloseTo(0.006, 12);
    // the mean of c1 (Dice 1, HD95 0) and three misses: Dice 1/4, HD95 3/4 √102
    for (const r of ['ET', 'TC', 'WT']) {
      expect(out.mean.regions[r].dice).toBeCloseTo(1 / 4, 12);
      expect(out.mean.regions[r].hd95).toBeCloseTo((3 * diagonal) / 4, 12);
    }

    // the CSV holds every truth case with its status, c5 without numbers
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows.map((l) => l.split(',')[0])).toEqual(['case', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'mean']);
    expect(rows[1].endsWith(',scored,')).toBe(true);
    expect(rows[3]).toMatch(/,penalised,MISSING_PREDICTION: no prediction for this case in --pred-dir$/);
    // no uncertainty maps: six columns per region, empty for c5
    expect(rows[5]).toMatch(/^c5,{19}excluded,"?INVALID_VOLUME: /);
    expect(Number(rows[7].split(',')[1])).toBeCloseTo(1 / 4, 12);

    // the table names every failure and its reason
    const text = hadnet('--pred-dir', f('fp'), '--truth-dir', f('ft'));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^c3 +0\.0000 +0\.0000 +0\.0000 +10\.10 +10\.10 +10\.10 {2}failed \(MISSING_PREDICTION\): worst scores$/m,
    );
    expect(text.stdout).toMatch(/^mean of 4 \(3 misses\) +0\.2500 /m);
    expect(text.stdout).toMatch(/^ {2}c5: INVALID_VOLUME: .*; left out of the mean$/m);
  });

  test('--csv into a missing folder fails before any file is read, naming the path given', () => {
    const csv = f('no-such-folder/scores.csv');
    const run = hadnet('--pred', f('absent.nii.gz'), '--truth', f('truth.nii.gz'), '--csv', csv);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `hadnet: ENOENT: hadnet evaluate: --csv ${csv}: the folder ${f('no-such-folder')} does not exist\n`,
    );
    const folders = hadnet('--pred-dir', f('preds'), '--truth-dir', f('truths'), '--csv', f('truths'));
    expect(folders.code).toBe(1);
    expect(folders.stderr).toBe(
      `hadnet: EISDIR: hadnet evaluate: --csv ${f('truths')} is a folder; expected a file name\n`,
    );
  });

  test('-- ends the options: accepted at the end, and nothing is read as a flag after it', () => {
    const ok = hadnet('--pred', f('pred.nii.gz'), '--truth', f('truth.nii.gz'), '--json', '--');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).regions.ET.dice).toBeCloseTo(2 / 3, 12);
    const after = hadnet('--pred', f('pred.nii.gz'), '--truth', f('truth.nii.gz'), '--', '--json');
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/^hadnet evaluate: unexpected argument '--json'; files go after their flag/);
  });

  test('exit 1 with one error line: different grids, wrong labels, bad uncertainty, missing file', () => {
    const grid = hadnet('--pred', f('pred.nii.gz'), '--truth', f('short.nii.gz'));
    expect(grid.code).toBe(1);
    expect(grid.stdout).toBe('');
    expect(grid.stderr).toMatch(
      /^hadnet: MODALITY_MISMATCH: evaluateSegmentation: pred \(.*pred\.nii\.gz\) and truth \(.*short\.nii\.gz\) are on different grids: shape \[5, 1, 1\] vs \[4, 1, 1\]\n$/,
    );

    const labels = hadnet('--pred', f('modern.nii.gz'), '--truth', f('truth.nii.gz'));
    expect(labels.code).toBe(1);
    expect(labels.stderr).toMatch(
      /^hadnet: INVALID_VOLUME: .*modern\.nii\.gz.* holds label 3; the 'brats' convention/,
    );
    // the same map read as brats2023 passes the label check, and then fails on the truth's 4
    const other = hadnet('--pred', f('modern.nii.gz'), '--truth', f('truth.nii.gz'), '--labels', 'brats2023');
    expect(other.stderr).toMatch(/INVALID_VOLUME: .*truth \(.*truth\.nii\.gz\).* holds label 4/);

    const z = f('zero.nii.gz');
    const unc = hadnet(
      ...['--pred', f('pred.nii.gz'), '--truth', f('truth.nii.gz')],
      ...['--unc-whole', f('unc101.nii.gz'), '--unc-core', z, '--unc-enhance', z],
    );
    expect(unc.code).toBe(1);
    expect(unc.stderr).toMatch(/INVALID_VOLUME: .*unc101\.nii\.gz\) holds 101 at voxel index 2/);

    const missing = hadnet('--pred', f('nope.nii.gz'), '--truth', f('truth.nii.gz'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hadnet: ENOENT: /);

    const none = hadnet('--pred-dir', f('preds'), '--truth-dir', f('out'));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no case found in both --pred-dir/);
  });

  test('exit 2 on usage errors, before reading any file', () => {
    const cases: [string[], RegExp][] = [
      [[], /missing --pred and --truth/],
      [['--pred', 'a.nii.gz'], /missing --truth/],
      [
        ['--pred', 'a', '--truth', 'b', '--labels', 'brats2021'],
        /--labels must be brats or brats2023; got 'brats2021'/,
      ],
      [
        ['--pred', 'a', '--truth', 'b', '--unc-whole', 'u'],
        /all three of --unc-whole, --unc-core, --unc-enhance/,
      ],
      [['--pred', 'a', '--truth', 'b', '--pred-dir', 'd'], /not both/],
      [['--pred-dir', 'a', '--truth-dir', 'b', '--mask', 'm'], /--mask and --unc-\* go with --pred\/--truth/],
      [['--pred', 'a', '--truth', 'b', '--bogus'], /unknown option --bogus/],
      [['--pred'], /--pred needs a value/],
      [['--pred', 'a', '--truth', 'b', '--skip-missing'], /--skip-missing goes with --pred-dir\/--truth-dir/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr, stdout } = hadnet(...args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
    }
  });

  test.skipIf(!hasSample)('a real BraTS label map against itself: Dice 1, HD95 0', () => {
    const seg = `${sample}Brats18_CBICA_ALU_1/seg.nii.gz`;
    const { code, stdout } = hadnet('--pred', seg, '--truth', seg, '--json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    for (const r of ['ET', 'TC', 'WT']) expect(out.regions[r]).toMatchObject({ dice: 1, hd95: 0 });
    // the manifest's voxel counts: ET 5973, TC 2307 + 5973, WT + 23771 (1 mm³ voxels)
    expect(out.regions.ET.volumeMl.truth).toBeCloseTo(5.973, 9);
    expect(out.regions.TC.volumeMl.truth).toBeCloseTo(8.28, 9);
    expect(out.regions.WT.volumeMl.truth).toBeCloseTo(32.051, 9);
  });
});
