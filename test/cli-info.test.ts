/**
 * `hadnet info` end to end: spawns the built bin (packages/infer-node/dist/cli.js; `npm test`
 * builds it first) and checks the JSON shape, the table, the exit codes and the error line of
 * CONTRACTS.md. Expected values were computed independently with numpy from the raw bytes.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { syntheticNifti } from '../packages/core/test/nifti-bytes.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = `${root}packages/infer-node/dist/cli.js`;
const fixtures = 'packages/core/test/fixtures/';
const built = existsSync(bin);
if (!built)
  console.log(`skipping hadnet info tests: ${bin} is not built (run npm run build, as npm test does)`);

function hadnet(...args: string[]) {
  return hadnetIn(root, ...args);
}

function hadnetIn(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** uint8 voxels 0, 1, 2, 3 on a 2 x 2 x `frames` grid, with bitpix 16 and vox_offset 0 in the header. */
function damagedHeader(frames = 1): Uint8Array {
  const bytes = syntheticNifti({
    dims: frames === 1 ? [2, 2, 1] : [2, 2, 1, frames],
    datatype: 2,
    bitpix: 16,
    dataBytes: 4 * frames,
    voxels: (view, offset) => {
      for (let v = 0; v < 4 * frames; v++) view.setUint8(offset + v, v % 4);
    },
  });
  new DataView(bytes.buffer).setFloat32(108, 0, true); // vox_offset 0: inside the header
  return bytes;
}

