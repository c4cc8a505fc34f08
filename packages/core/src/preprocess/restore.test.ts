import { describe, expect, it } from 'vitest';
import { labelsToClasses } from '../labels/convention.js';
import type { Vec3 } from '../volume.js';
import { preprocess } from './preprocess.js';
import type { PadOption, PreprocessRecord } from './record.js';
import { restoreToOriginal, toNetworkGrid } from './restore.js';
import {
  caseInOrder,
  inOrder,
  ORDERS,
  RAS_SHAPE,
  rasArray,
  rasLabels,
  sourceGrid,
  inBrain,
} from './synthetic.testing.js';

const truth = rasLabels();
const rasAt = ([i, j, k]: Vec3) => truth[i + RAS_SHAPE[0] * (j + RAS_SHAPE[1] * k)];

// what the network grid should hold, worked out from the record's numbers alone: network voxel p
// is working voxel p - offset, which is RAS voxel p - offset + crop start inside the crop
function expectNetworkLabels(net: ArrayLike<number>, record: PreprocessRecord): void {
  const [nx, ny, nz] = record.pad.shape;
  let v = 0;
  let inside = 0;
  for (let d = 0; d < nz; d++)
    for (let h = 0; h < ny; h++)
      for (let w = 0; w < nx; w++, v++) {
        const working = [w, h, d].map((p, a) => p - record.pad.offset[a]);
        const kept = working.every((x, a) => x >= 0 && x < record.crop.size[a]);
        const expected = kept ? rasAt(working.map((x, a) => x + record.crop.start[a]) as Vec3) : 0;
        if (net[v] !== expected)
          throw new Error(`network voxel (${w}, ${h}, ${d}) holds ${net[v]}, expected ${expected}`);
        if (kept) inside++;
      }
  expect(inside).toBeGreaterThan(0);
}

