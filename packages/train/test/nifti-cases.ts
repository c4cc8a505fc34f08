/**
 * Small synthetic BraTS-layout cases written as real NIfTI files (core's writer), for the data
 * reader and CLI tests. Geometry: RAS identity axes at `spacing` mm; the brain is the box
 * i in [4, 15], j in [5, 18], k in [3, 12] (every sequence non-zero there, zero elsewhere).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNifti, type Affine, type Vec3 } from '@hadnet/core';

export const NIFTI_SHAPE: Vec3 = [20, 24, 16];
export const BRAIN = { start: [4, 5, 3], end: [15, 18, 12] } as const;

/** The labels: ET (4 or 3) at (6, 7, 5), NCR (1) at (10, 10, 8), ED (2) on the box (i 4..7, j 12..14, k 6..9). */
export function labelAt(i: number, j: number, k: number, etLabel: number): number {
  if (i === 6 && j === 7 && k === 5) return etLabel;
  if (i === 10 && j === 10 && k === 8) return 1;
  if (i >= 4 && i <= 7 && j >= 12 && j <= 14 && k >= 6 && k <= 9) return 2;
  return 0;
}

export type NamingScheme = 'hadnet' | 'brats2017' | 'brats2023';

const NAMES: Record<NamingScheme, (id: string) => Record<string, string>> = {
  hadnet: () => ({ flair: 'flair', t1: 't1', t1ce: 't1ce', t2: 't2', seg: 'seg' }),
  brats2017: (id) => ({
    flair: `${id}_flair`,
    t1: `${id}_t1`,
    t1ce: `${id}_t1ce`,
    t2: `${id}_t2`,
    seg: `${id}_seg`,
  }),
  brats2023: (id) => ({
    flair: `${id}-t2f`,
    t1: `${id}-t1n`,
    t1ce: `${id}-t1c`,
    t2: `${id}-t2w`,
    seg: `${id}-seg`,
  }),
};

/**
 * Writes one case folder `<root>/<id>/`. Image value in the brain: 100 + 10 s + i + 2 j + 3 k for
 * sequence s (0..3), plus 50 in the tumour; ET at its voxel in the convention's value.
 */
export function writeNiftiCase(
  root: string,
  id: string,
  options: { scheme?: NamingScheme; spacing?: number; omit?: string[] } = {},
): string {
  const scheme = options.scheme ?? 'hadnet';
  const spacing = options.spacing ?? 2;
  const names = NAMES[scheme](id);
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  const [nx, ny, nz] = NIFTI_SHAPE;
  const affine: Affine = [
    [spacing, 0, 0, 0],
    [0, spacing, 0, 0],
    [0, 0, spacing, 0],
    [0, 0, 0, 1],
  ];
  const inBrain = (i: number, j: number, k: number) =>
    i >= BRAIN.start[0] &&
    i <= BRAIN.end[0] &&
    j >= BRAIN.start[1] &&
    j <= BRAIN.end[1] &&
    k >= BRAIN.start[2] &&
    k <= BRAIN.end[2];
  const et = scheme === 'brats2023' ? 3 : 4;
  const kinds = ['flair', 't1', 't1ce', 't2', 'seg'].filter((k) => !(options.omit ?? []).includes(k));
  kinds.forEach((kind, s) => {
    const data = kind === 'seg' ? new Uint8Array(nx * ny * nz) : new Int16Array(nx * ny * nz);
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++) {
          if (!inBrain(i, j, k)) continue;
          const v = i + nx * (j + ny * k);
          const label = labelAt(i, j, k, et);
          data[v] = kind === 'seg' ? label : 100 + 10 * s + i + 2 * j + 3 * k + (label ? 50 : 0);
        }
    const bytes = writeNifti({ data, shape: [nx, ny, nz], spacing: [spacing, spacing, spacing], affine });
    writeFileSync(join(dir, `${names[kind]}.nii.gz`), bytes);
  });
  return dir;
}
