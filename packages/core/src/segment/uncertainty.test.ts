import { describe, expect, it } from 'vitest';
import { binaryEntropy, regionUncertainty } from './uncertainty.js';

describe('binaryEntropy', () => {
  it('is 0 when certain, 1 bit at p = 0.5, and H(0.25) = 2 - (3/4)·log2(3) by hand', () => {
    expect(binaryEntropy(0)).toBe(0);
    expect(binaryEntropy(1)).toBe(0);
    expect(binaryEntropy(0.5)).toBe(1);
    // -(1/4)·log2(1/4) - (3/4)·log2(3/4) = 1/2 + (3/4)·(2 - log2 3) = 2 - (3/4)·log2 3
    expect(binaryEntropy(0.25)).toBeCloseTo(2 - 0.75 * Math.log2(3), 12);
    expect(binaryEntropy(0.25)).toBeCloseTo(binaryEntropy(0.75), 12);
    expect(binaryEntropy(1.0000001)).toBe(0);
  });
});

describe('regionUncertainty', () => {
  it('scores each region by the entropy of the sum of its classes, ×100', () => {
    // two voxels; classes [background, NCR/NET, ED, ET]:
    // voxel 0: [0.5, 0.1, 0.2, 0.2] -> WT 0.5, TC 0.3, ET 0.2
    // voxel 1: [1, 0, 0, 0]         -> all certain
    const probabilities = Float32Array.of(0.5, 1, 0.1, 0, 0.2, 0, 0.2, 0);
    const maps = regionUncertainty(probabilities, 4);
    const h = (p: number) => -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
    expect(maps[0]).toBeCloseTo(100, 4);
    expect(maps[2]).toBeCloseTo(100 * h(0.3), 4);
    expect(maps[4]).toBeCloseTo(100 * h(0.2), 4);
    expect([maps[1], maps[3], maps[5]]).toEqual([0, 0, 0]);
  });

  it('is 0 outside the mask', () => {
    const probabilities = Float32Array.of(0.5, 0.5, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2);
    const maps = regionUncertainty(probabilities, 4, Uint8Array.of(0, 1));
    expect(maps[0]).toBe(0);
    expect(maps[1]).toBeCloseTo(100, 4);
  });

  it('refuses arrays that do not hold whole voxels of at least 4 classes', () => {
    expect(() => regionUncertainty(new Float32Array(7), 4)).toThrow(
      /hold 7 values, not a whole number of voxels for 4 classes/,
    );
    expect(() => regionUncertainty(new Float32Array(6), 3)).toThrow(RangeError);
    expect(() => regionUncertainty(new Float32Array(8), 4, new Uint8Array(3))).toThrow(
      /mask holds 3 voxels; the probabilities 2/,
    );
  });
});
