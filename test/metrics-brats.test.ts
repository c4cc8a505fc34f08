/**
 * The metrics on real BraTS label maps (issue 3, "Done when"): a case's own label map against
 * itself, and against itself shifted by two voxels, at 1 mm and at 1 x 1 x 2.5 mm, checked against
 * an independent computation written here (Dice by counting labels, HD95 by brute force over the
 * surface voxels of a crop and a plain sort).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateSegmentation, readNifti, type Affine, type Vec3, type Volume } from '@hadnet/core';
import { bruteHausdorff } from '../packages/core/src/metrics/brute-force.testing.js';

const sample = fileURLToPath(new URL('../../shared/data/brats-sample/', import.meta.url));
const present = existsSync(sample);
if (!present) console.log(`metrics-brats: skipped, no BraTS sample at ${sample}`);

const CASES = ['Brats18_TCIA03_265_1', 'Brats18_CBICA_ALU_1'];
const REGION_LABELS = { ET: [4], TC: [1, 4], WT: [1, 2, 4] } as const;

const read = new Map<string, Volume>();
function readSeg(id: string): Volume {
  if (!read.has(id)) read.set(id, readNifti(new Uint8Array(readFileSync(`${sample}/${id}/seg.nii.gz`))));
  return read.get(id)!;
}

/** The label map moved by `by` voxels along axis k (zeros enter at the low end). */
function shiftAlongK(seg: Volume, by: number): Volume {
  const [nx, ny, nz] = seg.shape;
  const data = new Uint8Array(seg.data.length);
  for (let k = by; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) data[i + nx * (j + ny * k)] = seg.data[i + nx * (j + ny * (k - by))];
    }
  }
  return { ...seg, data };
}

/** The same voxels with slices `sliceMm` thick: column k of the affine scaled. */
function withSliceThickness(seg: Volume, sliceMm: number): Volume {
  const affine = seg.affine.map((row) => [...row]) as Affine;
  const scale = sliceMm / seg.spacing[2];
  for (let r = 0; r < 3; r++) affine[r][2] *= scale;
  return { ...seg, affine, spacing: [seg.spacing[0], seg.spacing[1], sliceMm] };
}

/** Region masks of a crop [lo, hi] (inclusive) of a label map, by testing each label. */
function croppedRegion(seg: Volume, labels: readonly number[], lo: Vec3, hi: Vec3): Uint8Array {
  const [nx, ny] = seg.shape;
  const out: number[] = [];
  for (let k = lo[2]; k <= hi[2]; k++) {
    for (let j = lo[1]; j <= hi[1]; j++) {
      for (let i = lo[0]; i <= hi[0]; i++) out.push(labels.includes(seg.data[i + nx * (j + ny * k)]) ? 1 : 0);
    }
  }
  return Uint8Array.from(out);
}

/** Dice, HD95 and the crop box, computed independently of @hadnet/core's metrics. */
function independent(a: Volume, b: Volume, labels: readonly number[]) {
  const [nx, ny, nz] = a.shape;
  let inA = 0;
  let inB = 0;
  let both = 0;
  const lo: Vec3 = [nx, ny, nz];
  const hi: Vec3 = [-1, -1, -1];
  for (let v = 0; v < a.data.length; v++) {
    const x = labels.includes(a.data[v]);
    const y = labels.includes(b.data[v]);
    if (x) inA++;
    if (y) inB++;
    if (x && y) both++;
    if (x || y) {
      const ijk = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
      for (let d = 0; d < 3; d++) {
        lo[d] = Math.min(lo[d], ijk[d]);
        hi[d] = Math.max(hi[d], ijk[d]);
      }
    }
  }
  const dice = inA + inB === 0 ? 1 : (2 * both) / (inA + inB);
  if (inA === 0 || inB === 0) return { dice, hd95: inA + inB === 0 ? 0 : NaN };

  // a crop with one voxel of margin inside the grid holds both masks, so their surfaces are unchanged
  for (let d = 0; d < 3; d++) {
    lo[d] = Math.max(0, lo[d] - 1);
    hi[d] = Math.min(a.shape[d] - 1, hi[d] + 1);
  }
  const shape = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const hd95 = bruteHausdorff(
    croppedRegion(a, labels, lo, hi),
    croppedRegion(b, labels, lo, hi),
    shape,
    a.spacing,
  );
  return { dice, hd95 };
}

describe.skipIf(!present)('metrics on BraTS label maps', () => {
  for (const id of CASES) {
    it(`${id}: its own label map scores Dice 1 and HD95 0 against itself`, () => {
      const seg = readSeg(id);
      const { regions } = evaluateSegmentation({ pred: seg, truth: seg });
      for (const region of ['ET', 'TC', 'WT'] as const) {
        expect(regions[region].dice).toBe(1);
        expect(regions[region].hd95).toBe(0);
        expect(regions[region].sensitivity).toBe(1);
        expect(regions[region].specificity).toBe(1);
      }
    });
  }

  for (const sliceMm of [1, 2.5]) {
    it(`${CASES[1]}: shifted by two slices at 1 x 1 x ${sliceMm} mm matches the brute-force Dice and HD95`, () => {
      const seg = withSliceThickness(readSeg(CASES[1]), sliceMm);
      const shifted = shiftAlongK(seg, 2);
      const { regions } = evaluateSegmentation({ pred: shifted, truth: seg });
      for (const region of ['ET', 'TC', 'WT'] as const) {
        const expected = independent(shifted, seg, REGION_LABELS[region]);
        expect(regions[region].dice).toBeCloseTo(expected.dice, 6);
        expect(Math.abs(regions[region].hd95 - expected.hd95)).toBeLessThan(1e-6);
        expect(regions[region].dice).toBeLessThan(1);
        expect(regions[region].hd95).toBeGreaterThan(0);
      }
    });
  }
});
