import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../nifti/read.js';
import type { Affine, Volume } from '../volume.js';
import { axisCodes } from './axis-codes.js';
import { reorientFromRas, reorientToRas } from './reorient.js';

// ../shared/data beside the repository root (this file is four folders below it)
const data = fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));
const space = `${data}nifti-zoo/niivue/nifti_space/`;
const bratsFlair = `${data}brats-sample/Brats18_TCIA03_265_1/flair.nii.gz`;
const haveSpace = existsSync(space);
const haveBrats = existsSync(bratsFlair);
if (!haveSpace)
  console.log(
    `skipping the 48 orientation files: ${space} is absent (../shared/data is not beside this clone)`,
  );
if (!haveBrats) console.log(`skipping the BraTS orientation test: ${bratsFlair} is absent`);

function read(path: string): Volume {
  return readNifti(new Uint8Array(readFileSync(path)), { name: path });
}

function bytesOf(array: Volume['data']): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Index of the first differing byte, or -1: cheaper than a deep equality on 300k voxels. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let n = 0; n < a.length; n++) if (a[n] !== b[n]) return n;
  return -1;
}

function maxAffineDifference(a: Affine, b: Affine): number {
  let worst = 0;
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(a[r][c] - b[r][c]));
  return worst;
}

describe.skipIf(!haveSpace)('the same brain in all 48 axis orders (niivue nifti_space)', () => {
  const files = haveSpace ? readdirSync(space).filter((name) => name.endsWith('.nii.gz')) : [];
  const reference = haveSpace ? reorientToRas(read(`${space}RAS.nii.gz`)).volume : undefined;

  it('holds 48 files', () => {
    expect(files.length).toBe(48);
  });

  it.each(files)(
    '%s: axis codes match the name, RAS voxels match RAS.nii.gz, the round trip is exact',
    (name) => {
      const volume = read(space + name);
      expect(axisCodes(volume.affine)).toBe(name.slice(0, 3));

      // same grid and voxels as the RAS file once reoriented; same world positions
      const { volume: ras, reorientation } = reorientToRas(volume);
      expect(ras.shape).toEqual(reference!.shape);
      expect(firstDifference(bytesOf(ras.data), bytesOf(reference!.data))).toBe(-1);
      expect(maxAffineDifference(ras.affine, reference!.affine)).toBeLessThan(1e-4);

      // back, bit for bit
      const back = reorientFromRas(ras, reorientation);
      expect(back.data.constructor).toBe(volume.data.constructor);
      expect(firstDifference(bytesOf(back.data), bytesOf(volume.data))).toBe(-1);
      expect(back.shape).toEqual(volume.shape);
      expect(back.spacing).toEqual(volume.spacing);
      expect(back.affine).toEqual(volume.affine);
      expect(back.header).toBe(volume.header);
    },
  );
});

describe.skipIf(!haveBrats)('a BraTS volume (LPS)', () => {
  it('reorients to RAS by flipping i and j, voxel (u, v, w) being source (239 - u, 239 - v, w)', () => {
    const flair = read(bratsFlair);
    expect(axisCodes(flair.affine)).toBe('LPS');
    const { volume: ras, reorientation } = reorientToRas(flair);
    expect(reorientation.axes).toEqual([0, 1, 2]);
    expect(reorientation.flips).toEqual([true, true, false]);
    expect(ras.shape).toEqual([240, 240, 155]);
    expect(axisCodes(ras.affine)).toBe('RAS');

    const [nx, ny, nz] = flair.shape;
    let mismatches = 0;
    for (let w = 0; w < nz; w++) {
      for (let v = 0; v < ny; v++) {
        for (let u = 0; u < nx; u++) {
          if (ras.data[u + nx * (v + ny * w)] !== flair.data[nx - 1 - u + nx * (ny - 1 - v + ny * w)])
            mismatches++;
        }
      }
    }
    expect(mismatches).toBe(0);

    // the RAS affine puts voxel (0, 0, 0) where the source put (239, 239, 0)
    const world = (a: Affine, i: number, j: number, k: number) =>
      [0, 1, 2].map((r) => a[r][0] * i + a[r][1] * j + a[r][2] * k + a[r][3]);
    expect(world(ras.affine, 0, 0, 0)).toEqual(world(flair.affine, 239, 239, 0));
    expect(world(ras.affine, 10, 20, 30)).toEqual(world(flair.affine, 229, 219, 30));

    const back = reorientFromRas(ras, reorientation);
    expect(firstDifference(bytesOf(back.data), bytesOf(flair.data))).toBe(-1);
    expect(back.affine).toEqual(flair.affine);
  });
});
