/**
 * How `hadnet evaluate --pred-dir --truth-dir` pairs truth cases with predictions (matchCases): equal
 * ids first, then ids that extend one another after `_`, `-` or `.`; a truth case with none is
 * MISSING_PREDICTION, one with several (or sharing its one) is AMBIGUOUS_PREDICTION.
 */
import { describe, expect, it } from 'vitest';
import { matchCases, type Candidate } from '../packages/infer-node/src/cli/evaluate-cases.js';

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
