/**
 * Every file of ../shared/data/nifti-zoo, one named case each: it reads with the header fields of
 * the zoo's manifest and the voxel statistics computed independently (Python + numpy, see
 * test/zoo-expected.py), or it is refused with the typed error that names what is wrong.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { InvalidVolumeError, UnsupportedVolumeError } from '../errors.js';
import { axisCodes } from '../orientation/axis-codes.js';
import { ZOO_EXPECTED } from '../../test/zoo-expected.js';
import { sharedFolder } from '../../test/shared-data.js';
import { readNifti, readNiftiHeader } from './index.js';

interface ManifestEntry {
  file: string;
  magic?: string | null;
  dims?: number[];
  pixdim?: number[];
  datatype?: string;
  endian?: 'little' | 'big';
  q?: number;
  s?: number;
  orient?: string;
  slope?: number;
  inter?: number;
  vox_offset?: number;
  ext?: number | null;
  intent?: number;
  note?: string;
}

type ErrorClass = typeof InvalidVolumeError | typeof UnsupportedVolumeError;

/** Files that must be refused, with the error class and what the message must say. */
const REFUSED: Record<string, [ErrorClass, RegExp]> = {
  'nifti-reader-js/not-nifti.nii': [
    InvalidVolumeError,
    /not a NIfTI file: header field sizeof_hdr should be 348/,
  ],
  'nibabel/analyze.hdr': [UnsupportedVolumeError, /is an Analyze 7\.5 header, not NIfTI/],
  'nibabel/nifti1.hdr': [InvalidVolumeError, /header of a \.hdr\/\.img pair \(magic "ni1"\).*missing \.img/],
  'nibabel/nifti2.hdr': [InvalidVolumeError, /header of a \.hdr\/\.img pair \(magic "ni2"\).*missing \.img/],
  'nibabel/row_major.dconn.nii': [UnsupportedVolumeError, /CIFTI-2 file \(intent_code 3001\)/],
  'niivue/fs_LR.32k.LR.curvature.dscalar.nii': [UnsupportedVolumeError, /CIFTI-2 file \(intent_code 3006\)/],
  'niivue/complex.nii.gz': [UnsupportedVolumeError, /complex64 voxels \(datatype 32\).*magnitude/],
  'niivue/complex_image.nii.gz': [UnsupportedVolumeError, /complex64 voxels \(datatype 32\)/],
  'niivue/ct_perfusion.nii.gz': [UnsupportedVolumeError, /rgb24 voxels \(datatype 128\).*one scalar channel/],
};

/** .hdr → .img of the pairs in the zoo. */
const PAIRS: Record<string, string> = {
  'nifti-reader-js/air.hdr.gz': 'nifti-reader-js/air.img.gz',
  'nifti-reader-js/air2.hdr.gz': 'nifti-reader-js/air2.img.gz',
  'niivue/ras.hdr': 'niivue/ras.img',
};

const ARRAY_OF: Record<string, string> = {
  uint8: 'Uint8Array',
  int8: 'Int8Array',
  uint16: 'Uint16Array',
  int16: 'Int16Array',
  uint32: 'Uint32Array',
  int32: 'Int32Array',
  float32: 'Float32Array',
  float64: 'Float64Array',
};

const zoo = sharedFolder('nifti-zoo', 'manifest.json');
const manifest: { files: ManifestEntry[] } = zoo
  ? JSON.parse(readFileSync(`${zoo}manifest.json`, 'utf8'))
  : { files: [] };
const bytesOf = (file: string) => new Uint8Array(readFileSync(`${zoo}${file}`));

