/**
 * Checks that the given sequences share one voxel grid: the same shape and the same affine, entry
 * by entry within a tolerance in mm. Depends on core's volume, contracts and errors.
 */
import type { Sequence } from '../contracts.js';
import { ModalityMismatchError } from '../errors.js';
import type { Volume } from '../volume.js';

/** Options of {@link checkSameGrid}. */
export interface SameGridOptions {
  /** File names (or any label) per sequence, quoted in the error. */
  names?: Partial<Record<string, string>>;
  /** Largest accepted difference between two affine entries, in mm. @defaultValue 1e-3 */
  tolerance?: number;
}

function describe(key: string, names: SameGridOptions['names']): string {
  const name = names?.[key];
  return name === undefined ? key : `${key} (${name})`;
}

/**
 * Checks two volumes' grids against each other.
 * @throws ModalityMismatchError naming both volumes and the field that differs, with both values
 */
export function checkGridPair(
  fn: string,
  [keyA, a]: [string, Volume],
  [keyB, b]: [string, Volume],
  options: SameGridOptions = {},
): void {
  const tolerance = options.tolerance ?? 1e-3;
  const pair = `${describe(keyA, options.names)} and ${describe(keyB, options.names)}`;
  if (a.shape.some((n, axis) => n !== b.shape[axis])) {
    throw new ModalityMismatchError(
      `${fn}: ${pair} are on different grids: shape ${a.shape.join('x')} vs ${b.shape.join('x')}`,
    );
  }
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      const [x, y] = [a.affine[r][c], b.affine[r][c]];
      if (!(Math.abs(x - y) <= tolerance)) {
        throw new ModalityMismatchError(
          `${fn}: ${pair} are on different grids: affine[${r}][${c}] ${x} vs ${y} ` +
            `(tolerance ${tolerance} mm)`,
        );
      }
    }
  }
}

/**
 * Checks that every given volume lies on the first one's grid: equal shape `[nx, ny, nz]`, and
 * affine entries (rows 0 to 2, all four columns) equal within `tolerance` mm. Compare numerically:
 * `-0` equals `0`.
 * @param volumes - the sequences, e.g. `{ flair, t1, t2 }`
 * @param options - file names for the message, and the tolerance
 * @throws ModalityMismatchError naming both sequences (and files where known), the field that
 *   differs and both values
 * @example
 * ```ts
 * checkSameGrid({ flair, t1, t2 }, { names: { flair: 'case/flair.nii.gz' } });
 * ```
 */
export function checkSameGrid(
  volumes: Partial<Record<Sequence, Volume>>,
  options: SameGridOptions = {},
): void {
  const tolerance = options.tolerance ?? 1e-3;
  if (!(tolerance >= 0)) {
    throw new RangeError(`checkSameGrid: tolerance must be a number >= 0; got ${tolerance}`);
  }
  const entries = Object.entries(volumes).filter((e): e is [Sequence, Volume] => e[1] !== undefined);
  for (const entry of entries.slice(1))
    checkGridPair('checkSameGrid', entries[0], entry, { ...options, tolerance });
}
