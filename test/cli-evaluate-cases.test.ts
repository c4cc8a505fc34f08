/**
 * How `hadnet evaluate --pred-dir --truth-dir` pairs truth cases with predictions (matchCases): equal
 * ids first, then ids that extend one another after `_`, `-` or `.`; a truth case with none is
 * MISSING_PREDICTION, one with several (or sharing its one) is AMBIGUOUS_PREDICTION.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listCases, matchCases, type Candidate } from '../packages/infer-node/src/cli/evaluate-cases.js';

const candidate = (id: string): Candidate => ({ id, file: `${id}.nii.gz`, sequences: [] });
const pairs = (truthIds: string[], predIds: string[]) => {
  const { cases, unusedPreds } = matchCases(predIds.map(candidate), truthIds.map(candidate));
  return {
    cases: cases.map((c) => [c.truth.id, c.id, c.pred?.id ?? c.unmatched?.code]),
    unusedPreds,
  };
};

describe('matchCases', () => {
  it("an equal id is taken first, so a shorter id cannot take a longer one's prediction", () => {
    expect(pairs(['A', 'A_1'], ['A_1', 'A_seg'])).toEqual({
      cases: [
        ['A', 'A', 'A_seg'],
        ['A_1', 'A_1', 'A_1'],
      ],
      unusedPreds: [],
    });
  });

  it('a truth id extended after _, - or . matches, and a prediction id extended by the truth too', () => {
    expect(
      pairs(['Brats18_X_1', 'P7-seg', 'Q'], ['Brats18_X_1_seg', 'P7', 'Q.pred', 'Brats18_X_10']),
    ).toEqual({
      cases: [
        ['Brats18_X_1', 'Brats18_X_1', 'Brats18_X_1_seg'],
        ['P7-seg', 'P7', 'P7'],
        ['Q', 'Q', 'Q.pred'],
      ],
      unusedPreds: ['Brats18_X_10'],
    });
  });

  it('no prediction: MISSING_PREDICTION; two for one case, or one for two cases: AMBIGUOUS_PREDICTION', () => {
    expect(pairs(['B', 'C', 'D_1', 'D_2'], ['B_x', 'B_y', 'D'])).toEqual({
      cases: [
        ['B', 'B', 'AMBIGUOUS_PREDICTION'],
        ['C', 'C', 'MISSING_PREDICTION'],
        ['D_1', 'D_1', 'AMBIGUOUS_PREDICTION'],
        ['D_2', 'D_2', 'AMBIGUOUS_PREDICTION'],
      ],
      unusedPreds: [],
    });
    const { cases } = matchCases(['B_x', 'B_y'].map(candidate), [candidate('B')]);
    expect(cases[0].unmatched?.reason).toBe(
      '2 predictions match this case (B_x.nii.gz, B_y.nii.gz); rename them apart',
    );
  });
});

describe('listCases', () => {
  const touch = (dir: string, names: string[]) => {
    mkdirSync(dir, { recursive: true });
    for (const n of names) writeFileSync(join(dir, n), '');
  };

  it('finds label maps and sequences by the BraTS 2017-2021 and 2023 names of the case-file table', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-list-cases-'));
    touch(join(root, 'Brats18_X_1'), [
      'Brats18_X_1_flair.nii.gz',
      'Brats18_X_1_t1.nii.gz',
      'Brats18_X_1_seg.nii.gz',
    ]);
    touch(join(root, 'c-23'), ['c-23-t2f.nii.gz', 'c-23-seg.nii.gz']);
    touch(join(root, 'no-labels'), ['flair.nii.gz']);
    const cases = await listCases(root, 'truth');
    expect(cases.map((c) => [c.id, c.file, c.sequences, c.problem])).toEqual([
      [
        'Brats18_X_1',
        join(root, 'Brats18_X_1', 'Brats18_X_1_seg.nii.gz'),
        [
          join(root, 'Brats18_X_1', 'Brats18_X_1_flair.nii.gz'),
          join(root, 'Brats18_X_1', 'Brats18_X_1_t1.nii.gz'),
        ],
        undefined,
      ],
      ['c-23', join(root, 'c-23', 'c-23-seg.nii.gz'), [join(root, 'c-23', 'c-23-t2f.nii.gz')], undefined],
    ]);
  });

  it("marks a folder with two label maps (hadnet's seg.nii.gz beside <case>_seg.nii.gz) as a problem", async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-list-cases-'));
    touch(join(root, 'Brats18_X_1'), ['Brats18_X_1_flair.nii.gz', 'Brats18_X_1_seg.nii.gz', 'seg.nii.gz']);
    const [only] = await listCases(root, 'truth');
    expect(only.problem).toBe(
      `${join(root, 'Brats18_X_1')} holds 2 label maps (Brats18_X_1_seg.nii.gz, seg.nii.gz); keep only the reference there`,
    );
  });
});
