/**
 * `hadnet info` end to end: spawns the built bin (packages/infer-node/dist/cli.js; `npm test`
 * builds it first) and checks the JSON shape, the table, the exit codes and the error line of
 * CONTRACTS.md. Expected values were computed independently with numpy from the raw bytes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
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
