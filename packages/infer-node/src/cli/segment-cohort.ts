/**
 * `hadnet segment-cohort`: segments a cohort, or one shard of it, into OUT/<case>/, resumably;
 * `--dry-run` prints the shards, `--summarize` writes the cohort summary from what exists. The
 * shard comes from `--shard`, Kubernetes' JOB_COMPLETION_INDEX or Slurm's array variables.
 * Progress goes to stderr, one line per step. Depends on @hadnet/core and ../cohort.
 */
import { join, resolve } from 'node:path';
import {
  caseOutputState,
  CohortIncompleteError,
  readManifest,
  resolveShard,
  segmentCohort,
  shardCases,
  writeCohortSummary,
  type CohortProgress,
  type ResolvedShard,
} from '../cohort/index.js';
import { parseArgs, segmentOptionsFromFlags } from './flags.js';
import { UsageError, type Command } from './run.js';

const usage = `Usage: hadnet segment-cohort --manifest FILE|DIR --out DIR [options]
       hadnet segment-cohort --summarize --out DIR [--manifest FILE|DIR]

Segments every case of a cohort, or one shard of it, into DIR/<case>/ (seg.nii.gz, report.json,
...). A case is complete once its report.json exists (written last): reruns skip complete cases,
so a killed worker loses only the case it was on. Research software: not for clinical decisions.

Cases and output:
  --manifest FILE|DIR   cases.csv (header: case, and any of dir, flair, t1, t1ce, t2), cases.jsonl
                        (one JSON object per line, same keys), or a folder of case folders;
                        relative paths are resolved against the manifest's folder
  --out DIR             DIR/<case>/, DIR/cohort.json and DIR/cohort.csv (the summary), and
                        DIR/.hadnet-cohort/shard-<i>-of-<n>.jsonl (each shard's log)
Shards (the cases sorted by id; shard I takes every N-th case from position I):
  --shard I/N           this worker's shard, 0 <= I < N
  --shard-count N       N, when the index comes from Kubernetes (also read from HADNET_SHARD_COUNT)
                        Without --shard: JOB_COMPLETION_INDEX (Kubernetes Indexed Job), else
                        SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT
                        (Slurm job array), else the whole cohort
  --dry-run             print which cases each shard takes and which are complete; segment nothing
  --summarize           only write DIR/cohort.json and DIR/cohort.csv from the case folders
  --json                print one JSON object on stdout, and nothing else
Segmentation (as in hadnet segment):
  --model M             an ONNX model exported by hadnet-train (default: the shipped model)
  --device auto|cuda|webgpu|cpu
                        where the model runs (default auto: CUDA, then WebGPU, then CPU)
  --labels brats|brats2023, --overlap X, --tta, --uncertainty, --strict, --zero-non-finite

Exit codes: 0 every case of the shard complete; 1 some case failed (the others are written, and
DIR/<case>/error.json says why; a rerun retries it) or bad input; 2 usage error.`;

const VALUE_FLAGS = [
  '--manifest',
  '--out',
  '--shard',
  '--shard-count',
  '--model',
  '--device',
  '--labels',
  '--overlap',
];
const SWITCHES = [
  '--dry-run',
  '--summarize',
  '--json',
  '--tta',
  '--uncertainty',
  '--strict',
  '--zero-non-finite',
];

/** This worker's shard, from the flags and the environment; bad values are usage errors. */
function shardOf(flags: Map<string, string | true>): ResolvedShard {
  const countText = flags.get('--shard-count') as string | undefined;
  const count = countText === undefined ? undefined : Number(countText);
  if (countText !== undefined && !(/^\d+$/.test(countText) && count! >= 1)) {
    throw new UsageError(`--shard-count must be a whole number >= 1; got '${countText}'`);
  }
  const flag = flags.get('--shard') as string | undefined;
  try {
    return resolveShard({ flag, count, env: process.env });
  } catch (error) {
    if (error instanceof RangeError && (flag !== undefined || countText !== undefined)) {
      throw new UsageError(error.message.replace(/^\w+: /, ''));
    }
    throw error;
  }
}

/** `1 case`, `2 cases`. */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Progress as plain lines on stderr. */
function progressLines(label: string): (progress: CohortProgress) => void {
  return (p) => {
    const line = (text: string) => process.stderr.write(`hadnet: shard ${label}: ${text}\n`);
    const at = 'position' in p ? `[${p.position}/${p.total}] ${p.case}: ` : '';
    if (p.status === 'plan') line(`${plural(p.cases.length, 'case')}, ${p.complete} already complete`);
    else if (p.status === 'skip') line(`${at}skipped, complete`);
    else if (p.status === 'start') {
      line(
        `${at}segmenting${p.leftovers.length > 0 ? ` (removed ${p.leftovers.length} leftover temporary files)` : ''}`,
      );
    } else if (p.status === 'done') line(`${at}done on ${p.device} in ${(p.ms / 1000).toFixed(1)} s`);
    else if (p.status === 'fail') line(`${at}failed: ${p.code}: ${p.message.replace(/\n/g, ' ')}`);
    else if (p.status === 'summary') {
      line(`summary ${p.path}: ${p.counts.complete} of ${p.counts.total} cases complete`);
    }
  };
}

