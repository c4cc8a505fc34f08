/**
 * The error classes every hadnet package throws. Each carries a stable `code` that callers and
 * the CLIs match on (`hadnet: <code>: <message>`); messages name the function, the argument or
 * header field, what was expected and what came. Bad arguments use the built-in `TypeError` and
 * `RangeError` instead.
 */

/** Stable codes of {@link HadnetError} subclasses. */
export type HadnetErrorCode =
  | 'INVALID_VOLUME'
  | 'UNSUPPORTED_VOLUME'
  | 'MODALITY_MISMATCH'
  | 'INPUT_QUALITY'
  | 'UNSUPPORTED_DEVICE'
  | 'INVALID_MODEL'
  | 'INVALID_RUN'
  | 'INVALID_MANIFEST'
  | 'COHORT_INCOMPLETE'
  | 'EVALUATION_INCOMPLETE';

/** Base class of hadnet's own errors. Match on `code`, not on the class name. */
export class HadnetError extends Error {
  readonly code: HadnetErrorCode;

  constructor(code: HadnetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // subclasses set their name as a literal: minifiers rename classes, so new.target.name may read 'm'
    this.name = new.target.name;
  }
}

/** A file or volume that is not what it claims to be: bad magic, truncated data, impossible dims. */
export class InvalidVolumeError extends HadnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_VOLUME', message, options);
    this.name = 'InvalidVolumeError';
  }
}

/** A valid file that hadnet does not read: several volumes in one file, complex data, RGB. */
export class UnsupportedVolumeError extends HadnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNSUPPORTED_VOLUME', message, options);
    this.name = 'UnsupportedVolumeError';
  }
}

/** Sequences that do not fit together or do not fit the model: another grid, a missing sequence. */
export class ModalityMismatchError extends HadnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODALITY_MISMATCH', message, options);
    this.name = 'ModalityMismatchError';
  }
}

/** Inputs the method cannot segment well: not skull-stripped, not co-registered (strict mode). */
export class InputQualityError extends HadnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INPUT_QUALITY', message, options);
    this.name = 'InputQualityError';
  }
}

/** A device that this runtime does not have, or none of the devices tried could start. */
export class UnsupportedDeviceError extends HadnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNSUPPORTED_DEVICE', message, options);
    this.name = 'UnsupportedDeviceError';
  }
}

/** A model file that is not ONNX, is truncated, or whose model card is missing or inconsistent. */
export class InvalidModelError extends HadnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_MODEL', message, options);
    this.name = 'InvalidModelError';
  }
}

/** A training run folder or split file that cannot be used: missing checkpoint, overlapping ids. */
export class InvalidRunError extends HadnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_RUN', message, options);
    this.name = 'InvalidRunError';
  }
}
