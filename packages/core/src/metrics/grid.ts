/**
 * The one-grid check of CONTRACTS.md "Geometry and layout" for volumes compared voxel by voxel:
 * equal shape, affines equal entry by entry within 1e-3 mm. Depends on the Volume type and errors.
 */
import { ModalityMismatchError } from '../errors.js';
import type { Volume } from '../volume.js';

/** A volume and what messages call it (an argument name, with its file when known). */
export interface NamedVolume {
  name: string;
  volume: Volume;
}

/**
 * Throws unless both volumes share one grid.
 *
 * @param caller - the public function, for the message
 * @param tolerance - largest allowed difference of any affine entry, in mm
 * @defaultValue tolerance 1e-3
 * @throws ModalityMismatchError naming both volumes and the field that differs
 */
export function assertSameGrid(caller: string, a: NamedVolume, b: NamedVolume, tolerance = 1e-3): void {
  const sa = a.volume.shape;
  const sb = b.volume.shape;
  if (sa[0] !== sb[0] || sa[1] !== sb[1] || sa[2] !== sb[2]) {
    throw new ModalityMismatchError(
      `${caller}: ${a.name} and ${b.name} are on different grids: shape [${sa.join(', ')}] vs [${sb.join(', ')}]`,
    );
  }
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      const x = a.volume.affine[r][c];
      const y = b.volume.affine[r][c];
      if (!(Math.abs(x - y) <= tolerance)) {
        throw new ModalityMismatchError(
          `${caller}: ${a.name} and ${b.name} are on different grids: affine[${r}][${c}] is ${x} vs ${y} ` +
            `(tolerance ${tolerance} mm)`,
        );
      }
    }
  }
  const n = sa[0] * sa[1] * sa[2];
  for (const { name, volume } of [a, b]) {
    if (volume.data.length !== n) {
      throw new ModalityMismatchError(
        `${caller}: ${name} holds ${volume.data.length} voxels but its shape [${volume.shape.join(', ')}] needs ${n}`,
      );
    }
  }
}