/** `--dry-run`: every shard's cases and their state. */
async function dryRun(flags: Map<string, string | true>, json: boolean): Promise<void> {
  const manifest = await readManifest(flags.get('--manifest') as string);
  const mine = shardOf(flags);
  const out = resolve(flags.get('--out') as string);
  const shards = [];
  for (let index = 0; index < mine.shard.count; index++) {
    const cases = [];
    for (const entry of shardCases(manifest.cases, { index, count: mine.shard.count })) {
      const { state } = await caseOutputState(join(out, entry.id), entry.id);
      cases.push({ case: entry.id, status: state === 'absent' ? 'pending' : state });
    }
    shards.push({ index, cases });
  }
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ manifest: manifest.path, out, count: mine.shard.count, worker: { ...mine.shard, source: mine.source }, shards })}\n`,
    );
    return;
  }
  const width = Math.max(...manifest.cases.map((c) => c.id.length));
  for (const { index, cases } of shards) {
    const complete = cases.filter((c) => c.status === 'complete').length;
    const worker =
      mine.source !== 'none' && index === mine.shard.index ? ` (this worker, from ${mine.source})` : '';
    process.stdout.write(
      `shard ${index}/${mine.shard.count}: ${plural(cases.length, 'case')}, ${complete} complete${worker}\n`,
    );
    for (const c of cases) process.stdout.write(`  ${c.case.padEnd(width)}  ${c.status}\n`);
  }
}

export const segmentCohortCommand: Command = {
  summary: 'segment a cohort or one shard of it (Kubernetes, Slurm), resumably',
  usage,
  async run(argv) {
    // arguments
    const { flags } = parseArgs(argv, { values: VALUE_FLAGS, switches: SWITCHES });
    const out = flags.get('--out') as string | undefined;
    if (out === undefined) throw new UsageError('missing --out DIR');
    const json = flags.has('--json');
    if (flags.has('--summarize') && flags.has('--dry-run')) {
      throw new UsageError('give --summarize or --dry-run, not both');
    }

    // --summarize: only the summary
    if (flags.has('--summarize')) {
      const cases = flags.has('--manifest')
        ? (await readManifest(flags.get('--manifest') as string)).cases.map((c) => c.id)
        : undefined;
      const { summary, files } = await writeCohortSummary(out, { cases });
      if (json) process.stdout.write(`${JSON.stringify({ files, counts: summary.counts })}\n`);
      else {
        const { complete, failed, incomplete, pending, total } = summary.counts;
        process.stdout.write(
          `${complete} of ${total} cases complete, ${failed} failed, ${incomplete} incomplete, ${pending} pending\n` +
            `written     ${files.join(', ')}\n`,
        );
      }
      return;
    }
    if (!flags.has('--manifest')) throw new UsageError('missing --manifest FILE|DIR');
    if (flags.has('--dry-run')) return dryRun(flags, json);

    // one shard, case after case
    const { model, ...rest } = segmentOptionsFromFlags(flags);
    // workers may run from other folders: the model by absolute path
    const options = { ...rest, ...(typeof model === 'string' ? { model: resolve(model) } : {}) };
    const { shard, source } = shardOf(flags);
    const manifest = await readManifest(flags.get('--manifest') as string);
    const label = `${shard.index}/${shard.count}`;
    const result = await segmentCohort(manifest.cases, {
      out,
      shard,
      segment: options,
      onProgress: progressLines(label),
    });

    // what happened
    const counts = result.summary?.summary.counts;
    if (json) {
      process.stdout.write(
        `${JSON.stringify({
          shard: { ...shard, source },
          cases: result.cases,
          segmented: result.segmented,
          skipped: result.skipped,
          failed: result.failed,
          summary: result.summary ? { files: result.summary.files, counts } : null,
        })}\n`,
      );
    } else {
      process.stdout.write(
        `shard       ${label} (${source === 'none' ? 'the whole cohort' : `from ${source}`})\n` +
          `segmented   ${result.segmented.length}\n` +
          `skipped     ${result.skipped.length} (complete)\n` +
          `failed      ${result.failed.length}${result.failed.length > 0 ? ` (${result.failed.map((f) => f.case).join(', ')})` : ''}\n` +
          (counts
            ? `cohort      ${counts.complete} of ${counts.total} cases complete: ${result.summary!.files[0]}\n`
            : ''),
      );
    }
    if (result.failed.length > 0) {
      throw new CohortIncompleteError(
        `segment-cohort: ${result.failed.length} of ${result.cases.length} cases of shard ${label} failed ` +
          `(${result.failed.map((f) => `${f.case}: ${f.code}`).join(', ')}); each DIR/<case>/error.json ` +
          'says why, and a rerun retries them',
        result.failed,
      );
    }
  },
};
