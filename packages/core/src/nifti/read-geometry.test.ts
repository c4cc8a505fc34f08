/**
 * readNifti / readNiftiHeader geometry: the affine rule (sform, qform, pixdim), its repairs and
 * the warnings on sheared or disagreeing affines. Expected matrices worked out by hand.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { setLogger } from '../logger.js';
import { axisCodes } from '../orientation/axis-codes.js';
import { syntheticNifti } from '../../test/nifti-bytes.js';
import { captureWarnings, fixture } from '../../test/reader-helpers.js';
import { readNifti, readNiftiHeader } from './index.js';

afterEach(() => setLogger(null, 'silent'));

describe('readNifti: geometry', () => {
  test('hippo.nii.gz: q4/s4, the affine is the sform rows (xxd: srow_x -2 0 0 90, …)', () => {
    const volume = readNifti(fixture('hippo.nii.gz'));
    expect(volume.affine).toEqual([
      [-2, 0, 0, 90],
      [0, 2, 0, -126],
      [0, 0, 2, -72],
      [0, 0, 0, 1],
    ]);
    expect(volume.header?.affineSource).toBe('sform');
    expect(axisCodes(volume.affine)).toBe('LAS');
  });

  test('the sform wins whenever sform_code > 0, even against a higher qform_code (5D_small: q2, s1)', () => {
    const bytes = fixture('5D_small.nii');
    const header = readNiftiHeader(bytes);
    expect(header.qformCode).toBe(2);
    expect(header.sformCode).toBe(1);
    expect(header.affineSource).toBe('sform');
    // srow_x, srow_y, srow_z: twelve little-endian float32 from byte 280 (nifti1.h).
    const raw = new DataView(bytes.buffer, bytes.byteOffset);
    const srow = Array.from({ length: 12 }, (_, k) => raw.getFloat32(280 + 4 * k, true));
    expect(header.affine.slice(0, 3).flat()).toEqual(srow);
    expect(srow[2]).toBeCloseTo(0.9999986, 6); // i runs along z (xxd), so the codes start with S
  });

  test('the qform when only qform_code > 0: 180° about z with qfac -1, by hand', () => {
    const bytes = syntheticNifti({
      dims: [2, 2, 2],
      datatype: 2,
      bitpix: 8,
      dataBytes: 8,
      qformCode: 1,
      pixdim: [-1, 2, 3, 4],
      quatern: [0, 0, 1, 10, 20, 30],
      voxels: () => {},
    });
    const header = readNiftiHeader(bytes);
    expect(header.affineSource).toBe('qform');
    // R = diag(-1, -1, 1) for (a, b, c, d) = (0, 0, 0, 1); columns scaled by 2, 3 and qfac·4.
    expect(header.affine.map((row) => row.map((v) => v + 0))).toEqual([
      [-2, 0, 0, 10],
      [0, -3, 0, 20],
      [0, 0, -4, 30],
      [0, 0, 0, 1],
    ]);
    expect(axisCodes(header.affine)).toBe('LPI');
  });

  test('warns (through the logger) on a sheared sform and on sform/qform disagreement', () => {
    const warnings = captureWarnings();
    const bytes = syntheticNifti({
      dims: [2, 2, 2],
      datatype: 2,
      bitpix: 8,
      dataBytes: 8,
      qformCode: 1,
      sformCode: 1,
      srow: [1, 0, 0, 0, 0, 1, 0.5, 0, 0, 0, 1, 0],
      voxels: () => {},
    });
    readNifti(bytes, { name: 'tilted.nii' });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^readNifti: tilted\.nii: the sform is sheared \(two voxel axes meet at 63\.43°/,
    );
    expect(warnings[1]).toMatch(
      /sform \(code 1\) and qform \(code 1\) disagree by up to 0\.500 mm; using the sform/,
    );
  });

  test('no warning for an ordinary file', () => {
    const warnings = captureWarnings();
    readNifti(fixture('hippo.nii.gz'));
    expect(warnings).toEqual([]);
  });

  test('a degenerate sform (all zeros) falls back to the qform, with a warning', () => {
    const warnings = captureWarnings();
    const bytes = syntheticNifti({
      dims: [2, 2, 2],
      datatype: 2,
      bitpix: 8,
      dataBytes: 8,
      qformCode: 1,
      sformCode: 2,
      srow: new Array(12).fill(0),
      pixdim: [1, 2, 2, 2],
      voxels: () => {},
    });
    const header = readNiftiHeader(bytes);
    expect(header.affineSource).toBe('qform');
    expect(header.affine[0]).toEqual([2, 0, 0, 0]);
    expect(warnings[0]).toMatch(
      /sform_code is 2 but the sform is degenerate or not finite; using the qform instead/,
    );
  });
});
