/**
 * The epoch loop every stage runs in, and the run folder around it: a new run writes
 * `config.json`; a resumed one checks that it agrees, restores networks, optimizers, the data
 * stream's RNG state, the step count and the best score from `checkpoints/last/`, and drops log
 * lines of epochs that checkpoint does not hold. Each epoch: shuffle, steps, validation, then the
 * log line and `curves.svg`, the best checkpoint when the score is at least the best so far (as
 * the reference), and the last checkpoint, each written atomically.
 * May depend on: node:fs, `@hadnet/core` (errors, log), ../data, ../networks (types), ../run,
 * ./optimizer, ./options, ./validate.
 */
import { readdir } from 'node:fs/promises';
import { InvalidRunError, type Sequence } from '@hadnet/core';
import { Random } from '../data/random.js';
import type { TrainingCase } from '../data/training-case.js';
import type { Generator } from '../networks/generator.js';
import type { ParameterSet } from '../networks/parameters.js';
import { exists, removeAtomicLeftovers, writeFileAtomic } from '../run/atomic.js';
import {
  checkpointDirectory,
  loadCheckpoint,
  saveCheckpoint,
  type Checkpoint,
  type CheckpointState,
} from '../run/checkpoint.js';
import { configDifference, readRunConfig, runPaths, type RunConfig } from '../run/config.js';
import { renderCurves } from '../run/curves.js';
import { readLog, writeLog, type LogEntry } from '../run/log.js';
import { assignParameters, parameterArrays } from '../run/weights.js';
import type { AdamOptimizer } from './optimizer.js';
import type { StageOptions, StageResult } from './options.js';
import { validateGenerator } from './validate.js';

/** What a step knows about where it is. */
export interface StepContext {
  /** The epoch, from 1. */
  epoch: number;
  /** Steps taken before this one (seeds this step's dropout). */
  step: number;
  /** The data stream (augmentation draws); saved with every checkpoint. */
  rng: Random;
}

/** What one step reports. */
export interface StepReport {
  losses: Record<string, number>;
  /** Distillation: whether the discriminator stepped. */
  discriminatorUpdated?: boolean;
}

/** A stage's networks and its step, as the loop drives them. */
export interface StageTrainer {
  /** Networks stored in checkpoints, by name (`generator`, `discriminator`). */
  readonly networks: Readonly<Record<string, ParameterSet>>;
  /** Their optimizers, by the same names. */
  readonly optimizers: Readonly<Record<string, AdamOptimizer>>;
  /** The generator that is validated and selected. */
  readonly model: Generator;
  /** Its input channels, in order. */
  readonly channels: readonly Sequence[];
  /** One step on a batch of cases. */
  trainStep(batch: readonly TrainingCase[], context: StepContext): StepReport;
  /** Fields this stage adds to an epoch's log line (pre-training: the class weights). */
  epochFields?(epoch: number): Partial<LogEntry>;
}

/**
 * Creates the run folder's config, or checks it when resuming.
 * @returns the config to train with (a resumed run keeps its creation time; its epochs may rise)
 * @throws InvalidRunError when a new run's folder already holds a run, when there is nothing to
 *   resume, or when the resumed config differs in anything but its epochs
 */
