/**
 * The voxel-value checks every input passes before preprocessing or a network sees it: NaN and
 * infinite voxels (refused, or set to 0 when asked) and sequences that are zero everywhere
 * (refused: they hold no image). Depends on core's contracts, volume, errors and ./finite.
 */
import type { Sequence } from '../contracts.js';
import { InputQualityError } from '../errors.js';
import type { Volume } from '../volume.js';
import { handleNonFinite, type NonFiniteMode } from './finite.js';

/** Options of {@link checkVoxelValues}. */
export interface VoxelValueOptions {
  /** File names (or any label) per sequence, quoted in errors and warnings. */
  names?: Partial<Record<string, string>>;
  /** NaN and infinite voxels: refused (`'error'`) or set to 0 with a warning. @defaultValue `'error'` */
  nonFinite?: NonFiniteMode;
  /** The function that messages name. @defaultValue `'preprocess'` */
  caller?: string;
}

/** What {@link checkVoxelValues} returns. */
export interface CheckedVoxelValues {
  /** The volumes, each the input itself, or a copy with its NaN and infinite voxels set to 0. */
  volumes: Partial<Record<Sequence, Volume>>;
  /** NaN or infinite voxels set to 0, per sequence (only those with any). */
  replacedNonFinite: Partial<Record<Sequence, number>>;
  /** One sentence per repaired sequence, e.g. `t1 (t1.nii): 12 NaN or infinite voxels set to 0`. */
  warnings: string[];
}

/** Whether any voxel of a volume is non-zero. */
function anyNonZero(volume: Volume): boolean {
  const data = volume.data;
  for (let v = 0; v < data.length; v++) if (data[v] !== 0) return true;
  return false;
}

/**
 * Checks the voxel values of each volume: NaN and infinite voxels are refused (or, with
 * `nonFinite: 'zero'`, set to 0 on a copy, with a warning), then a sequence with no non-zero voxel
 * left is refused. Why refuse NaN by default: a NaN that reaches the normalisation turns the
 * whole channel's mean into NaN, and a silent replacement would change what the model sees
 * without anyone asking; files that use NaN for "outside the brain" (some registration tools
 * write them) are segmented correctly with `'zero'`, as 0 is the background of skull-stripped
 * BraTS images. Why refuse an empty sequence: it holds no image (a failed conversion, the wrong
 * file), and every voxel would fall outside the brain mask, which needs every sequence non-zero.
 * @param volumes - the sequences, e.g. `{ flair, t1, t2 }`
 * @param options - see {@link VoxelValueOptions}
 * @returns the volumes to go on with, what was replaced, and the warnings
 * @throws InvalidVolumeError naming the sequence (and file) and the count, for NaN or infinite
 *   voxels in mode `'error'`
 * @throws InputQualityError naming the sequence (and file), for a sequence that is zero everywhere
 * @example
 * ```ts
 * const { volumes, warnings } = checkVoxelValues({ flair, t1, t2 }, { nonFinite: 'zero' });
 * ```
 */
export function checkVoxelValues(
  volumes: Partial<Record<Sequence, Volume>>,
  options: VoxelValueOptions = {},
): CheckedVoxelValues {
  const caller = options.caller ?? 'preprocess';
  const checked: CheckedVoxelValues = { volumes: {}, replacedNonFinite: {}, warnings: [] };
  for (const [key, volume] of Object.entries(volumes) as [Sequence, Volume | undefined][]) {
    if (volume === undefined) continue;
    const name = options.names?.[key] === undefined ? key : `${key} (${options.names[key]})`;

    // refuse or zero NaN and infinite voxels
    const repaired = handleNonFinite(volume, { name, mode: options.nonFinite, caller });
    checked.volumes[key] = repaired.volume;
    if (repaired.replaced > 0) {
      checked.replacedNonFinite[key] = repaired.replaced;
      checked.warnings.push(`${name}: ${repaired.replaced} NaN or infinite voxels set to 0`);
    }

    // refuse a sequence that holds no image
    if (!anyNonZero(repaired.volume)) {
      const all = repaired.volume.data.length;
      throw new InputQualityError(
        `${caller}: ${name} is 0 in all ${all} voxels${repaired.replaced > 0 ? ` once its ${repaired.replaced} NaN or infinite voxels were set to 0` : ''}: ` +
          'it holds no image (a blank export, or the wrong file?); every sequence the model takes must show the brain',
      );
    }
  }
  return checked;
}
