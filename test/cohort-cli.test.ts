/**
 * `hadnet segment-cohort` in-process through the CLI frame: usage errors (exit 2), bad manifests
 * and shard variables (exit 1, one line), a failed case (exit 1 with COHORT_INCOMPLETE after the
 * others are written), the dry run's text and --summarize, on a small synthetic cohort.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setLogger, writeNifti } from '@hadnet/core';
import { runCommand } from '../packages/infer-node/src/cli/run.js';
import { segmentCohortCommand } from '../packages/infer-node/src/cli/segment-cohort.js';
import { flairThresholdModel } from './helpers/onnx-model.js';
import { syntheticCase } from './helpers/synthetic-case.js';

const SHARD_VARIABLES = [
  'JOB_COMPLETION_INDEX',
  'HADNET_SHARD_COUNT',
  'SLURM_ARRAY_TASK_ID',
  'SLURM_ARRAY_TASK_COUNT',
];

/** Runs `hadnet segment-cohort ARGS` with these shard variables, capturing stdout and stderr. */
async function cohort(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const saved = Object.fromEntries(SHARD_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of SHARD_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  const out = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await runCommand('segment-cohort', segmentCohortCommand, args, { debug: false });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    setLogger(null, 'silent');
    for (const name of SHARD_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

describe('hadnet segment-cohort (in-process)', () => {
  let folder: string;
  let manifest: string;
  let model: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-cohort-cli-'));
    model = join(folder, 'student.onnx');
    writeFileSync(model, flairThresholdModel());
    const volumes = syntheticCase();
    for (const id of ['P1', 'P2']) {
      mkdirSync(join(folder, 'cases', id), { recursive: true });
      for (const s of ['flair', 't1', 't2'] as const) {
        writeFileSync(join(folder, 'cases', id, `${s}.nii.gz`), writeNifti(volumes[s]));
      }
    }
    manifest = join(folder, 'cases.jsonl');
    writeFileSync(
      manifest,
      '{"case":"P2","dir":"cases/P2"}\n{"case":"P1","dir":"cases/P1"}\n{"case":"P3","dir":"cases/P3"}\n',
    );
    writeFileSync(join(folder, 'bad.csv'), 'case,flare\nP1,x\n');
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const usage: [string, string[], RegExp][] = [
    ['no --out', ['--manifest', 'm.csv'], /missing --out DIR/],
    ['no --manifest', ['--out', 'o'], /missing --manifest FILE\|DIR/],
    [
      'a malformed --shard',
      ['--manifest', 'm', '--out', 'o', '--shard', '3/3'],
      /--shard must be INDEX\/COUNT/,
    ],
    [
      '--shard with --shard-count',
      ['--manifest', 'm', '--out', 'o', '--shard', '0/2', '--shard-count', '2'],
      /not both/,
    ],
    [
      'a bad --shard-count',
      ['--manifest', 'm', '--out', 'o', '--shard-count', 'two'],
      /--shard-count must be a whole number/,
    ],
    [
      '--summarize with --dry-run',
      ['--out', 'o', '--summarize', '--dry-run'],
      /give --summarize or --dry-run, not both/,
    ],
    ['an unknown option', ['--manifest', 'm', '--out', 'o', '--resume'], /unknown option --resume/],
    [
      'an unknown device',
      ['--manifest', 'm', '--out', 'o', '--device', 'gpu'],
      /--device must be one of auto/,
    ],
  ];
  for (const [name, args, message] of usage) {
    it(`exits 2 on ${name}, with the usage`, async () => {
      const run = await cohort(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('Usage: hadnet segment-cohort');
      expect(run.stdout).toBe('');
    });
  }

  it('exits 1 with one line for a bad manifest, and for a Kubernetes index without a count', async () => {
    const bad = await cohort(['--manifest', join(folder, 'bad.csv'), '--out', join(folder, 'o')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^hadnet: INVALID_MANIFEST: readManifest: bad\.csv line 1: unknown column "flare"/,
    );
    const k8s = await cohort(['--manifest', manifest, '--out', join(folder, 'o'), '--dry-run'], {
      JOB_COMPLETION_INDEX: '0',
    });
    expect(k8s.code).toBe(1);
    expect(k8s.stderr).toMatch(
      /^hadnet: INVALID_ARGUMENT: resolveShard: JOB_COMPLETION_INDEX is 0, but the shard count/,
    );
  });

  it("--dry-run prints each shard with its cases, marking this worker's shard from Slurm", async () => {
    const run = await cohort([
      '--manifest',
      manifest,
      '--out',
      join(folder, 'dry'),
      '--model',
      model,
      '--device',
      'cpu',
    ]);
    expect(run.code).toBe(1); // P3 has no folder: the run fails it; the dry run below reads that state
    const dry = await cohort(['--manifest', manifest, '--out', join(folder, 'dry'), '--dry-run'], {
      SLURM_ARRAY_TASK_ID: '1',
      SLURM_ARRAY_TASK_COUNT: '2',
    });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      'shard 0/2: 2 cases, 1 complete\n' +
        '  P1  complete\n' +
        '  P3  failed\n' +
        'shard 1/2: 1 case, 1 complete (this worker, from slurm)\n' +
        '  P2  complete\n',
    );
  });

  it('writes the others and exits 1 with COHORT_INCOMPLETE when a case fails; --json stays one object', async () => {
    const out = join(folder, 'out');
    const run = await cohort([
      '--manifest',
      manifest,
      '--out',
      out,
      '--model',
      model,
      '--device',
      'cpu',
      '--json',
    ]);
    expect(run.code).toBe(1);
    const printed = JSON.parse(run.stdout);
    expect(printed).toMatchObject({
      shard: { index: 0, count: 1, source: 'none' },
      segmented: ['P1', 'P2'],
      failed: [{ case: 'P3', code: 'ENOENT' }],
      summary: { counts: { total: 3, complete: 2, failed: 1, incomplete: 0, pending: 0 } },
    });
    const errors = run.stderr.split('\n').filter((l) => /^hadnet: [A-Z_]+: /.test(l));
    expect(errors).toEqual([
      'hadnet: COHORT_INCOMPLETE: segment-cohort: 1 of 3 cases of shard 0/1 failed (P3: ENOENT); ' +
        'each DIR/<case>/error.json says why, and a rerun retries them',
    ]);
    expect(run.stderr).toContain('hadnet: shard 0/1: [3/3] P3: failed: ENOENT: ');
    expect(JSON.parse(readFileSync(join(out, 'P3', 'error.json'), 'utf8')).code).toBe('ENOENT');

    // --summarize without a manifest lists the case folders, and says so in one line
    const summary = await cohort(['--summarize', '--out', out]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/^2 of 3 cases complete, 1 failed, 0 incomplete, 0 pending\nwritten {5}/);
  });
});
