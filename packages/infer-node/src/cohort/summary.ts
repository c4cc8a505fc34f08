/**
 * The cohort summary: `OUT/cohort.json` and `OUT/cohort.csv`, assembled from the case folders that
 * exist (their `report.json` or `error.json`), by any worker at any time. Both files are written
 * atomically; a writer re-reads the folders after writing and writes again when they changed
 * meanwhile, so that concurrent writers leave a summary of the latest state. Depends on node:fs,
 * @hadnet/core's types and the other files of this folder.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SegmentReport } from '@hadnet/core';
import { caseOutputState, ERROR_FILE, REPORT_FILE } from './case-output.js';
import { csvField } from './csv.js';
import { compareIds } from './shard.js';
import { TEMPORARY_NAME, writeTextAtomic } from './write-atomic.js';

/** Summary file names in the output folder. */
export const SUMMARY_FILES = Object.freeze({ json: 'cohort.json', csv: 'cohort.csv' });

/** One case in the summary. Fields past `status` are those of its report, or of its failure. */
export interface CohortCaseSummary {
  case: string;
  /**
   * `complete` (report.json), `failed` (error.json from the last attempt), `incomplete` (a folder
   * a worker left mid-case), `pending` (in the manifest, no folder yet).
   */
  status: 'complete' | 'failed' | 'incomplete' | 'pending';
  device?: SegmentReport['device'];
  model?: { file: string; sha256: string; role: string };
  volumesMl?: SegmentReport['volumesMl'];
  timingsMs?: SegmentReport['timingsMs'];
  warnings?: string[];
  error?: { code: string; message: string };
}

/** `OUT/cohort.json`. */
export interface CohortSummary {
  /** When it was assembled (ISO 8601). */
  generatedAt: string;
  /** Cases by status; `total` counts every case listed. */
  counts: { total: number; complete: number; failed: number; incomplete: number; pending: number };
  /** Cases segmented on each device. */
  devices: Record<string, number>;
  /** The models that segmented complete cases, by SHA-256, with their case counts. */
  models: { file: string; sha256: string; role: string; cases: number }[];
  /** Every case, sorted by id. */
  cases: CohortCaseSummary[];
}

/** What a case folder needs to count as a case when no manifest says which cases exist. */
function looksLikeCase(names: readonly string[]): boolean {
  return names.some(
    (name) =>
      name === REPORT_FILE || name === ERROR_FILE || name === 'seg.nii.gz' || TEMPORARY_NAME.test(name),
  );
}

/**
 * Assembles the summary of an output folder.
 * @param out - the cohort's output folder
 * @param options - `cases`: every case id of the cohort (the manifest's). With it, only these are
 *   listed, and those without a folder are `pending`; without it, every subfolder holding
 *   report.json, error.json, seg.nii.gz or a temporary file is listed
 * @returns the summary; nothing is written
 */
