import { describe, expect, it } from 'vitest';
import type { SegmentationEvaluation } from './evaluate.js';
import { evaluationsCsv, meanEvaluation } from './summary.js';

function result(dice: number, hd95: number, score?: number): SegmentationEvaluation {
  const m = { dice, hd95, sensitivity: dice, specificity: 1, volumeMl: { pred: 2 * dice, truth: 1 } };
  const u = score === undefined ? undefined : { aucDice: score, aucFtp: 0, aucFtn: 0, score };
  return {
    regions: { ET: m, TC: m, WT: m },
    ...(u ? { uncertainty: { ET: u, TC: u, WT: u } } : {}),
  };
}

describe('meanEvaluation', () => {
  it('averages every metric over the cases, and uncertainty over the cases that have it', () => {
    // Dice (0.5 + 1) / 2 = 0.75; HD95 (373.13 + 1) / 2 = 187.065; pred volume (1 + 2) / 2 = 1.5;
    // uncertainty only from the first case: 0.9
    const m = meanEvaluation([result(0.5, 373.13, 0.9), result(1, 1)]);
    expect(m.regions.ET.dice).toBe(0.75);
    expect(m.regions.TC.hd95).toBeCloseTo(187.065, 12);
    expect(m.regions.WT.volumeMl).toEqual({ pred: 1.5, truth: 1 });
    expect(m.uncertainty?.ET?.score).toBe(0.9);
    expect(meanEvaluation([result(1, 0)]).uncertainty).toBeUndefined();
    expect(() => meanEvaluation([])).toThrow(/holds no case/);
  });
});

describe('evaluationsCsv', () => {
  it('writes a header and one row per case, quoting ids that need it', () => {
    const csv = evaluationsCsv([{ case: 'a,b', result: result(0.5, 2) }]);
    const [header, row, end] = csv.split('\n');
    expect(header.split(',')).toHaveLength(1 + 3 * 6);
    expect(header.startsWith('case,ET_dice,ET_hd95,ET_sensitivity,ET_specificity,ET_volume_pred_ml,')).toBe(
      true,
    );
    expect(row).toBe(`"a,b",${Array(3).fill('0.5,2,0.5,1,1,1').join(',')}`);
    expect(end).toBe('');
  });

  it('adds uncertainty columns, empty for cases without scores', () => {
    const lines = evaluationsCsv([
      { case: 'x', result: result(1, 0, 0.8) },
      { case: 'y', result: result(1, 0) },
    ]).split('\n');
    expect(lines[0].split(',')).toHaveLength(1 + 3 * 10);
    expect(lines[0]).toContain('WT_unc_score');
    expect(lines[1].endsWith('1,0,1,1,2,1,0.8,0,0,0.8')).toBe(true);
    expect(lines[2].endsWith('1,0,1,1,2,1,,,,')).toBe(true);
  });
});
