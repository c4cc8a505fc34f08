/**
 * One case's output folder `OUT/<case>/` in a cohort: whether it is complete, what a failed
 * attempt left, and cleaning up after a worker that was killed. A case is complete when its
 * `report.json` exists and reads as a report: `writeSegmentation` renames it into place last,
 * after every image. Depends on node:fs, @hadnet/core's types, ./errors and ./write-atomic.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SegmentReport } from '@hadnet/core';
import type { CohortFailure } from './errors.js';
import { TEMPORARY_NAME, writeTextAtomic } from './write-atomic.js';

/** The file whose presence marks a case complete. */
export const REPORT_FILE = 'report.json';

/** The file a failed attempt leaves: `{ case, code, message, time }`. */
export const ERROR_FILE = 'error.json';

/**
 * State of a case's output:
 * - `complete`: `report.json` reads as a report;
 * - `failed`: no report, and `error.json` from the last attempt;
 * - `incomplete`: the folder exists with neither (a worker stopped mid-case), or the report does
 *   not read;
 * - `absent`: no folder.
 */
export type CaseOutputState =
  | { state: 'complete'; report: SegmentReport }
  | { state: 'failed'; failure: CohortFailure & { time?: string } }
  | { state: 'incomplete'; reason: string }
  | { state: 'absent' };

/** The parsed JSON of a file, or the reason it could not be read. */
async function readJson(path: string): Promise<{ value: unknown } | { reason: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { reason: `${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { reason: `${path} is not JSON (${(error as Error).message})` };
  }
}

/** Whether a parsed value has the fields of a report that the summary uses. */
function isReport(value: unknown): value is SegmentReport {
  if (value === null || typeof value !== 'object') return false;
  const report = value as Partial<SegmentReport>;
  return (
    typeof report.case === 'string' &&
    typeof report.device === 'string' &&
    typeof report.volumesMl === 'object' &&
    report.volumesMl !== null &&
    typeof report.timingsMs === 'object' &&
    report.timingsMs !== null &&
    typeof report.model === 'object' &&
    report.model !== null
  );
}

/**
 * Reads the state of `OUT/<case>/`.
 * @param folder - the case's output folder
 * @param id - the case id, for a failure record that lacks it
 */
export async function caseOutputState(folder: string, id: string): Promise<CaseOutputState> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw error;
  }
  if (names.includes(REPORT_FILE)) {
    const read = await readJson(join(folder, REPORT_FILE));
    if ('value' in read && isReport(read.value)) return { state: 'complete', report: read.value };
    return {
      state: 'incomplete',
      reason: 'reason' in read ? read.reason : `${join(folder, REPORT_FILE)} lacks a report's fields`,
    };
  }
  if (names.includes(ERROR_FILE)) {
    const read = await readJson(join(folder, ERROR_FILE));
    const value = ('value' in read ? read.value : {}) as Partial<CohortFailure & { time: string }>;
    return {
      state: 'failed',
      failure: {
        case: id,
        code: typeof value.code === 'string' ? value.code : 'UNKNOWN',
        message: typeof value.message === 'string' ? value.message : 'reason' in read ? read.reason : '',
        ...(typeof value.time === 'string' ? { time: value.time } : {}),
      },
    };
  }
  return { state: 'incomplete', reason: 'no report.json: the last attempt stopped before writing it' };
}

/**
 * Removes what a killed worker left in a case folder: temporary files (`.<name>.<hex>.tmp`) of
 * `writeSegmentation` and of this package. Images already renamed into place stay; the next
 * `writeSegmentation` replaces them, and `report.json` is renamed last.
 * @param folder - the case's output folder (may be missing)
 * @returns the names removed
 */
export async function removeLeftovers(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const leftovers = names.filter((name) => TEMPORARY_NAME.test(name));
  await Promise.all(leftovers.map((name) => rm(join(folder, name), { force: true })));
  return leftovers;
}

/**
 * Records a failed attempt as `error.json` in the case folder (atomically).
 * @param folder - the case's output folder; must exist
 * @param failure - the case, code and message
 */
export async function writeFailure(folder: string, failure: CohortFailure): Promise<void> {
  const record = { ...failure, time: new Date().toISOString() };
  await writeTextAtomic(join(folder, ERROR_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Removes the failure record of an earlier attempt, once the case is complete.
 * @param folder - the case's output folder
 */
export async function clearFailure(folder: string): Promise<void> {
  await rm(join(folder, ERROR_FILE), { force: true });
}
