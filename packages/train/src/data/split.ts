/**
 * Split files (../shared/CONTRACTS.md): `{ "train": [ids], "val": [ids], "test": [ids] }`. Reading
 * one checks it (no id in two lists or twice in one, no id the data folder lacks); making one
 * shuffles the case ids with a seed, so the same seed always gives the same split; K-fold
 * cross-validation holds the test cases out of every fold. A documented split fixes its test and
 * validation ids instead of drawing them.
 * May depend on: node:fs, `@hadnet/core` (errors), ./random, ../run/atomic.
 */
import { readFile } from 'node:fs/promises';
import { InvalidRunError } from '@hadnet/core';
import { writeFileAtomic } from '../run/atomic.js';
import { Random } from './random.js';

/** A split of case ids. Test ids are never trained on nor used to choose a checkpoint. */
export interface Split {
  train: string[];
  val: string[];
  test: string[];
}

const LISTS = ['train', 'val', 'test'] as const;

/** Options of {@link validateSplit}. */
export interface ValidateSplitOptions {
  /** The case ids that exist (a data folder's); ids outside them are refused. */
  knownIds?: readonly string[];
  /** Names the split in messages (a file path). @defaultValue `'the split'` */
  source?: string;
}

/**
 * Checks a parsed split file and returns it as a {@link Split}. `test` may be omitted (empty).
 *
 * @throws InvalidRunError naming the offending ids: a list that is not an array of strings, an
 *   id twice in one list, an id in two lists (with both), or ids not in `knownIds`
 */
export function validateSplit(value: unknown, options: ValidateSplitOptions = {}): Split {
  const source = options.source ?? 'the split';
  const fn = 'validateSplit';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRunError(
      `${fn}: ${source} must be an object { train, val, test }; got ${describe(value)}`,
    );
  }
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).filter((k) => !(LISTS as readonly string[]).includes(k));
  if (extra.length > 0) {
    throw new InvalidRunError(
      `${fn}: ${source} has unknown keys ${extra.join(', ')}; expected train, val, test`,
    );
  }
  const split: Split = { train: [], val: [], test: [] };
  for (const list of LISTS) {
    const ids = record[list];
    if (ids === undefined && list === 'test') continue;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id.length > 0)) {
      throw new InvalidRunError(
        `${fn}: ${source}: '${list}' must be an array of case ids; got ${describe(ids)}`,
      );
    }
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (twice.length > 0) {
      throw new InvalidRunError(
        `${fn}: ${source}: '${list}' lists ${unique(twice).join(', ')} more than once`,
      );
    }
    split[list] = [...ids];
  }

  // no id in two lists
  const overlaps: string[] = [];
  for (let a = 0; a < LISTS.length; a++) {
    for (let b = a + 1; b < LISTS.length; b++) {
      const shared = split[LISTS[a]].filter((id) => split[LISTS[b]].includes(id));
      if (shared.length > 0) overlaps.push(`${shared.join(', ')} in both '${LISTS[a]}' and '${LISTS[b]}'`);
    }
  }
  if (overlaps.length > 0) {
    throw new InvalidRunError(`${fn}: ${source} has overlapping ids: ${overlaps.join('; ')}`);
  }

  // no id the data lacks
  if (options.knownIds !== undefined) {
    const known = new Set(options.knownIds);
    const unknown = LISTS.flatMap((list) =>
      split[list].filter((id) => !known.has(id)).map((id) => `${id} (${list})`),
    );
    if (unknown.length > 0) {
      throw new InvalidRunError(
        `${fn}: ${source} names ${unknown.length} case${unknown.length === 1 ? '' : 's'} the data folder does not ` +
          `hold: ${unknown.join(', ')}`,
      );
    }
  }
  return split;
}

/**
 * Reads and checks a split file (see {@link validateSplit}).
 * @throws InvalidRunError when the file cannot be read, is not JSON, or fails the checks
 */
export async function readSplitFile(
  path: string,
  options: Omit<ValidateSplitOptions, 'source'> = {},
): Promise<Split> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown';
    throw new InvalidRunError(`readSplitFile: cannot read ${path} (${code})`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidRunError(`readSplitFile: ${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return validateSplit(value, { ...options, source: path });
}

/** Writes a split as JSON (two-space indented), atomically. */
export async function writeSplitFile(path: string, split: Split): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(split, null, 2)}\n`);
}

