/**
 * Cohort manifests: the cases to segment, parsed from CSV or JSON lines text. Each case has an id
 * (its output folder's name) and its sequences' files, or a case folder where they are found by
 * name. Relative paths are resolved against a base folder (the manifest's). Depends on node:path,
 * @hadnet/core and ./csv.
 */
import { isAbsolute, resolve } from 'node:path';
import { SEQUENCES, type Sequence } from '@hadnet/core';
import { parseCsv } from './csv.js';
import { InvalidManifestError } from './errors.js';

/** One case of a cohort. */
export interface CohortCase {
  /** The case id: the name of its output folder `OUT/<id>/`. See {@link checkCaseId}. */
  id: string;
  /** A folder holding the case's sequences, found by name as `hadnet segment --case-dir` does. */
  dir?: string;
  /** Files of single sequences (absolute paths); they win over files found in `dir`. */
  inputs: Partial<Record<Sequence, string>>;
}

/** Manifest text formats: CSV with a header row, or one JSON object per line. */
export type ManifestFormat = 'csv' | 'jsonl';

/** The columns (CSV) or keys (JSON lines) a manifest may use. `case` is required. */
export const MANIFEST_FIELDS: readonly string[] = Object.freeze(['case', 'dir', ...SEQUENCES]);

/** Names that cannot be case ids because the cohort's own files use them. */
const RESERVED_IDS = new Set(['cohort.json', 'cohort.csv']);

/** Case ids: a letter or digit, then letters, digits, `.`, `_` or `-`; 200 characters at most. */
const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Checks that a case id can name its output folder on any file system: it starts with a letter or
 * digit, holds only letters, digits, `.`, `_` and `-`, is at most 200 characters long, and is not
 * `cohort.json` or `cohort.csv`. Folders and files starting with `.` are the cohort's own.
 * @param id - the id
 * @param where - where it came from, for the message (e.g. `cases.csv line 4`)
 * @throws InvalidManifestError when it cannot
 */
export function checkCaseId(id: string, where: string): void {
  if (!CASE_ID.test(id) || RESERVED_IDS.has(id)) {
    throw new InvalidManifestError(
      `readManifest: ${where}: case id ${JSON.stringify(id)} cannot name an output folder; ` +
        'expected a letter or digit, then letters, digits, ".", "_" or "-" (at most 200), ' +
        'and not cohort.json or cohort.csv',
    );
  }
}

/** One case from its fields (CSV cells or JSON values), checked. */
function caseFromFields(fields: Map<string, string>, base: string, where: string): CohortCase {
  const id = fields.get('case') ?? '';
  if (id === '') throw new InvalidManifestError(`readManifest: ${where}: no case id (the "case" field)`);
  checkCaseId(id, where);
  const path = (value: string) => (isAbsolute(value) ? value : resolve(base, value));
  const inputs: Partial<Record<Sequence, string>> = {};
  for (const sequence of SEQUENCES) {
    const file = fields.get(sequence);
    if (file !== undefined && file !== '') inputs[sequence] = path(file);
  }
  const dir = fields.get('dir');
  if ((dir === undefined || dir === '') && Object.keys(inputs).length === 0) {
    throw new InvalidManifestError(
      `readManifest: ${where}: case ${id} has no inputs; give "dir" (a case folder) or the files ` +
        `of its sequences (${SEQUENCES.join(', ')})`,
    );
  }
  return { id, ...(dir === undefined || dir === '' ? {} : { dir: path(dir) }), inputs };
}

/** The header row's columns, checked against {@link MANIFEST_FIELDS}. */
function csvColumns(header: string[], source: string): string[] {
  const columns = header.map((c) => c.trim().toLowerCase());
  columns.forEach((column, c) => {
    if (!MANIFEST_FIELDS.includes(column)) {
      throw new InvalidManifestError(
        `readManifest: ${source} line 1: unknown column ${JSON.stringify(header[c])}; ` +
          `columns are ${MANIFEST_FIELDS.join(', ')} (case required)`,
      );
    }
    if (columns.indexOf(column) !== c) {
      throw new InvalidManifestError(`readManifest: ${source} line 1: column ${column} appears twice`);
    }
  });
  if (!columns.includes('case')) {
    throw new InvalidManifestError(
      `readManifest: ${source} line 1: the header has no "case" column; it has ${columns.join(', ')}`,
    );
  }
  return columns;
}

