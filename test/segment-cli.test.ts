/**
 * `hadnet segment`, run in-process through the CLI frame (exit codes, the one-line error format,
 * stdout and stderr kept apart), on a synthetic case written as NIfTI files and the FLAIR-threshold
 * test model written as an .onnx file.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readNifti, setLogger, writeNifti, type Affine, type SegmentProgress } from '@hadnet/core';
import { runCommand } from '../packages/infer-node/src/cli/run.js';
import { progressReporter, segmentCommand } from '../packages/infer-node/src/cli/segment.js';
import { flairThresholdModel, studentCard } from './helpers/onnx-model.js';
import { SYNTHETIC_AFFINE, syntheticCase } from './helpers/synthetic-case.js';

// onnxruntime-node's CUDA provider library: absent unless installed with --onnxruntime-node-install=cuda12
const ortFolder = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
const cudaInstalled = existsSync(
  join(ortFolder, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'),
);

/** Runs `hadnet segment ARGS` and returns the exit code and what went to stdout and stderr. */
async function hadnetSegment(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCommand('segment', segmentCommand, args, { debug: false });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    setLogger(null, 'silent');
  }
}

describe('hadnet segment', () => {
  let folder: string;
  let model: string;
  let caseDir: string;
  const volumes = syntheticCase();

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-cli-segment-'));
    model = join(folder, 'student.onnx');
    writeFileSync(model, flairThresholdModel());
    // a case folder named the BraTS 2023 way, with a label map beside the images
    caseDir = join(folder, 'BraTS-GLI-00001-000');
    mkdirSync(caseDir);
    const names = { flair: 't2f', t1: 't1n', t2: 't2w' } as const;
    for (const s of ['flair', 't1', 't2'] as const) {
      writeFileSync(join(caseDir, `BraTS-GLI-00001-000-${names[s]}.nii.gz`), writeNifti(volumes[s]));
    }
    writeFileSync(
      join(caseDir, 'BraTS-GLI-00001-000-seg.nii.gz'),
      writeNifti({ ...volumes.t1, data: new Uint8Array(volumes.t1.data.length) }),
    );
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const file = (s: 't2f' | 't1n' | 't2w') => join(caseDir, `BraTS-GLI-00001-000-${s}.nii.gz`);

  it('--case-dir --json: stdout is one JSON object, the report plus the files; progress on stderr', async () => {
    const out = join(folder, 'out-json');
    const run = await hadnetSegment([
      '--case-dir',
      caseDir,
      '--out',
      out,
      '--model',
      model,
      '--device',
      'cpu',
      '--json',
      '--uncertainty',
      '--labels',
      'brats2023',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const printed = JSON.parse(run.stdout);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(printed).toEqual({
      ...report,
      files: ['seg.nii.gz', 'unc_whole.nii.gz', 'unc_core.nii.gz', 'unc_enhance.nii.gz', 'report.json'].map(
        (f) => join(out, f),
      ),
    });
    expect(report.case).toBe('BraTS-GLI-00001-000');
    expect(report.inputs).toEqual({ flair: file('t2f'), t1: file('t1n'), t2: file('t2w') });
    expect(report.device).toBe('cpu');
    // the settings that change the result are recorded: defaults overlap 0.5, no mirroring
    expect(report.inference).toMatchObject({ overlap: 0.5, tta: false, labelConvention: 'brats2023' });
    // labels in the 2023 convention: ET is 3, and 4 never appears
    const seg = readNifti(new Uint8Array(readFileSync(join(out, 'seg.nii.gz'))));
    const values = new Set(seg.data);
    expect(values.has(3)).toBe(true);
    expect(values.has(4)).toBe(false);
    expect(seg.affine).toEqual(SYNTHETIC_AFFINE);
    // not a terminal here: plain lines on stderr
    expect(run.stderr).toMatch(
      /^hadnet: load\nhadnet: preprocess\nhadnet: infer 0\/1 tiles\nhadnet: infer 1\/1 tiles\nhadnet: postprocess\nhadnet: segmented on cpu in [\d.]+ s; writing\n$/,
    );
  });

  it('single files, no --json: a summary on stdout; the case is named after the FLAIR', async () => {
    const out = join(folder, 'out-text');
    const run = await hadnetSegment([
      '--flair',
      file('t2f'),
      '--t1',
      file('t1n'),
      '--t2',
      file('t2w'),
      `--out=${out}`,
      '--model',
      model,
      '--device',
      'cpu',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^case {8}BraTS-GLI-00001-000\ndevice {6}cpu\n/);
    expect(run.stdout).toMatch(/\nvolumes {5}ET [\d.]+ mL, TC [\d.]+ mL, WT [\d.]+ mL\n/);
    expect(readdirSync(out).sort()).toEqual(['report.json', 'seg.nii.gz']);
  });

  it('--case-dir follows symbolic links to the sequence files (a symlink farm of a cohort)', async () => {
    const links = join(folder, 'linked-case');
    mkdirSync(links);
    for (const s of ['t2f', 't1n', 't2w'] as const) symlinkSync(file(s), join(links, `c-${s}.nii.gz`));
    const out = join(folder, 'out-linked');
    const run = await hadnetSegment(['--case-dir', links, '--out', out, '--model', model, '--device', 'cpu']);
    expect(run.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['report.json', 'seg.nii.gz']);
  });

  it('--out an existing file fails before segmenting, naming the path; so does a folder under a file', async () => {
    const taken = join(folder, 'taken.txt');
    writeFileSync(taken, 'a file');
    const args = ['--case-dir', caseDir, '--model', model, '--device', 'cpu'];
    const file = await hadnetSegment([...args, '--out', taken]);
    expect(file.code).toBe(1);
    // one line and no progress: the segmentation never started
    expect(file.stderr).toBe(`hadnet: ENOTDIR: hadnet segment: --out ${taken} is a file, not a folder\n`);
    const below = await hadnetSegment([...args, '--out', join(taken, 'sub')]);
    expect(below.code).toBe(1);
    expect(below.stderr).toBe(
      `hadnet: ENOTDIR: hadnet segment: --out ${join(taken, 'sub')} cannot be created: ${taken} is a file, not a folder\n`,
    );
    expect(readFileSync(taken, 'utf8')).toBe('a file');
  });

  it('refuses a folder holding an earlier run without --overwrite; with it, stale maps and temporary leftovers go', async () => {
    const out = join(folder, 'out-rerun');
    const args = ['--case-dir', caseDir, '--out', out, '--model', model, '--device', 'cpu'];
    const first = await hadnetSegment([...args, '--uncertainty', '--save-probabilities']);
    expect(first.code).toBe(0);
    const all = [
      'prob_background.nii.gz',
      'prob_enhancing.nii.gz',
      'prob_ncr_net.nii.gz',
      'prob_oedema.nii.gz',
      'report.json',
      'seg.nii.gz',
      'unc_core.nii.gz',
      'unc_enhance.nii.gz',
      'unc_whole.nii.gz',
    ];
    expect(readdirSync(out).sort()).toEqual(all);
    // what a killed run leaves, and a file of the user's
    writeFileSync(join(out, '.seg.nii.gz.0123456789ab.tmp'), 'half');
    writeFileSync(join(out, '.report.json.abcdefabcdef.tmp'), '{');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const report = readFileSync(join(out, 'report.json'), 'utf8');

    const refused = await hadnetSegment(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `hadnet: EEXIST: hadnet segment: --out ${out} already holds seg.nii.gz, unc_whole.nii.gz, unc_core.nii.gz, ` +
        'unc_enhance.nii.gz, prob_background.nii.gz, prob_ncr_net.nii.gz, prob_oedema.nii.gz, ' +
        'prob_enhancing.nii.gz, report.json from an earlier run; pass --overwrite to replace them, or choose another folder\n',
    );
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(report);

    // without --uncertainty and --save-probabilities this time: the old maps must not survive
    const again = await hadnetSegment([...args, '--overwrite', '--case-id', 'second-run']);
    expect(again.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'report.json', 'seg.nii.gz']);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).case).toBe('second-run');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');

    // a case folder with its own BraTS label map is refused, --overwrite or not: seg.nii.gz beside
    // <case>_seg.nii.gz would later be taken for the reference
    writeFileSync(join(out, 'Brats18_X_1_seg.nii.gz'), 'labels');
    for (const extra of [[], ['--overwrite']]) {
      const caseFolder = await hadnetSegment([...args, ...extra]);
      expect(caseFolder.code).toBe(1);
      expect(caseFolder.stderr).toBe(
        `hadnet: EEXIST: hadnet segment: --out ${out} holds a label map, Brats18_X_1_seg.nii.gz: a case folder; ` +
          'write the outputs to another folder\n',
      );
    }
  });

  it('a folder holding only temporary leftovers of a killed run is used without --overwrite, and cleaned', async () => {
    const out = join(folder, 'out-killed');
    mkdirSync(out);
    writeFileSync(join(out, '.unc_core.nii.gz.00000000abcd.tmp'), 'half');
    const run = await hadnetSegment([
      '--case-dir',
      caseDir,
      '--out',
      out,
      '--model',
      model,
      '--device',
      'cpu',
    ]);
    expect(run.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['report.json', 'seg.nii.gz']);
  });

  it('names the case the same way for a case folder and its files; --case-id overrides both', async () => {
    // this project's layout: P42/flair.nii.gz ...; BraTS 2017-2021: Brats18_X_1_flair.nii.gz ...
    const plain = join(folder, 'P42');
    const brats = join(folder, 'Brats18_X_1');
    mkdirSync(plain);
    mkdirSync(brats);
    for (const s of ['flair', 't1', 't2'] as const) {
      writeFileSync(join(plain, `${s}.nii.gz`), writeNifti(volumes[s]));
      writeFileSync(join(brats, `Brats18_X_1_${s}.nii`), writeNifti(volumes[s], { gzip: false }));
    }
    const caseOf = async (inputs: string[], extra: string[] = []) => {
      const run = await hadnetSegment([
        ...inputs,
        '--out',
        join(folder, 'out-ids'),
        '--overwrite',
        '--model',
        model,
        '--device',
        'cpu',
        '--json',
        ...extra,
      ]);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout).case as string;
    };
    const files = (dir: string, name: (s: string) => string) =>
      ['flair', 't1', 't2'].flatMap((s) => [`--${s}`, join(dir, name(s))]);
    expect(await caseOf(['--case-dir', plain])).toBe('P42');
    expect(await caseOf(files(plain, (s) => `${s}.nii.gz`))).toBe('P42');
    expect(await caseOf(['--case-dir', brats])).toBe('Brats18_X_1');
    expect(await caseOf(files(brats, (s) => `Brats18_X_1_${s}.nii`))).toBe('Brats18_X_1');
    expect(await caseOf(['--case-dir', brats], ['--case-id', 'P-0042'])).toBe('P-0042');
    expect(
      await caseOf(
        files(plain, (s) => `${s}.nii.gz`),
        ['--case-id=P 42'],
      ),
    ).toBe('P 42');
  });

  it('accepts -- as the end of options; an argument after it is no option', async () => {
    const out = join(folder, 'out-dashes');
    const args = ['--case-dir', caseDir, '--out', out, '--model', model, '--device', 'cpu'];
    const run = await hadnetSegment([...args, '--']);
    expect(run.code).toBe(0);
    const after = await hadnetSegment([...args, '--overwrite', '--', '--json']);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/^hadnet segment: unexpected argument '--json'; files go after --flair/);
  });

  it.skipIf(cudaInstalled)(
    "with the default device 'auto', warns on stderr that CUDA could not start and what ran instead",
    async () => {
      const out = join(folder, 'out-auto');
      const run = await hadnetSegment(['--case-dir', caseDir, '--out', out, '--model', model, '--json']);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(
        /hadnet: warning: segment: device cuda could not start \(.*Failed to load shared library.*\); ran on (webgpu|cpu) instead\n/,
      );
      const report = JSON.parse(run.stdout);
      expect(report.warnings.some((w: string) => w.startsWith('device cuda could not start'))).toBe(true);
    },
  );

  // each bad input: exit 1, one line `hadnet: CODE: message` on stderr, and no output folder
  const failures: [string, () => string[], string, RegExp][] = [
    [
      'a missing sequence',
      () => ['--flair', file('t2f'), '--t1', file('t1n')],
      'MODALITY_MISMATCH',
      /the model \(role student\) needs flair, t1, t2; t2 is not given \(given: flair, t1\)/,
    ],
    [
      'a T1 on a different grid',
      () => ['--flair', file('t2f'), '--t1', join(folder, 't1-moved.nii.gz'), '--t2', file('t2w')],
      'MODALITY_MISMATCH',
      /are on different grids: affine\[0\]\[3\] 20 vs 21/,
    ],
    [
      'a file that is not NIfTI',
      () => ['--flair', file('t2f'), '--t1', file('t1n'), '--t2', join(folder, 'notes.txt')],
      'INVALID_VOLUME',
      /notes\.txt/,
    ],
    [
      'a model that asks for T1ce',
      () => ['--case-dir', caseDir, '--model', join(folder, 'teacher.onnx')],
      'MODALITY_MISMATCH',
      /t1ce is not given/,
    ],
    [
      'a device Node does not have',
      () => ['--case-dir', caseDir, '--device', 'wasm'],
      'UNSUPPORTED_DEVICE',
      /'wasm' is not available on onnxruntime-node; it has cuda, webgpu, cpu/,
    ],
    [
      'a case folder without images',
      () => ['--case-dir', folder],
      'MODALITY_MISMATCH',
      /no sequence found in/,
    ],
  ];
  for (const [name, args, code, message] of failures) {
    it(`refuses ${name}: exit 1, one line on stderr, no output`, async () => {
      writeFileSync(
        join(folder, 't1-moved.nii.gz'),
        writeNifti({
          ...volumes.t1,
          affine: SYNTHETIC_AFFINE.map((row, r) =>
            row.map((x, c) => (r === 0 && c === 3 ? x + 1 : x)),
          ) as Affine,
        }),
      );
      writeFileSync(join(folder, 'notes.txt'), 'not an image');
      writeFileSync(
        join(folder, 'teacher.onnx'),
        flairThresholdModel(
          4,
          studentCard({ 'hadnet.role': 'teacher', 'hadnet.sequences': '["flair","t1ce","t1","t2"]' }),
        ),
      );
      const out = join(folder, `out-${name.replace(/\W+/g, '-')}`);
      const argv = args();
      const run = await hadnetSegment([
        ...argv,
        '--out',
        out,
        ...(argv.includes('--model') ? [] : ['--model', model]),
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      const progress = /^hadnet: (load|preprocess|infer .*|postprocess|warning: .*)$/;
      const lines = run.stderr.split('\n').filter((l) => l !== '' && !progress.test(l));
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0].startsWith(`hadnet: ${code}: `)).toBe(true);
      expect(lines[0]).toMatch(message);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('draws one bar on a terminal, redrawn in place, and plain lines every tenth of the tiles otherwise', () => {
    const events: SegmentProgress[] = [
      { status: 'load' },
      { status: 'preprocess' },
      ...Array.from({ length: 21 }, (_, t) => ({ status: 'infer' as const, tilesDone: t, tilesTotal: 20 })),
      { status: 'postprocess' },
    ];
    let tty = '';
    const bar = progressReporter({ isTTY: true, write: (s: string) => ((tty += s), true) } as never);
    events.forEach((e) => bar(e));
    expect(
      tty.startsWith(
        'hadnet: load\nhadnet: preprocess\n\rhadnet: infer [..............................] 0/20 tiles',
      ),
    ).toBe(true);
    expect(tty).toContain('\rhadnet: infer [###############...............] 10/20 tiles');
    expect(
      tty.endsWith('\rhadnet: infer [##############################] 20/20 tiles\nhadnet: postprocess\n'),
    ).toBe(true);
    let plain = '';
    const lines = progressReporter({ isTTY: false, write: (s: string) => ((plain += s), true) } as never);
    events.forEach((e) => lines(e));
    const infer = plain.split('\n').filter((l) => l.startsWith('hadnet: infer'));
    expect(infer).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20].map((t) => `hadnet: infer ${t}/20 tiles`));
  });

  const usage: [string, string[], RegExp][] = [
    ['no --out', ['--case-dir', 'x'], /missing --out DIR/],
    ['no input', ['--out', 'x'], /no input: give --case-dir DIR, or --flair, --t1 and --t2/],
    [
      'an overlap of 1',
      ['--case-dir', 'x', '--out', 'y', '--overlap', '1'],
      /--overlap must be a number in \[0, 1\); got '1'/,
    ],
    [
      'an unknown device',
      ['--case-dir', 'x', '--out', 'y', '--device', 'gpu'],
      /--device must be one of auto, cuda, webgpu, cpu; got 'gpu'/,
    ],
    [
      'an unknown label convention',
      ['--case-dir', 'x', '--out', 'y', '--labels', 'brats2021'],
      /--labels must be brats or brats2023/,
    ],
    ['an unknown option', ['--case-dir', 'x', '--out', 'y', '--fast'], /unknown option --fast/],
    ['a flag without its value', ['--out', 'y', '--flair'], /--flair needs a value/],
    [
      'an empty --case-id',
      ['--case-dir', 'x', '--out', 'y', '--case-id', ' '],
      /--case-id must be a non-empty name/,
    ],
  ];
  for (const [name, args, message] of usage) {
    it(`exits 2 on ${name}, with the usage`, async () => {
      const run = await hadnetSegment(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('Usage: hadnet segment');
      expect(run.stdout).toBe('');
    });
  }
});
