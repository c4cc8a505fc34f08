import { describe, expect, it } from 'vitest';
import type { Affine } from '../volume.js';
import { regionVolumesMl, voxelVolumeMm3 } from './volumes.js';

describe('regionVolumesMl', () => {
  it('counts each region’s classes times the voxel volume', () => {
    // 2 NCR/NET, 3 ED, 4 ET, 5 background; voxels 1 x 2 x 3 mm = 6 mm³
    const classes = Uint8Array.from([...'11', ...'222', ...'3333', ...'00000'].map(Number));
    const affine: Affine = [
      [1, 0, 0, 0],
      [0, 2, 0, 0],
      [0, 0, 3, 0],
      [0, 0, 0, 1],
    ];
    const volumes = regionVolumesMl(classes, affine);
    expect(volumes.ET).toBeCloseTo((4 * 6) / 1000, 12);
    expect(volumes.TC).toBeCloseTo((6 * 6) / 1000, 12);
    expect(volumes.WT).toBeCloseTo((9 * 6) / 1000, 12);
  });

  it('gives the decimal mL of a whole number of mm³ without float noise (55370 voxels of 1 mm³: 55.37)', () => {
    const classes = new Uint8Array(60_000);
    classes.fill(2, 0, 55_370);
    const identity: Affine = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ];
    expect(regionVolumesMl(classes, identity).WT).toBe(55.37);
    expect(String(regionVolumesMl(classes, identity).WT)).toBe('55.37');
  });

  it('takes the voxel volume from the affine’s determinant, so rotations and flips do not change it', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const rotatedFlipped: Affine = [
      [-2 * c, 2 * s, 0, 10],
      [2 * s, 2 * c, 0, -4],
      [0, 0, -0.5, 7],
      [0, 0, 0, 1],
    ];
    expect(voxelVolumeMm3(rotatedFlipped)).toBeCloseTo(2 * 2 * 0.5, 12);
  });
});