export async function assembleCohortSummary(
  out: string,
  options: { cases?: readonly string[] } = {},
): Promise<CohortSummary> {
  // which cases: the manifest's, or the case-like folders
  let ids: string[];
  if (options.cases !== undefined) {
    ids = [...new Set(options.cases)];
  } else {
    ids = [];
    for (const entry of await readdir(out, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      if (looksLikeCase(await readdir(join(out, entry.name)))) ids.push(entry.name);
    }
  }
  ids.sort(compareIds);

  // each case's state, in order
  const cases: CohortCaseSummary[] = [];
  for (const id of ids) {
    const output = await caseOutputState(join(out, id), id);
    if (output.state === 'complete') {
      const { report } = output;
      cases.push({
        case: id,
        status: 'complete',
        device: report.device,
        model: { file: report.model.file, sha256: report.model.sha256, role: report.model.role },
        volumesMl: report.volumesMl,
        timingsMs: report.timingsMs,
        warnings: Array.isArray(report.warnings) ? report.warnings : [],
      });
    } else if (output.state === 'failed') {
      cases.push({
        case: id,
        status: 'failed',
        error: { code: output.failure.code, message: output.failure.message },
      });
    } else {
      cases.push({ case: id, status: output.state === 'absent' ? 'pending' : 'incomplete' });
    }
  }

  // counts, devices and models
  const count = (status: CohortCaseSummary['status']) => cases.filter((c) => c.status === status).length;
  const devices: Record<string, number> = {};
  const models = new Map<string, CohortSummary['models'][number]>();
  for (const c of cases) {
    if (c.status !== 'complete') continue;
    devices[c.device!] = (devices[c.device!] ?? 0) + 1;
    const model = models.get(c.model!.sha256) ?? { ...c.model!, cases: 0 };
    model.cases++;
    models.set(model.sha256, model);
  }
  return {
    generatedAt: new Date().toISOString(),
    counts: {
      total: cases.length,
      complete: count('complete'),
      failed: count('failed'),
      incomplete: count('incomplete'),
      pending: count('pending'),
    },
    devices,
    models: [...models.values()],
    cases,
  };
}

/** The CSV columns of `cohort.csv`. */
export const SUMMARY_CSV_COLUMNS = Object.freeze([
  'case',
  'status',
  'device',
  'model_file',
  'model_sha256',
  'et_ml',
  'tc_ml',
  'wt_ml',
  'load_ms',
  'preprocess_ms',
  'infer_ms',
  'postprocess_ms',
  'write_ms',
  'total_ms',
  'warnings',
  'error_code',
  'error_message',
]);

/**
 * The summary as CSV: a header ({@link SUMMARY_CSV_COLUMNS}), then one row per case. Volumes in
 * mL as the reports give them, timings in ms to 0.1 ms, `warnings` their count; empty cells where
 * a case has no such value.
 * @param summary - what {@link assembleCohortSummary} returned
 */
export function summaryCsv(summary: CohortSummary): string {
  const ms = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 10) / 10);
  const rows = summary.cases.map((c) =>
    [
      c.case,
      c.status,
      c.device,
      c.model?.file,
      c.model?.sha256,
      c.volumesMl?.ET,
      c.volumesMl?.TC,
      c.volumesMl?.WT,
      ms(c.timingsMs?.load),
      ms(c.timingsMs?.preprocess),
      ms(c.timingsMs?.infer),
      ms(c.timingsMs?.postprocess),
      ms(c.timingsMs?.write),
      ms(c.timingsMs?.total),
      c.warnings?.length,
      c.error?.code,
      c.error?.message,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[SUMMARY_CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

/** The summary without its time stamp, to tell whether the folders changed. */
function contents(summary: CohortSummary): string {
  return JSON.stringify({ ...summary, generatedAt: undefined });
}

/** What {@link writeCohortSummary} wrote. */
export interface WrittenCohortSummary {
  summary: CohortSummary;
  /** Paths of cohort.json and cohort.csv. */
  files: string[];
}

/**
 * Assembles the summary and writes `OUT/cohort.json` and `OUT/cohort.csv`, each atomically. Then
 * assembles again: when the case folders changed meanwhile (another worker finished a case), it
 * writes again, up to 5 rounds. Any number of workers may call it at once: each file is always
 * whole, and the last writer to finish has checked that what it wrote was current.
 * @param out - the cohort's output folder; must exist
 * @param options - `cases`: the cohort's case ids, see {@link assembleCohortSummary}
 * @returns the summary written and the two paths
 * @example
 * ```ts
 * const { summary } = await writeCohortSummary('/data/out', { cases: manifest.cases.map((c) => c.id) });
 * console.log(`${summary.counts.complete} of ${summary.counts.total} complete`);
 * ```
 */
export async function writeCohortSummary(
  out: string,
  options: { cases?: readonly string[] } = {},
): Promise<WrittenCohortSummary> {
  const folder = resolve(out);
  const files = [join(folder, SUMMARY_FILES.json), join(folder, SUMMARY_FILES.csv)];
  let summary = await assembleCohortSummary(folder, options);
  for (let round = 1; ; round++) {
    await writeTextAtomic(files[0], `${JSON.stringify(summary, null, 2)}\n`);
    await writeTextAtomic(files[1], summaryCsv(summary));
    const again = await assembleCohortSummary(folder, options);
    if (contents(again) === contents(summary) || round === 5) return { summary, files };
    summary = again;
  }
}
