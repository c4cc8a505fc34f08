/**
 * Argument parsing shared by the `hadnet-train` commands: node's `parseArgs` with its errors as
 * usage errors, numbers checked, presets by name or from a JSON file.
 * May depend on: node:util, node:fs, `@hadnet/core` (errors), ../networks (presets), ./run.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InvalidRunError } from '@hadnet/core';
import { getPreset, PRESET_NAMES, type Preset } from '../networks/presets.js';
import { UsageError } from './run.js';

/** The options a command declares: each a string or a boolean flag. */
export type OptionSpecs = Record<string, { type: 'string' | 'boolean' }>;

/** The values of parsed options: strings and booleans, each absent when not given. */
export type ParsedOptions<T extends OptionSpecs> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string;
};

/** `parseArgs` in strict mode without positionals; its errors become {@link UsageError}s. */
export function parseOptions<T extends OptionSpecs>(argv: string[], options: T): ParsedOptions<T> {
  try {
    const config: ParseArgsConfig = { args: argv, options, allowPositionals: false, strict: true };
    return parseArgs(config).values as ParsedOptions<T>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A required string option. @throws UsageError when it is missing */
export function required(value: string | undefined, flag: string, what: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} ${what} is required`);
  return value;
}

/**
 * A number option, or undefined when absent.
 * @param kind - `'integer'` (whole, >= min) or `'number'` (finite, >= min)
 * @throws UsageError naming the flag and what came
 */
export function numberOption(
  value: string | undefined,
  flag: string,
  kind: 'integer' | 'number',
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok =
    value.trim() !== '' && Number.isFinite(n) && n >= min && (kind === 'number' || Number.isSafeInteger(n));
  if (!ok) {
    const bound = min === -Infinity ? '' : ` >= ${min}`;
    throw new UsageError(
      `${flag} must be ${kind === 'integer' ? 'a whole number' : 'a number'}${bound}; got '${value}'`,
    );
  }
  return n;
}

/**
 * `--class-weights`: one positive number per class (background, NCR/NET, ED, ET), comma-separated.
 * @throws UsageError for another count, a non-number or a weight that is not above 0
 */
export function classWeightsOption(
  value: string | undefined,
  flag = '--class-weights',
): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',');
  const weights = parts.map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  if (parts.length !== 4 || weights.some((w) => !(Number.isFinite(w) && w > 0))) {
    throw new UsageError(
      `${flag} must be four numbers above 0 (background, NCR/NET, ED, ET), comma-separated; got '${value}'`,
    );
  }
  return weights;
}

/** Keys a preset JSON file must have. */
const PRESET_KEYS = ['k', 'discriminatorWidth', 'inputShape', 'spacingMm', 'dropoutRate'] as const;

/**
 * A preset by name (`paper`, `small`, `tiny`) or from a JSON file (a path ending in `.json`
 * holding `{ k, discriminatorWidth, inputShape: [D, H, W], spacingMm: [x, y, z], dropoutRate }`;
 * `name` and `description` optional).
 * @throws UsageError for an unknown name; InvalidRunError for a file that is not such a preset
 */
export function presetOption(value: string): Preset {
  if (!value.endsWith('.json')) {
    if (!(PRESET_NAMES as readonly string[]).includes(value)) {
      throw new UsageError(
        `unknown preset '${value}'; valid presets: ${PRESET_NAMES.join(', ')}, or a .json file`,
      );
    }
    return { ...getPreset(value) };
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(value, 'utf8'));
  } catch (error) {
    throw new InvalidRunError(`--preset: cannot read ${value} as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;
  const triple = (v: unknown, check: (n: unknown) => boolean): boolean =>
    Array.isArray(v) && v.length === 3 && v.every(check);
  const problems = [
    !positiveInt(parsed.k) && 'k (a whole number >= 1)',
    !positiveInt(parsed.discriminatorWidth) && 'discriminatorWidth (a whole number >= 1)',
    !triple(parsed.inputShape, (n) => positiveInt(n) && (n as number) % 16 === 0) &&
      'inputShape ([D, H, W], multiples of 16)',
    !triple(parsed.spacingMm, (n) => typeof n === 'number' && n > 0) && 'spacingMm ([x, y, z] in mm, > 0)',
    !(typeof parsed.dropoutRate === 'number' && parsed.dropoutRate >= 0 && parsed.dropoutRate < 1) &&
      'dropoutRate (in [0, 1))',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new InvalidRunError(
      `--preset: ${value} needs ${problems.join(', ')}; keys: ${PRESET_KEYS.join(', ')}`,
    );
  }
  return {
    name: (typeof parsed.name === 'string' ? parsed.name : value) as Preset['name'],
    k: parsed.k as number,
    discriminatorWidth: parsed.discriminatorWidth as number,
    inputShape: parsed.inputShape as [number, number, number],
    spacingMm: parsed.spacingMm as [number, number, number],
    inputMode: 'whole',
    dropoutRate: parsed.dropoutRate as number,
    description: typeof parsed.description === 'string' ? parsed.description : `custom preset from ${value}`,
  };
}
