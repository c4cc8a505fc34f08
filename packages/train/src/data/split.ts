/**
 * Split files (../shared/CONTRACTS.md): `{ "train": [ids], "val": [ids], "test": [ids] }`. Reading
 * one checks it (no id in two lists or twice in one, no id the data folder lacks); making one
 * shuffles the case ids with a seed, so the same seed always gives the same split; K-fold
 * cross-validation holds the test cases out of every fold.
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
  /** Validation cases. @defaultValue 15% of the cases, rounded, at least 1 */
  val?: number;
  /** Test cases. @defaultValue 15% of the cases, rounded, at least 1 */
  test?: number;
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

/**
 * A random split of `ids`: the ids are sorted, shuffled with `seed`, and the first `test` go to
 * test, the next `val` to val, the rest to train (each list then sorted). The same ids and seed
 * give the same split whatever order the ids come in.
 *
 * @throws RangeError when the counts are not whole numbers or leave no training case, or ids repeat
 * @example
 * ```ts
 * makeSplit(['a', 'b', 'c', 'd', 'e'], { val: 1, test: 1, seed: 3 }); // 3 train, 1 val, 1 test
 * ```
 */
export function makeSplit(ids: readonly string[], options: MakeSplitOptions = {}): Split {
  const fn = 'makeSplit';
  const sorted = checkIds(fn, ids);
  const val = options.val ?? defaultHoldOut(sorted.length);
  const test = options.test ?? defaultHoldOut(sorted.length);
  checkCount(fn, 'val', val);
  checkCount(fn, 'test', test);
  if (val + test >= sorted.length) {
    throw new RangeError(
      `${fn}: val ${val} + test ${test} leave no training case out of ${sorted.length}; lower --val or --test`,
    );
  }
  const order = new Random(options.seed ?? 0).shuffle(sorted);
  return {
    train: order.slice(val + test).sort(),
    val: order.slice(test, test + val).sort(),
    test: order.slice(0, test).sort(),
  };
}

/** Options of {@link makeFolds}. */
export interface MakeFoldsOptions {
  /** Number of folds, at least 2. */
  folds: number;
  /** Test cases held out of every fold. @defaultValue 15% of the cases, rounded, at least 1 */
  test?: number;
  /** Seeds the shuffle. @defaultValue 0 */
  seed?: number;
}

/**
 * K splits for cross-validation: `test` cases (chosen as {@link makeSplit} chooses them) are held
 * out of all of them; the others, shuffled, are dealt into K folds of sizes differing by at most
 * one, and split k validates on fold k and trains on the rest.
 *
 * @throws RangeError when `folds` < 2 or exceeds the cases left after the test cases
 */
export function makeFolds(ids: readonly string[], options: MakeFoldsOptions): Split[] {
  const fn = 'makeFolds';
  const sorted = checkIds(fn, ids);
  const { folds } = options;
  const test = options.test ?? defaultHoldOut(sorted.length);
  checkCount(fn, 'test', test);
  if (!Number.isInteger(folds) || folds < 2)
    throw new RangeError(`${fn}: folds must be a whole number >= 2; got ${folds}`);
  const rest = sorted.length - test;
  if (folds > rest) {
    throw new RangeError(
      `${fn}: ${folds} folds need at least ${folds} cases besides the ${test} test cases; have ${rest}`,
    );
  }
  const order = new Random(options.seed ?? 0).shuffle(sorted);
  const testIds = order.slice(0, test).sort();
  const pool = order.slice(test);
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
