import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../volume.js';
import { postprocessLabels } from './postprocess.js';

const shape: Vec3 = [6, 5, 4];
const at = (i: number, j: number, k: number) => i + 6 * (j + 5 * k);

function caseWithTwoTumours(): Uint8Array {
  const classes = new Uint8Array(120);
  // a 2x2x2 block of oedema with one ET voxel inside (8 voxels), in the corner
  for (let k = 0; k < 2; k++)
    for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) classes[at(i, j, k)] = 2;
  classes[at(1, 1, 1)] = 3;
  // a lone NCR voxel far away, touching nothing
  classes[at(5, 4, 3)] = 1;
  // an ET voxel touching the block only at a corner: joined with 26-connectivity, apart with 6
  classes[at(2, 2, 2)] = 3;
  return classes;
}

describe('postprocessLabels', () => {
  it('changes nothing and records nothing when no step is asked for', () => {
    const classes = caseWithTwoTumours();
    const { classes: out, record } = postprocessLabels(classes, shape);
    expect(Array.from(out)).toEqual(Array.from(classes));
    expect(record).toEqual({ options: {} });
  });

  it('drops components smaller than the size, by 26- or 6-connectivity', () => {
    const classes = caseWithTwoTumours();
    const wide = postprocessLabels(classes, shape, { minComponentVoxels: 2 });
    // 26: the block and the corner voxel form one 9-voxel component; the lone voxel goes
    expect(wide.record.removedComponents).toEqual({ count: 1, voxels: 1 });
    expect(wide.classes[at(5, 4, 3)]).toBe(0);
    expect(wide.classes[at(2, 2, 2)]).toBe(3);
    expect(wide.record.options.connectivity).toBe(26);

    const narrow = postprocessLabels(classes, shape, { minComponentVoxels: 2, connectivity: 6 });
    expect(narrow.record.removedComponents).toEqual({ count: 2, voxels: 2 });
    expect(narrow.classes[at(2, 2, 2)]).toBe(0);
    expect(narrow.classes[at(0, 0, 0)]).toBe(2);
    expect(classes[at(2, 2, 2)]).toBe(3);
  });

  it('relabels ET as NCR/NET only when the case has some ET but less than the threshold', () => {
    const classes = caseWithTwoTumours();
    const few = postprocessLabels(classes, shape, { minEnhancingTumourVoxels: 3 });
    expect(few.record.relabelledEnhancingVoxels).toBe(2);
    expect(few.classes[at(1, 1, 1)]).toBe(1);
    expect(few.classes[at(2, 2, 2)]).toBe(1);
    expect(few.classes.includes(3)).toBe(false);

    const enough = postprocessLabels(classes, shape, { minEnhancingTumourVoxels: 2 });
    expect(enough.record.relabelledEnhancingVoxels).toBe(0);
    expect(Array.from(enough.classes)).toEqual(Array.from(classes));
  });

  it('refuses negative or fractional sizes', () => {
    expect(() => postprocessLabels(new Uint8Array(120), shape, { minComponentVoxels: -1 })).toThrow(
      /minComponentVoxels must be a whole number >= 0; got -1/,
    );
  });
});
