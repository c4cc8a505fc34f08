/**
 * Judges one fuzz case: runs readNifti and checks the invariant every case must keep, then the
 * case's oracle (see cases.ts). Returns `null` when the case passes, else what went wrong.
 */
// The reader and error modules themselves, not the @hadnet/core barrel: the fuzzer need not load the rest.
import { HadnetError } from '../../packages/core/src/errors.js';
import { readNifti, readNiftiHeader, type NiftiHeader } from '../../packages/core/src/nifti/index.js';
import type { Volume } from '../../packages/core/src/volume.js';
import type { FuzzCase } from './cases.js';

/** What one readNifti call gave. */
export type Outcome = { volume: Volume } | { error: unknown };

/** The readNifti arguments of a read. */
export interface ReadInput {
  bytes: Uint8Array;
  imageBytes?: Uint8Array;
  frame?: number;
  name: string;
}

/** Calls readNifti, catching whatever it throws. */
export function read(input: ReadInput): Outcome {
  try {
    return {
      volume: readNifti(input.bytes, {
        name: input.name,
        ...(input.imageBytes !== undefined ? { imageBytes: input.imageBytes } : {}),
        ...(input.frame !== undefined ? { frame: input.frame } : {}),
      }),
    };
  } catch (error) {
    return { error };
  }
}

/**
 * Calls readNiftiHeader on the case's `.nii` (or `.hdr`) and checks its own invariant: a header
 * with eight dims and a finite 4x4 affine, or a typed error naming readNiftiHeader.
 */
export function headerViolation(input: ReadInput): string | null {
  let header: NiftiHeader;
  try {
    header = readNiftiHeader(input.bytes, { name: input.name });
  } catch (error) {
    if (error instanceof HadnetError && CODES.has(error.code)) {
      return error.message.startsWith('readNiftiHeader')
        ? null
        : `readNiftiHeader: error message does not name readNiftiHeader: ${error.message}`;
    }
    return `readNiftiHeader threw an untyped error: ${describeError(error)}`;
  }
  if (header.dims.length !== 8) return `readNiftiHeader: dims has ${header.dims.length} entries, not 8`;
  const affine = header.affine;
  if (affine.length !== 4 || !affine.every((row) => row.length === 4 && row.every(Number.isFinite))) {
    return `readNiftiHeader: affine is not a finite 4x4: ${JSON.stringify(affine)}`;
  }
  return null;
}

/** A quick checksum (FNV-1a) of bytes, to notice a reader that writes into its input. */
export function checksum(bytes: Uint8Array | undefined): number {
  let hash = 0x811c9dc5;
  if (bytes === undefined) return hash;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}

/** Error codes readNifti may throw for bad bytes. */
const CODES = new Set(['INVALID_VOLUME', 'UNSUPPORTED_VOLUME']);

/**
 * The invariant: a Volume whose data length is the product of its shape, with a finite affine
 * and finite positive voxel sizes; or an InvalidVolumeError / UnsupportedVolumeError whose message
 * starts with `readNifti`.
 */
export function violation(outcome: Outcome): string | null {
  if ('error' in outcome) {
    const error = outcome.error;
    if (error instanceof HadnetError && CODES.has(error.code)) {
      return error.message.startsWith('readNifti')
        ? null
        : `error message does not name readNifti: ${error.message}`;
    }
    return `threw an untyped error: ${describeError(error)}`;
  }
  const { data, shape, affine, spacing } = outcome.volume;
  if (shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n >= 1)) {
    return `shape is not three whole numbers >= 1: [${shape.join(', ')}]`;
  }
  if (data.length !== shape[0] * shape[1] * shape[2]) {
    return `data holds ${data.length} voxels, but shape [${shape.join(', ')}] needs ${shape[0] * shape[1] * shape[2]}`;
  }
  if (affine.length !== 4 || !affine.every((row) => row.length === 4 && row.every(Number.isFinite))) {
    return `affine is not a finite 4x4: ${JSON.stringify(affine)}`;
  }
  if (!spacing.every((s) => Number.isFinite(s) && s > 0)) {
    return `spacing is not finite and positive: [${spacing.join(', ')}]`;
  }
  return null;
}

/** Why two volumes differ (shape, affine, array type or a voxel), or `null` when equal. */
export function difference(a: Volume, b: Volume): string | null {
  if (a.shape.join() !== b.shape.join()) return `shape [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`;
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      if (!Object.is(a.affine[r][c], b.affine[r][c])) {
        return `affine[${r}][${c}] ${a.affine[r][c]} vs ${b.affine[r][c]}`;
      }
    }
  }
  if (a.data.constructor !== b.data.constructor)
    return `data ${a.data.constructor.name} vs ${b.data.constructor.name}`;
  for (let i = 0; i < a.data.length; i++) {
    if (!Object.is(a.data[i], b.data[i])) return `voxel ${i}: ${a.data[i]} vs ${b.data[i]}`;
  }
  return null;
}

/** `volume` or `error CODE` (or the error's class), for messages. */
export function summary(outcome: Outcome): string {
  if ('volume' in outcome) return `a volume [${outcome.volume.shape.join(', ')}]`;
  const error = outcome.error;
  return error instanceof HadnetError ? `${error.code}: ${error.message}` : describeError(error);
}

/**
 * Judges a case: the invariant, then its oracle. `input` is what was read and `outcome` what it
 * gave; `reference` reads the unchanged seed with the same frame (for `same-as-seed`).
 */
export function judge(
  fuzzCase: FuzzCase,
  input: ReadInput,
  outcome: Outcome,
  reference: () => Outcome,
): string | null {
  const broken = violation(outcome);
  if (broken !== null) return broken;
  const oracle = fuzzCase.oracle;

  if (oracle.kind === 'gzip-equivalent') {
    const plain = read({ ...input, bytes: oracle.plain });
    return sameOutcome(outcome, plain, 'the gzip read', 'the plain read of the same bytes');
  }
  if (oracle.kind === 'same-as-seed') {
    const seed = reference();
    if (oracle.strict) return sameOutcome(outcome, seed, 'this read', "the seed's own read");
    if ('volume' in outcome) {
      if (oracle.mustThrow)
        return `read ${summary(outcome)} from bytes that cannot hold it (silently truncated?)`;
      if (!('volume' in seed))
        return `read ${summary(outcome)}, but the unchanged seed gives ${summary(seed)}`;
      const diff = difference(outcome.volume, seed.volume);
      return diff === null ? null : `read a volume that differs from the seed's (${diff}): silently damaged`;
    }
  }
  return null;
}

/** Why two outcomes differ: one volume and one error, two different volumes, or two error codes. */
function sameOutcome(a: Outcome, b: Outcome, aName: string, bName: string): string | null {
  if ('volume' in a && 'volume' in b) {
    const diff = difference(a.volume, b.volume);
    return diff === null ? null : `${aName} and ${bName} give different volumes: ${diff}`;
  }
  if ('error' in a && 'error' in b) {
    const code = (e: unknown) => (e instanceof HadnetError ? e.code : describeError(e));
    return code(a.error) === code(b.error)
      ? null
      : `${aName} gives ${summary(a)}; ${bName} gives ${summary(b)}`;
  }
  return `${aName} gives ${summary(a)}; ${bName} gives ${summary(b)}`;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  return `a thrown ${typeof error}: ${String(error)}`;
}
