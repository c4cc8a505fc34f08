import { describe, expect, it } from 'vitest';
import { identityAffine, type Volume } from '../volume.js';
import { preprocess } from './preprocess.js';
import { caseInOrder, inOrder, ORDERS, rasArray, inBrain, RAS_SHAPE } from './synthetic.testing.js';

const ras = ORDERS[0];
// network voxel of RAS voxel (i, j, k) with no margin and padding to 16: the crop starts at
// (3, 2, 1) and the 12 x 14 x 9 crop sits at offset (2, 1, 3) in 16³
const at = (c: number, i: number, j: number, k: number) => c * 4096 + (k + 2) * 256 + (j - 1) * 16 + (i - 1);

describe('preprocess', () => {
  it('crops to the brain, pads centred to a multiple of 16 and z-scores each channel in order', () => {
    const { tensor, shape, layout, channels, record, warnings } = preprocess(caseInOrder(ras), {
      normalisation: 'zscore',
    });
    expect(layout).toBe('NCDHW');
    expect(shape).toEqual([1, 3, 16, 16, 16]);
    expect(channels).toEqual(['flair', 't1', 't2']);
    expect(warnings).toEqual([]);
    expect(record.crop).toEqual({ start: [3, 2, 1], size: [12, 14, 9], margin: [0, 0, 0] });
    expect(record.pad).toEqual({ offset: [2, 1, 3], shape: [16, 16, 16] });
    expect(record.networkShape).toEqual([16, 16, 16]);
    // flair 100 + i (mean 108.5, std √(143/12)); t1 200 + j (std √(195/12)); t2 300 + k (std √(80/12))
    expect(tensor[at(0, 3, 2, 1)]).toBeCloseTo(-1.5932550136, 6);
    expect(tensor[at(1, 3, 2, 1)]).toBeCloseTo(-1.6124515497, 6);
    expect(tensor[at(2, 3, 2, 1)]).toBeCloseTo(-1.5491933385, 6);
    expect(tensor[at(0, 14, 15, 9)]).toBeCloseTo(1.5932550136, 6);
    expect(tensor[at(2, 14, 15, 9)]).toBeCloseTo(1.5491933385, 6);
    expect(tensor[0]).toBe(0);
    expect(record.normalisation.stats.flair).toEqual({ mean: 108.5, std: expect.closeTo(3.4520525295, 9) });
  });

  it("rescales as the reference does with 'hadnet', the low end from the cropped box", () => {
    const tight = preprocess(caseInOrder(ras));
    // min z inside the tight box is flair's at i = 3: -1.593255; i = 14 → 3.186510 / 4.593255
    expect(tight.tensor[at(0, 3, 5, 5)]).toBe(0);
    expect(tight.tensor[at(0, 14, 5, 5)]).toBeCloseTo(0.6937367984, 6);
    expect(tight.tensor[at(2, 8, 8, 5)]).toBeCloseTo(0.3405424266, 6);

    // a margin of 1 brings background zeros into the box: min z = -108.5 / √(143/12)
    const wide = preprocess(caseInOrder(ras), { margin: 1 });
    expect(wide.record.crop).toEqual({ start: [2, 1, 0], size: [14, 16, 11], margin: [1, 1, 1] });
    expect(wide.record.normalisation.stats.flair!.minZ).toBeCloseTo(-31.430576178, 6);
    // the 14 x 16 x 11 crop pads to 16³ at offset (1, 0, 2): RAS (14, 5, 5) is network (13, 4, 7)
    expect(wide.tensor[7 * 256 + 4 * 16 + 13]).toBeCloseTo(0.9591425662, 6);
  });

  it('puts channels in the order asked for and ignores other sequences but for the mask', () => {
    const { tensor, channels, shape } = preprocess(caseInOrder(ras), {
      channels: ['t2', 'flair'],
      normalisation: 'zscore',
    });
    expect(channels).toEqual(['t2', 'flair']);
    expect(shape).toEqual([1, 2, 16, 16, 16]);
    expect(tensor[at(0, 3, 2, 1)]).toBeCloseTo(-1.5491933385, 6);
    expect(tensor[at(1, 3, 2, 1)]).toBeCloseTo(-1.5932550136, 6);
  });

  it('lays the tensor out NDHWC for tfjs: channels interleaved per voxel', () => {
    const ncdhw = preprocess(caseInOrder(ras));
    const ndhwc = preprocess(caseInOrder(ras), { layout: 'NDHWC' });
    expect(ndhwc.shape).toEqual([1, 16, 16, 16, 3]);
    for (const voxel of [0, 777, 2345, 4095]) {
      for (let c = 0; c < 3; c++) expect(ndhwc.tensor[voxel * 3 + c]).toBe(ncdhw.tensor[c * 4096 + voxel]);
    }
  });

  it('pads to a fixed [depth, height, width], centre-cropping where the brain is larger', () => {
    const { shape, record, tensor } = preprocess(caseInOrder(ras), {
      pad: { shape: [8, 20, 10] },
      normalisation: 'zscore',
    });
    expect(shape).toEqual([1, 3, 8, 20, 10]);
    // i: 12 → 10, crop from floor(12/2) - floor(10/2) = 1; j: 14 → 20, pad 3; k: 9 → 8, crop 4 - 4 = 0
    expect(record.pad).toEqual({ offset: [-1, 3, 0], shape: [10, 20, 8] });
    // network (w, h, d) = (0, 3, 0) is RAS (3 + 1, 2, 1): flair 104
    expect(tensor[0 * 200 + 3 * 10 + 0]).toBeCloseTo((104 - 108.5) / Math.sqrt(143 / 12), 6);
  });

  it('builds the brain mask where every sequence is non-zero, or takes the one given', () => {
    const inputs = caseInOrder(ras);
    // t2 misses the top slice of the brain: the mask and the crop lose it
    inputs.t2.data = rasArray(Int16Array, (i, j, k) => (inBrain(i, j, k) && k < 9 ? 300 + k : 0));
    const { record, mask } = preprocess(inputs);
    expect(record.crop.size).toEqual([12, 14, 8]);
    expect(mask.reduce((s, m) => s + m, 0)).toBe(12 * 14 * 8);

    const given: Volume = {
      ...inputs.flair,
      data: rasArray(Uint8Array, (i, j, k) => (i === 10 && j === 10 && k === 5 ? 1 : 0)),
    };
    const single = preprocess(inputs, { mask: given, pad: { multiple: 1 }, normalisation: 'zscore' });
    expect(single.shape).toEqual([1, 3, 1, 1, 1]);
    // one voxel: mean = its value, z = 0
    expect(Array.from(single.tensor)).toEqual([0, 0, 0]);
  });

  it('refuses a missing channel, grids that differ, an empty mask, and NaN voxels', () => {
    const inputs = caseInOrder(ras);
    expect(() => preprocess(inputs, { channels: ['flair', 't1ce', 't1', 't2'] })).toThrow(
      /channels flair, t1ce, t1, t2 need t1ce, which is not given \(given: flair, t1, t2\)/,
    );
    const moved = { ...inputs, t1: { ...inputs.t1, affine: identityAffine() } };
    expect(() => preprocess(moved, { names: { t1: 'x/t1.nii.gz' } })).toThrow(
      expect.objectContaining({
        code: 'MODALITY_MISMATCH',
        message: expect.stringMatching(
          /flair and t1 \(x\/t1.nii.gz\) are on different grids: affine\[0\]\[0\] 1.5 vs 1/,
        ),
      }),
    );
    const short = { ...inputs, t2: { ...inputs.t2, data: new Int16Array(100) } };
    expect(() => preprocess(short)).toThrow(/inputs.t2 holds 100 voxels, but its shape 20x18x12 needs 4320/);
    const empty = { ...inputs, t2: { ...inputs.t2, data: new Int16Array(inputs.t2.data.length) } };
    expect(() => preprocess(empty, { quality: { minMaskOverlap: 0 } })).toThrow(
      expect.objectContaining({
        code: 'INPUT_QUALITY',
        message: expect.stringMatching(/^preprocess: t2 is 0 in all 4320 voxels: it holds no image/),
      }),
    );
    // t2 non-zero exactly where flair is zero: no voxel is non-zero in every sequence
    const disjoint = {
      ...inputs,
      t2: { ...inputs.t2, data: Int16Array.from(inputs.flair.data, (x) => (x ? 0 : 1)) },
    };
    expect(() =>
      preprocess(disjoint, { quality: { minMaskOverlap: 0, maxNonzeroFraction: 1, maxBorderFraction: 1 } }),
    ).toThrow(
      expect.objectContaining({
        code: 'INPUT_QUALITY',
        message: expect.stringMatching(/brain mask is empty/),
      }),
    );
    const nan = {
      ...inputs,
      t1: { ...inputs.t1, data: Float32Array.from(inputs.t1.data, (x, v) => (v % 1000 === 7 ? NaN : x)) },
    };
    expect(() => preprocess(nan)).toThrow(/t1 holds 5 NaN or infinite voxels of 4320/);
    const repaired = preprocess(nan, { nonFinite: 'zero' });
    expect(repaired.warnings).toContain('t1: 5 NaN or infinite voxels set to 0');
    expect(repaired.record.replacedNonFinite).toEqual({ t1: 5 });
  });

  it('warns about inputs that do not look co-registered, and throws when strict', () => {
    const inputs = caseInOrder(ras);
    // t1 moved 5 voxels along i: 7 of 12 columns overlap
    inputs.t1.data = rasArray(Int16Array, (i, j, k) => (inBrain(i - 5, j, k) ? 200 + j : 0));
    const { warnings } = preprocess(inputs);
    expect(warnings.join('\n')).toMatch(/flair and t1 do not look co-registered: only 58.3%/);
    expect(() => preprocess(inputs, { strict: true })).toThrow(
      expect.objectContaining({ code: 'INPUT_QUALITY' }),
    );
  });

  it('gives the same tensor whatever the voxel order of the inputs', () => {
    const reference = preprocess(caseInOrder(ras), { margin: 2 });
    for (const order of ORDERS.slice(1)) {
      const { tensor, record } = preprocess(caseInOrder(order), { margin: 2 });
      expect(record.reorientation.rasShape).toEqual(RAS_SHAPE);
      expect(tensor).toEqual(reference.tensor);
    }
    expect(inOrder(new Uint8Array(4320), ORDERS[2]).shape).toEqual([12, 20, 18]);
  });
});
