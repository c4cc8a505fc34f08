/**
 * `hadnet segment-cohort` end to end on real BraTS cases: three shards run as separate processes
 * of the built bin (one from --shard, one from Kubernetes' JOB_COMPLETION_INDEX, one from a Slurm
 * array starting at 1), one of them killed with SIGKILL while it is on a case, then rerun. Every
 * case must end with exactly one complete output, the summary must cover every case, and no case
 * may be segmented again once its output existed: the report.json files present after the kill are
 * the same files (inode and modification time) after the rerun, and the shards' logs show one
 * start per case, two for the killed one. Needs `npm run build` (npm test does it) and
 * ../shared/data/brats-sample; skips with a reason where either is absent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti } from '@hadnet/core';
import { flairThresholdModel } from './helpers/onnx-model.js';
import { expectedThresholdClasses } from './helpers/expected-labels.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'packages/infer-node/dist/cli.js');
const sample = fileURLToPath(new URL('../../shared/data/brats-sample/', import.meta.url));
// sorted by id, three shards take: 0 -> 2013_11_1 and CBICA_ABM_1, 1 -> 2013_20_1, 2 -> 2013_3_1
const CASES = ['Brats18_2013_11_1', 'Brats18_2013_20_1', 'Brats18_2013_3_1', 'Brats18_CBICA_ABM_1'];
const KILLED = 'Brats18_CBICA_ABM_1';
const built = existsSync(bin);
const present = CASES.every((c) => existsSync(join(sample, c, 'flair.nii.gz')));
if (!built) console.log(`cohort-shards: skipped, ${bin} is not built (run npm run build, as npm test does)`);
if (!present) console.log(`cohort-shards: skipped, no BraTS sample at ${sample}`);

/** The environment without any shard variable of the machine running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (/^(SLURM_|JOB_COMPLETION_INDEX|HADNET_)/.test(name)) delete env[name];
  return { ...env, ...extra };
}

/** A running shard: its process, what it printed, and its end. */
interface Worker {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startShard(args: string[], env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [bin, 'segment-cohort', ...args], { cwd: root, env: cleanEnv(env) });
  const worker: Worker = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((done) => child.on('exit', (code, signal) => done({ code, signal }))),
  };
  child.stdout!.on('data', (chunk) => (worker.stdout += String(chunk)));
  child.stderr!.on('data', (chunk) => (worker.stderr += String(chunk)));
  return worker;
}

/** Resolves once the worker's stderr matches, or rejects when it exits first. */
function waitFor(worker: Worker, pattern: RegExp): Promise<void> {
  return new Promise((done, fail) => {
    const check = () => {
      if (pattern.test(worker.stderr)) {
        worker.child.stderr!.off('data', check);
        done();
      }
    };
    worker.child.stderr!.on('data', check);
    void worker.exit.then(() => fail(new Error(`exited before printing ${pattern}:\n${worker.stderr}`)));
    check();
  });
}

