/**
 * A run folder's `config.json`: what was trained, on what, how (../shared/CONTRACTS.md "Models
 * and runs"). Written when a run starts; a resumed run must agree with it. The ONNX exporter
 * reads the preset, role and sequences from it for the model card.
 * May depend on: `@hadnet/core` (types, errors), ../networks (the preset type), ./atomic,
 * ./tensor-file, node:path.
 */
import { join } from 'node:path';
import { InvalidRunError, type Sequence } from '@hadnet/core';
import type { Preset } from '../networks/presets.js';
import { readJson } from './tensor-file.js';

/** The version of `@hadnet/train` that writes run folders (its package.json's, checked by a test). */
export const TRAIN_CODE_VERSION = '0.1.0';

/** The three training stages. */
export type StageName = 'pretrain-teacher' | 'pretrain-student' | 'distill';

/** What a run's generator is, as the model card's `hadnet.role` says it. */
export type RunRole = 'teacher' | 'student' | 'hadnet';

/** The role each stage trains. */
export const STAGE_ROLES: Readonly<Record<StageName, RunRole>> = Object.freeze({
  'pretrain-teacher': 'teacher',
  'pretrain-student': 'student',
  distill: 'hadnet',
});

/** A run another run starts from (distillation's teacher and student). */
export interface RunReference {
  /** The run folder, absolute. */
  run: string;
  /** Which of its checkpoints. */
  checkpoint: 'best' | 'last';
  /** The epoch that checkpoint was written after. */
  epoch: number;
  /** SHA-256 of its `generator.bin`: a resumed run checks that it loads the same weights. */
  weightsSha256: string;
}

/** The cases a run was given. `test` is recorded only: a stage never reads those cases. */
export interface RunData {
  /** The data folder, absolute, when the cases came from one. */
  dir?: string;
  /** The split file, absolute, when there was one. */
  split?: string;
  train: string[];
  val: string[];
  test: string[];
}

/** `config.json`. */
export interface RunConfig {
  format: 'hadnet-run/1';
  stage: StageName;
  role: RunRole;
  /** The generator's input channels, in order (teacher `flair, t1ce, t1, t2`; else `flair, t1, t2`). */
  sequences: Sequence[];
  /** The network and input settings (a copy of the named preset, or custom ones). */
  preset: Preset;
  /** The run's seed: initial weights, data order, augmentation and dropout all derive from it. */
  seed: number;
  /** The number of epochs the run trains to (a resumed run may raise it). */
  epochs: number;
  /** Batch size (the reference's: 1). */
  batchSize: number;
  /** The stage's hyper-parameters, all of them, defaults filled in. */
  hyperparameters: Record<string, unknown>;
  data: RunData;
  /** Distillation: the frozen teacher. */
  teacher?: RunReference;
  /** Distillation: the pre-trained student it starts from. */
  student?: RunReference;
  /** Distillation: the discriminator's settings. */
  discriminator?: { hierarchical: boolean; width: number };
  /** The `@hadnet/train` version that started the run. */
  codeVersion: string;
  /** When the run started (ISO 8601). */
  createdAt: string;
}

/** The files and folders of a run folder. */
export interface RunPaths {
  root: string;
  config: string;
  log: string;
  curves: string;
  checkpoints: string;
  /** `checkpoints/best` or `checkpoints/last`. */
  checkpoint(name: 'best' | 'last'): string;
}

/** The paths of the run folder `runDir`. */
export function runPaths(runDir: string): RunPaths {
  return {
    root: runDir,
    config: join(runDir, 'config.json'),
    log: join(runDir, 'log.jsonl'),
    curves: join(runDir, 'curves.svg'),
    checkpoints: join(runDir, 'checkpoints'),
    checkpoint: (name) => join(runDir, 'checkpoints', name),
  };
}

/**
 * Reads a run's `config.json`.
 * @throws InvalidRunError when it is missing, not JSON, or not a hadnet run config
 */
export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const path = runPaths(runDir).config;
  const config = (await readJson(path, 'readRunConfig')) as Partial<RunConfig>;
  if (config.format !== 'hadnet-run/1') {
    throw new InvalidRunError(
      `readRunConfig: ${path} is not a hadnet run config (format ${String(config.format)})`,
    );
  }
  for (const key of ['stage', 'role', 'sequences', 'preset', 'seed', 'epochs'] as const) {
    if (config[key] === undefined) throw new InvalidRunError(`readRunConfig: ${path} lacks '${key}'`);
  }
  return config as RunConfig;
}

/**
 * The first setting in which a resumed run differs from the config it resumes: stage, preset,
 * seed, batch size, hyper-parameters, training or validation cases, or the teacher's weights.
 * `epochs` may differ (a resumed run may train longer); the student a distillation started from
 * does not count (the run's own checkpoint holds the student now).
 * @returns a description such as `seed: 1 in config.json, 2 now`, or undefined when they agree
 */
export function configDifference(saved: RunConfig, now: RunConfig): string | undefined {
  const keys: (keyof RunConfig)[] = [
    'stage',
    'role',
    'sequences',
    'preset',
    'seed',
    'batchSize',
    'hyperparameters',
    'discriminator',
  ];
  for (const key of keys) {
    const [a, b] = [canonical(saved[key]), canonical(now[key])];
    if (a !== b) return `${key}: ${a} in config.json, ${b} now`;
  }
  for (const list of ['train', 'val'] as const) {
    const [a, b] = [canonical(saved.data[list]), canonical(now.data[list])];
    if (a !== b) return `data.${list}: ${a} in config.json, ${b} now`;
  }
  // the teacher runs every step, so it must be the same weights; the student's start is in the checkpoint
  const [a, b] = [saved.teacher, now.teacher];
  if ((a === undefined) !== (b === undefined) || (a && b && a.weightsSha256 !== b.weightsSha256)) {
    const describe = (r?: RunReference): string =>
      r ? `${r.run} '${r.checkpoint}' (sha256 ${r.weightsSha256})` : 'none';
    return `teacher: ${describe(a)} in config.json, ${describe(b)} now`;
  }
  return undefined;
}

/** JSON with object keys sorted, so that key order does not count as a difference. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
          )
        : v,
    ) ?? 'undefined'
  );
}