export async function prepareRunFolder(
  runDir: string,
  config: RunConfig,
  resume: boolean,
): Promise<RunConfig> {
  const paths = runPaths(runDir);
  if (!resume) {
    if (await exists(paths.config)) {
      throw new InvalidRunError(
        `${config.stage}: ${runDir} already holds a run (config.json); pass --resume to continue it or choose another --out`,
      );
    }
    if (
      (await exists(runDir)) &&
      (await readdir(runDir)).some((n) => ['checkpoints', 'log.jsonl'].includes(n))
    ) {
      throw new InvalidRunError(
        `${config.stage}: ${runDir} holds checkpoints or a log but no config.json; choose another --out`,
      );
    }
    await writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`);
    return config;
  }
  if (!(await exists(paths.config))) {
    throw new InvalidRunError(`${config.stage}: nothing to resume in ${runDir}: it has no config.json`);
  }
  const saved = await readRunConfig(runDir);
  const difference = configDifference(saved, config);
  if (difference !== undefined) {
    throw new InvalidRunError(`${config.stage}: cannot resume ${runDir} with other settings: ${difference}`);
  }
  // a run killed while rewriting its config, log or curves leaves a temporary file beside them
  await removeAtomicLeftovers(runDir, ['config.json', 'log.jsonl', 'curves.svg']);
  const merged: RunConfig = { ...saved, epochs: config.epochs };
  if (merged.epochs !== saved.epochs)
    await writeFileAtomic(paths.config, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs (or resumes) a stage's epochs in its run folder.
 * @param config - the run's config (see {@link prepareRunFolder})
 * @param options - run folder, data, resume, callbacks
 * @param trainer - the stage's networks and step
 */
export async function runEpochs(
  config: RunConfig,
  options: StageOptions,
  trainer: StageTrainer,
): Promise<StageResult> {
  const { runDir, data } = options;
  const callbacks = options.callbacks ?? {};
  const paths = runPaths(runDir);
  const active = await prepareRunFolder(runDir, config, options.resume ?? false);

  // where the run stands: from the last checkpoint when resuming, else the start
  let rng = new Random(config.seed);
  let epoch = 0;
  let step = 0;
  let best: CheckpointState['best'] = null;
  let log: LogEntry[] = [];
  if (options.resume && (await checkpointDirectory(runDir, 'last')) !== undefined) {
    const last = await loadCheckpoint(runDir, 'last');
    if (last.state.stage !== config.stage) {
      throw new InvalidRunError(
        `${config.stage}: the last checkpoint of ${runDir} is of stage ${last.state.stage}`,
      );
    }
    for (const [name, parameters] of Object.entries(trainer.networks)) {
      const arrays = last.networks[name];
      if (!arrays)
        throw new InvalidRunError(`${config.stage}: the last checkpoint of ${runDir} holds no ${name}`);
      assignParameters(parameters, arrays, `${runDir} checkpoint 'last' (${name})`);
    }
    for (const [name, optimizer] of Object.entries(trainer.optimizers)) {
      const state = last.optimizers[name];
      if (!state)
        throw new InvalidRunError(
          `${config.stage}: the last checkpoint of ${runDir} holds no optimizer for ${name}`,
        );
      optimizer.setState(state, `${runDir} checkpoint 'last' (optimizer of ${name})`);
    }
    rng = Random.fromState(last.state.rng);
    ({ epoch, step, best } = last.state);
    log = (await readLog(runDir)).filter((e) => e.epoch <= epoch);
    await writeLog(runDir, log);
  }

  const title = `${config.stage}: ${runDir}`;
  const batchSize = active.batchSize;
  for (epoch += 1; epoch <= active.epochs; epoch++) {
    const started = performance.now();

    // shuffle, then one step per batch
    const batches = chunk(rng.shuffle(data.train.ids), batchSize);
    await callbacks.onEpochStart?.({
      stage: config.stage,
      epoch,
      epochs: active.epochs,
      batches: batches.length,
    });
    const sums: Record<string, number> = {};
    let discriminatorSteps: number | undefined;
    for (let b = 0; b < batches.length; b++) {
      const stepStarted = performance.now();
      const cases: TrainingCase[] = [];
      for (const id of batches[b]) cases.push(await data.train.load(id));
      const report = trainer.trainStep(cases, { epoch, step, rng });
      step += 1;
      for (const [k, v] of Object.entries(report.losses)) sums[k] = (sums[k] ?? 0) + v;
      if (report.discriminatorUpdated !== undefined) {
        discriminatorSteps = (discriminatorSteps ?? 0) + (report.discriminatorUpdated ? 1 : 0);
      }
      await callbacks.onBatchEnd?.({
        stage: config.stage,
        epoch,
        epochs: active.epochs,
        batches: batches.length,
        batch: b + 1,
        step,
        losses: report.losses,
        seconds: (performance.now() - stepStarted) / 1000,
        ...(report.discriminatorUpdated === undefined
          ? {}
          : { discriminatorUpdated: report.discriminatorUpdated }),
      });
    }

    // validate; the best checkpoint is kept by mean(WT, TC, ET), ties going to the later epoch
    const validation = await validateGenerator(trainer.model, data.val, trainer.channels);
    const isBest = best === null || validation.dice.mean >= best.score;
    if (isBest) best = { epoch, score: validation.dice.mean, dice: validation.dice };
    const entry: LogEntry = {
      epoch,
      step,
      seconds: (performance.now() - started) / 1000,
      losses: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / batches.length])),
      validation: validation.dice,
      best: isBest,
      ...trainer.epochFields?.(epoch),
      ...(discriminatorSteps === undefined ? {} : { discriminatorSteps }),
    };

    // the log and the curves first: a crash before the checkpoint leaves a line that resuming drops
    log.push(entry);
    await writeLog(runDir, log);
    await writeFileAtomic(paths.curves, renderCurves(log, title));
    const checkpoint: Checkpoint = {
      state: {
        format: 'hadnet-checkpoint/1',
        stage: config.stage,
        epoch,
        step,
        rng: rng.state(),
        best,
        validation: validation.dice,
        optimizers: {},
        networks: [],
        savedAt: new Date().toISOString(),
      },
      networks: Object.fromEntries(Object.entries(trainer.networks).map(([k, p]) => [k, parameterArrays(p)])),
      optimizers: Object.fromEntries(Object.entries(trainer.optimizers).map(([k, o]) => [k, o.getState()])),
    };
    if (isBest) await saveCheckpoint(runDir, 'best', checkpoint);
    await saveCheckpoint(runDir, 'last', checkpoint);
    await callbacks.onEpochEnd?.({ stage: config.stage, epoch, epochs: active.epochs, entry, best: best! });
  }

  return { runDir, stage: config.stage, epochs: epoch - 1, steps: step, best, log };
}

/** The options every stage checks first, with defaults filled in. */
export interface CheckedStageOptions {
  epochs: number;
  seed: number;
  batchSize: number;
}

/**
 * Checks the options every stage shares.
 * @param stage - names the stage in messages
 * @param defaultEpochs - the reference's epochs for this stage
 * @throws RangeError for a bad count or seed; InvalidRunError when there are no training or no
 *   validation cases, or a case is in both
 */
export function checkStageOptions(
  stage: string,
  options: StageOptions,
  defaultEpochs: number,
): CheckedStageOptions {
  const epochs = options.epochs ?? defaultEpochs;
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new RangeError(`${stage}: epochs must be a whole number >= 1; got ${epochs}`);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`${stage}: seed must be a whole number >= 0; got ${seed}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`${stage}: batchSize must be a whole number >= 1; got ${batchSize}`);
  }
  if (typeof options.runDir !== 'string' || options.runDir === '') {
    throw new TypeError(`${stage}: runDir must be a folder path; got ${String(options.runDir)}`);
  }
  const { train, val } = options.data;
  if (train.ids.length === 0) throw new InvalidRunError(`${stage}: no training case`);
  if (val.ids.length === 0)
    throw new InvalidRunError(`${stage}: no validation case: the best checkpoint is chosen on them`);
  const both = train.ids.filter((id) => val.ids.includes(id));
  if (both.length > 0)
    throw new InvalidRunError(`${stage}: ${both.join(', ')} both trained on and validated on`);
  return { epochs, seed, batchSize };
}

/** `config.json`'s `data`: the description given, and the ids. */
export function describeData(options: StageOptions): RunConfig['data'] {
  const d = options.data.description ?? {};
  return {
    ...(d.dir === undefined ? {} : { dir: d.dir }),
    ...(d.split === undefined ? {} : { split: d.split }),
    train: [...options.data.train.ids],
    val: [...options.data.val.ids],
    test: [...(d.test ?? [])],
  };
}