describe.skipIf(!built)('hadnet info', () => {
  test('--json prints exactly the contract object (big-endian float32 with NaNs)', () => {
    const file = `${fixtures}resampled_anat_moved.nii`;
    const { code, stdout, stderr } = hadnet('info', file, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual([
      'file',
      'format',
      'dims',
      'pixdim',
      'datatype',
      'byteOrder',
      'qformCode',
      'sformCode',
      'affine',
      'affineSource',
      'axisCodes',
      'sclSlope',
      'sclInter',
      'min',
      'max',
      'mean',
      'nonFinite',
    ]);
    expect(report).toMatchObject({
      file,
      format: 'nifti1',
      dims: [17, 21, 3],
      pixdim: [4, 4, 8],
      datatype: 'float32',
      byteOrder: 'big',
      qformCode: 2,
      sformCode: 2,
      affine: [
        [-4, 0, 0, 32],
        [0, 4, 0, -40],
        [0, 0, 8, 0],
        [0, 0, 0, 1],
      ],
      affineSource: 'sform',
      axisCodes: 'LAS',
      sclSlope: 1,
      sclInter: 0,
      min: 409.3004455566406,
      max: 13360.9619140625,
      nonFinite: 153,
    });
    expect(report.mean).toBeCloseTo(8442.21906172476, 8);
  });

  test('statistics cover every volume of a 4D NIfTI-2 file', () => {
    const { code, stdout } = hadnet('info', `${fixtures}example_nifti2.nii.gz`, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      format: 'nifti2',
      dims: [32, 20, 12, 2],
      min: 46,
      max: 757,
      nonFinite: 0,
    });
    expect(report.mean).toBeCloseTo(450.963671875, 9);
    expect(report.axisCodes).toBe('LAS');
  });

  test('scaled values: min, max and mean after scl_slope/scl_inter, all three volumes of a 5D file', () => {
    const report = JSON.parse(hadnet('info', `${fixtures}5D_small.nii`, '--json').stdout);
    expect(report.sclSlope).toBeCloseTo(0.0027581409085541964, 12);
    expect(report.min).toBe(0.07691901922225952);
    expect(report.max).toBe(0.7802449464797974);
    expect(report.mean).toBeCloseTo(0.4045248685611619, 9);
  });

  test('prints a readable table without --json (the shipped BraTS FLAIR)', () => {
    const { code, stdout, stderr } = hadnet('info', 'examples/Brats18_TCIA03_265_1/flair.nii.gz');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^dims\s+240 x 240 x 155$/m);
    expect(stdout).toMatch(/^datatype\s+int16$/m);
    expect(stdout).toMatch(/^affine\s+from the sform$/m);
    expect(stdout).toMatch(/^\s+0\s+-1\s+0\s+239$/m);
    expect(stdout).toMatch(/^axis codes\s+LPS$/m);
    expect(stdout).toMatch(/^min\s+0$/m);
    expect(stdout).toMatch(/^max\s+624$/m);
    expect(stdout).toMatch(/^mean\s+15\.4417$/m);
  });

  test.each([
    ['not-nifti.nii', 'INVALID_VOLUME', /is not a NIfTI file/],
    ['analyze.hdr', 'UNSUPPORTED_VOLUME', /Analyze 7\.5/],
    ['nifti1.hdr', 'INVALID_VOLUME', /missing \.img for the pair header .*nifti1\.hdr: tried /],
    ['row_major.dconn.nii', 'UNSUPPORTED_VOLUME', /CIFTI-2/],
    ['absent.nii.gz', 'ENOENT', /cannot read .*absent\.nii\.gz: no such file/],
  ])('%s: exit 1 and one line "hadnet: %s: …" on stderr', (name, errorCode, message) => {
    const { code, stdout, stderr } = hadnet('info', `${fixtures}${name}`, '--json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.startsWith(`hadnet: ${errorCode}: `)).toBe(true);
    expect(stderr).toMatch(message);
  });

  test('a non-finite scl_inter is shown as not applied, as the reader ignores it', () => {
    // 2x2x1 uint8 voxels 0, 1, 2, 3 with slope 1 and an infinite intercept
    const bytes = syntheticNifti({
      dims: [2, 2, 1],
      datatype: 2,
      bitpix: 8,
      dataBytes: 4,
      voxels: (view, offset) => [0, 1, 2, 3].forEach((v, i) => view.setUint8(offset + i, v)),
      sclSlope: 1,
      sclInter: Infinity,
    });
    const folder = mkdtempSync(join(tmpdir(), 'hadnet-info-'));
    const file = join(folder, 'inter-inf.nii');
    writeFileSync(file, bytes);
    const { code, stdout } = hadnet('info', file);
    rmSync(folder, { recursive: true });
    expect(code).toBe(0);
    expect(stdout).toMatch(/scl_slope 1, scl_inter Infinity \(not applied\)/);
    expect(stdout).toMatch(/\nmin +0\n/);
    expect(stdout).toMatch(/\nmax +3\n/);
  });

  test('the bitpix and vox_offset warnings print once each, for a 3D file and for every volume of a 4D one', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hadnet-info-'));
    try {
      for (const frames of [1, 3]) {
        const file = join(folder, `damaged-${frames}.nii`);
        writeFileSync(file, damagedHeader(frames));
        const { code, stdout, stderr } = hadnet('info', file);
        expect(code).toBe(0);
        expect(stdout).toMatch(/\nmax +3\n/);
        expect(stderr.trimEnd().split('\n')).toEqual([
          `hadnet: warning: readNifti: ${file}: header field bitpix is 16, but datatype uint8 has 8 bits per voxel; trusting datatype`,
          `hadnet: warning: readNifti: ${file}: vox_offset 0 would overlap the header; reading the voxels from byte 352`,
        ]);
      }
    } finally {
      rmSync(folder, { recursive: true });
    }
  });

  test('-- ends the options: a file named -x.nii (or --json) is read as the FILE', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hadnet-info-'));
    try {
      copyFileSync(`${root}${fixtures}5D_small.nii`, join(folder, '-x.nii'));
      copyFileSync(`${root}${fixtures}5D_small.nii`, join(folder, '--json'));
      const dashed = hadnetIn(folder, 'info', '--json', '--', '-x.nii');
      expect(dashed.stderr).toBe('');
      expect(dashed.code).toBe(0);
      expect(JSON.parse(dashed.stdout)).toMatchObject({ file: '-x.nii', max: 0.7802449464797974 });
      const named = hadnetIn(folder, 'info', '--', '--json');
      expect(named.code).toBe(0);
      expect(named.stdout).toMatch(/^file {8}--json$/m);
      // --debug and --help after -- are operands too: two files here, a usage error
      const two = hadnetIn(folder, 'info', '--', '-x.nii', '--help');
      expect(two.code).toBe(2);
      expect(two.stderr).toMatch(/^hadnet info: expected one FILE; got 2/);
      // without --, -x.nii reads as an option
      const bare = hadnetIn(folder, 'info', '-x.nii');
      expect(bare.code).toBe(2);
      expect(bare.stderr).toMatch(/^hadnet info: unknown option -x\.nii/);
    } finally {
      rmSync(folder, { recursive: true });
    }
  });

  test('usage errors exit 2: no file, two files, an unknown option', () => {
    for (const args of [[], ['a.nii', 'b.nii'], [`${fixtures}low_res.nii.gz`, '--frame']]) {
      const { code, stdout, stderr } = hadnet('info', ...args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^hadnet info: (missing FILE|expected one FILE; got 2|unknown option --frame)/);
      expect(stderr).toContain('Usage: hadnet info FILE [--json]');
    }
  });
});
