import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFolds, makeSplit, readSplitFile, validateSplit, writeSplitFile } from './split.js';

const ids = Array.from({ length: 12 }, (_, i) => `case${String(i).padStart(2, '0')}`);

describe('validateSplit', () => {
  it('accepts a split and fills a missing test list', () => {
    expect(validateSplit({ train: ['a', 'b'], val: ['c'] })).toEqual({
      train: ['a', 'b'],
      val: ['c'],
      test: [],
    });
  });

  it('refuses overlapping ids, naming them and both lists', () => {
    const bad = { train: ['a', 'b', 'c'], val: ['c'], test: ['a', 'd'] };
    expect(() => validateSplit(bad, { source: 'split.json' })).toThrow(
      /validateSplit: split.json has overlapping ids: c in both 'train' and 'val'; a in both 'train' and 'test'$/,
    );
    try {
      validateSplit(bad);
    } catch (error) {
      expect((error as { code: string }).code).toBe('INVALID_RUN');
    }
  });

  it('refuses ids the data folder lacks, naming them and their list', () => {
    expect(() =>
      validateSplit({ train: ['a', 'x'], val: ['y'], test: [] }, { knownIds: ['a', 'b'] }),
    ).toThrow(/names 2 cases the data folder does not hold: x \(train\), y \(val\)/);
  });

  it('refuses repeated ids, unknown keys and non-lists', () => {
    expect(() => validateSplit({ train: ['a', 'a'], val: [] })).toThrow(/'train' lists a more than once/);
    expect(() => validateSplit({ train: [], val: [], extra: [] })).toThrow(/unknown keys extra/);
    expect(() => validateSplit({ train: 'a', val: [] })).toThrow(
      /'train' must be an array of case ids; got "a"/,
    );
    expect(() => validateSplit([1, 2])).toThrow(/must be an object/);
  });
});

describe('split files', () => {
  it('round-trip through disk; bad JSON is an INVALID_RUN error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hadnet-split-'));
    const file = join(dir, 'split.json');
    await writeSplitFile(file, { train: ['a'], val: ['b'], test: ['c'] });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ train: ['a'], val: ['b'], test: ['c'] });
    expect(await readSplitFile(file, { knownIds: ['a', 'b', 'c'] })).toEqual({
      train: ['a'],
      val: ['b'],
      test: ['c'],
    });
    writeFileSync(file, '{ not json');
    await expect(readSplitFile(file)).rejects.toThrow(/readSplitFile: .*split.json is not JSON/);
    await expect(readSplitFile(join(dir, 'none.json'))).rejects.toThrow(/cannot read .*none.json \(ENOENT\)/);
  });
});

describe('makeSplit', () => {
  it('makes disjoint lists of the asked sizes that cover every id', () => {
    const s = makeSplit(ids, { val: 2, test: 3, seed: 1 });
    expect([s.train.length, s.val.length, s.test.length]).toEqual([7, 2, 3]);
    expect([...s.train, ...s.val, ...s.test].sort()).toEqual(ids);
    expect(() => validateSplit(s, { knownIds: ids })).not.toThrow();
  });

  it('is deterministic per seed and independent of the ids order', () => {
    const a = makeSplit(ids, { val: 2, test: 2, seed: 9 });
    expect(makeSplit([...ids].reverse(), { val: 2, test: 2, seed: 9 })).toEqual(a);
    const others = [1, 2, 3, 4, 5].map((seed) => makeSplit(ids, { val: 2, test: 2, seed }));
    expect(others.some((o) => JSON.stringify(o) !== JSON.stringify(a))).toBe(true);
  });

  it('defaults to 15% (at least 1) for val and test', () => {
    const s = makeSplit(ids);
    expect([s.val.length, s.test.length]).toEqual([2, 2]); // round(1.8)
    expect(makeSplit(['a', 'b', 'c']).train).toHaveLength(1);
  });

  it('refuses counts that leave no training case', () => {
    expect(() => makeSplit(['a', 'b'], { val: 1, test: 1 })).toThrow(/leave no training case out of 2/);
    expect(() => makeSplit(['a', 'a', 'b'])).toThrow(/ids repeat: a/);
  });
});