describe.skipIf(!zoo)('NIfTI zoo: every file reads right or is refused clearly', () => {
  test('the manifest lists the 102 files the README describes', () => {
    expect(manifest.files).toHaveLength(102);
  });

  test.each(manifest.files.map((entry) => [entry.file, entry] as const))('%s', (file, entry) => {
    const bytes = bytesOf(file);

    // Refusals: both entry points, the right class, a message that names the reason.
    const refusal = REFUSED[file];
    if (refusal) {
      const [errorClass, message] = refusal;
      expect(() => readNifti(bytes, { name: file })).toThrow(errorClass);
      expect(() => readNifti(bytes, { name: file })).toThrow(message);
      expect(() => readNifti(bytes, { name: file })).toThrow(file);
      if (/not-nifti|analyze/.test(file))
        expect(() => readNiftiHeader(bytes, { name: file })).toThrow(message);
      return;
    }

    // The .img half of a pair has no header: refused alone, read through its .hdr's case.
    if (entry.note?.startsWith('image data')) {
      expect(() => readNifti(bytes, { name: file })).toThrow(InvalidVolumeError);
      expect(() => readNifti(bytes, { name: file })).toThrow(/not a NIfTI file/);
      return;
    }

    // Header fields against the manifest.
    const header = readNiftiHeader(bytes, { name: file });
    const dims = entry.dims!;
    expect(header.format).toBe(entry.magic!.endsWith('2') ? 'nifti2' : 'nifti1');
    expect(header.storage).toBe(entry.magic!.startsWith('n+') ? 'single' : 'pair');
    expect(header.dims.slice(0, dims.length + 1)).toEqual([dims.length, ...dims]);
    expect(header.datatype).toBe(entry.datatype);
    expect(header.byteOrder).toBe(entry.endian);
    expect(header.qformCode).toBe(entry.q);
    expect(header.sformCode).toBe(entry.s);
    expect(header.intentCode).toBe(entry.intent);
    expect(header.voxOffset).toBe(entry.vox_offset);
    expect(header.sclSlope).toBeCloseTo(entry.slope!, 6);
    expect(header.sclInter).toBeCloseTo(entry.inter!, 4);
    entry.pixdim!.forEach((size, axis) => expect(header.pixdim[axis + 1]).toBeCloseTo(size, 3));
    if (entry.ext !== null && header.storage === 'single') {
      expect(header.extensions!.length > 0).toBe(entry.ext === 1);
    }
    if (entry.orient !== '-') expect(axisCodes(header.affine)).toBe(entry.orient);
    expect(header.affineSource).toBe(entry.s! > 0 ? 'sform' : entry.q! > 0 ? 'qform' : 'pixdim');

    // Several volumes: refused without a frame, the first read with frame 0.
    const frames = dims.slice(3).reduce((a, b) => a * b, 1);
    const options: { name: string; frame?: number; imageBytes?: Uint8Array } = { name: file };
    if (frames > 1) {
      expect(() => readNifti(bytes, options)).toThrow(UnsupportedVolumeError);
      expect(() => readNifti(bytes, options)).toThrow(`holds ${frames} volumes`);
      options.frame = 0;
    }
    if (PAIRS[file]) {
      expect(() => readNifti(bytes, options)).toThrow(/missing \.img/);
      options.imageBytes = bytesOf(PAIRS[file]);
    }

    // Voxels against the independent statistics.
    const volume = readNifti(bytes, options);
    const [voxels, sum, min, max, middle] = ZOO_EXPECTED[file];
    expect(volume.shape).toEqual([dims[0], dims[1] ?? 1, dims[2] ?? 1]);
    expect(volume.data.length).toBe(voxels);
    const slope = entry.slope!;
    const scaled = Number.isFinite(slope) && slope !== 0 && (slope !== 1 || entry.inter !== 0);
    const stored = ARRAY_OF[entry.datatype!];
    expect(volume.data.constructor.name).toBe(
      scaled ? (stored === 'Float64Array' ? stored : 'Float32Array') : stored,
    );
    let total = 0;
    let low = Infinity;
    let high = -Infinity;
    const data = volume.data;
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      if (!Number.isFinite(value)) continue;
      total += value;
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    expect(low).toBe(min);
    expect(high).toBe(max);
    expect(volume.data[Math.floor(voxels / 2)]).toBe(middle);
    expect(Math.abs(total - sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(sum)));
    expect(volume.header).toEqual(header);
  });
});
