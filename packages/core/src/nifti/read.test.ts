/**
 * readNifti / readNiftiHeader on the shipped fixtures (packages/core/test/fixtures, no ../shared
 * needed) and on synthetic files. Expected values were worked out by hand or with numpy from the
 * raw bytes, never from the reader's own output.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { afterEach, describe, expect, test } from 'vitest';
import { InvalidVolumeError, UnsupportedVolumeError } from '../errors.js';
import { setLogger } from '../logger.js';
import { axisCodes } from '../orientation/axis-codes.js';
import { syntheticNifti } from '../../test/nifti-bytes.js';
import { readNifti, readNiftiHeader } from './index.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url)));

/** low_res.nii.gz: 7x5x3 uint8 whose voxels alternate 1, 0, 1, … (numpy). */
const alternating = Uint8Array.from({ length: 105 }, (_, n) => (n % 2 === 0 ? 1 : 0));

/** Collects log.warn messages while a test runs. */
function captureWarnings(): string[] {
  const warnings: string[] = [];
  const drop = () => {};
  setLogger({ debug: drop, info: drop, warn: (m) => warnings.push(m), error: drop }, 'warn');
  return warnings;
}
afterEach(() => setLogger(null, 'silent'));

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
    expect(volume.data.reduce((a: number, b: number) => a + b, 0)).toBe(1290240); // numpy
  });
});

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
      TypeError,
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
    expect(warnings[0]).toMatch(/vox_offset 0 would overlap the header; reading the voxels from byte 352/);
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