describe('makeSplit with fixed ids', () => {
  it('takes fixed test and val ids as given and trains on every other id', () => {
    expect(makeSplit(ids, { testIds: ['case07', 'case03'], valIds: ['case11'], seed: 5 })).toEqual({
      train: ['case00', 'case01', 'case02', 'case04', 'case05', 'case06', 'case08', 'case09', 'case10'],
      val: ['case11'],
      test: ['case03', 'case07'],
    });
  });

  it('draws the list that is not fixed from the other ids only', () => {
    for (const seed of [0, 1, 2, 3]) {
      const s = makeSplit(ids, { testIds: ['case00', 'case01'], val: 3, seed });
      expect(s.test).toEqual(['case00', 'case01']);
      expect(s.val).toHaveLength(3);
      expect(s.val.some((id) => id === 'case00' || id === 'case01')).toBe(false);
      expect([...s.train, ...s.val, ...s.test].sort()).toEqual(ids);
      const v = makeSplit(ids, { valIds: ['case05'], test: 2, seed });
      expect(v.val).toEqual(['case05']);
      expect(v.test).toHaveLength(2);
      expect(v.test).not.toContain('case05');
    }
  });

  it('refuses ids the list lacks (typed, naming them), repeats, overlaps and a count beside its list', () => {
    expect(() => makeSplit(ids, { testIds: ['case01', 'nope'], valIds: ['gone'] })).toThrow(
      expect.objectContaining({
        code: 'INVALID_RUN',
        message:
          'makeSplit: testIds and valIds name 2 cases not among the 12 case ids: nope (test), gone (val)',
      }),
    );
    expect(() => makeSplit(ids, { testIds: ['case01', 'case01'] })).toThrow(
      new RangeError('makeSplit: testIds repeat case01'),
    );
    expect(() => makeSplit(ids, { testIds: ['case01', 'case02'], valIds: ['case02'] })).toThrow(
      new RangeError('makeSplit: case02 in both testIds and valIds'),
    );
    expect(() => makeSplit(ids, { test: 2, testIds: ['case01'] })).toThrow(TypeError);
    expect(() => makeSplit(['a', 'b'], { testIds: ['a'], valIds: ['b'] })).toThrow(
      /val 1 \+ test 1 leave no training case out of 2/,
    );
  });

  it('holds fixed test ids out of every fold', () => {
    const folds = makeFolds(ids, { folds: 2, testIds: ['case04'], seed: 1 });
    for (const f of folds) expect(f.test).toEqual(['case04']);
    expect(folds.flatMap((f) => f.val).sort()).toEqual(ids.filter((id) => id !== 'case04'));
    expect(() => makeFolds(ids, { folds: 2, testIds: ['x'] })).toThrow(/makeFolds: .*x \(test\)/);
  });
});

describe('makeFolds', () => {
  it('holds the test cases out of every fold and validates on each case once', () => {
    const folds = makeFolds(ids, { folds: 3, test: 2, seed: 4 });
    expect(folds).toHaveLength(3);
    const test = folds[0].test;
    expect(test).toHaveLength(2);
    for (const f of folds) {
      expect(f.test).toEqual(test);
      expect(() => validateSplit(f, { knownIds: ids })).not.toThrow();
      expect(f.train.length + f.val.length).toBe(10);
    }
    const vals = folds.flatMap((f) => f.val).sort();
    expect(vals).toEqual(ids.filter((id) => !test.includes(id)));
    expect(folds.map((f) => f.val.length).sort()).toEqual([3, 3, 4]);
    expect(makeFolds(ids, { folds: 3, test: 2, seed: 4 })).toEqual(folds);
  });

  it('refuses fewer than 2 folds or more folds than cases', () => {
    expect(() => makeFolds(ids, { folds: 1 })).toThrow(/folds must be a whole number >= 2; got 1/);
    expect(() => makeFolds(['a', 'b', 'c'], { folds: 3, test: 1 })).toThrow(
      /3 folds need at least 3 cases besides the 1 test cases; have 2/,
    );
  });
});
