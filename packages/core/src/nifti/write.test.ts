import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Affine, Volume } from '../volume.js';
import type { NiftiHeader } from './header.js';
import { readNifti } from './read.js';
import { writeNifti } from './write.js';

/**
 * The fields of a little-endian NIfTI-1 header, read at the byte offsets of nifti1.h. Written for
 * this test, apart from hadnet's reader, so that a shared mistake cannot pass unnoticed.
 */
function parseHeader(file: Uint8Array) {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const f32 = (at: number) => view.getFloat32(at, true);
  const i16 = (at: number) => view.getInt16(at, true);
  const text = (at: number, length: number) =>
    new TextDecoder().decode(file.subarray(at, at + length)).replace(/\0.*$/s, '');
  return {
    sizeofHdr: view.getInt32(0, true),
    dims: Array.from({ length: 8 }, (_, n) => i16(40 + 2 * n)),
    datatype: i16(70),
    bitpix: i16(72),
    pixdim: Array.from({ length: 8 }, (_, n) => f32(76 + 4 * n)),
    voxOffset: f32(108),
    sclSlope: f32(112),
    sclInter: f32(116),
    xyztUnits: view.getUint8(123),
    calMax: f32(124),
    calMin: f32(128),
    descrip: text(148, 80),
    qformCode: i16(252),
    sformCode: i16(254),
    quatern: [f32(256), f32(260), f32(264)],
    qoffset: [f32(268), f32(272), f32(276)],
    srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f32(280 + 16 * r + 4 * c))),
    magic: text(344, 4),
    extension: Array.from(file.subarray(348, 352)),
  };
}

/** Voxels at byte 352, little-endian, read with DataView one by one. */
function voxels(file: Uint8Array, datatype: number, count: number): number[] {
  const view = new DataView(file.buffer, file.byteOffset + 352);
  const read: Record<number, (at: number) => number> = {
    2: (n) => view.getUint8(n),
    4: (n) => view.getInt16(2 * n, true),
    8: (n) => view.getInt32(4 * n, true),
    16: (n) => view.getFloat32(4 * n, true),
    64: (n) => view.getFloat64(8 * n, true),
    256: (n) => view.getInt8(n),
    512: (n) => view.getUint16(2 * n, true),
    768: (n) => view.getUint32(4 * n, true),
  };
  return Array.from({ length: count }, (_, n) => read[datatype](n));
}

