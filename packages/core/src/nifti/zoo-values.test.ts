/**
 * Value tests on ../shared/data/nifti-zoo: files that must give identical voxels (byte orders,
 * NIfTI-1 vs NIfTI-2, pairs), scaled values worked out by hand, and a field-by-field comparison
 * with an independent parser (nifti-reader-js), which also shows where hadnet departs from it.
 */
import { readFileSync } from 'node:fs';
import { Gunzip } from 'fflate';
import * as niftiReader from 'nifti-reader-js';
import { describe, expect, test } from 'vitest';
import { sharedFolder } from '../../test/shared-data.js';
import { syntheticNifti } from '../../test/nifti-bytes.js';
import { ZOO_EXPECTED } from '../../test/zoo-expected.js';
import { readNifti, readNiftiHeader } from './index.js';

const zoo = sharedFolder('nifti-zoo', 'manifest.json');
const bytesOf = (file: string) => new Uint8Array(readFileSync(`${zoo}${file}`));
const manifest: { files: { file: string; magic?: string | null }[] } = zoo
  ? JSON.parse(readFileSync(`${zoo}manifest.json`, 'utf8'))
  : { files: [] };

describe.skipIf(!zoo)('NIfTI zoo: values', () => {
  test('big.nii.gz (big-endian) and little.nii.gz (little-endian) give identical float32 voxels', () => {
    const big = readNifti(bytesOf('nifti-reader-js/big.nii.gz'));
    const little = readNifti(bytesOf('nifti-reader-js/little.nii.gz'));
    expect([big.header?.byteOrder, little.header?.byteOrder]).toEqual(['big', 'little']);
    expect(big.data).toBeInstanceOf(Float32Array);
    expect(big.data.length).toBe(little.data.length);
    expect(countDifferent(big.data, little.data)).toBe(0);
    expect(big.data.some((v) => v !== 0)).toBe(true);
    expect(big.affine).toEqual(little.affine);
  });

  test('avg152T1_LR: NIfTI-1 uint8 (big-endian, scl_slope 0) equals the NIfTI-2 float32 copy', () => {
    const one = readNifti(bytesOf('nifti-reader-js/avg152T1_LR_nifti.nii'));
    const two = readNifti(bytesOf('nifti-reader-js/avg152T1_LR_nifti2.nii.gz'));
    expect(one.header).toMatchObject({ format: 'nifti1', byteOrder: 'big', sclSlope: 0, datatype: 'uint8' });
    expect(two.header).toMatchObject({ format: 'nifti2', datatype: 'float32' });
    expect(one.data).toBeInstanceOf(Uint8Array); // slope 0: stored values, stored type
    expect(one.data.length).toBe(two.data.length);
    expect(countDifferent(one.data, two.data)).toBe(0);
    expect(one.affine).toEqual(two.affine);
  });

  test('air (NIfTI-1 pair, gzipped) and air2 (NIfTI-2 pair, gzipped) give identical voxels and affine', () => {
    const read = (stem: string) =>
      readNifti(bytesOf(`nifti-reader-js/${stem}.hdr.gz`), {
        imageBytes: bytesOf(`nifti-reader-js/${stem}.img.gz`),
      });
    const one = read('air');
    const two = read('air2');
    expect([one.header?.format, two.header?.format]).toEqual(['nifti1', 'nifti2']);
    expect(one.data.length).toBe(two.data.length);
    expect(countDifferent(one.data, two.data)).toBe(0);
    expect(one.affine).toEqual(two.affine);
  });

  test('functional.nii: raw -32768..32767 scale to 629.8..5571.6 (slope and inter from the raw header)', () => {
    const bytes = bytesOf('nibabel/functional.nii');
    const raw = new DataView(bytes.buffer, bytes.byteOffset);
    const slope = raw.getFloat32(112, true);
    const inter = raw.getFloat32(116, true);
    let min = Infinity;
    let max = -Infinity;
    for (let frame = 0; frame < 20; frame++) {
      const data = readNifti(bytes, { frame }).data;
      for (let i = 0; i < data.length; i++) {
        const value = data[i];
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
    }
    expect(min).toBe(Math.fround(-32768 * slope + inter));
    expect(max).toBe(Math.fround(32767 * slope + inter));
    expect(min).toBeCloseTo(629.8, 1);
    expect(max).toBeCloseTo(5571.6, 1);
  });

  test('vox_offset is trusted past extensions (AFNI XML, Mango XML with ecode 0)', () => {
    const cases: [string, number, { code: number; size: number }[]][] = [
      ['niivue/MNI152_2009_template.nii.gz', 3296, [{ code: 4, size: 2944 }]],
      ['niivue/stats.nv_demo_mskd.nii.gz', 4560, [{ code: 4, size: 4208 }]],
      ['nifti-reader-js/with_extension.nii.gz', 736, [{ code: 0, size: 384 }]],
    ];
    for (const [file, voxOffset, extensions] of cases) {
      const volume = readNifti(bytesOf(file), { frame: 0 });
      expect(volume.header?.voxOffset).toBe(voxOffset);
      expect(volume.header?.extensions).toEqual(extensions);
      // Sum of the first volume, from numpy reading at the manifest's vox_offset.
      let sum = 0;
      for (let i = 0; i < volume.data.length; i++) sum += volume.data[i];
      expect(sum).toBeCloseTo(ZOO_EXPECTED[file][1], 0);
    }
  });

  test('nifti-reader-js reads the same header fields and qform; it departs from the affine rule', () => {
    const departures: string[] = [];
    for (const { file, magic } of manifest.files) {
      if (!magic || !/^(n\+|ni)[12]$/.test(magic)) continue;
      const bytes = bytesOf(file);
      // The first inflated bytes are enough for a header (fflate's own one-shot inflater).
      const inflated = bytes[0] === 0x1f ? firstBytes(bytes, 4096) : bytes;
      const theirs = niftiReader.readHeader(inflated.slice().buffer, true);
      const ours = readNiftiHeader(bytes);

      // Plain fields.
      expect(ours.dims, file).toEqual(theirs.dims.map(Number));
      expect(ours.datatypeCode, file).toBe(theirs.datatypeCode);
      expect(ours.byteOrder, file).toBe(theirs.littleEndian ? 'little' : 'big');
      expect(ours.voxOffset, file).toBe(Number(theirs.vox_offset));
      expect(ours.qformCode, file).toBe(theirs.qform_code);
      expect(ours.sformCode, file).toBe(theirs.sform_code);
      expect(ours.pixdim, file).toEqual(theirs.pixDims);
      expect(Object.is(ours.sclSlope, theirs.scl_slope) || ours.sclSlope === theirs.scl_slope, file).toBe(
        true,
      );

      // The qform, computed by both from the quaternion.
      const qform = theirs.getQformMat();
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 4; c++)
          expect(ours.qform![r][c], `${file} qform[${r}][${c}]`).toBeCloseTo(qform[r][c], 5);
      }

      // The affine: nifti-reader-js takes the qform when qform_code > sform_code (NIfTI-1) and the
      // srow rows always (NIfTI-2); hadnet follows the standard (sform when sform_code > 0).
      const same = ours.affine.every((row, r) =>
        row.every((v, c) => Math.abs(v - theirs.affine[r][c]) < 1e-5),
      );
      if (!same) departures.push(`${file} (q${ours.qformCode}/s${ours.sformCode} -> ${ours.affineSource})`);
    }
    // Both are NIfTI-2 CIFTI files with qform_code = sform_code = 0 and zero srow rows:
    // nifti-reader-js returns those zero rows, hadnet the pixdim diagonal (the standard's method 1).
    expect(departures).toEqual([
      'nibabel/row_major.dconn.nii (q0/s0 -> pixdim)',
      'niivue/fs_LR.32k.LR.curvature.dscalar.nii (q0/s0 -> pixdim)',
    ]);
  });

  test('with qform_code > sform_code > 0, nifti-reader-js takes the qform; hadnet the sform, as the standard says', () => {
    const bytes = syntheticNifti({
      dims: [2, 2, 2],
      datatype: 2,
      bitpix: 8,
      dataBytes: 8,
      qformCode: 2,
      sformCode: 1,
      pixdim: [1, 1, 1, 1],
      srow: [2, 0, 0, 5, 0, 2, 0, 6, 0, 0, 2, 7],
      voxels: () => {},
    });
    const theirs = niftiReader.readHeader(bytes.slice().buffer);
    expect(theirs.affine[0]).toEqual([1, 0, 0, 0]); // the identity qform
    const ours = readNiftiHeader(bytes);
    expect(ours.affineSource).toBe('sform');
    expect(ours.affine[0]).toEqual([2, 0, 0, 5]);
  });
});

/** At least the first `count` inflated bytes of a gzip file, by fflate's streaming inflater. */
function firstBytes(bytes: Uint8Array, count: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new Gunzip((chunk) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  for (let at = 0; at < bytes.length && total < count; at += 1024) {
    stream.push(bytes.subarray(at, at + 1024), at + 1024 >= bytes.length);
  }
  const out = new Uint8Array(total);
  chunks.reduce((offset, chunk) => (out.set(chunk, offset), offset + chunk.length), 0);
  return out;
}

/** Voxels whose values differ (NaN equals NaN), compared as numbers. */
function countDifferent(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let different = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) different++;
  }
  return different;
}
