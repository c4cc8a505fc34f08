import { describe, expect, it } from 'vitest';
import { studentCard } from '../../../../test/helpers/onnx-model.js';
import { parseModelCard } from './model-card.js';

describe('parseModelCard', () => {
  it('parses the student card of CONTRACTS.md', () => {
    expect(parseModelCard(studentCard())).toEqual({
      format: 1,
      role: 'student',
      sequences: ['flair', 't1', 't2'],
      classes: 4,
      normalisation: 'hadnet',
      spacingMm: [1, 1, 1],
      inputMode: 'whole',
      padMultiple: 16,
      mirrorAxes: ['width'], // no hadnet.mirrorAxes: left-right, as hadnet trains
      training: { data: 'none: a hand-made test model', epochs: 0 },
      codeVersion: '0.1.0-test',
    });
  });

  it('reads hadnet.mirrorAxes, an empty list included', () => {
    expect(parseModelCard(studentCard({ 'hadnet.mirrorAxes': '["depth","width"]' })).mirrorAxes).toEqual([
      'depth',
      'width',
    ]);
    expect(parseModelCard(studentCard({ 'hadnet.mirrorAxes': '[]' })).mirrorAxes).toEqual([]);
  });

  it('parses a tiled teacher card with class names, and ignores unknown keys', () => {
    const card = parseModelCard({
      ...studentCard({
        'hadnet.role': 'teacher',
        'hadnet.sequences': '["flair","t1ce","t1","t2"]',
        'hadnet.classes': '["background","NCR/NET","ED","ET"]',
        'hadnet.inputMode': 'tiles',
        'hadnet.roiSize': '[96, 128, 112]',
        'hadnet.spacingMm': '[1.5, 1.5, 2]',
      }),
      'other.key': 'anything',
    });
    expect(card).toMatchObject({
      role: 'teacher',
      sequences: ['flair', 't1ce', 't1', 't2'],
      classes: 4,
      classNames: ['background', 'NCR/NET', 'ED', 'ET'],
      inputMode: 'tiles',
      roiSize: [96, 128, 112],
      spacingMm: [1.5, 1.5, 2],
    });
  });

  // one named case per key: the value, and what the message must say
  const bad: [string, Record<string, string | undefined>, RegExp][] = [
    [
      'no card at all',
      { 'hadnet.format': undefined },
      /has no hadnet model card: metadata key 'hadnet.format' is missing/,
    ],
    ['format 2', { 'hadnet.format': '2' }, /'hadnet.format' must be "1"; got "2"/],
    [
      'an unknown role',
      { 'hadnet.role': 'pupil' },
      /'hadnet.role' must be one of teacher, student, hadnet; got "pupil"/,
    ],
    ['a missing role', { 'hadnet.role': undefined }, /'hadnet.role' must be .*; the key is missing/],
    [
      'sequences not JSON',
      { 'hadnet.sequences': 'flair,t1' },
      /'hadnet.sequences' must be a JSON array of distinct sequence names/,
    ],
    [
      'an unknown sequence',
      { 'hadnet.sequences': '["flair","t1n"]' },
      /'hadnet.sequences' must be .*; got "\[\\"flair\\",\\"t1n\\"\]"/,
    ],
    [
      'a repeated sequence',
      { 'hadnet.sequences': '["flair","flair"]' },
      /'hadnet.sequences' must be a JSON array of distinct/,
    ],
    ['one class', { 'hadnet.classes': '1' }, /'hadnet.classes' must be a JSON whole number >= 2/],
    [
      'a normalisation typo',
      { 'hadnet.normalisation': 'z-score' },
      /'hadnet.normalisation' must be one of hadnet, zscore; got "z-score"/,
    ],
    ['two spacings', { 'hadnet.spacingMm': '[1, 1]' }, /'hadnet.spacingMm' must be a JSON array \[x, y, z\]/],
    ['a zero spacing', { 'hadnet.spacingMm': '[1, 0, 1]' }, /'hadnet.spacingMm' must be .* each > 0/],
    [
      'an unknown mode',
      { 'hadnet.inputMode': 'patches' },
      /'hadnet.inputMode' must be one of whole, tiles; got "patches"/,
    ],
    [
      'tiles without roiSize',
      { 'hadnet.inputMode': 'tiles' },
      /'hadnet.roiSize' must be a JSON array \[depth, height, width\].*the key is missing/,
    ],
    [
      'a roiSize off the multiple',
      { 'hadnet.inputMode': 'tiles', 'hadnet.roiSize': '[96, 100, 96]' },
      /'hadnet.roiSize' must be .* each a multiple of hadnet.padMultiple \(16\); got "\[96, 100, 96\]"/,
    ],
    [
      'a fractional padMultiple',
      { 'hadnet.padMultiple': '1.5' },
      /'hadnet.padMultiple' must be a whole number >= 1; got "1.5"/,
    ],
    [
      'padMultiple 0',
      { 'hadnet.padMultiple': '0' },
      /'hadnet.padMultiple' must be a whole number >= 1; got "0"/,
    ],
    [
      'training not an object',
      { 'hadnet.training': '[1]' },
      /'hadnet.training' must be a JSON object; got "\[1\]"/,
    ],
    [
      'a mirror axis that is not one',
      { 'hadnet.mirrorAxes': '["x"]' },
      /'hadnet.mirrorAxes' must be a JSON array of distinct axes among depth, height, width \(may be empty\); got "\[\\"x\\"\]"/,
    ],
    [
      'a mirror axis twice',
      { 'hadnet.mirrorAxes': '["width","width"]' },
      /'hadnet.mirrorAxes' must be a JSON array of distinct axes/,
    ],
    [
      'an empty codeVersion',
      { 'hadnet.codeVersion': ' ' },
      /'hadnet.codeVersion' must be a non-empty string/,
    ],
  ];
  for (const [name, overrides, message] of bad) {
    it(`refuses ${name} with an InvalidModelError naming the key`, () => {
      expect(() => parseModelCard(studentCard(overrides))).toThrow(
        expect.objectContaining({ code: 'INVALID_MODEL', message: expect.stringMatching(message) }),
      );
    });
  }
});
