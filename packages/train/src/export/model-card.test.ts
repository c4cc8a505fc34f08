import { describe, expect, it } from 'vitest';
import { InvalidModelError, MODEL_CARD_KEYS, parseModelCard, type ModelCard } from '@hadnet/core';
import { modelCardMetadata } from './model-card.js';

const student: ModelCard = {
  format: 1,
  role: 'student',
  sequences: ['flair', 't1', 't2'],
  classes: 4,
  normalisation: 'hadnet',
  spacingMm: [2, 2, 2],
  inputMode: 'whole',
  padMultiple: 16,
  mirrorAxes: ['width'],
  training: {
    data: 'brats-sample',
    split: 'split.json',
    epochs: 3,
    preset: 'small',
    validationDice: { ET: 0.5 },
  },
  codeVersion: '0.1.0',
};

describe('modelCardMetadata', () => {
  it('writes the CONTRACTS.md keys as strings, JSON where the contract says so', () => {
    expect(modelCardMetadata(student)).toEqual({
      'hadnet.format': '1',
      'hadnet.role': 'student',
      'hadnet.sequences': '["flair","t1","t2"]',
      'hadnet.classes': '4',
      'hadnet.normalisation': 'hadnet',
      'hadnet.spacingMm': '[2,2,2]',
      'hadnet.inputMode': 'whole',
      'hadnet.padMultiple': '16',
      'hadnet.mirrorAxes': '["width"]',
      'hadnet.training':
        '{"data":"brats-sample","split":"split.json","epochs":3,"preset":"small","validationDice":{"ET":0.5}}',
      'hadnet.codeVersion': '0.1.0',
    });
  });

  it("uses only the contract's keys, and all of them for a tiled model", () => {
    const tiles: ModelCard = { ...student, role: 'hadnet', inputMode: 'tiles', roiSize: [96, 96, 96] };
    const keys = Object.keys(modelCardMetadata(tiles)).sort();
    expect(keys).toEqual([...MODEL_CARD_KEYS].sort());
    expect(modelCardMetadata(tiles)['hadnet.roiSize']).toBe('[96,96,96]');
  });

  it('is read back by parseModelCard as the very card given', () => {
    const teacher: ModelCard = {
      ...student,
      role: 'teacher',
      sequences: ['flair', 't1ce', 't1', 't2'],
      classNames: ['background', 'NCR/NET', 'ED', 'ET'],
      normalisation: 'zscore',
      inputMode: 'tiles',
      roiSize: [64, 80, 64],
    };
    const unmirrored: ModelCard = { ...student, mirrorAxes: [] };
    for (const card of [student, teacher, unmirrored]) {
      expect(parseModelCard(modelCardMetadata(card))).toEqual(card);
    }
    expect(modelCardMetadata(teacher)['hadnet.classes']).toBe('["background","NCR/NET","ED","ET"]');
  });

  it("refuses a card segment() would refuse, with parseModelCard's message", () => {
    const noTile = { ...student, inputMode: 'tiles' } as ModelCard;
    expect(() => modelCardMetadata(noTile)).toThrow(InvalidModelError);
    expect(() => modelCardMetadata(noTile)).toThrow(
      /metadata key 'hadnet.roiSize' must be .*the key is missing/,
    );
    const badSequence = { ...student, sequences: ['flair', 't1', 'dwi'] } as unknown as ModelCard;
    expect(() => modelCardMetadata(badSequence)).toThrow(/'hadnet.sequences' must be a JSON array/);
    expect(() => modelCardMetadata(null as unknown as ModelCard)).toThrow(TypeError);
  });
});