/** Options of {@link makeSplit}. */
export interface MakeSplitOptions {
  /** Validation cases drawn at random. Not with `valIds`. @defaultValue 15% of the cases, rounded, at least 1 */
  val?: number;
  /** Test cases drawn at random. Not with `testIds`. @defaultValue 15% of the cases, rounded, at least 1 */
  test?: number;
  /** The validation cases, fixed instead of drawn (a documented split). Not with `val`. */
  valIds?: readonly string[];
  /** The test cases, fixed instead of drawn (a documented split). Not with `test`. */
  testIds?: readonly string[];
  /** Seeds the shuffle. @defaultValue 0 */
  seed?: number;
}

/** The default size of the validation and the test list for `n` cases. */
export function defaultHoldOut(n: number): number {
  return Math.max(1, Math.round(0.15 * n));
}

function checkIds(fn: string, ids: readonly string[]): string[] {
  const sorted = [...ids].sort();
  const twice = sorted.filter((id, i) => i > 0 && sorted[i - 1] === id);
  if (twice.length > 0) throw new RangeError(`${fn}: ids repeat: ${unique(twice).join(', ')}`);
  return sorted;
}

function checkCount(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${fn}: ${name} must be a whole number >= 0; got ${value}`);
  }
}

/** Fixed lists of a split, checked, and the ids left to shuffle. */
interface FixedIds {
  test?: string[];
  val?: string[];
  rest: string[];
}

/**
 * Checks the fixed `testIds` and `valIds` against `sorted` (all ids) and each other.
 * @throws TypeError when a count comes with its fixed list; RangeError when an id repeats or is in
 *   both lists; InvalidRunError naming the ids that `sorted` lacks
 */
function fixIds(
  fn: string,
  sorted: readonly string[],
  options: Pick<MakeSplitOptions, 'test' | 'testIds' | 'val' | 'valIds'>,
): FixedIds {
  const lists = { test: options.testIds, val: options.valIds };
  for (const list of ['test', 'val'] as const) {
    const fixed = lists[list];
    if (fixed === undefined) continue;
    if (options[list] !== undefined) {
      throw new TypeError(`${fn}: give ${list} (a count) or ${list}Ids (the cases), not both`);
    }
    const twice = fixed.filter((id, i) => fixed.indexOf(id) !== i);
    if (twice.length > 0) throw new RangeError(`${fn}: ${list}Ids repeat ${unique(twice).join(', ')}`);
  }
  const both = (lists.test ?? []).filter((id) => lists.val?.includes(id));
  if (both.length > 0) throw new RangeError(`${fn}: ${both.join(', ')} in both testIds and valIds`);

  // every fixed id must be a known case
  const known = new Set(sorted);
  const unknown = (['test', 'val'] as const).flatMap((list) =>
    (lists[list] ?? []).filter((id) => !known.has(id)).map((id) => `${id} (${list})`),
  );
  if (unknown.length > 0) {
    throw new InvalidRunError(
      `${fn}: testIds and valIds name ${unknown.length} case${unknown.length === 1 ? '' : 's'} not among the ` +
        `${sorted.length} case ids: ${unknown.join(', ')}`,
    );
  }
  const taken = new Set([...(lists.test ?? []), ...(lists.val ?? [])]);
  return {
    test: lists.test && [...lists.test].sort(),
    val: lists.val && [...lists.val].sort(),
    rest: sorted.filter((id) => !taken.has(id)),
  };
}

/**
 * A split of `ids`. Fixed `testIds` and `valIds` are taken as given; the other ids are sorted,
 * shuffled with `seed`, and the first `test` go to test (unless fixed), the next `val` to val
 * (unless fixed), the rest to train (each list then sorted). The same ids, fixed lists and seed
 * give the same split whatever order the ids come in; with neither list fixed, the split is the
 * one earlier versions drew.
 *
 * @throws RangeError when the counts are not whole numbers or leave no training case, or ids
 *   repeat (in `ids`, in a fixed list, or across both fixed lists)
 * @throws TypeError when `test` comes with `testIds`, or `val` with `valIds`
 * @throws InvalidRunError naming the fixed ids that `ids` lacks
 * @example
 * ```ts
 * makeSplit(['a', 'b', 'c', 'd', 'e'], { val: 1, test: 1, seed: 3 }); // 3 train, 1 val, 1 test
 * makeSplit(['a', 'b', 'c', 'd', 'e'], { valIds: ['b'], testIds: ['d', 'e'] });
 * // { train: ['a', 'c'], val: ['b'], test: ['d', 'e'] }
 * ```
 */
export function makeSplit(ids: readonly string[], options: MakeSplitOptions = {}): Split {
  const fn = 'makeSplit';
  const sorted = checkIds(fn, ids);
  const fixed = fixIds(fn, sorted, options);
  const drawTest = fixed.test === undefined ? (options.test ?? defaultHoldOut(sorted.length)) : 0;
  const drawVal = fixed.val === undefined ? (options.val ?? defaultHoldOut(sorted.length)) : 0;
  checkCount(fn, 'val', drawVal);
  checkCount(fn, 'test', drawTest);
  const val = fixed.val?.length ?? drawVal;
  const test = fixed.test?.length ?? drawTest;
  if (val + test >= sorted.length) {
    throw new RangeError(
      `${fn}: val ${val} + test ${test} leave no training case out of ${sorted.length}; lower --val or --test`,
    );
  }

  // draw what is not fixed from the rest
  const order = new Random(options.seed ?? 0).shuffle(fixed.rest);
  return {
    train: order.slice(drawTest + drawVal).sort(),
    val: fixed.val ?? order.slice(drawTest, drawTest + drawVal).sort(),
    test: fixed.test ?? order.slice(0, drawTest).sort(),
  };
}

/** Options of {@link makeFolds}. */
export interface MakeFoldsOptions {
  /** Number of folds, at least 2. */
  folds: number;
  /** Test cases held out of every fold, drawn at random. Not with `testIds`. @defaultValue 15% of the cases, rounded, at least 1 */
  test?: number;
  /** The test cases held out of every fold, fixed instead of drawn. Not with `test`. */
  testIds?: readonly string[];
  /** Seeds the shuffle. @defaultValue 0 */
  seed?: number;
}

/**
 * K splits for cross-validation: the test cases (`testIds`, or `test` chosen as {@link makeSplit}
 * chooses them) are held out of all of them; the others, shuffled, are dealt into K folds of sizes
 * differing by at most one, and split k validates on fold k and trains on the rest.
 *
 * @throws RangeError when `folds` < 2 or exceeds the cases left after the test cases
 * @throws TypeError when `test` comes with `testIds`; InvalidRunError naming test ids `ids` lacks
 */
export function makeFolds(ids: readonly string[], options: MakeFoldsOptions): Split[] {
  const fn = 'makeFolds';
  const sorted = checkIds(fn, ids);
  const { folds } = options;
  const fixed = fixIds(fn, sorted, { test: options.test, testIds: options.testIds });
  const drawTest = fixed.test === undefined ? (options.test ?? defaultHoldOut(sorted.length)) : 0;
  checkCount(fn, 'test', drawTest);
  const test = fixed.test?.length ?? drawTest;
  if (!Number.isInteger(folds) || folds < 2)
    throw new RangeError(`${fn}: folds must be a whole number >= 2; got ${folds}`);
  const rest = sorted.length - test;
  if (folds > rest) {
    throw new RangeError(
      `${fn}: ${folds} folds need at least ${folds} cases besides the ${test} test cases; have ${rest}`,
    );
  }

  // hold the test cases out, deal the rest
  const order = new Random(options.seed ?? 0).shuffle(fixed.rest);
  const testIds = fixed.test ?? order.slice(0, drawTest).sort();
  const pool = order.slice(drawTest);
  const dealt: string[][] = Array.from({ length: folds }, () => []);
  pool.forEach((id, i) => dealt[i % folds].push(id));
  return dealt.map((fold, k) => ({
    train: dealt
      .filter((_, j) => j !== k)
      .flat()
      .sort(),
    val: [...fold].sort(),
    test: [...testIds],
  }));
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
