/**
 * Flag parsing shared by `hadnet segment` and `hadnet segment-cohort`: flags by name, and the
 * segment() options both commands take. Depends on @hadnet/core and ./run.js.
 */
import { DEVICES, type Device, type LabelConvention, type SegmentOptions } from '@hadnet/core';
import { UsageError } from './run.js';

const LABELS: readonly LabelConvention[] = ['brats', 'brats2023'];

/** What a command accepts. */
export interface FlagSpec {
  /** Flags that take a value (`--out DIR` or `--out=DIR`). */
  values: readonly string[];
  /** Flags that take none. */
  switches: readonly string[];
  /** Appended to the message for a stray argument that is not a flag. */
  strayHint?: string;
}

/**
 * Flags by name: a value for each value flag, `true` for each switch.
 * @throws UsageError for an unknown option, a stray argument, a missing value or a repeated flag
 */
export function parseFlags(argv: string[], spec: FlagSpec): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let a = 0; a < argv.length; a++) {
    const [flag, inline] =
      argv[a].startsWith('--') && argv[a].includes('=') ? argv[a].split(/=(.*)/s) : [argv[a]];
    if (flags.has(flag)) throw new UsageError(`${flag} is given twice`);
    if (spec.switches.includes(flag) && inline === undefined) {
      flags.set(flag, true);
    } else if (spec.values.includes(flag)) {
      const value = inline ?? argv[++a];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new UsageError(`${flag} needs a value`);
      }
      flags.set(flag, value);
    } else {
      throw new UsageError(
        flag.startsWith('-')
          ? `unknown option ${flag}`
          : `unexpected argument '${flag}'${spec.strayHint === undefined ? '' : `; ${spec.strayHint}`}`,
      );
    }
  }
  return flags;
}

/**
 * The segment() options of `--model`, `--device`, `--labels`, `--overlap`, `--tta`,
 * `--uncertainty`, `--save-probabilities` and `--strict`.
 * @throws UsageError for a device, label convention or overlap out of range
 */
export function segmentOptionsFromFlags(
  flags: Map<string, string | true>,
): Omit<SegmentOptions, 'onProgress'> {
  const device = (flags.get('--device') ?? 'auto') as Device;
  if (!DEVICES.includes(device)) {
    throw new UsageError(`--device must be one of auto, cuda, webgpu, cpu; got '${device}'`);
  }
  const labels = (flags.get('--labels') ?? 'brats') as LabelConvention;
  if (!LABELS.includes(labels)) throw new UsageError(`--labels must be brats or brats2023; got '${labels}'`);
  const overlapText = flags.get('--overlap') as string | undefined;
  const overlap = overlapText === undefined ? undefined : Number(overlapText);
  if (overlap !== undefined && !(overlapText!.trim() !== '' && overlap >= 0 && overlap < 1)) {
    throw new UsageError(`--overlap must be a number in [0, 1); got '${overlapText}'`);
  }
  return {
    ...(flags.has('--model') ? { model: flags.get('--model') as string } : {}),
    device,
    ...(overlap === undefined ? {} : { overlap }),
    tta: flags.has('--tta'),
    uncertainty: flags.has('--uncertainty'),
    saveProbabilities: flags.has('--save-probabilities'),
    labelConvention: labels,
    strict: flags.has('--strict'),
  };
}
