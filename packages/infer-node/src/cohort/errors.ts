/**
 * The errors of cohort segmentation: a manifest that cannot be used, and a shard that ended with
 * cases it could not segment. Both carry core's stable codes. Depends on @hadnet/core.
 */
import { HadnetError } from '@hadnet/core';

/**
 * A cohort manifest that cannot be used: an unknown column, a case without inputs, a duplicate or
 * unusable case id, a file that is neither CSV nor JSON lines. Code `INVALID_MANIFEST`.
 */
export class InvalidManifestError extends HadnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_MANIFEST', message, options);
    this.name = 'InvalidManifestError';
  }
}

/** One case that a shard could not segment, with the code and message of its error. */
export interface CohortFailure {
  /** The case id. */
  case: string;
  /** The error's stable code (`MODALITY_MISMATCH`, `INVALID_VOLUME`, `ENOENT`, ...). */
  code: string;
  /** The error's message. */
  message: string;
}

/**
 * A shard that finished with cases it could not segment. The other cases were segmented and the
 * summary written; the failed ones are retried by the next run. Code `COHORT_INCOMPLETE`.
 */
export class CohortIncompleteError extends HadnetError {
  /** The cases that failed, in the order they ran. */
  readonly failures: readonly CohortFailure[];

  constructor(message: string, failures: readonly CohortFailure[]) {
    super('COHORT_INCOMPLETE', message);
    this.name = 'CohortIncompleteError';
    this.failures = Object.freeze([...failures]);
  }
}