const LPS: Affine = [
  [-1, 0, 0, -0],
  [0, -1, 0, 239],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

function volumeOf(data: Volume['data'], affine: Affine = LPS): Volume {
  return { data, shape: [2, 3, 4], spacing: [1, 1, 1], affine };
}

/** A header as a reader would give it for a BraTS-like file: qform code 2, sform code 1. */
function referenceHeader(): NiftiHeader {
  return {
    format: 'nifti1',
    storage: 'single',
    byteOrder: 'little',
    dims: [3, 2, 3, 4, 1, 1, 1, 1],
    pixdim: [1, 1, 1, 1, 0, 0, 0, 0],
    datatype: 'int16',
    datatypeCode: 4,
    bitpix: 16,
    voxOffset: 352,
    sclSlope: NaN,
    sclInter: NaN,
    qformCode: 2,
    sformCode: 1,
    quatern: [0, 0, 1],
    qoffset: [0, 239, 0],
    sform: LPS,
    affine: LPS,
    affineSource: 'sform',
    xyztUnits: 10,
    intentCode: 0,
    calMin: 0,
    calMax: 0,
    description: 'an input',
  };
}

describe('writeNifti', () => {
  it('writes a gzipped NIfTI-1 file whose plain bytes are the gzip: false output', () => {
    const volume = volumeOf(new Uint8Array(24).map((_, n) => n % 5));
    const gz = writeNifti(volume);
    const plain = writeNifti(volume, { gzip: false });
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(new Uint8Array(gunzipSync(gz))).toEqual(plain);
    expect(plain.length).toBe(352 + 24);
    expect(writeNifti(volume)).toEqual(gz); // no time stamp: the same input gives the same bytes
  });

  it('fills the header: sizes, datatype, scaling, offsets, codes, sform, qform, description', () => {
    const data = new Int16Array(24).map((_, n) => n * 100 - 1000);
    const header = parseHeader(writeNifti(volumeOf(data), { gzip: false }));
    expect(header).toMatchObject({
      sizeofHdr: 348,
      dims: [3, 2, 3, 4, 1, 1, 1, 1],
      datatype: 4,
      bitpix: 16,
      voxOffset: 352,
      sclSlope: 1,
      sclInter: 0,
      xyztUnits: 2,
      calMin: -1000,
      calMax: 1300,
      descrip: 'hadnet',
      qformCode: 1,
      sformCode: 1,
      magic: 'n+1',
      extension: [0, 0, 0, 0],
    });
    expect(header.srow).toEqual([
      [-1, 0, 0, -0],
      [0, -1, 0, 239],
      [0, 0, 1, 0],
    ]);
    // LPS = a half turn about z: quaternion (0, 0, 0, 1), qfac 1, offset = translation (its -0 kept)
    expect(header.quatern).toEqual([0, 0, 1]);
    expect(header.qoffset).toEqual([-0, 239, 0]);
    expect(header.pixdim.slice(0, 4)).toEqual([1, 1, 1, 1]);
  });

  it('writes a mirrored affine with qfac -1 and the xform code asked for', () => {
    const las: Affine = [
      [-2, 0, 0, 90],
      [0, 2, 0, -126],
      [0, 0, 2.5, -72],
      [0, 0, 0, 1],
    ];
    const header = parseHeader(writeNifti(volumeOf(new Uint8Array(24), las), { gzip: false, xformCode: 2 }));
    expect(header.pixdim.slice(0, 4)).toEqual([-1, 2, 2, 2.5]);
    expect(header.quatern).toEqual([0, 1, 0]);
    expect([header.qformCode, header.sformCode]).toEqual([2, 2]);
    expect(header.srow[2]).toEqual([0, 0, 2.5, -72]);
  });

  it('stores voxels little-endian in every writable datatype, converting the array type', () => {
    const cases = [
      { datatype: 'uint8', code: 2, values: [0, 1, 2, 4, 255] },
      { datatype: 'int8', code: 256, values: [-128, -1, 0, 127, 5] },
      { datatype: 'uint16', code: 512, values: [0, 65535, 300, 1, 2] },
      { datatype: 'int16', code: 4, values: [-32768, 32767, -1, 0, 9] },
      { datatype: 'uint32', code: 768, values: [0, 4294967295, 70000, 1, 2] },
      { datatype: 'int32', code: 8, values: [-2147483648, 2147483647, -5, 0, 1] },
      { datatype: 'float32', code: 16, values: [0.25, -1e30, 3.5, NaN, Infinity] },
      { datatype: 'float64', code: 64, values: [0.1, -1e300, Math.PI, 0, -0.5] },
    ] as const;
    for (const { datatype, code, values } of cases) {
      const volume: Volume = {
        data: Float64Array.from(values),
        shape: [5, 1, 1],
        spacing: [1, 1, 1],
        affine: LPS,
      };
      const file = writeNifti(volume, { datatype, gzip: false });
      expect(parseHeader(file).datatype).toBe(code);
      expect(voxels(file, code, values.length)).toEqual(
        values.map((v) => (code === 16 ? Math.fround(v) : v)),
      );
    }
  });

  it('takes the datatype from the array type by default, and rounds doubles to float32', () => {
    const probabilities = Float64Array.from([0.1, 0.2, 0.7]);
    const volume: Volume = { data: probabilities, shape: [3, 1, 1], spacing: [1, 1, 1], affine: LPS };
    expect(parseHeader(writeNifti(volume, { gzip: false })).datatype).toBe(64);
    const file = writeNifti(volume, { gzip: false, datatype: 'float32' });
    expect(voxels(file, 16, 3)).toEqual([Math.fround(0.1), Math.fround(0.2), Math.fround(0.7)]);
    const header = parseHeader(file);
    expect([header.calMin, header.calMax]).toEqual([Math.fround(0.1), Math.fround(0.7)]);
  });

  it('refuses a voxel that does not fit the datatype, naming the voxel, value and datatype', () => {
    const volume = (values: number[]): Volume => ({
      data: Float32Array.from(values),
      shape: [values.length, 1, 1],
      spacing: [1, 1, 1],
      affine: LPS,
    });
    expect(() => writeNifti(volume([0, 256]), { datatype: 'uint8' })).toThrow(
      /writeNifti: voxel 1 \(i, j, k = 1, 0, 0\) holds 256, which does not fit datatype 'uint8' \(integers from 0 to 255\)/,
    );
    expect(() => writeNifti(volume([1.5]), { datatype: 'int16' })).toThrow(RangeError);
    expect(() => writeNifti(volume([NaN]), { datatype: 'uint8' })).toThrow(/holds NaN/);
    expect(() => writeNifti(volume([-1]), { datatype: 'uint32' })).toThrow(/holds -1/);
    const huge: Volume = { ...volume([0]), data: Float64Array.from([1e39]) };
    expect(() => writeNifti(huge, { datatype: 'float32' })).toThrow(
      /holds 1e\+39, which does not fit datatype 'float32'/,
    );
  });

  it('copies the reference geometry (volume.header by default) so the output overlays the input', () => {
    const reference = referenceHeader();
    for (const volume of [
      volumeOf(new Uint8Array(24)),
      { ...volumeOf(new Uint8Array(24)), header: reference },
    ]) {
      const options = volume.header ? { gzip: false } : { gzip: false, reference };
      const header = parseHeader(writeNifti(volume, options));
      expect(header.qformCode).toBe(2);
      expect(header.sformCode).toBe(1);
      expect(header.xyztUnits).toBe(10);
      expect(header.quatern).toEqual([0, 0, 1]);
      expect(header.qoffset).toEqual([0, 239, 0]);
      expect(header.pixdim).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
      expect(header.datatype).toBe(2); // the data's type, not the reference's int16
      expect(header.descrip).toBe('hadnet');
    }
  });

  it('refuses a reference on another grid', () => {
    const reference = referenceHeader();
    const other: Volume = { data: new Uint8Array(24), shape: [3, 2, 4], spacing: [1, 1, 1], affine: LPS };
    expect(() => writeNifti(other, { reference })).toThrow(
      /writeNifti: options.reference has dims 2x3x4, but volume.shape is 3x2x4/,
    );
    const moved = volumeOf(new Uint8Array(24), [
      [-1, 0, 0, 5],
      [0, -1, 0, 239],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
    expect(() => writeNifti({ ...moved, header: reference })).toThrow(
      /writeNifti: volume.header's affine\[0\]\[3\] is 0, but volume.affine\[0\]\[3\] is 5/,
    );
  });

  it('refuses inconsistent volumes and bad options with typed errors', () => {
    expect(() => writeNifti({ ...volumeOf(new Uint8Array(23)) })).toThrow(
      expect.objectContaining({ code: 'INVALID_VOLUME' }),
    );
    expect(() => writeNifti(volumeOf(new Uint8Array(24)), { datatype: 'rgb24' as 'uint8' })).toThrow(
      /options.datatype must be one of uint8, int16, int32, float32, float64, int8, uint16, uint32; got "rgb24"/,
    );
    expect(() => writeNifti(volumeOf(new Uint8Array(24)), { description: 'x'.repeat(81) })).toThrow(
      /at most 80 bytes/,
    );
    const singular = volumeOf(new Uint8Array(24), [
      [1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
    expect(() => writeNifti(singular)).toThrow(/qformFromAffine: column 1/);
  });

  it('reads back with hadnet’s reader: the same voxels, array type and affine, in every axis order', () => {
    const orders: Affine[] = [
      LPS,
      [
        [0, 0, -2.5, 40],
        [1.2, 0, 0, -10],
        [0, -0.8, 0, 3.25],
        [0, 0, 0, 1],
      ], // PIL, anisotropic
      [
        [0.9659258, -0.258819, 0, 1],
        [0.258819, 0.9659258, 0, 2],
        [0, 0, -1, 3],
        [0, 0, 0, 1],
      ], // turned 15 degrees about z, mirrored k
    ];
    const arrays = [
      Uint8Array.from({ length: 24 }, (_, n) => [0, 1, 2, 4][n % 4]),
      Int16Array.from({ length: 24 }, (_, n) => n * 1000 - 12000),
      Float32Array.from({ length: 24 }, (_, n) => n / 23),
    ];
    for (const affine of orders) {
      for (const data of arrays) {
        for (const gzip of [true, false]) {
          const back = readNifti(writeNifti(volumeOf(data, affine), { gzip }));
          expect(back.data.constructor).toBe(data.constructor);
          expect(back.data).toEqual(data);
          expect(back.shape).toEqual([2, 3, 4]);
          expect(back.header?.affineSource).toBe('sform');
          // the sform is stored as float32: the affine comes back as its float32 rounding
          expect(back.affine).toEqual(affine.map((row) => row.map((v) => Math.fround(v))));
          // and the qform, decoded by the reader, describes the same grid
          const qform = back.header!.qform!;
          for (let r = 0; r < 3; r++) {
            for (let c = 0; c < 4; c++) expect(Math.abs(qform[r][c] - affine[r][c])).toBeLessThan(1e-5);
          }
        }
      }
    }
  });
});
