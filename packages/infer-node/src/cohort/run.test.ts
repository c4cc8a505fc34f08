import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti, setLogger, writeNifti } from '@hadnet/core';
import { flairThresholdModel, studentCard } from '../../../../test/helpers/onnx-model.js';
import { syntheticCase } from '../../../../test/helpers/synthetic-case.js';
import type { CohortCase } from './manifest.js';
import { segmentCohort, type CohortProgress } from './run.js';

describe('segmentCohort', () => {
  let folder: string;
  let out: string;
  let model: string;
  let cases: CohortCase[];
  const volumes = syntheticCase();

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-cohort-run-'));
    out = join(folder, 'out');
    model = join(folder, 'student.onnx');
    writeFileSync(model, flairThresholdModel());
    // case A by folder (BraTS naming), case B by single files, case C with a missing T2
    mkdirSync(join(folder, 'in', 'A'), { recursive: true });
    mkdirSync(join(folder, 'in', 'B'), { recursive: true });
    for (const s of ['flair', 't1', 't2'] as const) {
      writeFileSync(join(folder, 'in', 'A', `A_${s}.nii.gz`), writeNifti(volumes[s]));
      writeFileSync(join(folder, 'in', 'B', `${s}.nii.gz`), writeNifti(volumes[s]));
    }
    const b = (s: string) => join(folder, 'in', 'B', `${s}.nii.gz`);
    cases = [
      { id: 'C', inputs: { flair: b('flair'), t1: b('t1'), t2: join(folder, 'in', 'C-t2.nii.gz') } },
      { id: 'B', inputs: { flair: b('flair'), t1: b('t1'), t2: b('t2') } },
      { id: 'A', dir: join(folder, 'in', 'A'), inputs: {} },
    ];
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const logLines = () =>
    readFileSync(join(out, '.hadnet-cohort', 'shard-0-of-1.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  it('segments each case into OUT/<case>/, records a failed case in error.json, and goes on', async () => {
    const events: CohortProgress[] = [];
    const result = await segmentCohort(cases, {
      out,
      segment: { model, device: 'cpu' },
      onProgress: (e) => events.push(e),
    });
    expect(result.cases).toEqual(['A', 'B', 'C']);
    expect(result.segmented).toEqual(['A', 'B']);
    expect(result.skipped).toEqual([]);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ case: 'C', code: 'ENOENT' });

    // A and B: the label map on the input grid, and the report naming the case
    for (const id of ['A', 'B']) {
      expect(readdirSync(join(out, id)).sort()).toEqual(['report.json', 'seg.nii.gz']);
      const report = JSON.parse(readFileSync(join(out, id, 'report.json'), 'utf8'));
      expect(report.case).toBe(id);
      expect(report.device).toBe('cpu');
      const seg = readNifti(new Uint8Array(readFileSync(join(out, id, 'seg.nii.gz'))));
      expect(seg.shape).toEqual(volumes.flair.shape);
      expect(new Set(seg.data).has(4)).toBe(true);
    }
    const error = JSON.parse(readFileSync(join(out, 'C', 'error.json'), 'utf8'));
    expect(error).toMatchObject({ case: 'C', code: 'ENOENT' });
    expect(error.message).toContain('C-t2.nii.gz');

    // progress: the plan, then start/done per case, then fail, then the summary
    const steps = events
      .filter((e) => e.status !== 'segment')
      .map((e) => `${e.status} ${'case' in e ? e.case : ''}`);
    expect(steps).toEqual([
      'plan ',
      'start A',
      'done A',
      'start B',
      'done B',
      'start C',
      'fail C',
      'summary ',
    ]);
    expect(events.some((e) => e.status === 'segment' && e.progress.status === 'infer')).toBe(true);

    // the summary and the shard's log
    const summary = JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8'));
    expect(summary.counts).toEqual({ total: 3, complete: 2, failed: 1, incomplete: 0, pending: 0 });
    expect(logLines().map((l) => `${l.event} ${l.case}`)).toEqual([
      'start A',
      'done A',
      'start B',
      'done B',
      'start C',
      'fail C',
    ]);
  });

  it('on a rerun: skips complete cases untouched, cleans what a killed worker left, retries failures', async () => {
    // B as a killed worker leaves it: an image renamed, the report still a temporary file
    rmSync(join(out, 'B', 'report.json'));
    writeFileSync(join(out, 'B', '.report.json.0123456789ab.tmp'), '{"case":');
    writeFileSync(join(out, 'B', '.seg.nii.gz.abcdef012345.tmp'), 'partial');
    // C's missing input appears
    writeFileSync(join(folder, 'in', 'C-t2.nii.gz'), writeNifti(volumes.t2));
    const before = statSync(join(out, 'A', 'report.json'));

    const events: CohortProgress[] = [];
    const result = await segmentCohort(cases, {
      out,
      segment: { model, device: 'cpu' },
      onProgress: (e) => events.push(e),
    });
    expect(result.skipped).toEqual(['A']);
    expect(result.segmented).toEqual(['B', 'C']);
    expect(result.failed).toEqual([]);

    // A's report is the very same file (same inode, same modification time)
    const after = statSync(join(out, 'A', 'report.json'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    // B: the leftovers are gone, a complete output is back
    expect(readdirSync(join(out, 'B')).sort()).toEqual(['report.json', 'seg.nii.gz']);
    const start = events.find((e) => e.status === 'start' && e.case === 'B');
    expect(start).toMatchObject({
      leftovers: ['.report.json.0123456789ab.tmp', '.seg.nii.gz.abcdef012345.tmp'],
    });
    // C: complete, and its error.json removed
    expect(readdirSync(join(out, 'C')).sort()).toEqual(['report.json', 'seg.nii.gz']);
    expect(JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8')).counts.complete).toBe(3);
    expect(
      logLines()
        .slice(6)
        .map((l) => `${l.event} ${l.case}`),
    ).toEqual(['skip A', 'start B', 'done B', 'start C', 'done C']);
  });

  it('runs only its shard, and writes no summary when asked not to', async () => {
    const shardOut = join(folder, 'out-shard');
    const result = await segmentCohort(cases, {
      out: shardOut,
      shard: { index: 1, count: 2 },
      segment: { model, device: 'cpu' },
      summary: false,
    });
    // sorted A, B, C: shard 1 of 2 takes position 1, B
    expect(result.cases).toEqual(['B']);
    expect(readdirSync(shardOut).sort()).toEqual(['.hadnet-cohort', 'B']);
    expect(readdirSync(join(shardOut, '.hadnet-cohort'))).toEqual(['shard-1-of-2.jsonl']);
  });

  it('warns when complete cases of the shard were made by another model, and keeps them', async () => {
    const other = join(folder, 'other.onnx');
    writeFileSync(other, flairThresholdModel(3, studentCard({ 'hadnet.codeVersion': 'another' })));
    const warnings: string[] = [];
    setLogger({ debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} }, 'warn');
    try {
      // out-shard holds B, made with the first model; A and C are still to do
      const result = await segmentCohort(cases, {
        out: join(folder, 'out-shard'),
        segment: { model: other, device: 'cpu' },
        summary: false,
      });
      expect(result.skipped).toEqual(['B']);
      expect(result.segmented).toEqual(['A', 'C']);
    } finally {
      setLogger(null, 'silent');
    }
    expect(warnings).toEqual([
      `segmentCohort: 1 complete case(s) of shard 0/1 were segmented with another model than ${other}; ` +
        'they are kept (write to another output folder to redo them)',
    ]);
  });

  it('stops the shard on a model that cannot load, leaving no case folder', async () => {
    const badOut = join(folder, 'out-bad-model');
    await expect(
      segmentCohort(cases, { out: badOut, segment: { model: join(folder, 'missing.onnx'), device: 'cpu' } }),
    ).rejects.toMatchObject({ code: 'INVALID_MODEL' });
    expect(existsSync(join(badOut, 'A'))).toBe(false);
  });

  it('refuses case ids that cannot name a folder, and ids given twice', async () => {
    await expect(segmentCohort([{ id: '../x', inputs: { flair: 'f' } }], { out })).rejects.toThrow(
      /case id "\.\.\/x" cannot name an output folder/,
    );
    await expect(
      segmentCohort(
        [
          { id: 'A', inputs: { flair: 'f' } },
          { id: 'A', inputs: { flair: 'g' } },
        ],
        { out },
      ),
    ).rejects.toThrow(/segmentCohort: case A is listed twice/);
  });
});
