/**
 * networkGrid, the grid a model sees worked out before preprocessing, against the grid core's
 * preprocess actually makes (a different code path) on the synthetic case, whose voxel axes are
 * all permuted or flipped relative to RAS, at the working spacing and two others.
 */
import { describe, expect, it } from 'vitest';
import { parseModelCard, preprocess, type Vec3 } from '@hadnet/core';
import { studentCard } from '../../../../test/helpers/onnx-model.js';
import { syntheticCase } from '../../../../test/helpers/synthetic-case.js';
import { networkGrid } from './network-grid.js';

describe('networkGrid', () => {
  const volumes = syntheticCase();
  const cases: [string, Vec3, number][] = [
    ['1 mm, multiple 16', [1, 1, 1], 16],
    ['anisotropic 2 x 1.5 x 1 mm, multiple 8', [2, 1.5, 1], 8],
    ['0.8 mm, multiple 4', [0.8, 0.8, 0.8], 4],
  ];
  for (const [name, spacing, multiple] of cases) {
    it(`equals preprocess's network grid: ${name}`, () => {
      const card = parseModelCard(
        studentCard({ 'hadnet.spacingMm': JSON.stringify(spacing), 'hadnet.padMultiple': String(multiple) }),
      );
      const prepared = preprocess(volumes, {
        channels: card.sequences,
        normalisation: card.normalisation,
        targetSpacing: card.spacingMm,
        pad: { multiple },
      });
      expect(networkGrid(card, [volumes.flair, volumes.t1, volumes.t2])).toEqual(
        prepared.record.networkShape,
      );
    });
  }

  it("is the card's roiSize for a model run in tiles", () => {
    const card = parseModelCard(
      studentCard({ 'hadnet.inputMode': 'tiles', 'hadnet.roiSize': JSON.stringify([32, 48, 64]) }),
    );
    expect(networkGrid(card, [volumes.flair])).toEqual([32, 48, 64]);
  });
});
