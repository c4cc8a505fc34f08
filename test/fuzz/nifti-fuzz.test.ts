/**
 * The seeded NIfTI fuzz run (issue 9, "Reliability"). Every case must read as a valid Volume or
 * throw a typed error that names readNifti, within a time guard; cases that only cut, damage the
 * gzip wrapping of, re-pack or byte-swap a seed must also agree with the seed's own read.
 *
 *   FUZZ_CASES=100000 npx vitest run test/fuzz/nifti-fuzz.test.ts   (a long local run)
 *   FUZZ_SEED=7 FUZZ_CASE=123 npx vitest run test/fuzz/nifti-fuzz.test.ts   (replay one case)
 *
 * See docs/reliability.md.
 */
import { describe, expect, test } from 'vitest';
import { makeCase } from './cases.js';
import { loadCorpus } from './corpus.js';
import { runFuzz } from './run.js';

/** The CI run's seed and size; both can be overridden from the environment. */
const SEED = envNumber('FUZZ_SEED', 20210707);
const CASES = envNumber('FUZZ_CASES', 3000);
const ONLY = process.env.FUZZ_CASE === undefined ? undefined : envNumber('FUZZ_CASE', 0);
const GUARD_MS = envNumber('FUZZ_GUARD_MS', 2000);

const corpus = loadCorpus();
for (const note of corpus.notes) console.log(`nifti fuzz: ${note}`);

describe('readNifti under fuzzing', () => {
  const count = ONLY === undefined ? CASES : 1;
  const first = ONLY ?? 0;
  // A backstop only (the watchdog catches hangs): 100 ms a case, several times what a loaded
  // 2-core machine takes, and never under the suite's own limit.
  const timeout = Math.max(120_000, count * 100);

  test(
    `${count} seeded cases (seed ${SEED}${ONLY !== undefined ? `, case ${ONLY}` : ''}) read or throw a typed error`,
    async () => {
      if (ONLY !== undefined) {
        const replayed = makeCase(corpus.seeds, SEED, ONLY);
        console.log(`nifti fuzz: case ${ONLY}: ${replayed.seed.name}: ${replayed.steps.join('; ')}`);
      }
      const report = await runFuzz({
        seed: SEED,
        cases: count,
        first,
        seeds: corpus.seeds,
        guardMs: GUARD_MS,
        guardMsPerMiB: 200,
      });
      const perCase = report.elapsedMs / count;
      console.log(
        `nifti fuzz: ${count} cases over ${corpus.seeds.length} seed files in ${(report.elapsedMs / 1000).toFixed(1)} s ` +
          `(${perCase.toFixed(1)} ms a case); outcomes ${JSON.stringify(report.outcomes)}; ` +
          `by seed size ${JSON.stringify(report.tiers, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))}; slowest ${report.slowest.ms.toFixed(0)} ms (${report.slowest.label})`,
      );
      expect(report.failures, `nifti fuzz failures:\n\n${report.failures.join('\n\n')}`).toEqual([]);
      // A run that never reads a volume, or never refuses one, is not exercising the reader.
      if (count >= 100) {
        expect(report.outcomes.volume).toBeGreaterThan(count / 20);
        expect(report.outcomes.INVALID_VOLUME).toBeGreaterThan(count / 20);
      }
    },
    timeout,
  );
});

function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`nifti fuzz: ${name} must be a whole number >= 0; got ${JSON.stringify(text)}`);
  }
  return value;
}
