import { describe, expect, it } from 'vitest';
import { parseShard, resolveShard, shardCases } from './shard.js';

describe('parseShard', () => {
  it('reads INDEX/COUNT, 0-based', () => {
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
  });
  for (const bad of ['3/3', '1/0', '-1/3', '1', '1/2/3', 'a/b', '1.5/3', '']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      expect(() => parseShard(bad)).toThrow(
        /^parseShard: --shard must be INDEX\/COUNT with 0 <= INDEX < COUNT/,
      );
    });
  }
});

describe('resolveShard', () => {
  // [name, flag, count, env, expected shard and source, or the error]
  const table: [string, string | undefined, number | undefined, Record<string, string>, string | RegExp][] = [
    ['no flag and no variables: the whole cohort', undefined, undefined, {}, '0/1 none'],
    [
      '--shard wins over the variables',
      '1/4',
      undefined,
      { JOB_COMPLETION_INDEX: '3', HADNET_SHARD_COUNT: '5' },
      '1/4 flag',
    ],
    [
      'Kubernetes: the index, the count from HADNET_SHARD_COUNT',
      undefined,
      undefined,
      { JOB_COMPLETION_INDEX: '3', HADNET_SHARD_COUNT: '5' },
      '3/5 kubernetes',
    ],
    [
      'Kubernetes: the count from --shard-count',
      undefined,
      6,
      { JOB_COMPLETION_INDEX: '0' },
      '0/6 kubernetes',
    ],
    [
      'Kubernetes without a count',
      undefined,
      undefined,
      { JOB_COMPLETION_INDEX: '2' },
      /JOB_COMPLETION_INDEX is 2, but the shard count is unknown/,
    ],
    [
      'Kubernetes index past the count',
      undefined,
      undefined,
      { JOB_COMPLETION_INDEX: '5', HADNET_SHARD_COUNT: '5' },
      /JOB_COMPLETION_INDEX is 5, past the shard count 5/,
    ],
    [
      'Kubernetes wins over Slurm',
      undefined,
      undefined,
      {
        JOB_COMPLETION_INDEX: '1',
        HADNET_SHARD_COUNT: '2',
        SLURM_ARRAY_TASK_ID: '0',
        SLURM_ARRAY_TASK_COUNT: '9',
      },
      '1/2 kubernetes',
    ],
    [
      'Slurm array 0-3, task 2',
      undefined,
      undefined,
      {
        SLURM_ARRAY_TASK_ID: '2',
        SLURM_ARRAY_TASK_COUNT: '4',
        SLURM_ARRAY_TASK_MIN: '0',
        SLURM_ARRAY_TASK_MAX: '3',
      },
      '2/4 slurm',
    ],
    // --array=1-8: tasks 1..8 are shards 0..7
    [
      'Slurm array 1-8, task 1',
      undefined,
      undefined,
      {
        SLURM_ARRAY_TASK_ID: '1',
        SLURM_ARRAY_TASK_COUNT: '8',
        SLURM_ARRAY_TASK_MIN: '1',
        SLURM_ARRAY_TASK_MAX: '8',
      },
      '0/8 slurm',
    ],
    [
      'Slurm array 1-8, task 8',
      undefined,
      undefined,
      {
        SLURM_ARRAY_TASK_ID: '8',
        SLURM_ARRAY_TASK_COUNT: '8',
        SLURM_ARRAY_TASK_MIN: '1',
        SLURM_ARRAY_TASK_MAX: '8',
      },
      '7/8 slurm',
    ],
    // --array=0-14:2: tasks 0, 2, ..., 14 are shards 0..7; task 6 is shard 3
    [
      'Slurm array 0-14:2, task 6',
      undefined,
      undefined,
      {
        SLURM_ARRAY_TASK_ID: '6',
        SLURM_ARRAY_TASK_COUNT: '8',
        SLURM_ARRAY_TASK_MIN: '0',
        SLURM_ARRAY_TASK_MAX: '14',
        SLURM_ARRAY_TASK_STEP: '2',
      },
      '3/8 slurm',
    ],
    [
      'Slurm array with gaps (--array=1,5,9)',
      undefined,
      undefined,
      {
        SLURM_ARRAY_TASK_ID: '5',
        SLURM_ARRAY_TASK_COUNT: '3',
        SLURM_ARRAY_TASK_MIN: '1',
        SLURM_ARRAY_TASK_MAX: '9',
        SLURM_ARRAY_TASK_STEP: '1',
      },
      /the Slurm array \(min 1, max 9, step 1, 3 tasks\) has gaps/,
    ],
    [
      'Slurm without a task count',
      undefined,
      undefined,
      { SLURM_ARRAY_TASK_ID: '0' },
      /SLURM_ARRAY_TASK_COUNT is not set/,
    ],
    [
      'Slurm and a disagreeing --shard-count',
      undefined,
      3,
      { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4' },
      /--shard-count 3 disagrees with SLURM_ARRAY_TASK_COUNT 4/,
    ],
    [
      'Slurm with a malformed id',
      undefined,
      undefined,
      { SLURM_ARRAY_TASK_ID: 'x1', SLURM_ARRAY_TASK_COUNT: '4' },
      /SLURM_ARRAY_TASK_ID must be a whole number; got "x1"/,
    ],
    [
      '--shard and --shard-count together',
      '0/2',
      2,
      {},
      /give --shard INDEX\/COUNT or --shard-count N, not both/,
    ],
    ['--shard-count without an index', undefined, 3, {}, /--shard-count 3 needs a shard index/],
  ];
  for (const [name, flag, count, env, expected] of table) {
    it(name, () => {
      const run = () => resolveShard({ flag, count, env });
      if (expected instanceof RegExp) {
        expect(run).toThrow(RangeError);
        expect(run).toThrow(expected);
        return;
      }
      const { shard, source } = run();
      expect(`${shard.index}/${shard.count} ${source}`).toBe(expected);
    });
  }
});

describe('shardCases', () => {
  it('sorts by id and deals the cases round-robin: a worked example', () => {
    const cases = ['e', 'b', 'g', 'a', 'd', 'c', 'f'].map((id) => ({ id }));
    // sorted: a b c d e f g; three shards take positions 0,3,6 / 1,4 / 2,5
    expect(shardCases(cases, { index: 0, count: 3 }).map((c) => c.id)).toEqual(['a', 'd', 'g']);
    expect(shardCases(cases, { index: 1, count: 3 }).map((c) => c.id)).toEqual(['b', 'e']);
    expect(shardCases(cases, { index: 2, count: 3 }).map((c) => c.id)).toEqual(['c', 'f']);
  });

  it('gives disjoint shards that cover the cohort, differ by at most one case, whatever the input order', () => {
    const ids = Array.from({ length: 23 }, (_, n) => `case-${String((n * 7) % 23).padStart(2, '0')}`);
    for (const count of [1, 2, 5, 23, 30]) {
      const shards = Array.from({ length: count }, (_, index) =>
        shardCases(
          ids.map((id) => ({ id })),
          { index, count },
        ),
      );
      const reversed = Array.from({ length: count }, (_, index) =>
        shardCases(
          [...ids].reverse().map((id) => ({ id })),
          { index, count },
        ),
      );
      expect(reversed).toEqual(shards);
      const all = shards.flat().map((c) => c.id);
      expect(new Set(all).size).toBe(ids.length);
      expect([...all].sort()).toEqual([...ids].sort());
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('sorts by code units, not the locale: upper case before lower case', () => {
    const cases = ['b', 'B', 'a', 'A'].map((id) => ({ id }));
    expect(shardCases(cases, { index: 0, count: 1 }).map((c) => c.id)).toEqual(['A', 'B', 'a', 'b']);
  });

  it('refuses an index outside the count', () => {
    expect(() => shardCases([], { index: 2, count: 2 })).toThrow(
      /shardCases: shard index must be in \[0, 2\); got 2/,
    );
  });
});
