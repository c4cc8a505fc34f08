/**
 * Shards: which part of a cohort one worker segments. The shard comes from `--shard INDEX/COUNT`,
 * or from the batch system's own variables (Kubernetes Indexed Jobs, Slurm job arrays); its cases
 * are every COUNT-th case of the cohort sorted by id. No dependencies beyond ./manifest's type.
 */
import type { CohortCase } from './manifest.js';

/** One shard of a cohort: `index` in `[0, count)`. */
export interface Shard {
  index: number;
  count: number;
}

/** Where the shard came from. */
export type ShardSource = 'flag' | 'kubernetes' | 'slurm' | 'none';

/** A shard and where it came from. */
export interface ResolvedShard {
  shard: Shard;
  source: ShardSource;
}

/** The environment variables {@link resolveShard} reads. */
export const SHARD_ENVIRONMENT = Object.freeze([
  'JOB_COMPLETION_INDEX',
  'HADNET_SHARD_COUNT',
  'SLURM_ARRAY_TASK_ID',
  'SLURM_ARRAY_TASK_COUNT',
  'SLURM_ARRAY_TASK_MIN',
  'SLURM_ARRAY_TASK_MAX',
  'SLURM_ARRAY_TASK_STEP',
]);

/** A whole number written in decimal, or undefined when it is not one. */
function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d{1,9}\s*$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Reads `INDEX/COUNT` (0-based index: `0/3`, `1/3`, `2/3`).
 * @param text - the flag's value
 * @throws RangeError unless it is two whole numbers with 0 <= INDEX < COUNT
 */
export function parseShard(text: string): Shard {
  const [index, count] = text.split('/').map((part) => wholeNumber(part));
  if (
    !/^[^/]*\/[^/]*$/.test(text) ||
    index === undefined ||
    count === undefined ||
    count < 1 ||
    index >= count
  ) {
    throw new RangeError(
      `parseShard: --shard must be INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4); got ${JSON.stringify(text)}`,
    );
  }
  return { index, count };
}

/** A count given to {@link resolveShard}: a flag's value, or HADNET_SHARD_COUNT. */
function countFrom(count: number | undefined, env: Record<string, string | undefined>): number | undefined {
  if (count !== undefined) return count;
  const text = env.HADNET_SHARD_COUNT;
  if (text === undefined || text === '') return undefined;
  const parsed = wholeNumber(text);
  if (parsed === undefined || parsed < 1) {
    throw new RangeError(
      `resolveShard: HADNET_SHARD_COUNT must be a whole number >= 1; got ${JSON.stringify(text)}`,
    );
  }
  return parsed;
}

