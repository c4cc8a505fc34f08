/**
 * Training progress for the terminal: a bar per epoch on a TTY (steps done, the step's loss,
 * seconds per step), plain lines otherwise, both on stderr; and one summary line per epoch.
 * May depend on: ../stages (event types), ../run (types).
 */
import type { BatchEndEvent, EpochEndEvent, EpochStartEvent, StageCallbacks } from '../stages/options.js';
import type { LogEntry } from '../run/log.js';

const BAR = 24;

/** Where progress goes. */
export interface ProgressSink {
  /** Progress and notes (stderr). */
  progress(text: string): void;
  /** Epoch summaries (stdout, or stderr with `--json`). */
  summary(text: string): void;
  /** Draw a bar that rewrites itself (a TTY) instead of plain lines. */
  tty: boolean;
}

const fixed = (v: number | undefined, digits = 3): string => (v === undefined ? '-' : v.toFixed(digits));

/** The step's losses in a few words: pre-training `loss`, distillation student/CE/adversarial/D. */
function describeLosses(losses: Record<string, number>): string {
  if ('loss' in losses) return `loss ${fixed(losses.loss, 4)}`;
  return (
    `student ${fixed(losses.student, 4)} (ce ${fixed(losses.crossEntropy)}, adv ${fixed(losses.adversarial)}) ` +
    `D ${fixed(losses.discriminator)} acc ${fixed(losses.accuracy, 2)}`
  );
}

/** One line for an epoch's log entry. */
export function epochSummary(entry: LogEntry, epochs: number, steps: number): string {
  const v = entry.validation;
  const parts = [
    `epoch ${entry.epoch}/${epochs}`,
    describeLosses(entry.losses),
    ...(entry.discriminatorSteps === undefined ? [] : [`D steps ${entry.discriminatorSteps}/${steps}`]),
    `val Dice WT ${fixed(v.WT)} TC ${fixed(v.TC)} ET ${fixed(v.ET)} mean ${fixed(v.mean)}${entry.best ? ' (best)' : ''}`,
    `${entry.seconds.toFixed(1)} s`,
  ];
  return parts.join('  ');
}

/**
 * Stage callbacks that report progress to `sink`.
 * @returns the callbacks, to pass as a stage's `callbacks`
 */
export function progressCallbacks(sink: ProgressSink): StageCallbacks {
  let started = 0;
  let batches = 0;
  let epochSteps = 0;
  const bar = (done: number, total: number): string => {
    const filled = total === 0 ? BAR : Math.round((done / total) * BAR);
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}]`;
  };
  return {
    onEpochStart(e: EpochStartEvent) {
      started = performance.now();
      batches = e.batches;
      epochSteps = 0;
      if (sink.tty)
        sink.progress(`\r\x1b[2Kepoch ${e.epoch}/${e.epochs} ${bar(0, e.batches)} 0/${e.batches}`);
    },
    onBatchEnd(e: BatchEndEvent) {
      epochSteps = e.batch;
      const perStep = (performance.now() - started) / 1000 / e.batch;
      const text =
        `epoch ${e.epoch}/${e.epochs} ${bar(e.batch, e.batches)} ${e.batch}/${e.batches}  ` +
        `${describeLosses(e.losses)}  ${perStep.toFixed(1)} s/step`;
      if (sink.tty) sink.progress(`\r\x1b[2K${text}`);
      else sink.progress(`${text}\n`);
    },
    onEpochEnd(e: EpochEndEvent) {
      if (sink.tty) sink.progress('\r\x1b[2K');
      sink.summary(`${epochSummary(e.entry, e.epochs, epochSteps || batches)}\n`);
    },
  };
}
