/**
 * The twelve BraTS 2018 cases of ../shared/data/brats-sample: every label map, and one case's four
 * sequences, read with the BraTS geometry (240x240x155, LPS, affine rows [-1 0 0 0] [0 -1 0 239]
 * [0 0 1 0]) and labels exactly {0, 1, 2, 4} with the per-label voxel counts of the sample's
 * manifest (counted independently when the sample was assembled).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { axisCodes } from '../orientation/axis-codes.js';
import type { Affine, Volume } from '../volume.js';
import { sharedFolder } from '../../test/shared-data.js';
import { readNifti } from './index.js';

interface FileFacts {
  datatype: string;
  qform_code: number;
  sform_code: number;
  vox_offset: number;
}
type CaseFacts = Record<'t1' | 't1ce' | 't2' | 'flair' | 'seg', FileFacts> & {
  labels: Record<string, number>;
};

const brats = sharedFolder('brats-sample', 'manifest.json');
const cases: Record<string, CaseFacts> = brats
  ? JSON.parse(readFileSync(`${brats}manifest.json`, 'utf8')).cases
  : {};
const read = (id: string, sequence: string) =>
  readNifti(new Uint8Array(readFileSync(`${brats}${id}/${sequence}.nii.gz`)), {
    name: `${id}/${sequence}.nii.gz`,
  });

/** The BraTS affine, compared numerically: some files store -0.0, and -0 == 0. */
const BRATS_AFFINE: Affine = [
  [-1, 0, 0, 0],
  [0, -1, 0, 239],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

function expectBratsGeometry(volume: Volume, facts: FileFacts): void {
  expect(volume.shape).toEqual([240, 240, 155]);
  expect(volume.spacing).toEqual([1, 1, 1]);
  expect(volume.affine.every((row, r) => row.every((v, c) => v === BRATS_AFFINE[r][c]))).toBe(true);
  expect(axisCodes(volume.affine)).toBe('LPS');
  expect(volume.header).toMatchObject({
    datatype: facts.datatype,
    qformCode: facts.qform_code,
    sformCode: facts.sform_code,
    voxOffset: facts.vox_offset,
    affineSource: 'sform',
  });
  // The qform agrees with the sform.
  const qform = volume.header!.qform!;
  expect(qform.every((row, r) => row.every((v, c) => Math.abs(v - BRATS_AFFINE[r][c]) < 1e-4))).toBe(true);
}

describe.skipIf(!brats)('BraTS sample', () => {
  test('the sample holds twelve cases', () => {
    expect(Object.keys(cases)).toHaveLength(12);
  });

  test.each(Object.keys(cases))(
    '%s/seg.nii.gz: BraTS geometry, labels exactly {0, 1, 2, 4} with the manifest counts',
    (id) => {
      const volume = read(id, 'seg');
      expectBratsGeometry(volume, cases[id].seg);
      const counts = new Map<number, number>();
      const data = volume.data;
      for (let i = 0; i < data.length; i++) counts.set(data[i], (counts.get(data[i]) ?? 0) + 1);
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 4]);
      expect(Object.fromEntries([...counts].map(([label, n]) => [String(label), n]))).toEqual(
        cases[id].labels,
      );
    },
  );

  test('one case, four sequences: int16 voxels on the same grid, background exactly 0', () => {
    const id = 'Brats18_TCIA03_265_1';
    for (const sequence of ['flair', 't1', 't1ce', 't2'] as const) {
      const volume = read(id, sequence);
      expectBratsGeometry(volume, cases[id][sequence]);
      expect(volume.data).toBeInstanceOf(Int16Array);
      expect(volume.data[0]).toBe(0); // corner voxel: outside the skull-stripped brain
    }
  });
});