/** A Slurm variable as a whole number. */
function slurmNumber(env: Record<string, string | undefined>, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = wholeNumber(text);
  if (value === undefined) {
    throw new RangeError(`resolveShard: ${name} must be a whole number; got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * The shard of this worker, from the first of:
 * 1. `flag` (`--shard INDEX/COUNT`);
 * 2. Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` is the index; the count is `count`
 *    (`--shard-count`) or `HADNET_SHARD_COUNT`, which the Job sets to its `completions`;
 * 3. Slurm job arrays: the index is `(SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) /
 *    SLURM_ARRAY_TASK_STEP`, so arrays need not start at 0 (`--array=1-8` and `--array=0-14:2`
 *    both give 0..7); the count is `SLURM_ARRAY_TASK_COUNT`. Arrays with gaps (`--array=1,5,9`)
 *    are refused: their tasks would not cover every shard;
 * 4. otherwise the whole cohort, shard `0/1`.
 * @param options - `flag`, the `--shard` value; `count`, the `--shard-count` value; `env`, the
 *   environment (`process.env`)
 * @throws RangeError for a malformed flag or variable, an index past the count, a Kubernetes index
 *   without a count, a `count` that disagrees with Slurm's, or a Slurm array with gaps
 * @example
 * ```ts
 * resolveShard({ env: { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' } });
 * // { shard: { index: 2, count: 4 }, source: 'slurm' }
 * ```
 */
export function resolveShard(options: {
  flag?: string;
  count?: number;
  env: Record<string, string | undefined>;
}): ResolvedShard {
  const { flag, env } = options;
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 1)) {
    throw new RangeError(`resolveShard: --shard-count must be a whole number >= 1; got ${options.count}`);
  }

  // an explicit shard wins
  if (flag !== undefined) {
    if (options.count !== undefined) {
      throw new RangeError('resolveShard: give --shard INDEX/COUNT or --shard-count N, not both');
    }
    return { shard: parseShard(flag), source: 'flag' };
  }

  // Kubernetes Indexed Job
  const completionIndex = env.JOB_COMPLETION_INDEX;
  if (completionIndex !== undefined && completionIndex !== '') {
    const index = wholeNumber(completionIndex);
    if (index === undefined) {
      throw new RangeError(
        `resolveShard: JOB_COMPLETION_INDEX must be a whole number; got ${JSON.stringify(completionIndex)}`,
      );
    }
    const count = countFrom(options.count, env);
    if (count === undefined) {
      throw new RangeError(
        `resolveShard: JOB_COMPLETION_INDEX is ${index}, but the shard count is unknown; set ` +
          "HADNET_SHARD_COUNT to the Job's completions, or pass --shard-count N",
      );
    }
    if (index >= count) {
      throw new RangeError(
        `resolveShard: JOB_COMPLETION_INDEX is ${index}, past the shard count ${count}; ` +
          "HADNET_SHARD_COUNT (or --shard-count) must equal the Job's completions",
      );
    }
    return { shard: { index, count }, source: 'kubernetes' };
  }

  // Slurm job array
  const taskId = slurmNumber(env, 'SLURM_ARRAY_TASK_ID');
  if (taskId !== undefined) {
    const slurmCount = slurmNumber(env, 'SLURM_ARRAY_TASK_COUNT');
    const min = slurmNumber(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const step = slurmNumber(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
    const max = slurmNumber(env, 'SLURM_ARRAY_TASK_MAX');
    const count = slurmCount ?? countFrom(options.count, env);
    if (count === undefined) {
      throw new RangeError(
        `resolveShard: SLURM_ARRAY_TASK_ID is ${taskId}, but SLURM_ARRAY_TASK_COUNT is not set; ` +
          'pass --shard-count N or --shard INDEX/COUNT',
      );
    }
    if (options.count !== undefined && slurmCount !== undefined && options.count !== slurmCount) {
      throw new RangeError(
        `resolveShard: --shard-count ${options.count} disagrees with SLURM_ARRAY_TASK_COUNT ${slurmCount}`,
      );
    }
    if (step < 1 || (max !== undefined && min + (count - 1) * step !== max)) {
      throw new RangeError(
        `resolveShard: the Slurm array (min ${min}, max ${max}, step ${step}, ${count} tasks) has gaps; ` +
          'submit a range such as --array=0-' +
          (count - 1) +
          ', or pass --shard INDEX/COUNT',
      );
    }
    const offset = taskId - min;
    const index = offset / step;
    if (offset < 0 || !Number.isInteger(index) || index >= count) {
      throw new RangeError(
        `resolveShard: SLURM_ARRAY_TASK_ID ${taskId} is not in the array (min ${min}, step ${step}, ` +
          `${count} tasks)`,
      );
    }
    return { shard: { index, count }, source: 'slurm' };
  }

  // the whole cohort
  const count = options.count;
  if (count !== undefined && count !== 1) {
    throw new RangeError(
      `resolveShard: --shard-count ${count} needs a shard index: --shard INDEX/COUNT, ` +
        'JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm)',
    );
  }
  return { shard: { index: 0, count: 1 }, source: 'none' };
}

/** Compares ids by UTF-16 code units: the same order on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The cases of one shard: the cohort sorted by id (UTF-16 code units, not the locale), and every
 * `count`-th case from position `index`. Shards are disjoint, cover the cohort, differ in size by
 * at most one, and do not depend on the manifest's row order.
 * @param cases - the whole cohort
 * @param shard - which shard
 * @returns the shard's cases, sorted by id
 * @example
 * ```ts
 * shardCases([{ id: 'c' }, { id: 'a' }, { id: 'b' }, { id: 'd' }], { index: 0, count: 3 }); // a, d
 * ```
 */
export function shardCases<T extends Pick<CohortCase, 'id'>>(cases: readonly T[], shard: Shard): T[] {
  if (!(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index))) {
    throw new RangeError(`shardCases: shard must be whole numbers; got ${shard.index}/${shard.count}`);
  }
  if (shard.index < 0 || shard.index >= shard.count) {
    throw new RangeError(`shardCases: shard index must be in [0, ${shard.count}); got ${shard.index}`);
  }
  return [...cases]
    .sort((a, b) => compareIds(a.id, b.id))
    .filter((_, position) => position % shard.count === shard.index);
}