describe.skipIf(!built || !present)('hadnet segment-cohort: three shards, one killed and rerun', () => {
  let folder: string;
  let out: string;
  let manifest: string;
  let model: string;
  const common = () => ['--manifest', manifest, '--out', out, '--model', model, '--device', 'cpu'];

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-cohort-'));
    out = join(folder, 'out');
    model = join(folder, 'student.onnx');
    writeFileSync(model, flairThresholdModel());
    // two cases by folder, two by single files, in no particular order
    const file = (c: string, s: string) => join(sample, c, `${s}.nii.gz`);
    manifest = join(folder, 'cases.csv');
    writeFileSync(
      manifest,
      'case,dir,flair,t1,t2\n' +
        `${CASES[3]},${join(sample, CASES[3])},,,\n` +
        `${CASES[1]},,${file(CASES[1], 'flair')},${file(CASES[1], 't1')},${file(CASES[1], 't2')}\n` +
        `${CASES[0]},,${file(CASES[0], 'flair')},${file(CASES[0], 't1')},${file(CASES[0], 't2')}\n` +
        `${CASES[2]},${join(sample, CASES[2])},,,\n`,
    );
  });
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('--dry-run prints which cases each shard takes, and segments nothing', () => {
    const run = spawnSync(
      process.execPath,
      [bin, 'segment-cohort', ...common(), '--shard', '0/3', '--dry-run', '--json'],
      {
        cwd: root,
        encoding: 'utf8',
        env: cleanEnv({}),
      },
    );
    expect(run.status).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan.shards.map((s: { cases: { case: string }[] }) => s.cases.map((c) => c.case))).toEqual([
      [CASES[0], CASES[3]],
      [CASES[1]],
      [CASES[2]],
    ]);
    expect(plan.shards.flatMap((s: { cases: { status: string }[] }) => s.cases.map((c) => c.status))).toEqual(
      ['pending', 'pending', 'pending', 'pending'],
    );
    expect(existsSync(out)).toBe(false);
  }, 30_000);

  it('gives every case one complete output after a kill and a rerun, and segments none twice', async () => {
    // three shards at once: from the flag, from Kubernetes, from a Slurm array 1-3
    const shard0 = startShard([...common(), '--shard', '0/3'], {});
    const shard1 = startShard(common(), { JOB_COMPLETION_INDEX: '1', HADNET_SHARD_COUNT: '3' });
    const shard2 = startShard(common(), {
      SLURM_ARRAY_TASK_ID: '3',
      SLURM_ARRAY_TASK_MIN: '1',
      SLURM_ARRAY_TASK_MAX: '3',
      SLURM_ARRAY_TASK_COUNT: '3',
    });

    // kill shard 0 while it is on its second case
    await waitFor(shard0, new RegExp(`\\[2/2\\] ${KILLED}: segmenting`));
    await new Promise((done) => setTimeout(done, 500));
    shard0.child.kill('SIGKILL');
    expect(await shard0.exit).toEqual({ code: null, signal: 'SIGKILL' });
    const [end1, end2] = await Promise.all([shard1.exit, shard2.exit]);
    expect(end1.code, shard1.stderr).toBe(0);
    expect(end2.code, shard2.stderr).toBe(0);
    expect(shard1.stderr).toMatch(/^hadnet: shard 1\/3: 1 case, 0 already complete$/m);
    expect(shard2.stderr).toMatch(/^hadnet: shard 2\/3: 1 case, 0 already complete$/m);
    expect(JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8')).counts.total).toBe(4);

    // after the kill: the killed case has no report; the others' reports are noted
    expect(existsSync(join(out, KILLED, 'report.json'))).toBe(false);
    const before = new Map(
      CASES.filter((c) => c !== KILLED).map((c) => {
        const stat = statSync(join(out, c, 'report.json'));
        return [c, [stat.ino, stat.mtimeMs]];
      }),
    );
    expect(before.size).toBe(3);

    // the rerun of shard 0 skips its finished case and does the killed one
    const rerun = startShard([...common(), '--shard', '0/3', '--json'], {});
    const end = await rerun.exit;
    expect(end.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(
      new RegExp(`^hadnet: shard 0/3: \\[1/2\\] ${CASES[0]}: skipped, complete$`, 'm'),
    );
    expect(rerun.stderr).toMatch(new RegExp(`^hadnet: shard 0/3: \\[2/2\\] ${KILLED}: segmenting`, 'm'));
    const printed = JSON.parse(rerun.stdout);
    expect(printed).toMatchObject({
      shard: { index: 0, count: 3, source: 'flag' },
      segmented: [KILLED],
      skipped: [CASES[0]],
      failed: [],
    });

    // every case: exactly one complete output, nothing else in its folder
    for (const c of CASES) {
      expect(readdirSync(join(out, c)).sort(), c).toEqual(['report.json', 'seg.nii.gz']);
      const report = JSON.parse(readFileSync(join(out, c, 'report.json'), 'utf8'));
      expect(report.case).toBe(c);
      expect(report.device).toBe('cpu');
      // the whole-tumour volume is the count of labelled voxels (1 mm³ each), read from seg.nii.gz
      const seg = readNifti(new Uint8Array(readFileSync(join(out, c, 'seg.nii.gz'))));
      let labelled = 0;
      for (let v = 0; v < seg.data.length; v++) if (seg.data[v] !== 0) labelled++;
      expect(report.volumesMl.WT).toBeCloseTo(labelled / 1000, 9);
    }

    // the reports that existed after the kill are the very same files
    for (const [c, [ino, mtime]] of before) {
      const stat = statSync(join(out, c, 'report.json'));
      expect([stat.ino, stat.mtimeMs], c).toEqual([ino, mtime]);
    }

    // the shards' logs: one start per case, two for the killed one, none after a case was done
    const logs = readdirSync(join(out, '.hadnet-cohort')).sort();
    expect(logs).toEqual(['shard-0-of-3.jsonl', 'shard-1-of-3.jsonl', 'shard-2-of-3.jsonl']);
    const events = logs
      .flatMap((name) =>
        readFileSync(join(out, '.hadnet-cohort', name), 'utf8')
          .trim()
          .split('\n'),
      )
      .map((line) => JSON.parse(line))
      .sort((a, b) => a.time.localeCompare(b.time));
    for (const c of CASES) {
      const mine = events.filter((e) => e.case === c).map((e) => e.event);
      expect(mine, c).toEqual(
        c === KILLED
          ? ['start', 'start', 'done']
          : c === CASES[0]
            ? ['start', 'done', 'skip']
            : ['start', 'done'],
      );
    }

    // the summary covers every case, as the rerun wrote it and as --summarize writes it again
    const summary = JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8'));
    expect(summary.counts).toEqual({ total: 4, complete: 4, failed: 0, incomplete: 0, pending: 0 });
    expect(summary.cases.map((c: { case: string }) => c.case)).toEqual(CASES);
    const csv = readFileSync(join(out, 'cohort.csv'), 'utf8').trim().split('\n');
    expect(csv.slice(1).map((row) => row.split(',').slice(0, 3).join(','))).toEqual(
      CASES.map((c) => `${c},complete,cpu`),
    );
    const again = spawnSync(
      process.execPath,
      [bin, 'segment-cohort', '--summarize', '--out', out, '--json'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout).counts).toEqual(summary.counts);

    // the case done after the kill holds the labels worked out independently
    const volumes = ['flair', 't1', 't2'].map((s) =>
      readNifti(new Uint8Array(readFileSync(join(sample, KILLED, `${s}.nii.gz`)))),
    );
    const expected = expectedThresholdClasses(
      volumes.map((v) => v.data),
      volumes[0].shape,
    );
    const seg = readNifti(new Uint8Array(readFileSync(join(out, KILLED, 'seg.nii.gz'))));
    let mismatches = 0;
    for (let v = 0; v < seg.data.length; v++) {
      if (!expected.undecided[v] && seg.data[v] !== [0, 1, 2, 4][expected.classes[v]]) mismatches++;
    }
    expect(mismatches).toBe(0);
  }, 300_000);
});
