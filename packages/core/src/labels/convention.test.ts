import { describe, expect, it } from 'vitest';
import { classesToLabels, labelsToClasses } from './convention.js';

describe('label conventions', () => {
  it('maps class indices to BraTS 2017-2021 labels (ET = 4) and back', () => {
    const classes = Uint8Array.of(0, 1, 2, 3, 3, 0);
    const labels = classesToLabels(classes, 'brats');
    expect(Array.from(labels)).toEqual([0, 1, 2, 4, 4, 0]);
    expect(Array.from(labelsToClasses(labels, 'brats'))).toEqual(Array.from(classes));
  });

  it('maps class indices to BraTS 2023 labels (ET = 3) and back', () => {
    const classes = Uint8Array.of(3, 2, 1, 0);
    const labels = classesToLabels(classes, 'brats2023');
    expect(Array.from(labels)).toEqual([3, 2, 1, 0]);
    expect(Array.from(labelsToClasses(labels, 'brats2023'))).toEqual([3, 2, 1, 0]);
  });

  it('round-trips a random label map in both conventions', () => {
    const brats = [0, 1, 2, 4];
    const labels = Int16Array.from({ length: 1000 }, (_, v) => brats[(v * 7919) % 4]);
    const classes = labelsToClasses(labels, 'brats');
    expect(Array.from(classesToLabels(classes, 'brats'))).toEqual(Array.from(labels));
    const modern = classesToLabels(classes, 'brats2023');
    expect(Array.from(modern)).toEqual(Array.from(labels, (l) => (l === 4 ? 3 : l)));
    expect(Array.from(labelsToClasses(modern, 'brats2023'))).toEqual(Array.from(classes));
  });

  it('refuses labels the convention does not know, and points to the other convention', () => {
    expect(() => labelsToClasses(Uint8Array.of(0, 3), 'brats')).toThrow(
      /voxel 1 holds label 3; the 'brats' convention uses 0, 1, 2, 4; 3 is a label of 'brats2023'/,
    );
    expect(() => labelsToClasses(Uint8Array.of(4), 'brats2023')).toThrow(/4 is a label of 'brats'/);
    expect(() => labelsToClasses(Float32Array.of(0, 1.5), 'brats')).toThrow(
      expect.objectContaining({ code: 'INVALID_VOLUME' }),
    );
    expect(() => labelsToClasses(Int16Array.of(-1), 'brats')).toThrow(/voxel 0 holds label -1/);
  });

  it('refuses class indices outside 0..3 and unknown conventions', () => {
    expect(() => classesToLabels(Uint8Array.of(0, 4), 'brats')).toThrow(
      /voxel 1 holds 4; expected a class index/,
    );
    expect(() => classesToLabels(Uint8Array.of(0), 'brats2021' as never)).toThrow(RangeError);
  });
});
