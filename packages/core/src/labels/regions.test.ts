import { describe, expect, it } from 'vitest';
import { regionMask, regionMasks } from './regions.js';

describe('regions', () => {
  it('builds ET = {3}, TC = {1, 3} and WT = {1, 2, 3} masks', () => {
    const classes = Uint8Array.of(0, 1, 2, 3);
    const { enhancingTumour, tumourCore, wholeTumour } = regionMasks(classes);
    expect(Array.from(enhancingTumour)).toEqual([0, 0, 0, 1]);
    expect(Array.from(tumourCore)).toEqual([0, 1, 0, 1]);
    expect(Array.from(wholeTumour)).toEqual([0, 1, 1, 1]);
  });

  it('refuses an unknown region', () => {
    expect(() => regionMask(Uint8Array.of(1), 'NCR' as never)).toThrow(/region must be one of ET, TC, WT/);
  });
});
