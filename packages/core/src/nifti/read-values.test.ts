/**
 * readNifti on synthetic files and shipped fixtures: scaling, every datatype, both byte orders,
 * NIfTI-1 and NIfTI-2. Expected values were worked out by hand or with numpy from the raw bytes.
 */
import { describe, expect, test } from 'vitest';
import { InvalidVolumeError, UnsupportedVolumeError } from '../errors.js';
import { syntheticNifti } from '../../test/nifti-bytes.js';
import { fixture } from '../../test/reader-helpers.js';
import { readNifti, readNiftiHeader } from './index.js';

describe('readNifti: scaling', () => {
  // 5D_small.nii: 18 uint8 bytes after byte 352, scl_slope 0.0027581409085541964, scl_inter
  // 0.07691901922225952. Raw bytes and scaled values (float32) from xxd and numpy.
  const raw = [11, 61, 231, 229, 13, 249, 255, 230, 159, 96, 51, 0, 73, 128, 1, 100, 114, 137];
  const slope = 0.0027581409085541964;
  const inter = 0.07691901922225952;

  test('5D_small.nii: each of its three volumes scaled by hand', () => {
    const bytes = fixture('5D_small.nii');
    expect(() => readNifti(bytes)).toThrow(
      /holds 3 volumes \(dim = \[5, 1, 2, 3, 1, 3\]\).*options\.frame \(0 to 2\)/,
    );
    for (let frame = 0; frame < 3; frame++) {
      const volume = readNifti(bytes, { frame });
      expect(volume.shape).toEqual([1, 2, 3]);
      expect(volume.data).toBeInstanceOf(Float32Array);
      const expected = raw.slice(6 * frame, 6 * frame + 6).map((r) => Math.fround(r * slope + inter));
      expect(Array.from(volume.data)).toEqual(expected);
    }
    expect(readNifti(bytes, { frame: 0 }).data[0]).toBeCloseTo(0.10725856572389603, 7); // 11 · slope + inter
  });

  test('scl_slope 0 or NaN means unscaled: the stored type and values are kept, inter ignored', () => {
    for (const sclSlope of [0, NaN]) {
      const bytes = syntheticNifti({
        dims: [3],
        datatype: 4,
        bitpix: 16,
        dataBytes: 6,
        sclSlope,
        sclInter: 100,
        voxels: (v, at, le) => [-5, 0, 300].forEach((x, k) => v.setInt16(at + 2 * k, x, le)),
      });
      const volume = readNifti(bytes);
      expect(volume.data).toBeInstanceOf(Int16Array);
      expect(Array.from(volume.data)).toEqual([-5, 0, 300]);
    }
  });

  test('slope 1, inter 0 keeps the stored type; slope 1, inter 10 scales into Float32Array', () => {
    const make = (sclInter: number) =>
      syntheticNifti({
        dims: [2],
        datatype: 2,
        bitpix: 8,
        dataBytes: 2,
        sclSlope: 1,
        sclInter,
        voxels: (v, at) => [7, 250].forEach((x, k) => v.setUint8(at + k, x)),
      });
    expect(readNifti(make(0)).data).toEqual(new Uint8Array([7, 250]));
    expect(readNifti(make(10)).data).toEqual(new Float32Array([17, 260]));
  });

  test('float64 data stay Float64Array when scaled', () => {
    const bytes = syntheticNifti({
      dims: [2],
      datatype: 64,
      bitpix: 64,
      dataBytes: 16,
      sclSlope: 0.5,
      sclInter: 1,
      voxels: (v, at, le) => [0.1, 1e300].forEach((x, k) => v.setFloat64(at + 8 * k, x, le)),
    });
    const data = readNifti(bytes).data;
    expect(data).toBeInstanceOf(Float64Array);
    expect(Array.from(data)).toEqual([0.1 * 0.5 + 1, 0.5e300 + 1]);
  });
});

