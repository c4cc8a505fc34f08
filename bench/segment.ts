/**
 * segment() benchmark (issue 9), `npm run bench`: segment() file to file on one whole BraTS case
 * (read the NIfTI files, preprocess, infer, postprocess, write into a temporary folder), per
 * model and path, each path in a child process of its own (bench/segment-path.ts) so that its
 * peak resident memory is its own; then a training step (bench/train-step.ts, run as a child).
 *
 * Models: `default`, the shipped model (or `--model FILE`, or `--model random` for a random
 * `small` student), and `paper`, a random student of the paper preset (k = 32, tiles of
 * 160x192x160 at 1 mm), both cached in bench/.cache/. Paths: `ort-cpu` (onnxruntime-node's CPU
 * provider, through segment() itself), `ort-wasm` (onnxruntime-web's wasm backend in Node, same
 * graph), `tfjs-cpu` and `tfjs-fast` (the same network in tfjs with the model's weights, hadnet's
 * fast kernels off and on), `ort-cuda` (segment() on onnxruntime-node's CUDA provider, skipped
 * where CUDA cannot start). A path whose data or model is absent is skipped with a printed reason.
 *
 * Progress goes to stderr; the Markdown tables to stdout; `--json FILE` writes
 * `{ machine, date, segment, segmentPaper, train, paths, ... }` (../shared/CONTRACTS.md's object,
 * extended), to a temporary name first. `npm run bench -- --help` lists the options.
 */
import { fork } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchCaseFiles, type Sequence } from '@hadnet/core';
import { DEFAULT_MODEL, randomStudentModel, REPO_ROOT } from './segment-models.js';
import {
  parseBenchOptions,
  USAGE,
  type BenchModel,
  type BenchOptions,
  type PathJob,
  type PathMeasurement,
  type PathReply,
  type SegmentPath,
} from './segment-options.js';
import {
  pathTable,
  ratioTable,
  summarise,
  trainTable,
  type PathRow,
  type SegmentSummary,
  type TrainCase,
} from './segment-report.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const SAMPLE = join(REPO_ROOT, '..', 'shared', 'data', 'brats-sample');
const EXAMPLE = join(REPO_ROOT, 'examples', 'Brats18_TCIA03_265_1');
const DEFAULT_CASE = 'Brats18_TCIA03_265_1';
const NEEDED: readonly Sequence[] = ['flair', 't1', 't2'];

const progress = (line: string): void => void process.stderr.write(`${line}\n`);

/** A case to run, or why it cannot be. */
interface BenchCase {
  id: string;
  dir?: string;
  inputs?: Partial<Record<Sequence, string>>;
  skip?: string;
}

/** A model to run, or why it cannot be. */
interface ModelChoice {
  name: BenchModel;
  file?: string;
  description: string;
  skip?: string;
}

