/**
 * readNifti on files: gzip, pairs, frames, vox_offset, and everything it must refuse, with the
 * error class and message; plus its argument checks. Runs on the shipped fixtures only.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { afterEach, describe, expect, test } from 'vitest';
import { InvalidVolumeError, UnsupportedVolumeError } from '../errors.js';
import { setLogger } from '../logger.js';
import { syntheticNifti } from '../../test/nifti-bytes.js';
import { ALTERNATING as alternating, captureWarnings, fixture } from '../../test/reader-helpers.js';
import { gunzip, readNifti, readNiftiHeader } from './index.js';

afterEach(() => setLogger(null, 'silent'));

describe('readNifti: files, pairs and gzip', () => {
  test('low_res.nii.gz: 7x5x3 uint8, voxels alternating 1, 0 (numpy)', () => {
    const volume = readNifti(fixture('low_res.nii.gz'));
    expect(volume.shape).toEqual([7, 5, 3]);
    expect(volume.data).toEqual(alternating);
  });

  test('a multi-member gzip stream (made by GNU gzip) is read completely', () => {
    const volume = readNifti(fixture('low_res_multimember.nii.gz'));
    expect(volume.data).toEqual(alternating);
    expect(volume.header).toEqual(readNifti(fixture('low_res.nii.gz')).header);
  });

  test('truncated gzip is refused, never silently cut short', () => {
    const whole = fixture('low_res_multimember.nii.gz');
    for (const cut of [whole.length - 9, 60, 40]) {
      expect(() => readNifti(whole.subarray(0, cut), { name: 'cut.nii.gz' })).toThrow(InvalidVolumeError);
    }
    expect(() => readNifti(whole.subarray(0, 60), { name: 'cut.nii.gz' })).toThrow(
      /^readNifti: cut\.nii\.gz is corrupt or truncated gzip data/,
    );
  });

  test('gzip is detected by content, not by name', () => {
    const plain = syntheticNifti({
      dims: [1],
      datatype: 2,
      bitpix: 8,
      dataBytes: 1,
      voxels: (v, at) => v.setUint8(at, 42),
    });
    expect(readNifti(plain, { name: 'looks.nii.gz' }).data[0]).toBe(42);
    expect(readNifti(gzipSync(plain), { name: 'looks.nii' }).data[0]).toBe(42);
  });

  test('a .hdr/.img pair reads through options.imageBytes (plain .hdr, gzipped .img)', () => {
    const header = fixture('low_res_pair.hdr');
    const volume = readNifti(header, { imageBytes: fixture('low_res_pair.img.gz') });
    expect(volume.header?.storage).toBe('pair');
    expect(volume.data).toEqual(alternating);
    expect(() => readNifti(header, { name: 'low_res_pair.hdr' })).toThrow(
      'readNifti: low_res_pair.hdr is the header of a .hdr/.img pair (magic "ni1")',
    );
    expect(() => readNifti(fixture('low_res.nii.gz'), { imageBytes: new Uint8Array(105) })).toThrow(
      expect.objectContaining({
        code: 'INVALID_VOLUME',
        message: expect.stringMatching(/came with a separate image .* single-file NIfTI's \(magic "n\+1"/),
      }),
    );
  });

  test('header-only files: readNiftiHeader reads them, readNifti says "missing .img"', () => {
    for (const [name, format] of [
      ['nifti1.hdr', 'nifti1'],
      ['nifti2.hdr', 'nifti2'],
    ]) {
      const header = readNiftiHeader(fixture(name));
      expect(header).toMatchObject({
        format,
        storage: 'pair',
        datatype: 'int16',
        qformCode: 4,
        sformCode: 4,
      });
      expect(header.dims.slice(0, 4)).toEqual([3, 91, 109, 91]);
      expect(() => readNifti(fixture(name), { name })).toThrow(InvalidVolumeError);
      expect(() => readNifti(fixture(name), { name })).toThrow(/missing \.img/);
    }
  });

  test('NIfTI-2 with two header extensions: frames picked by options.frame', () => {
    const bytes = fixture('example_nifti2.nii.gz');
    const header = readNiftiHeader(bytes);
    expect(header.extensions).toEqual([
      { code: 6, size: 32 },
      { code: 6, size: 32 },
    ]);
    expect(header.voxOffset).toBe(608);
    // Voxel (i=3, j=4, k=5): 446 in volume 0, 436 in volume 1 (numpy on the raw bytes).
    const at = 3 + 32 * (4 + 20 * 5);
    expect(readNifti(bytes, { frame: 0 }).data[at]).toBe(446);
    expect(readNifti(bytes, { frame: 1 }).data[at]).toBe(436);
    expect(() => readNifti(bytes, { frame: 2 })).toThrow(RangeError);
    expect(() => readNifti(bytes, { frame: 2 })).toThrow(/options\.frame must be from 0 to 1/);
  });

  test('a frame is read only from a file that holds every volume its header declares, gzip or not', () => {
    // example_nifti2 holds 2 volumes; say 3 (dim[4] is an int64 at byte 48 in NIfTI-2).
    const plain = gunzip(fixture('example_nifti2.nii.gz')).slice();
    new DataView(plain.buffer).setBigInt64(48, 3n, true);
    const message =
      /header declares 23040 voxels \(2 bytes each\) starting at vox_offset 608, but the file holds 31328 bytes/;
    expect(() => readNifti(plain, { frame: 0 })).toThrow(message);
    expect(() => readNifti(gzipSync(plain), { frame: 0 })).toThrow(message);
  });

  test('vox_offset is trusted: bytes between the header and vox_offset are skipped', () => {
    const bytes = syntheticNifti({
      dims: [2],
      datatype: 2,
      bitpix: 8,
      dataBytes: 2,
      voxOffset: 400,
      voxels: (v, at) => {
        for (let k = 348; k < at; k++) v.setUint8(k, 99); // junk where extensions would be
        v.setUint8(at, 5);
        v.setUint8(at + 1, 6);
      },
    });
    expect(Array.from(readNifti(bytes).data)).toEqual([5, 6]);
  });

  test('a vox_offset inside the header is repaired to 352 with a warning', () => {
    const warnings = captureWarnings();
    const bytes = syntheticNifti({
      dims: [1],
      datatype: 2,
      bitpix: 8,
      dataBytes: 1,
      voxels: (v, at) => v.setUint8(at, 9),
    });
    new DataView(bytes.buffer).setFloat32(108, 0, true);
    expect(readNifti(bytes).data[0]).toBe(9);
    expect(warnings).toHaveLength(1); // the reader parses the header twice, and warns once
    expect(warnings[0]).toMatch(/vox_offset 0 would overlap the header; reading the voxels from byte 352/);
  });

  test('a bitpix that disagrees with datatype is warned about once', () => {
    const warnings = captureWarnings();
    const bytes = syntheticNifti({
      dims: [1],
      datatype: 2,
      bitpix: 16,
      dataBytes: 1,
      voxels: (v, at) => v.setUint8(at, 5),
    });
    expect(readNifti(bytes).data[0]).toBe(5);
    expect(warnings).toEqual([
      'readNifti: the input: header field bitpix is 16, but datatype uint8 has 8 bits per voxel; trusting datatype',
    ]);
  });
});

describe('readNifti: refusals', () => {
  test('not-nifti.nii: INVALID_VOLUME naming sizeof_hdr', () => {
    const bytes = fixture('not-nifti.nii');
    expect(() => readNifti(bytes, { name: 'not-nifti.nii' })).toThrow(InvalidVolumeError);
    expect(() => readNifti(bytes, { name: 'not-nifti.nii' })).toThrow(
      'readNifti: not-nifti.nii is not a NIfTI file: header field sizeof_hdr should be 348 (NIfTI-1) or 540 ' +
        '(NIfTI-2) in either byte order; got -1428999419 (little-endian) / 87282602 (big-endian)',
    );
    expect(() => readNifti(new Uint8Array(2))).toThrow(/holds 2 bytes; a NIfTI header needs 348/);
  });

  test('analyze.hdr: refused as Analyze 7.5, its byte-112 scale never read as scl_slope', () => {
    const bytes = fixture('analyze.hdr');
    for (const read of [readNifti, readNiftiHeader]) {
      expect(() => read(bytes)).toThrow(UnsupportedVolumeError);
      expect(() => read(bytes)).toThrow(
        /is an Analyze 7\.5 header, not NIfTI: sizeof_hdr is 348 but the magic/,
      );
    }
  });

  test('CIFTI-2 (row_major.dconn.nii) is refused', () => {
    expect(() => readNifti(fixture('row_major.dconn.nii'))).toThrow(UnsupportedVolumeError);
    expect(() => readNifti(fixture('row_major.dconn.nii'))).toThrow(/CIFTI-2 file \(intent_code 3001\)/);
  });

  test('a header that declares more voxels than the file holds is refused before allocating', () => {
    const lying = syntheticNifti({
      dims: [10000, 10000, 10000],
      datatype: 16,
      bitpix: 32,
      dataBytes: 8388608 - 352,
      voxels: () => {},
    });
    expect(lying.length).toBe(8388608);
    // 4e12 bytes could never be allocated: getting this message shows the check came first.
    expect(() => readNifti(lying)).toThrow(InvalidVolumeError);
    expect(() => readNifti(lying)).toThrow(
      'readNifti: the input: header declares 1e12 voxels (4 bytes each) starting at vox_offset 352, but the ' +
        'file holds 8388608 bytes',
    );
    expect(() => readNifti(gzipSync(lying))).toThrow(
      /header declares 1e12 voxels .* holds 8388608 bytes once inflated/,
    );
    expect(() => readNiftiHeader(lying)).not.toThrow();
  });

  test('a truncated plain file is refused, naming the sizes', () => {
    const bytes = fixture('5D_small.nii').subarray(0, 360);
    expect(() => readNifti(bytes, { frame: 0 })).toThrow(
      'header declares 18 voxels (1 byte each) starting at vox_offset 352, but the file holds 360 bytes',
    );
  });

  test('impossible dims are refused', () => {
    const make = (dims: number[]) =>
      syntheticNifti({ dims, datatype: 2, bitpix: 8, dataBytes: 1, voxels: () => {} });
    const zeroAxis = make([2, 0, 2]);
    expect(() => readNifti(zeroAxis)).toThrow(
      /header field dim\[2\] must be at least 1 \(dim\[0\] = 3\); got 0/,
    );
    const bad = make([1]);
    new DataView(bad.buffer).setInt16(40, 9, true);
    expect(() => readNifti(bad)).toThrow(/dim\[0\] \(the number of dimensions\) must be 1 to 7; got 9/);
  });

  test('a NIfTI-2 magic with a damaged \\r\\n\\x1a\\n tail is refused', () => {
    const bytes = syntheticNifti({
      format: 'nifti2',
      dims: [1],
      datatype: 2,
      bitpix: 8,
      dataBytes: 1,
      voxels: () => {},
    });
    bytes[9] = 13; // as a text-mode transfer would turn \n into \r
    expect(() => readNifti(bytes)).toThrow(
      /not a valid NIfTI-2 file: .*expected "n\+2" or "ni2" followed by 13 10 26 10/,
    );
  });
});

describe('readNifti: arguments', () => {
  test('bytes must be a Uint8Array or an ArrayBuffer', () => {
    expect(() => readNifti('x.nii' as never)).toThrow(TypeError);
    expect(() => readNifti('x.nii' as never)).toThrow(
      'readNifti: bytes must be a Uint8Array or an ArrayBuffer; got string',
    );
    expect(() => readNifti(null as never)).toThrow(/got null/);
    expect(() => readNifti(fixture('low_res.nii.gz'), { imageBytes: [1] as never })).toThrow(
      /options\.imageBytes must be/,
    );
  });

  test('options.frame must be a whole number', () => {
    for (const frame of [-1, 0.5, NaN]) {
      expect(() => readNifti(fixture('low_res.nii.gz'), { frame })).toThrow(RangeError);
    }
    expect(readNifti(fixture('low_res.nii.gz'), { frame: 0 }).data).toEqual(alternating);
  });

  test('an ArrayBuffer reads like its Uint8Array; a Node Buffer is copied, never aliased', () => {
    const file = fixture('resampled_anat_moved.nii');
    expect(readNifti(file.slice().buffer).data).toEqual(readNifti(file).data);
    const buffer = readFileSync(new URL('../../test/fixtures/standard.nii.gz', import.meta.url));
    const gz = readNifti(buffer).data;
    expect(gz.constructor).toBe(Uint8Array);
    const plainFile = syntheticNifti({
      dims: [2],
      datatype: 2,
      bitpix: 8,
      dataBytes: 2,
      voxels: (v, at) => v.setUint8(at, 7),
    });
    const plain = Buffer.from(plainFile);
    const volume = readNifti(plain);
    plain[352] = 0;
    expect(volume.data.constructor).toBe(Uint8Array);
    expect(volume.data[0]).toBe(7);
  });
});
