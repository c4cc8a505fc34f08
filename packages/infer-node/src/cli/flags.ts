/**
 * Command-line parsing shared by every `hadnet` command (flags by name, operands, `--` as the end
 * of options), and the segment() options `hadnet segment` and `hadnet segment-cohort` both take.
 * Depends on @hadnet/core and ./run.js.
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
  /** Whether the command takes operands (arguments that are not flags, such as `hadnet info FILE`). */
  operands?: boolean;
  /** Appended to the message for a stray argument when the command takes no operands. */
  strayHint?: string;
}

/** A parsed command line. */
export interface ParsedArgs {
  /** Flags by name: a value for each value flag, `true` for each switch. */
  flags: Map<string, string | true>;
  /** The operands, in order: arguments that are not flags, and everything after `--`. */
  operands: string[];
}

/**
 * Reads a command line by its spec. `--` ends the options: every argument after it is an operand,
 * even one that starts with `-` (`hadnet info -- -x.nii`). A value flag's value may start with a
 * single `-` (`--flair -x.nii`); one that starts with `--` goes inline (`--flair=--x.nii`).
 * @param argv - the arguments after the command's name
 * @param spec - the flags the command accepts
 * @throws UsageError for an unknown option, a missing value, a repeated flag, or an operand given
 *   to a command that takes none
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const flags = new Map<string, string | true>();
  const operands: string[] = [];
  for (let a = 0; a < argv.length; a++) {
    if (argv[a] === '--') {
      operands.push(...argv.slice(a + 1));
      break;
    }
    const [flag, inline] =
      argv[a].startsWith('--') && argv[a].includes('=') ? argv[a].split(/=(.*)/s) : [argv[a]];
    if (!flag.startsWith('-') || flag === '-') {
      operands.push(argv[a]);
      continue;
    }
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
      throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (!spec.operands && operands.length > 0) {
    throw new UsageError(
      `unexpected argument '${operands[0]}'${spec.strayHint === undefined ? '' : `; ${spec.strayHint}`}`,
    );
  }
  return { flags, operands };
}

/**
 * The segment() options of `--model`, `--device`, `--labels`, `--overlap`, `--tta`,
 * `--uncertainty`, `--save-probabilities`, `--strict` and `--zero-non-finite`.
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
    ...(flags.has('--zero-non-finite') ? { nonFinite: 'zero' as const } : {}),
  };
}