/** The fields of one JSON line, checked. */
function jsonFields(text: string, where: string): Map<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidManifestError(`readManifest: ${where}: not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidManifestError(
      `readManifest: ${where}: expected a JSON object; got ${text.slice(0, 80)}`,
    );
  }
  const fields = new Map<string, string>();
  for (const [key, field] of Object.entries(value)) {
    if (!MANIFEST_FIELDS.includes(key)) {
      throw new InvalidManifestError(
        `readManifest: ${where}: unknown key ${JSON.stringify(key)}; keys are ${MANIFEST_FIELDS.join(', ')}`,
      );
    }
    if (typeof field !== 'string') {
      throw new InvalidManifestError(
        `readManifest: ${where}: "${key}" must be a string; got ${JSON.stringify(field)}`,
      );
    }
    fields.set(key, field.trim());
  }
  return fields;
}

/**
 * Parses a manifest's text into cases, in the order given.
 *
 * CSV: a header row naming the columns (`case`, and any of `dir`, `flair`, `t1`, `t1ce`, `t2`, in
 * any order and letter case), then one row per case; empty cells are absent fields. JSON lines:
 * one object per line with the same keys, string values. Blank lines are skipped in both.
 * @param text - the manifest's text
 * @param options - `format`; `base`, the folder relative paths are resolved against; `source`,
 *   the file's name for messages
 * @returns the cases, each with absolute paths
 * @throws InvalidManifestError for unknown columns or keys, a case without an id or inputs, an id
 *   that cannot name a folder, an id given twice, a row with more cells than the header, or no case
 * @example
 * ```ts
 * parseManifest('case,flair,t1,t2\nA,a/flair.nii.gz,a/t1.nii.gz,a/t2.nii.gz\n', {
 *   format: 'csv', base: '/data', source: 'cases.csv',
 * });
 * // [{ id: 'A', inputs: { flair: '/data/a/flair.nii.gz', t1: ..., t2: ... } }]
 * ```
 */
export function parseManifest(
  text: string,
  options: { format: ManifestFormat; base: string; source: string },
): CohortCase[] {
  const { format, base, source } = options;
  const cases: CohortCase[] = [];
  const seen = new Map<string, string>();
  const add = (entry: CohortCase, where: string) => {
    const first = seen.get(entry.id);
    if (first !== undefined) {
      throw new InvalidManifestError(
        `readManifest: ${where}: case ${entry.id} is already listed at ${first}`,
      );
    }
    seen.set(entry.id, where);
    cases.push(entry);
  };

  if (format === 'csv') {
    // a header row, then one row per case
    let rows;
    try {
      rows = parseCsv(text, source);
    } catch (error) {
      throw new InvalidManifestError((error as Error).message.replace(/^parseCsv/, 'readManifest'), {
        cause: error,
      });
    }
    if (rows.length === 0) throw new InvalidManifestError(`readManifest: ${source} is empty`);
    const columns = csvColumns(rows[0].fields, source);
    for (const row of rows.slice(1)) {
      const where = `${source} line ${row.line}`;
      if (row.fields.length > columns.length) {
        throw new InvalidManifestError(
          `readManifest: ${where}: ${row.fields.length} cells, but the header names ${columns.length} columns`,
        );
      }
      const fields = new Map(row.fields.map((cell, c) => [columns[c], cell.trim()]));
      add(caseFromFields(fields, base, where), where);
    }
  } else if (format === 'jsonl') {
    // one object per line
    text.split(/\r?\n/).forEach((line, n) => {
      if (line.trim() === '') return;
      const where = `${source} line ${n + 1}`;
      add(caseFromFields(jsonFields(line, where), base, where), where);
    });
  } else {
    throw new TypeError(`parseManifest: format must be 'csv' or 'jsonl'; got ${JSON.stringify(format)}`);
  }

  if (cases.length === 0) throw new InvalidManifestError(`readManifest: ${source} lists no case`);
  return cases;
}