describe('restoreToOriginal after preprocess', () => {
  const pads: PadOption[] = [{ multiple: 16 }, { multiple: 1 }, { shape: [12, 20, 18] }];
  for (const order of ORDERS) {
    for (const margin of [0, 2]) {
      for (const pad of pads) {
        it(`returns a label map exactly: ${order.name}, margin ${margin}, pad ${JSON.stringify(pad)}`, () => {
          const labels = inOrder(truth, order).data as Uint8Array;
          const { record } = preprocess(caseInOrder(order), { margin, pad });
          const net = toNetworkGrid(labels, record);
          expectNetworkLabels(net, record);
          const [restored] = restoreToOriginal(net, record);
          const grid = sourceGrid(order);
          expect(restored.shape).toEqual(grid.shape);
          expect(restored.affine).toEqual(grid.affine);
          expect(restored.data).toBeInstanceOf(Uint8Array);
          expect(restored.data).toEqual(labels);
        });
      }
    }
  }

  it('fills what a centre crop cut away with 0, and keeps the rest', () => {
    const order = ORDERS[3];
    const labels = inOrder(truth, order).data;
    const { record } = preprocess(caseInOrder(order), { pad: { shape: [6, 10, 8] } });
    // the 12 x 14 x 9 crop loses 2 voxels before along i and j and 1 along k: RAS i in [5, 13),
    // j in [4, 14), k in [2, 8) survive
    const kept = rasArray(Uint8Array, (i, j, k) =>
      i >= 5 && i < 13 && j >= 4 && j < 14 && k >= 2 && k < 8 ? truth[i + 20 * (j + 18 * k)] : 0,
    );
    const [restored] = restoreToOriginal(toNetworkGrid(labels, record), record);
    expect(restored.data).toEqual(inOrder(kept, order).data);
  });

  it('brings probabilities back trilinear, then argmax, in either layout', () => {
    for (const layout of ['NCDHW', 'NDHWC'] as const) {
      const order = ORDERS[1];
      const classes = labelsToClasses(inOrder(truth, order).data, 'brats');
      const oneHot = new Float32Array(4 * classes.length);
      classes.forEach((c, v) => (oneHot[c * classes.length + v] = 0.9));
      const { record } = preprocess(caseInOrder(order), { layout, margin: 1 });
      const probabilities = toNetworkGrid(oneHot, record, { channels: 4, interpolation: 'linear' });
      expect(probabilities).toBeInstanceOf(Float32Array);
      const [argmax] = restoreToOriginal(probabilities, record, { interpolation: 'linear', argmax: true });
      expect(argmax.data).toEqual(classes);
      const channels = restoreToOriginal(probabilities, record, {
        interpolation: 'linear',
        fill: [1, 0, 0, 0],
      });
      expect(channels).toHaveLength(4);
      expect(channels[2].data).toEqual(oneHot.subarray(2 * classes.length, 3 * classes.length));
    }
  });

  it('undoes an integer upsampling exactly with nearest interpolation', () => {
    for (const order of [ORDERS[0], ORDERS[4]]) {
      const labels = inOrder(truth, order).data;
      // the RAS grid is 1.5 x 1 x 2 mm: half of it doubles every side of the 12 x 14 x 9 crop
      const { record, shape } = preprocess(caseInOrder(order), { targetSpacing: [0.75, 0.5, 1] });
      expect(record.resample).toEqual({
        shape: [24, 28, 18],
        spacing: [0.75, 0.5, 1],
        targetSpacing: [0.75, 0.5, 1],
      });
      expect(shape).toEqual([1, 3, 32, 32, 32]);
      const [restored] = restoreToOriginal(toNetworkGrid(labels, record), record);
      expect(restored.data).toEqual(labels);
    }
  });

  it('resamples the images trilinearly to a coarser spacing and restores the grid', () => {
    // 3 x 2 x 4 mm: the crop 12 x 14 x 9 becomes 6 x 7 x 5 (4.5 rounds up), padded to 16³ at (5, 4, 5)
    const { record, tensor } = preprocess(caseInOrder(ORDERS[0]), {
      targetSpacing: [3, 2, 4],
      normalisation: 'zscore',
    });
    expect(record.resample).toEqual({ shape: [6, 7, 5], spacing: [3, 2, 3.6], targetSpacing: [3, 2, 4] });
    expect(record.pad).toEqual({ offset: [5, 4, 5], shape: [16, 16, 16] });
    // working voxel x along i samples crop position 2x + 0.5: flair 103.5 + 2x, z = (2x - 5) / √(143/12)
    const network = (x: number, y: number, z: number) => (z + 5) * 256 + (y + 4) * 16 + (x + 5);
    expect(tensor[network(1, 3, 2)]).toBeCloseTo(-3 / Math.sqrt(143 / 12), 5);
    expect(tensor[network(4, 1, 3)]).toBeCloseTo(3 / Math.sqrt(143 / 12), 5);

    // a brain of one class comes back as that class over the whole crop
    const oedema = rasArray(Uint8Array, (i, j, k) => (inBrain(i, j, k) ? 2 : 0));
    const oneHot = new Float32Array(4 * oedema.length);
    oedema.forEach((c, v) => (oneHot[c * oedema.length + v] = 1));
    const probabilities = toNetworkGrid(oneHot, record, { channels: 4, interpolation: 'linear' });
    const [classes] = restoreToOriginal(probabilities, record, { interpolation: 'linear', argmax: true });
    expect(classes.data).toEqual(oedema);
  });

  it('refuses values that do not fit the network grid', () => {
    const { record } = preprocess(caseInOrder(ORDERS[0]));
    expect(() => restoreToOriginal(new Float32Array(4097), record)).toThrow(
      /values hold 4097 numbers; the network grid \[16, 16, 16\] \(depth, height, width\) needs 4096 per channel/,
    );
    expect(() => toNetworkGrid(new Uint8Array(10), record)).toThrow(
      /1 channels of the inputs' grid 20x18x12 need 4320/,
    );
  });
});
