/**
 * The command-line pieces every `hadnet` command shares: the argument parser (`--` as the end of
 * options), the case-id rule of `hadnet segment`, `--` in `hadnet segment-cohort`, and the output
 * folder rules of `writeSegmentation` (errors that name the user's path, an earlier run's files
 * removed), on small synthetic inputs.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setLogger } from '@hadnet/core';
import { caseId } from '../packages/infer-node/src/cli/case-id.js';
import { parseArgs } from '../packages/infer-node/src/cli/flags.js';
import { runCommand, UsageError } from '../packages/infer-node/src/cli/run.js';
import { segmentCohortCommand } from '../packages/infer-node/src/cli/segment-cohort.js';
import { OutputPathError } from '../packages/infer-node/src/io/output-path.js';
import { segment, segmentationFilesIn, writeSegmentation } from '../packages/infer-node/src/segment.js';
import { flairThresholdModel } from './helpers/onnx-model.js';
import { syntheticCase } from './helpers/synthetic-case.js';

describe('parseArgs', () => {
  const spec = { values: ['--out', '--flair'], switches: ['--json'] };

  it('reads values (separate or inline), switches and operands; -- ends the options', () => {
    const { flags, operands } = parseArgs(
      ['--out', 'o', '--flair=--odd.nii', 'a', '--json', '--', '--out', '-x.nii', '--'],
      { ...spec, operands: true },
    );
    expect([...flags]).toEqual([
      ['--out', 'o'],
      ['--flair', '--odd.nii'],
      ['--json', true],
    ]);
    expect(operands).toEqual(['a', '--out', '-x.nii', '--']);
  });

  it('takes a value that starts with a single dash; - alone is an operand', () => {
    const { flags, operands } = parseArgs(['--flair', '-x.nii', '-'], { ...spec, operands: true });
    expect(flags.get('--flair')).toBe('-x.nii');
    expect(operands).toEqual(['-']);
  });

  it('a trailing -- is accepted by a command without operands', () => {
    expect(parseArgs(['--json', '--'], spec).operands).toEqual([]);
  });

  it.each([
    [['--json', '--', 'x'], "unexpected argument 'x'; see the usage"],
    [['stray'], "unexpected argument 'stray'; see the usage"],
    [['--bogus'], 'unknown option --bogus'],
    [['-x.nii'], 'unknown option -x.nii'],
    [['--out'], '--out needs a value'],
    [['--out', '--json'], '--out needs a value'],
    [['--json', '--json'], '--json is given twice'],
    [['--json=yes'], 'unknown option --json'],
  ])('%j: UsageError "%s"', (argv, message) => {
    expect(() => parseArgs(argv, { ...spec, strayHint: 'see the usage' })).toThrow(new UsageError(message));
  });
});

describe('caseId (report.json case)', () => {
  it.each([
    ['a case folder: its name', { caseDir: 'data/Brats18_X_1/', inputs: {} }, 'Brats18_X_1'],
    [
      'a case folder wins over the names of its files',
      { caseDir: 'cases/P7', inputs: { flair: 'cases/P7/Brats18_Y_1_flair.nii.gz' } },
      'P7',
    ],
    [
      'BraTS 2017-2021 file names',
      { inputs: { flair: 'x/Brats18_2013_10_1_flair.nii.gz' } },
      'Brats18_2013_10_1',
    ],
    ['BraTS 2023+ file names', { inputs: { flair: 'x/BraTS-GLI-00001-000-t2f.nii' } }, 'BraTS-GLI-00001-000'],
    ['any letter case', { inputs: { flair: 'x/sub-01_FLAIR.NII.GZ' } }, 'sub-01'],
    ['a bare sequence name: its folder', { inputs: { flair: 'cases/P42/FLAIR.nii.gz' } }, 'P42'],
    ['no FLAIR: the T1 by the same rule', { inputs: { t1: 'cases/P42/P42_t1.nii.gz' } }, 'P42'],
    [
      'any other name: the name without its extension',
      { inputs: { flair: 'scans/p7_axial.nii.gz' } },
      'p7_axial',
    ],
    ['--case-id wins', { caseId: 'P-0042', caseDir: 'cases/P42', inputs: {} }, 'P-0042'],
  ])('%s', (_, sources, expected) => {
    expect(caseId(sources)).toBe(expected);
  });

  it('resolves a relative bare name against the working folder', () => {
    expect(caseId({ inputs: { flair: 'flair.nii.gz' } })).toBe(resolve('.').split('/').at(-1));
  });
});

describe('hadnet segment-cohort and writeSegmentation', () => {
  let folder = '';
  const volumes = syntheticCase();
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-cli-args-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('segment-cohort accepts -- as the end of options', async () => {
    let stdout = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const cohort = join(folder, 'cohort');
      mkdirSync(cohort);
      const args = ['--summarize', '--out', cohort, '--json'];
      expect(
        await runCommand('segment-cohort', segmentCohortCommand, [...args, '--'], { debug: false }),
      ).toBe(0);
      expect(JSON.parse(stdout).counts.total).toBe(0);
      expect(
        await runCommand('segment-cohort', segmentCohortCommand, [...args, '--', 'x'], { debug: false }),
      ).toBe(2);
    } finally {
      out.mockRestore();
      err.mockRestore();
      setLogger(null, 'silent');
    }
  });

  it('writeSegmentation: a file in the way is an OutputPathError naming the path given; nothing is left', async () => {
    const result = await segment(volumes, { model: flairThresholdModel(), device: 'cpu' });
    const blocker = join(folder, 'blocker');
    writeFileSync(blocker, 'x');
    for (const [dir, message] of [
      [blocker, `writeSegmentation: ${blocker} is a file, not a folder`],
      [
        join(blocker, 'case'),
        `writeSegmentation: cannot create the folder ${join(blocker, 'case')}: a part of the path is a file, not a folder`,
      ],
    ]) {
      const error = await writeSegmentation(result, dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutputPathError);
      expect(error).toMatchObject({ code: 'ENOTDIR', path: dir, message });
    }
    expect(readdirSync(folder).sort()).toEqual(['blocker', 'cohort']);
  });

  it('writeSegmentation replaces an earlier run: its maps this run lacks and killed-run leftovers are removed', async () => {
    const dir = join(folder, 'case');
    const first = await segment(volumes, {
      model: flairThresholdModel(),
      device: 'cpu',
      uncertainty: true,
      saveProbabilities: true,
    });
    await writeSegmentation(first, dir);
    writeFileSync(join(dir, '.prob_oedema.nii.gz.abcdef012345.tmp'), 'half');
    writeFileSync(join(dir, '.notes.txt.abcdef012345.tmp'), 'not hadnet: kept');
    writeFileSync(join(dir, 'seg.nii.gz.bak'), 'not hadnet: kept');
    expect(await segmentationFilesIn(dir)).toEqual({
      outputs: [
        'seg.nii.gz',
        'unc_whole.nii.gz',
        'unc_core.nii.gz',
        'unc_enhance.nii.gz',
        'prob_background.nii.gz',
        'prob_ncr_net.nii.gz',
        'prob_oedema.nii.gz',
        'prob_enhancing.nii.gz',
        'report.json',
      ],
      leftovers: ['.prob_oedema.nii.gz.abcdef012345.tmp'],
    });

    const second = await segment(volumes, { model: flairThresholdModel(), device: 'cpu', uncertainty: true });
    const { files, removed } = await writeSegmentation(second, dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'seg.nii.gz',
      'unc_whole.nii.gz',
      'unc_core.nii.gz',
      'unc_enhance.nii.gz',
      'report.json',
    ]);
    expect(removed.map((f) => f.slice(dir.length + 1))).toEqual([
      'report.json',
      'prob_background.nii.gz',
      'prob_ncr_net.nii.gz',
      'prob_oedema.nii.gz',
      'prob_enhancing.nii.gz',
      '.prob_oedema.nii.gz.abcdef012345.tmp',
    ]);
    expect(readdirSync(dir).sort()).toEqual(
      [
        '.notes.txt.abcdef012345.tmp',
        'report.json',
        'seg.nii.gz',
        'seg.nii.gz.bak',
        'unc_core.nii.gz',
        'unc_enhance.nii.gz',
        'unc_whole.nii.gz',
      ].sort(),
    );
  });
});