describe('readNifti: datatypes and byte orders', () => {
  // [datatype code, bitpix, array the reader must return, values, how to write one value]
  const cases: [
    string,
    number,
    number,
    string,
    number[],
    (v: DataView, at: number, x: number, le: boolean) => void,
  ][] = [
    ['uint8', 2, 8, 'Uint8Array', [0, 1, 255], (v, at, x) => v.setUint8(at, x)],
    ['int8', 256, 8, 'Int8Array', [-128, -1, 127], (v, at, x) => v.setInt8(at, x)],
    ['int16', 4, 16, 'Int16Array', [-32768, -2, 32767], (v, at, x, le) => v.setInt16(at, x, le)],
    ['uint16', 512, 16, 'Uint16Array', [0, 258, 65535], (v, at, x, le) => v.setUint16(at, x, le)],
    ['int32', 8, 32, 'Int32Array', [-2147483648, -3, 2147483647], (v, at, x, le) => v.setInt32(at, x, le)],
    ['uint32', 768, 32, 'Uint32Array', [0, 16909060, 4294967295], (v, at, x, le) => v.setUint32(at, x, le)],
    ['float32', 16, 32, 'Float32Array', [-1.5, 0, 3.25], (v, at, x, le) => v.setFloat32(at, x, le)],
    ['float64', 64, 64, 'Float64Array', [-1e-300, 0.1, 1e300], (v, at, x, le) => v.setFloat64(at, x, le)],
    [
      'int64',
      1024,
      64,
      'Float64Array',
      [-(2 ** 53), -1, 2 ** 40],
      (v, at, x, le) => v.setBigInt64(at, BigInt(x), le),
    ],
    [
      'uint64',
      1280,
      64,
      'Float64Array',
      [0, 1, 2 ** 53],
      (v, at, x, le) => v.setBigUint64(at, BigInt(x), le),
    ],
  ];

  for (const [name, code, bitpix, array, values, write] of cases) {
    for (const littleEndian of [true, false]) {
      for (const format of ['nifti1', 'nifti2'] as const) {
        test(`${name}, ${littleEndian ? 'little' : 'big'}-endian, ${format}`, () => {
          const width = bitpix / 8;
          const bytes = syntheticNifti({
            format,
            littleEndian,
            dims: [3, 1, 1],
            datatype: code,
            bitpix,
            dataBytes: 3 * width,
            voxels: (v, at, le) => values.forEach((x, k) => write(v, at + k * width, x, le)),
          });
          const volume = readNifti(bytes);
          expect(volume.header?.datatype).toBe(name);
          expect(volume.header?.byteOrder).toBe(littleEndian ? 'little' : 'big');
          expect(volume.header?.format).toBe(format);
          expect(volume.data.constructor.name).toBe(array);
          expect(Array.from(volume.data)).toEqual(values);
        });
      }
    }
  }

  test.each([
    [32, 'complex64', 64, /complex64 voxels \(datatype 32\)/],
    [1792, 'complex128', 128, /complex128 voxels/],
    [128, 'rgb24', 24, /rgb24 voxels \(datatype 128\)/],
    [2304, 'rgba32', 32, /rgba32 voxels/],
    [1536, 'float128', 128, /float128 voxels/],
    [1, 'binary', 1, /binary voxels/],
  ])('datatype %i (%s) is refused as UNSUPPORTED_VOLUME', (code, _name, bitpix, message) => {
    const bytes = syntheticNifti({ dims: [2], datatype: code, bitpix, dataBytes: 64, voxels: () => {} });
    expect(() => readNifti(bytes)).toThrow(UnsupportedVolumeError);
    expect(() => readNifti(bytes)).toThrow(message);
    expect(readNiftiHeader(bytes).datatypeCode).toBe(code);
  });

  test('an unknown datatype code is INVALID_VOLUME, listing the known ones', () => {
    const bytes = syntheticNifti({ dims: [2], datatype: 3, bitpix: 8, dataBytes: 2, voxels: () => {} });
    expect(() => readNifti(bytes)).toThrow(InvalidVolumeError);
    expect(() => readNifti(bytes)).toThrow(
      /datatype is 3, not a NIfTI datatype code; known: 1 \(binary\), 2 \(uint8\)/,
    );
  });

  test('resampled_anat_moved.nii: big-endian float32 with NaNs (numpy: 153 NaN, finite sum 7749957.09866333)', () => {
    const volume = readNifti(fixture('resampled_anat_moved.nii'));
    expect(volume.header?.byteOrder).toBe('big');
    let nonFinite = 0;
    let sum = 0;
    for (const value of volume.data) {
      if (Number.isNaN(value)) nonFinite++;
      else sum += value;
    }
    expect(nonFinite).toBe(153);
    expect(sum).toBeCloseTo(7749957.09866333, 5);
  });

  test('minimal.nii.gz: big-endian uint8, no qform or sform: pixdim affine, slope 0 unscaled', () => {
    const volume = readNifti(fixture('minimal.nii.gz'));
    expect(volume.header).toMatchObject({
      byteOrder: 'big',
      qformCode: 0,
      sformCode: 0,
      affineSource: 'pixdim',
    });
    expect(volume.affine).toEqual([
      [3, 0, 0, 0],
      [0, 3, 0, 0],
      [0, 0, 3, 0],
      [0, 0, 0, 1],
    ]);
    expect(volume.spacing).toEqual([3, 3, 3]);
    expect(volume.data).toBeInstanceOf(Uint8Array);
    let sum = 0;
    for (let i = 0; i < volume.data.length; i++) sum += volume.data[i];
    expect(sum).toBe(1290240); // numpy
  });
});
