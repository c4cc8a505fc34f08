/**
 * A run's `log.jsonl`: one JSON line per finished epoch (losses, validation Dice, seconds). The
 * file is rewritten whole and atomically each epoch; a resumed run first drops the lines of
 * epochs its checkpoint does not hold (an epoch logged just before a crash), so the log always
 * matches the weights.
 * May depend on: node:fs, `@hadnet/core` (errors), ./atomic, ./config, ./checkpoint (types).
 */
import { readFile } from 'node:fs/promises';
import { InvalidRunError } from '@hadnet/core';
import { writeFileAtomic } from './atomic.js';
import type { RegionDice } from './checkpoint.js';
import { runPaths } from './config.js';

/** One line of `log.jsonl`. */
export interface LogEntry {
  /** The epoch, from 1. */
  epoch: number;
  /** Training steps (batches) taken by the end of it. */
  step: number;
  /** Wall time of the epoch, training and validation, in seconds. */
  seconds: number;
  /**
   * Means over the epoch's steps. Pre-training: `loss` (weighted cross-entropy). Distillation:
   * `student` (its whole loss), `crossEntropy`, `adversarial` (MSE(D(student), 1)),
   * `discriminator` (L_D, also when the gate skipped the step) and `accuracy` (the
   * discriminator's).
   */
  losses: Record<string, number>;
  /** Validation Dice after the epoch. */
  validation: RegionDice;
  /** Whether this epoch's weights became the best checkpoint. */
  best: boolean;
  /** Pre-training: the class weights of this epoch. */
  classWeights?: number[];
  /** Distillation: how many discriminator steps the gate allowed, of `step` count this epoch. */
  discriminatorSteps?: number;
}

/**
 * The entries of a run's log, in order; empty when there is no log yet.
 * @throws InvalidRunError when a line is not JSON
 */
export async function readLog(runDir: string): Promise<LogEntry[]> {
  const path = runPaths(runDir).log;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as LogEntry;
      } catch {
        throw new InvalidRunError(`readLog: line ${i + 1} of ${path} is not JSON`);
      }
    });
}

/** Writes the whole log atomically, one entry per line. */
export async function writeLog(runDir: string, entries: readonly LogEntry[]): Promise<void> {
  await writeFileAtomic(runPaths(runDir).log, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
}