function machineInfo() {
  const cpus = os.cpus();
  const memoryGiB = Math.round((os.totalmem() / 2 ** 30) * 10) / 10;
  const info = {
    cpu: cpus[0]?.model ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
  return {
    ...info,
    description: `${info.cores} x ${info.cpu}, ${memoryGiB} GiB, ${info.os}, Node ${info.node}`,
  };
}

/** The case folder's flair, t1 and t2, or why not. */
function caseAt(id: string, dir: string): BenchCase {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { id, skip: `no case folder at ${dir}` };
  let files: Partial<Record<Sequence, string>>;
  try {
    files = matchCaseFiles(readdirSync(dir), dir);
  } catch (error) {
    return { id, skip: (error as Error).message };
  }
  const missing = NEEDED.filter((s) => files[s] === undefined);
  if (missing.length > 0) return { id, skip: `${dir} lacks ${missing.join(', ')}` };
  const inputs = Object.fromEntries(NEEDED.map((s) => [s, join(dir, files[s]!)]));
  return { id, dir, inputs };
}

/** The cases asked for: brats-sample ids, `example`, or folders; by default one case. */
function resolveCases(asked: readonly string[]): BenchCase[] {
  if (asked.length === 0) {
    if (existsSync(join(SAMPLE, DEFAULT_CASE))) return [caseAt(DEFAULT_CASE, join(SAMPLE, DEFAULT_CASE))];
    progress(`no ${DEFAULT_CASE} under ${SAMPLE}: using the shipped copy, ${EXAMPLE}`);
    return [caseAt(DEFAULT_CASE, EXAMPLE)];
  }
  return asked.map((id) => {
    if (id === 'example') return caseAt(basename(EXAMPLE), EXAMPLE);
    if (existsSync(join(SAMPLE, id))) return caseAt(id, join(SAMPLE, id));
    if (existsSync(id)) return caseAt(basename(resolve(id)), resolve(id));
    return { id, skip: `'${id}' is neither a case of ${SAMPLE} nor a folder` };
  });
}

/** The models asked for: files found or exported (random weights), or why not. */
async function resolveModels(options: BenchOptions): Promise<ModelChoice[]> {
  const models: ModelChoice[] = [];
  for (const name of options.models) {
    if (name === 'paper') {
      progress(
        'paper preset: a random student (k = 32, tiles of 160x192x160 at 1 mm), cached in bench/.cache',
      );
      const file = await randomStudentModel('paper');
      models.push({ name, file, description: 'random-weight paper-preset student' });
    } else if (options.model === 'random') {
      const file = await randomStudentModel('small');
      models.push({
        name,
        file,
        description: 'random-weight small-preset student (stand-in for the default)',
      });
    } else {
      const file = options.model === undefined ? DEFAULT_MODEL : resolve(options.model);
      const skip = existsSync(file)
        ? undefined
        : `no model at ${file}` +
          (options.model === undefined
            ? ' (the default model is not shipped yet: pass --model FILE or --model random)'
            : '');
      models.push({ name, file, description: basename(file), skip });
    }
  }
  return models;
}

/** Why a path is not run on a model by default, or undefined. */
function skipReason(model: ModelChoice, path: SegmentPath, options: BenchOptions): string | undefined {
  if (model.name !== 'paper' || options.paperTfjs) return undefined;
  if (path === 'tfjs-cpu')
    return 'the paper preset on stock tfjs-cpu takes over half an hour; --paper-tfjs runs it';
  if (path === 'tfjs-fast') {
    return (
      "tfjs holds every intermediate of a forward pass until it ends: 32 times the small preset's " +
      '(8 times the voxels, 4 times the channels), an estimated 20 GB; --paper-tfjs runs it'
    );
  }
  return undefined;
}

/** Runs one path in a child process and waits for what it measured. */
function runPath(
  job: PathJob,
): Promise<{ measurement?: PathMeasurement; error?: string; code?: string; processMs: number }> {
  const started = performance.now();
  return new Promise((done) => {
    const child = fork(join(here, 'segment-path.ts'), [JSON.stringify(job)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.pipe(process.stderr);
    let reply: PathReply | undefined;
    child.on('message', (message) => (reply = message as PathReply));
    child.on('exit', (code, signal) => {
      const processMs = performance.now() - started;
      if (reply === undefined)
        done({ error: `the child exited with code ${code}, signal ${signal}`, processMs });
      else if (reply.ok) done({ measurement: reply.measurement, processMs });
      else done({ error: reply.error, code: reply.code, processMs });
    });
  });
}

/** Runs bench/train-step.ts on `cases` and returns its JSON (`train` and `cases`). */
function runTrainBench(
  cases: string,
  dir: string,
): Promise<{ train: unknown; cases: unknown } | { error: string }> {
  const file = join(dir, 'train.json');
  return new Promise((done) => {
    const child = fork(join(here, 'train-step.ts'), ['--cases', cases, '--json', file], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.pipe(process.stderr);
    child.on('exit', (code, signal) => {
      if (code === 0 && existsSync(file)) {
        const { train, cases: all } = JSON.parse(readFileSync(file, 'utf8')) as {
          train: unknown;
          cases: unknown;
        };
        done({ train, cases: all });
      } else {
        done({ error: `bench/train-step.ts exited with code ${code}, signal ${signal}` });
      }
    });
  });
}

async function main(): Promise<void> {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2), cores);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const machine = machineInfo();
  const date = new Date().toISOString();
  const loadStart = os.loadavg()[0];
  progress(`machine: ${machine.description}`);
  progress(`date: ${date}; load average at start ${loadStart.toFixed(1)}`);
  progress(
    `threads: ort-wasm ${options.wasmThreads}, OpenBLAS (tfjs-fast) ` +
      `${process.env.OPENBLAS_NUM_THREADS ?? 'default (one per core)'}, ort-cpu onnxruntime's default`,
  );

  const cases = resolveCases(options.cases);
  const models = options.paths.length === 0 ? [] : await resolveModels(options);
  const outRoot = mkdtempSync(join(os.tmpdir(), 'hadnet-bench-'));
  const rows: PathRow[] = [];
  try {
    // every case, model and path, one child process each
    for (const benchCase of cases) {
      for (const model of models) {
        for (const path of options.paths) {
          const row: PathRow = {
            case: benchCase.id,
            model: model.name,
            modelFile: model.file ?? null,
            path,
            status: 'ok',
          };
          const reason = benchCase.skip ?? model.skip ?? skipReason(model, path, options);
          if (reason !== undefined) {
            progress(`${benchCase.id} ${model.name} ${path}: skipped: ${reason}`);
            rows.push({ ...row, status: 'skipped', reason });
            continue;
          }
          progress(
            `${benchCase.id} ${model.name} ${path}: running (load average ${os.loadavg()[0].toFixed(1)})`,
          );
          const outDir = join(outRoot, `${benchCase.id}-${model.name}-${path}`);
          const job: PathJob = {
            path,
            inputs: benchCase.inputs!,
            model: model.file!,
            outDir,
            wasmThreads: options.wasmThreads,
          };
          const { measurement, error, code, processMs } = await runPath(job);
          if (path === 'ort-wasm') row.threads = options.wasmThreads;
          if (measurement === undefined && path === 'ort-cuda' && code === 'UNSUPPORTED_DEVICE') {
            // no CUDA here: not a failure of the benchmark
            progress(`  skipped: ${error}`);
            rows.push({ ...row, status: 'skipped', reason: error, processMs });
            continue;
          }
          if (measurement === undefined) {
            progress(`  failed: ${error}`);
            rows.push({ ...row, status: 'failed', reason: error, processMs });
            continue;
          }
          const t = measurement.timingsMs;
          progress(
            `  ${(t.total / 1000).toFixed(2)} s on ${measurement.device} (infer ${(t.infer / 1000).toFixed(2)} s, ` +
              `${measurement.tiles} tile(s) of [${measurement.roiSize.join(', ')}]), peak RSS ` +
              `${measurement.peakRssMb.toFixed(0)} MiB`,
          );
          rows.push({ ...row, measurement, processMs });
        }
      }
    }

    // a training step per stage, by bench/train-step.ts
    let train: unknown = null;
    let trainCases: unknown = null;
    if (options.train) {
      progress(`training step: bench/train-step.ts --cases ${options.trainCases}`);
      const result = await runTrainBench(options.trainCases, outRoot);
      if ('error' in result) progress(`  failed: ${result.error}`);
      else ({ train, cases: trainCases } = result);
    }

    // the tables and the JSON
    const first = cases.find((c) => c.skip === undefined)?.id ?? cases[0]?.id ?? null;
    const summaries: Record<string, SegmentSummary> = {};
    for (const model of models) {
      if (first !== null) summaries[model.name] = summarise(rows, first, model.name, model.description);
    }
    const machineLine = `${machine.description}; ${date}; load average ${loadStart.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end`;
    process.stdout.write(`\n${machineLine}\n`);
    if (rows.length > 0) {
      process.stdout.write(`\nsegment() file to file:\n\n${pathTable(rows)}\n\n`);
      process.stdout.write(`Ratios to ort-cpu (case ${first ?? 'none'}):\n\n${ratioTable(summaries)}\n`);
    }
    if (Array.isArray(trainCases)) {
      process.stdout.write(
        `\nTraining step (bench/train-step.ts):\n\n${trainTable(trainCases as TrainCase[])}\n`,
      );
    }
    if (options.json !== undefined) {
      const json = {
        machine,
        date,
        loadAverage: { start: loadStart, end: os.loadavg()[0] },
        threads: {
          ortCpu: "onnxruntime-node's default (one per physical core)",
          ortWasm: options.wasmThreads,
          openblas: process.env.OPENBLAS_NUM_THREADS ?? 'OpenBLAS default (one per core)',
        },
        case: first,
        segment: summaries.default ?? null,
        segmentPaper: summaries.paper ?? null,
        train,
        trainCases,
        paths: rows,
        options: { ...options, json: undefined },
      };
      const temporary = `${options.json}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(json, null, 2)}\n`);
      renameSync(temporary, options.json);
      progress(`wrote ${options.json}`);
    }
  } finally {
    if (options.keepOutput) progress(`outputs kept in ${outRoot}`);
    else rmSync(outRoot, { recursive: true, force: true });
  }
}

await main();
