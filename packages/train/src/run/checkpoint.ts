/**
 * Checkpoints: `checkpoints/best/` and `checkpoints/last/` of a run folder. Each holds
 * `state.json` (epoch, step, the data stream's RNG state, the best validation so far, the
 * optimizers' step counts), one tensor file pair per network (`generator.json`/`.bin`, and
 * `discriminator.*` in distillation) and one per optimizer (`optimizer-generator.*`: Adam's first
 * and second moments, named `m/<parameter>` and `v/<parameter>`). A checkpoint folder is written
 * whole and renamed into place (see ./atomic), so a crash leaves the previous one intact.
 * May depend on: node:crypto, node:fs, node:path, `@hadnet/core` (errors, types), ../data/random
 * (types), ./atomic, ./tensor-file, ./config.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRunError, type Region } from '@hadnet/core';
import type { RandomState } from '../data/random.js';
import {
  replaceDirectory,
  resolveDirectory,
  writeFileSynced,
  type ReplaceDirectoryOptions,
} from './atomic.js';
import { runPaths, type StageName } from './config.js';
import { readJson, readTensorFile, writeTensorFile, type NamedArray } from './tensor-file.js';

/** The two checkpoints a run keeps. */
export type CheckpointName = 'best' | 'last';

/** Dice per BraTS region (BraTS form: 1 when both masks are empty) and their mean. */
export type RegionDice = Record<Region, number> & { mean: number };

/** An optimizer's state: its step count and its per-parameter moments. */
export interface OptimizerState {
  /** Updates taken (Adam's `t`). */
  step: number;
  /** `m/<parameter>` and `v/<parameter>` arrays, shaped as the parameters. */
  moments: NamedArray[];
}

/** `state.json`. */
export interface CheckpointState {
  format: 'hadnet-checkpoint/1';
  stage: StageName;
  /** Epochs completed when it was written. */
  epoch: number;
  /** Training steps (batches) taken. */
  step: number;
  /** The state of the data stream (shuffles, augmentation) after `epoch`. */
  rng: RandomState;
  /** The best validation of epochs 1..epoch: its epoch, score (mean Dice) and Dice. */
  best: { epoch: number; score: number; dice: RegionDice } | null;
  /** This epoch's validation Dice. */
  validation: RegionDice | null;
  /** Step counts of the optimizers, by network. */
  optimizers: Record<string, { step: number }>;
  /** The networks stored, one tensor file pair each. */
  networks: string[];
  /** When it was written (ISO 8601). */
  savedAt: string;
}

/** A checkpoint in memory. */
export interface Checkpoint {
  state: CheckpointState;
  /** Each network's parameters, by network (`generator`, `discriminator`). */
  networks: Record<string, NamedArray[]>;
  /** Each network's optimizer state, by network. */
  optimizers: Record<string, OptimizerState>;
}

/**
 * Writes a checkpoint of a run, replacing the previous one of that name in one step.
 * @param runDir - the run folder
 * @param name - `'best'` or `'last'`
 * @param checkpoint - what to write; `state.networks` and `state.optimizers` are filled from it
 * @param options - a crash hook for tests (see `replaceDirectory`)
 */
export async function saveCheckpoint(
  runDir: string,
  name: CheckpointName,
  checkpoint: Checkpoint,
  options: ReplaceDirectoryOptions = {},
): Promise<void> {
  const state: CheckpointState = {
    ...checkpoint.state,
    networks: Object.keys(checkpoint.networks),
    optimizers: Object.fromEntries(
      Object.entries(checkpoint.optimizers).map(([k, o]) => [k, { step: o.step }]),
    ),
  };
  await replaceDirectory(
    runPaths(runDir).checkpoint(name),
    async (dir) => {
      for (const [network, arrays] of Object.entries(checkpoint.networks)) {
        await writeTensorFile(dir, network, arrays);
      }
      for (const [network, optimizer] of Object.entries(checkpoint.optimizers)) {
        await writeTensorFile(dir, `optimizer-${network}`, optimizer.moments);
      }
      await writeFileSynced(join(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
    },
    options,
  );
}

/**
 * Where a checkpoint is on disk: `checkpoints/<name>/`, or `checkpoints/<name>.previous/` when a
 * crash interrupted its replacement.
 * @returns the folder, or undefined when the run has no such checkpoint
 */
export async function checkpointDirectory(runDir: string, name: CheckpointName): Promise<string | undefined> {
  return resolveDirectory(runPaths(runDir).checkpoint(name));
}

/**
 * Reads a checkpoint: its state, networks and optimizer states.
 * @param options - `optimizers: false` skips the optimizer states (enough to run or export a
 *   network) @defaultValue true
 * @throws InvalidRunError when the run has no such checkpoint or a file is missing or malformed
 */
export async function loadCheckpoint(
  runDir: string,
  name: CheckpointName,
  options: { optimizers?: boolean } = {},
): Promise<Checkpoint> {
  const dir = await checkpointDirectory(runDir, name);
  if (dir === undefined) {
    throw new InvalidRunError(
      `loadCheckpoint: ${runDir} has no '${name}' checkpoint (no checkpoints/${name}/); has the run finished an epoch?`,
    );
  }
  const state = await readCheckpointState(dir);
  const networks: Record<string, NamedArray[]> = {};
  for (const network of state.networks) networks[network] = await readTensorFile(dir, network);
  const optimizers: Record<string, OptimizerState> = {};
  if (options.optimizers ?? true) {
    for (const [network, { step }] of Object.entries(state.optimizers)) {
      optimizers[network] = { step, moments: await readTensorFile(dir, `optimizer-${network}`) };
    }
  }
  return { state, networks, optimizers };
}

/**
 * Reads a checkpoint folder's `state.json`.
 * @throws InvalidRunError when it is missing or not a hadnet checkpoint state
 */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  const path = join(dir, 'state.json');
  const state = (await readJson(path, 'readCheckpointState')) as Partial<CheckpointState>;
  if (
    state.format !== 'hadnet-checkpoint/1' ||
    !Number.isInteger(state.epoch) ||
    !Array.isArray(state.networks)
  ) {
    throw new InvalidRunError(`readCheckpointState: ${path} is not a hadnet checkpoint state`);
  }
  return state as CheckpointState;
}

/**
 * SHA-256 (hex) of a checkpoint's stored network, e.g. its `generator.bin`.
 * @throws InvalidRunError when the run has no such checkpoint or network
 */
export async function networkSha256(
  runDir: string,
  name: CheckpointName,
  network = 'generator',
): Promise<string> {
  const dir = await checkpointDirectory(runDir, name);
  if (dir === undefined) throw new InvalidRunError(`networkSha256: ${runDir} has no '${name}' checkpoint`);
  const path = join(dir, `${network}.bin`);
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch (error) {
    throw new InvalidRunError(`networkSha256: cannot read ${path} (${(error as { code?: string }).code})`, {
      cause: error,
    });
  }
}
