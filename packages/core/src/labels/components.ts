/**
 * Connected components of a binary mask on a 3D voxel grid, with 6- or 26-connectivity.
 * Depends only on the Volume layout (`data[i + nx * (j + ny * k)]`).
 */
import type { Vec3 } from '../volume.js';
import type { LabelArray } from './convention.js';

/** 6: voxels sharing a face are neighbours; 26: sharing a face, an edge or a corner. */
export type Connectivity = 6 | 26;

/** Connected components of a mask. */
export interface Components {
  /** Per voxel, 0 outside the mask, else the component number 1..count; same layout as the mask. */
  labels: Int32Array;
  /** `sizes[n - 1]` is the voxel count of component n. */
  sizes: number[];
}

function neighbourSteps(connectivity: Connectivity): Vec3[] {
  const steps: Vec3[] = [];
  for (let dk = -1; dk <= 1; dk++) {
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) {
        const taxicab = Math.abs(di) + Math.abs(dj) + Math.abs(dk);
        if (taxicab === 0 || (connectivity === 6 && taxicab > 1)) continue;
        steps.push([di, dj, dk]);
      }
    }
  }
  return steps;
}

/**
 * Labels the connected components of a mask by breadth-first flood fill, numbered in the order
 * their first voxel comes in memory.
 * @param mask - non-zero inside; layout `mask[i + nx * (j + ny * k)]`
 * @param shape - `[nx, ny, nz]`
 * @param options - `connectivity`: 6 or 26
 * @defaultValue connectivity 26
 * @example
 * ```ts
 * const { labels, sizes } = connectedComponents(wholeTumour, volume.shape, { connectivity: 6 });
 * ```
 */
export function connectedComponents(
  mask: LabelArray,
  shape: Vec3,
  options: { connectivity?: Connectivity } = {},
): Components {
  const connectivity = options.connectivity ?? 26;
  const [nx, ny, nz] = shape;
  if (connectivity !== 6 && connectivity !== 26) {
    throw new RangeError(`connectedComponents: connectivity must be 6 or 26; got ${String(connectivity)}`);
  }
  if (mask.length !== nx * ny * nz) {
    throw new RangeError(
      `connectedComponents: mask holds ${mask.length} voxels, but shape [${shape.join(', ')}] needs ${nx * ny * nz}`,
    );
  }

  const steps = neighbourSteps(connectivity);
  const labels = new Int32Array(mask.length);
  const queue = new Int32Array(mask.length);
  const sizes: number[] = [];
  for (let seed = 0; seed < mask.length; seed++) {
    if (mask[seed] === 0 || labels[seed] !== 0) continue;

    // flood the component that starts at this voxel
    const id = sizes.length + 1;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    labels[seed] = id;
    while (head < tail) {
      const v = queue[head++];
      const i = v % nx;
      const j = Math.floor(v / nx) % ny;
      const k = Math.floor(v / (nx * ny));
      for (const [di, dj, dk] of steps) {
        const a = i + di;
        const b = j + dj;
        const c = k + dk;
        if (a < 0 || a >= nx || b < 0 || b >= ny || c < 0 || c >= nz) continue;
        const w = a + nx * (b + ny * c);
        if (mask[w] === 0 || labels[w] !== 0) continue;
        labels[w] = id;
        queue[tail++] = w;
      }
    }
    sizes.push(tail);
  }
  return { labels, sizes };
}
