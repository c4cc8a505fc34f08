/**
 * The segment() benchmark's command line and the shapes its parent and child processes share.
 * Used by bench/segment.ts (the parent) and bench/segment-path.ts (one child per path).
 */
import type { Sequence } from '@hadnet/core';

/**
 * The paths: onnxruntime-node's CPU provider, onnxruntime-web's wasm, tfjs-cpu stock and fast, and
 * onnxruntime-node's CUDA provider (skipped where it cannot start).
 */
export const SEGMENT_PATHS = ['ort-cpu', 'ort-wasm', 'tfjs-cpu', 'tfjs-fast', 'ort-cuda'] as const;

/** One of {@link SEGMENT_PATHS}. */
export type SegmentPath = (typeof SEGMENT_PATHS)[number];

/** What the parent asks a child to do. */
export interface PathJob {
  path: SegmentPath;
  /** Input files by sequence. */
  inputs: Partial<Record<Sequence, string>>;
  /** The ONNX model's path. */
  model: string;
  /** The folder to write into (created; the parent removes it). */
  outDir: string;
  /** WebAssembly threads for `ort-wasm`. */
  wasmThreads: number;
}

/** What a child sends back. */
export interface PathMeasurement {
  device: string;
  /** report.json's `timingsMs`: load, preprocess, infer, postprocess, write, total. */
  timingsMs: Record<string, number>;
  tiles: number;
  networkShape: number[];
  roiSize: number[];
  /** Peak resident memory of the whole process, MiB (`process.resourceUsage().maxRSS`). */
  peakRssMb: number;
  /** `VmHWM` of /proc/self/status, MiB, where Linux has it (the same peak, read by the kernel). */
  vmHwmMb: number | null;
  /** CPU time of this process (user + system, all threads), ms. */
  cpuMs: number;
  volumesMl: Record<string, number>;
  warnings: string[];
}

/** What a child sends its parent: the measurement, or the error (with its `code`, where it has one). */
export type PathReply =
  { ok: true; measurement: PathMeasurement } | { ok: false; error: string; code?: string };

/** The models timed: the default (shipped) model, and a random `paper` preset student. */
export const BENCH_MODELS = ['default', 'paper'] as const;

/** One of {@link BENCH_MODELS}. */
export type BenchModel = (typeof BENCH_MODELS)[number];

/** Everything `--paths` takes: the segment paths and `train` (bench/train-step.ts). */
export const ALL_PATHS = [...SEGMENT_PATHS, 'train'] as const;

/** The command line, parsed. */
export interface BenchOptions {
  /** Where to write the JSON object, or undefined. */
  json?: string;
  /** Cases as given: brats-sample ids, `example`, or folders; empty for the default case. */
  cases: string[];
  paths: SegmentPath[];
  /** Whether to run bench/train-step.ts. */
  train: boolean;
  /** The `--cases` bench/train-step.ts gets. */
  trainCases: string;
  models: BenchModel[];
  /** The default model: a path, `random` (a random `small` student), or undefined (the shipped one). */
  model?: string;
  /** Run the tfjs paths on the paper preset too (skipped by default: too long or too big). */
  paperTfjs: boolean;
  wasmThreads: number;
  keepOutput: boolean;
}

/** The usage text. */
export const USAGE = `Usage: npm run bench -- [options]

Times segment() file to file on one whole BraTS case, per path, and a training step.

  --json FILE          also write the results as JSON (../shared/CONTRACTS.md's object)
  --cases A,B          brats-sample case ids, 'example' (examples/Brats18_TCIA03_265_1) or case
                       folders (default: Brats18_TCIA03_265_1 from ../shared/data/brats-sample,
                       else its copy in examples/)
  --paths P,Q          of ${ALL_PATHS.join(', ')}
                       (default: all; ort-cuda is skipped where CUDA cannot start)
  --models M,N         of ${BENCH_MODELS.join(', ')} (default: both)
  --model FILE|random  the default model (default: packages/infer-node/models/hadnet-student.onnx;
                       'random': a randomly initialised small-preset student)
  --paper-tfjs         run tfjs-cpu and tfjs-fast on the paper preset too (off: hours / tens of GB)
  --wasm-threads N     WebAssembly threads for ort-wasm (default: one per core)
  --train-cases C      the --cases of bench/train-step.ts (default: small)
  --keep-output        keep the temporary output folder and print its path
  --help               this text`;

/** The value after `--name`, or undefined. */
function value(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const next = argv[i + 1];
  if (next === undefined || next.startsWith('--')) throw new RangeError(`--${name} needs a value`);
  return next;
}

/** A comma-separated list whose every item is one of `valid`. */
function listOf<T extends string>(
  argv: readonly string[],
  name: string,
  valid: readonly T[],
): T[] | undefined {
  const given = value(argv, name);
  if (given === undefined) return undefined;
  const items = given.split(',').filter((s) => s !== '');
  const bad = items.find((s) => !(valid as readonly string[]).includes(s));
  if (bad !== undefined || items.length === 0) {
    throw new RangeError(`--${name}: unknown value '${bad ?? given}'; valid: ${valid.join(', ')}`);
  }
  return items as T[];
}

const FLAGS = new Set(['paper-tfjs', 'keep-output', 'help']);
const VALUED = new Set(['json', 'cases', 'paths', 'models', 'model', 'wasm-threads', 'train-cases']);

/**
 * Parses the command line.
 * @param argv - the arguments after the script
 * @param cores - the default WebAssembly threads
 * @throws RangeError for an unknown option or value (a usage error)
 */
export function parseBenchOptions(argv: readonly string[], cores: number): BenchOptions {
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !(FLAGS.has(name) || VALUED.has(name))) {
      throw new RangeError(`unknown argument '${argv[i]}'`);
    }
    if (VALUED.has(name)) i += 1;
  }
  const paths = listOf(argv, 'paths', ALL_PATHS) ?? [...ALL_PATHS];
  const threads = Number(value(argv, 'wasm-threads') ?? cores);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`--wasm-threads must be a whole number >= 1; got ${value(argv, 'wasm-threads')}`);
  }
  return {
    json: value(argv, 'json'),
    cases: (value(argv, 'cases') ?? '').split(',').filter((s) => s !== ''),
    paths: paths.filter((p): p is SegmentPath => p !== 'train'),
    train: paths.includes('train'),
    trainCases: value(argv, 'train-cases') ?? 'small',
    models: listOf(argv, 'models', BENCH_MODELS) ?? [...BENCH_MODELS],
    model: value(argv, 'model'),
    paperTfjs: argv.includes('--paper-tfjs'),
    wasmThreads: threads,
    keepOutput: argv.includes('--keep-output'),
  };
}
