/**
 * Runs a seeded series of fuzz cases against readNifti and reports every failure with the seed,
 * the case number, the mutations and a command that replays it. Used by nifti-fuzz.test.ts (a
 * short run in CI, a long one locally: see docs/reliability.md).
 */
import { makeCase } from './cases.js';
import { checksum, headerViolation, judge, read, type Outcome, type ReadInput } from './check.js';
import type { Seed } from './corpus.js';
import { Watchdog } from './watchdog.js';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** The run's seed: the same seed gives the same cases. */
  seed: number;
  /** Cases to run. */
  cases: number;
  /** The first case number. @defaultValue 0 */
  first?: number;
  seeds: readonly Seed[];
  /**
   * A case whose reads take longer than this, plus {@link guardMsPerMiB} for each MiB its seed
   * inflates to, fails: a correctness guard against hangs and runaway work, not a speed test.
   */
  guardMs: number;
  guardMsPerMiB: number;
}

/** What a run found. */
export interface FuzzReport {
  /** One paragraph per failing case: label, what went wrong, how to replay it. */
  failures: string[];
  /** Outcomes by kind: `volume`, `INVALID_VOLUME`, `UNSUPPORTED_VOLUME`. */
  outcomes: Record<string, number>;
  /** By tier of seed: cases, and ms spent building them (and the seed's reference read) and reading them. */
  tiers: Record<string, { cases: number; buildMs: number; readMs: number }>;
  /** The slowest case's read time in ms, and its label. */
  slowest: { ms: number; label: string };
  elapsedMs: number;
}

/** The most failures a report lists in full. */
const MAX_LISTED = 25;
/** Inputs up to this size are checked for being left unchanged by the reader. */
const CHECKSUM_BYTES = 1 << 20;

/** Runs cases `first` to `first + cases - 1` of the run seeded with `seed`. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const first = options.first ?? 0;
  const guard = (bytes: number) => options.guardMs + (options.guardMsPerMiB * bytes) / 2 ** 20;
  const watchdog = new Watchdog({ limitMs: 2 * options.guardMs, onHang: 'kill' });
  const references = new Map<string, Outcome>();
  const report: FuzzReport = {
    failures: [],
    outcomes: {},
    tiers: {},
    slowest: { ms: 0, label: '' },
    elapsedMs: 0,
  };
  const started = performance.now();
  let failed = 0;
  try {
    for (let index = first; index < first + options.cases; index++) {
      const label = `case ${index} of seed ${options.seed}`;
      const t = performance.now();
      let fuzzCase;
      try {
        fuzzCase = makeCase(options.seeds, options.seed, index);
      } catch (error) {
        throw new Error(`nifti fuzz: building ${label} failed (a fuzzer bug): ${String(error)}`, {
          cause: error,
        });
      }
      const input: ReadInput = {
        bytes: fuzzCase.bytes,
        imageBytes: fuzzCase.imageBytes,
        frame: fuzzCase.frame,
        name: fuzzCase.seed.name,
      };
      const full = `${label}: ${fuzzCase.seed.name}: ${fuzzCase.steps.join('; ')}${fuzzCase.frame !== undefined ? `; frame ${fuzzCase.frame}` : ''}`;

      // The unchanged seed's read, for oracles that compare with it (outside the time guard).
      const key = `${fuzzCase.seed.name}#${fuzzCase.frame}`;
      const reference = () => {
        let outcome = references.get(key);
        if (outcome === undefined) {
          const bytes = fuzzCase.seed.load();
          outcome = read({
            bytes: bytes.main.stored,
            imageBytes: bytes.image?.stored,
            frame: fuzzCase.frame,
            name: fuzzCase.seed.name,
          });
          references.set(key, outcome);
        }
        return outcome;
      };
      if (fuzzCase.oracle.kind === 'same-as-seed') reference();
      const built = performance.now() - t;

      // The read and its judgement, timed and watched.
      // A case still running at twice its guard is taken as a hang.
      const limit = guard(fuzzCase.seed.inflatedBytes);
      watchdog.start(`${full}\nreplay: ${replayCommand(options.seed, index)}`, 2 * limit);
      const small = input.bytes.length + (input.imageBytes?.length ?? 0) <= CHECKSUM_BYTES;
      const sums = small ? [checksum(input.bytes), checksum(input.imageBytes)] : [];
      const t0 = performance.now();
      const outcome = read(input);
      const problem =
        judge(fuzzCase, input, outcome, reference) ??
        headerViolation(input) ??
        (small && (checksum(input.bytes) !== sums[0] || checksum(input.imageBytes) !== sums[1])
          ? 'the reader changed the bytes it was given'
          : null);
      const ms = performance.now() - t0;
      watchdog.stop();

      // Book-keeping.
      const kind = 'volume' in outcome ? 'volume' : outcomeName(outcome.error);
      report.outcomes[kind] = (report.outcomes[kind] ?? 0) + 1;
      const tier = (report.tiers[fuzzCase.seed.tier] ??= { cases: 0, buildMs: 0, readMs: 0 });
      tier.cases++;
      tier.buildMs += built;
      tier.readMs += ms;
      if (ms > report.slowest.ms) report.slowest = { ms, label: full };
      const slow = ms > limit ? `took ${ms.toFixed(0)} ms, over its ${limit.toFixed(0)} ms guard` : null;
      const failure = problem ?? slow;
      if (failure !== null) {
        failed++;
        if (report.failures.length < MAX_LISTED) {
          report.failures.push(`${full}\n  -> ${failure}\n  replay: ${replayCommand(options.seed, index)}`);
        }
      }
    }
  } finally {
    await watchdog.close();
  }
  if (failed > MAX_LISTED) report.failures.push(`... and ${failed - MAX_LISTED} more failing cases`);
  report.elapsedMs = performance.now() - started;
  return report;
}

/** The command that reruns one case alone. */
export function replayCommand(seed: number, index: number): string {
  return `FUZZ_SEED=${seed} FUZZ_CASE=${index} npx vitest run test/fuzz/nifti-fuzz.test.ts`;
}

function outcomeName(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'code' in error) return String(error.code);
  return error instanceof Error ? error.constructor.name : typeof error;
}
