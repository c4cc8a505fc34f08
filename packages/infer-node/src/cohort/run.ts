/**
 * `segmentCohort`: segments one shard of a cohort, case after case, each into `OUT/<case>/` with
 * `writeSegmentation` (all files or none, `report.json` last). Complete cases are skipped, so a
 * rerun picks up where a killed worker stopped; what the killed case left is removed first. Each
 * event is appended to the shard's log `OUT/.hadnet-cohort/shard-<i>-of-<n>.jsonl`; at the end
 * the cohort summary is written from whatever exists. Depends on node:fs, @hadnet/core, ../segment
 * and the other files of this folder.
 */
import { createHash } from 'node:crypto';
import { access, appendFile, mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import {
  HadnetError,
  InvalidModelError,
  log,
  type ConcreteDevice,
  type ModelSource,
  type Region,
  type SegmentOptions,
  type SegmentProgress,
} from '@hadnet/core';
import { defaultModelPath, segment, writeSegmentation } from '../segment.js';
import { caseInputs } from './case-inputs.js';
import { caseOutputState, clearFailure, removeLeftovers, writeFailure } from './case-output.js';
import type { CohortFailure } from './errors.js';
import { checkCaseId, type CohortCase } from './manifest.js';
import { shardCases, type Shard } from './shard.js';
import { writeCohortSummary, type WrittenCohortSummary } from './summary.js';

/** The folder in `OUT` that holds the shards' logs. */
export const COHORT_LOG_FOLDER = '.hadnet-cohort';

/** The log file of a shard, in {@link COHORT_LOG_FOLDER}. */
export function shardLogName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}.jsonl`;
}

/** Where a case stands in its shard: `position` counts from 1 to `total`. */
interface CaseEvent {
  case: string;
  position: number;
  total: number;
}

/**
 * Progress of {@link segmentCohort}, in order: `plan`; per case `skip`, or `start`, the case's
 * own `segment` events, then `done` or `fail`; finally `summary` (unless turned off).
 */
export type CohortProgress =
  | { status: 'plan'; shard: Shard; cases: string[]; complete: number }
  | ({ status: 'skip' } & CaseEvent)
  | ({ status: 'start'; leftovers: string[] } & CaseEvent)
  | { status: 'segment'; case: string; progress: SegmentProgress }
  | ({ status: 'done'; ms: number; device: ConcreteDevice; volumesMl: Record<Region, number> } & CaseEvent)
  | ({ status: 'fail'; code: string; message: string } & CaseEvent)
  | { status: 'summary'; path: string; counts: WrittenCohortSummary['summary']['counts'] };

/** Options of {@link segmentCohort}. */
export interface SegmentCohortOptions {
  /** The output folder: one folder per case, the summary, the shards' logs. Created when missing. */
  out: string;
  /** Which shard of the cohort to segment. @defaultValue `{ index: 0, count: 1 }`, every case */
  shard?: Shard;
  /** Options of each `segment()` call; `model` defaults to the shipped model. */
  segment?: Omit<SegmentOptions, 'onProgress'>;
  /** Write `cohort.json` and `cohort.csv` at the end. @defaultValue true */
  summary?: boolean;
  /** Called at each step. */
  onProgress?: (progress: CohortProgress) => void;
}

/** What {@link segmentCohort} did. */
export interface CohortShardResult {
  shard: Shard;
  /** The shard's cases, in the order run (sorted by id). */
  cases: string[];
  /** Cases segmented by this call. */
  segmented: string[];
  /** Cases skipped because they were complete. */
  skipped: string[];
  /** Cases that failed, with their errors; retried by the next run. */
  failed: CohortFailure[];
  /** The summary written, unless `summary: false`. */
  summary?: WrittenCohortSummary;
}

/** Error codes after which every later case would fail the same way: the shard stops. */
const FATAL_CODES = new Set(['INVALID_MODEL', 'UNSUPPORTED_DEVICE']);

/** The stable code of an error: hadnet's own, Node's (`ENOENT`), or the class of a built-in one. */
function codeOf(error: unknown): string {
  if (error instanceof HadnetError) return error.code;
  if (error instanceof TypeError || error instanceof RangeError) return 'INVALID_ARGUMENT';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/** SHA-256 of a model given as a path or bytes, or undefined for a URL. */
async function modelSha256(model: ModelSource): Promise<string | undefined> {
  if (model instanceof URL) return undefined;
  const bytes =
    typeof model === 'string'
      ? await readFile(model)
      : model instanceof ArrayBuffer
        ? new Uint8Array(model)
        : model;
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The model to run: the one given, or the shipped one; a path must name an existing file, since
 * every case would fail without it.
 * @throws InvalidModelError for a missing file or no shipped model
 */
async function usableModel(model: ModelSource | undefined): Promise<ModelSource> {
  if (model === undefined) return defaultModelPath();
  if (typeof model === 'string') {
    try {
      await access(model);
    } catch (error) {
      throw new InvalidModelError(
        `segmentCohort: options.segment.model ${model} cannot be read (${(error as NodeJS.ErrnoException).code})`,
        { cause: error },
      );
    }
  }
  return model;
}

/**
 * Segments the cases of one shard (see `shardCases`: the cohort sorted by id, every COUNT-th case)
 * into `OUT/<case>/`, one after the other:
 * 1. a case whose `report.json` exists is complete: skipped (checked again just before each case,
 *    so a case is never segmented again once its output exists);
 * 2. otherwise the temporary files a killed worker left there are removed, the case is segmented
 *    and written with `writeSegmentation` (images, then `report.json` renamed last), and an
 *    `error.json` of an earlier failed attempt removed;
 * 3. a case that fails (bad or missing inputs) gets `error.json` with the code and message, and
 *    the shard goes on; a model that is missing or cannot load, a device that cannot start or an
 *    output that cannot be written stops the shard (the error is thrown).
 *
 * Each step is appended to `OUT/.hadnet-cohort/shard-<index>-of-<count>.jsonl` as
 * `{ time, host, pid, case, event: 'skip' | 'start' | 'done' | 'fail', ... }`. Shards must not
 * overlap: run each index once at a time (the Kubernetes and Slurm examples in deploy/ do).
 * @param cases - the whole cohort (every shard's cases), e.g. from `readManifest`
 * @param options - see {@link SegmentCohortOptions}
 * @returns what this shard did; failures are listed, not thrown
 * @throws InvalidManifestError for a case id that cannot name a folder, or an id given twice;
 *   RangeError for a bad shard; the errors of `segment()` that stop the shard (see above)
 * @example
 * ```ts
 * const { cases } = await readManifest('cases.csv');
 * const result = await segmentCohort(cases, {
 *   out: '/data/out',
 *   shard: resolveShard({ env: process.env }).shard,
 *   segment: { model: 'hadnet-student.onnx', device: 'auto' },
 * });
 * console.log(result.segmented.length, result.failed);
 * ```
 */
export async function segmentCohort(
  cases: readonly CohortCase[],
  options: SegmentCohortOptions,
): Promise<CohortShardResult> {
  // checks
  if (!Array.isArray(cases))
    throw new TypeError(`segmentCohort: cases must be an array; got ${typeof cases}`);
  if (typeof options?.out !== 'string' || options.out === '') {
    throw new TypeError(
      `segmentCohort: options.out must be a non-empty path; got ${JSON.stringify(options?.out)}`,
    );
  }
  const seen = new Set<string>();
  for (const entry of cases) {
    checkCaseId(entry.id, 'segmentCohort');
    if (seen.has(entry.id)) throw new RangeError(`segmentCohort: case ${entry.id} is listed twice`);
    seen.add(entry.id);
  }
  const shard = options.shard ?? { index: 0, count: 1 };
  const mine = shardCases(cases, shard);
  const out = resolve(options.out);
  const emit = options.onProgress ?? (() => {});

  // the output folder and the shard's log
  await mkdir(join(out, COHORT_LOG_FOLDER), { recursive: true });
  const logFile = join(out, COHORT_LOG_FOLDER, shardLogName(shard));
  const host = hostname();
  const record = (entry: Record<string, unknown>) =>
    appendFile(
      logFile,
      `${JSON.stringify({ time: new Date().toISOString(), host, pid: process.pid, ...entry })}\n`,
    );

  // the plan, and a warning for complete cases made by another model
  const states = await Promise.all(mine.map((c) => caseOutputState(join(out, c.id), c.id)));
  const complete = states.filter((s) => s.state === 'complete');
  emit({ status: 'plan', shard, cases: mine.map((c) => c.id), complete: complete.length });
  let model = options.segment?.model;
  if (complete.length > 0 && complete.length < mine.length) {
    model = await usableModel(model);
    const sha256 = await modelSha256(model);
    const other = complete.filter((s) => s.state === 'complete' && s.report.model.sha256 !== sha256);
    if (sha256 !== undefined && other.length > 0) {
      log.warn(
        `segmentCohort: ${other.length} complete case(s) of shard ${shard.index}/${shard.count} were ` +
          `segmented with another model than ${typeof model === 'string' ? model : 'the one given'}; ` +
          'they are kept (write to another output folder to redo them)',
      );
    }
  }

  // the cases, one after the other
  const result: CohortShardResult = {
    shard,
    cases: mine.map((c) => c.id),
    segmented: [],
    skipped: [],
    failed: [],
  };
  for (const [p, entry] of mine.entries()) {
    const where = { case: entry.id, position: p + 1, total: mine.length };
    const folder = join(out, entry.id);

    // complete: skip
    if ((await caseOutputState(folder, entry.id)).state === 'complete') {
      result.skipped.push(entry.id);
      await record({ case: entry.id, event: 'skip' });
      emit({ status: 'skip', ...where });
      continue;
    }

    // what a killed worker left, then the case
    const leftovers = await removeLeftovers(folder);
    await record({ case: entry.id, event: 'start', ...(leftovers.length > 0 ? { leftovers } : {}) });
    emit({ status: 'start', leftovers, ...where });
    const started = performance.now();
    let segmented;
    try {
      model = await usableModel(model);
      segmented = await segment(await caseInputs(entry), {
        ...options.segment,
        model,
        onProgress: (progress) => emit({ status: 'segment', case: entry.id, progress }),
      });
    } catch (error) {
      const failure = {
        case: entry.id,
        code: codeOf(error),
        message: (error as Error)?.message ?? String(error),
      };
      if (FATAL_CODES.has(failure.code)) throw error;
      await mkdir(folder, { recursive: true });
      await writeFailure(folder, failure);
      await record({ case: entry.id, event: 'fail', code: failure.code, message: failure.message });
      result.failed.push(failure);
      emit({ status: 'fail', ...failure, ...where });
      continue;
    }
    const { report } = await writeSegmentation(segmented, folder, { case: entry.id });
    await clearFailure(folder);
    const ms = performance.now() - started;
    await record({ case: entry.id, event: 'done', ms: Math.round(ms), device: report.device });
    result.segmented.push(entry.id);
    emit({ status: 'done', ms, device: report.device, volumesMl: report.volumesMl, ...where });
  }

  // the summary of everything that exists now
  if (options.summary !== false) {
    result.summary = await writeCohortSummary(out, { cases: cases.map((c) => c.id) });
    emit({ status: 'summary', path: result.summary.files[0], counts: result.summary.summary.counts });
  }
  return result;
}
