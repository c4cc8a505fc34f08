import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../volume.js';
import { connectedComponents } from './components.js';

// an independent labelling: union-find over every pair of neighbouring foreground voxels
function unionFindSizes(mask: Uint8Array, [nx, ny, nz]: Vec3, connectivity: 6 | 26): number[] {
  const parent = Int32Array.from({ length: mask.length }, (_, v) => v);
  const find = (v: number): number => {
    while (parent[v] !== v) v = parent[v] = parent[parent[v]];
    return v;
  };
  const at = (i: number, j: number, k: number) => i + nx * (j + ny * k);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        if (!mask[at(i, j, k)]) continue;
        for (let c = k; c <= Math.min(k + 1, nz - 1); c++)
          for (let b = j - 1; b <= j + 1; b++)
            for (let a = i - 1; a <= i + 1; a++) {
              if (a < 0 || b < 0 || a >= nx || b >= ny) continue;
              const d = Math.abs(a - i) + Math.abs(b - j) + Math.abs(c - k);
              if (d === 0 || (connectivity === 6 && d > 1) || !mask[at(a, b, c)]) continue;
              parent[find(at(a, b, c))] = find(at(i, j, k));
            }
      }
  const counts = new Map<number, number>();
  for (let v = 0; v < mask.length; v++) if (mask[v]) counts.set(find(v), (counts.get(find(v)) ?? 0) + 1);
  return [...counts.values()].sort((x, y) => x - y);
}

describe('connectedComponents', () => {
  it('joins diagonal neighbours with 26-connectivity only', () => {
    // voxels (0,0,0) and (1,1,1) touch at a corner; (3,0,0) stands alone
    const shape: Vec3 = [4, 2, 2];
    const mask = new Uint8Array(16);
    mask[0] = 1;
    mask[1 + 4 * (1 + 2 * 1)] = 1;
    mask[3] = 1;
    expect(connectedComponents(mask, shape, { connectivity: 26 }).sizes).toEqual([2, 1]);
    const six = connectedComponents(mask, shape, { connectivity: 6 });
    expect(six.sizes).toEqual([1, 1, 1]);
    expect(Array.from(six.labels.filter((l) => l > 0))).toEqual([1, 2, 3]);
  });

  it('agrees with a union-find labelling on a random mask, for both connectivities', () => {
    const shape: Vec3 = [13, 11, 9];
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const mask = Uint8Array.from({ length: 13 * 11 * 9 }, () => (random() < 0.3 ? 1 : 0));
    for (const connectivity of [6, 26] as const) {
      const { sizes } = connectedComponents(mask, shape, { connectivity });
      expect([...sizes].sort((x, y) => x - y)).toEqual(unionFindSizes(mask, shape, connectivity));
    }
  });

  it('refuses a mask that does not fit the shape', () => {
    expect(() => connectedComponents(new Uint8Array(5), [2, 2, 2])).toThrow(/holds 5 voxels.*needs 8/);
  });
});
