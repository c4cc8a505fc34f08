/**
 * `hadnet-train split --data DIR [--val N | --val-ids IDS] [--test N | --test-ids IDS] [--folds K]
 * [--seed S] [--out FILE] [--json]`: a split file of a BraTS-layout folder's cases, or K of them for
 * cross-validation, the same for the same cases, fixed ids and seed.
 * May depend on: node:path, `@hadnet/core` (errors), ../data, ./args, ./run.
 */
import { basename, dirname, extname, join } from 'node:path';
import { InvalidRunError } from '@hadnet/core';
import { findCases } from '../data/layout.js';
import { defaultHoldOut, makeFolds, makeSplit, writeSplitFile, type Split } from '../data/split.js';
import { numberOption, parseOptions, required } from './args.js';
import { UsageError, type Command } from './run.js';

const usage = `Usage: hadnet-train split --data DIR [--val N | --val-ids IDS] [--test N | --test-ids IDS]
                          [--folds K] [--seed S] [--out FILE] [--json]

Writes a split file { "train": [...], "val": [...], "test": [...] } of the cases in DIR. The case
ids are sorted and shuffled with the seed, so the same cases and seed give the same split. Fixed
ids (--test-ids, --val-ids) are taken as given and the others drawn from the rest, so a documented
split is one command.

Options:
  --data DIR      a BraTS-layout folder (<case>/flair.nii.gz ..., BraTS 2017-2021 or 2023+ names)
  --val N         validation cases (default: 15% of the cases, at least 1)
  --val-ids IDS   the validation cases, comma-separated case ids (not with --val or --folds)
  --test N        test cases, never trained on nor used to choose a checkpoint (default: 15%, at least 1)
  --test-ids IDS  the test cases, comma-separated case ids (not with --test)
  --folds K       K splits for cross-validation: the test cases are held out of all of them, the
                  others dealt into K folds; split k validates on fold k (needs --out; not with --val)
  --seed S        seeds the shuffle (default 0)
  --out FILE      where to write; with --folds, FILE's name gets -fold1 ... -foldK before its extension.
                  Without --out the split is printed on stdout
  --json          print { files, splits } on stdout (with --out)

Example (the split that ../shared/data/brats-sample/README.md documents):
  hadnet-train split --data ../shared/data/brats-sample --val-ids Brats18_CBICA_AQN_1 \\
    --test-ids Brats18_TCIA03_265_1,Brats18_TCIA10_637_1 --out split.json`;

/**
 * A comma-separated list of case ids, or undefined when absent.
 * @throws UsageError for an empty list or an empty id (`a,,b`)
 */
function idsOption(value: string | undefined, flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((id) => id.trim());
  if (ids.some((id) => id === '')) {
    throw new UsageError(`${flag} must be case ids separated by commas, none empty; got '${value}'`);
  }
  return ids;
}

/** `split.json` and fold 2 of 5 -> `split-fold2.json`. */
export function foldFileName(out: string, fold: number): string {
  const ext = extname(out) || '.json';
  return join(dirname(out), `${basename(out, extname(out))}-fold${fold}${ext}`);
}

const counts = (s: Split): string => `${s.train.length} train, ${s.val.length} val, ${s.test.length} test`;

/** The `split` command. */
export const splitCommand: Command = {
  summary: 'write a train/val/test split file (or K for cross-validation) of a data folder',
  usage,
  async run(argv, io) {
    const values = parseOptions(argv, {
      data: { type: 'string' },
      val: { type: 'string' },
      'val-ids': { type: 'string' },
      test: { type: 'string' },
      'test-ids': { type: 'string' },
      folds: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    const data = required(values.data, '--data', 'DIR');
    const val = numberOption(values.val, '--val', 'integer', 0);
    const test = numberOption(values.test, '--test', 'integer', 0);
    const folds = numberOption(values.folds, '--folds', 'integer', 2);
    const seed = numberOption(values.seed, '--seed', 'integer', 0) ?? 0;
    const valIds = idsOption(values['val-ids'], '--val-ids');
    const testIds = idsOption(values['test-ids'], '--test-ids');
    if (folds !== undefined && (val !== undefined || valIds !== undefined)) {
      const flag = val !== undefined ? '--val' : '--val-ids';
      throw new UsageError(`${flag} does not go with --folds: each fold is the validation set of one split`);
    }
    if (val !== undefined && valIds !== undefined)
      throw new UsageError('give --val N or --val-ids IDS, not both');
    if (test !== undefined && testIds !== undefined) {
      throw new UsageError('give --test N or --test-ids IDS, not both');
    }
    if (folds !== undefined && values.out === undefined) throw new UsageError('--folds needs --out FILE');
    if (values.json && values.out === undefined)
      throw new UsageError('--json needs --out FILE (without it the split is printed)');

    const ids = (await findCases(data)).map((c) => c.id);

    // fixed ids the data folder lacks are a typed error naming them
    const missing = [
      ...(testIds ?? []).filter((id) => !ids.includes(id)).map((id) => `${id} (--test-ids)`),
      ...(valIds ?? []).filter((id) => !ids.includes(id)).map((id) => `${id} (--val-ids)`),
    ];
    if (missing.length > 0) {
      const held = ids.length <= 20 ? `: ${ids.join(', ')}` : ` (${ids.slice(0, 3).join(', ')}, ...)`;
      throw new InvalidRunError(
        `split: ${data} holds no case named ${missing.join(', ')}; it holds ${ids.length} cases${held}`,
      );
    }
    let splits: Split[];
    try {
      splits =
        folds === undefined
          ? [makeSplit(ids, { val, valIds, test, testIds, seed })]
          : makeFolds(ids, { folds, test, testIds, seed });
    } catch (error) {
      if (error instanceof RangeError) {
        throw new UsageError(
          `${error.message} (${ids.length} cases in ${data}; default hold-out ${defaultHoldOut(ids.length)})`,
        );
      }
      throw error;
    }
    if (values.out === undefined) {
      io.stdout(`${JSON.stringify(splits[0], null, 2)}\n`);
      return;
    }
    const files = folds === undefined ? [values.out] : splits.map((_, k) => foldFileName(values.out!, k + 1));
    for (let k = 0; k < splits.length; k++) await writeSplitFile(files[k], splits[k]);
    if (values.json) {
      io.stdout(`${JSON.stringify({ files, splits })}\n`);
      return;
    }
    io.stdout(files.map((f, k) => `wrote ${f}: ${counts(splits[k])}\n`).join(''));
  },
};
