/**
 * `hadnet-train export --run RUN_DIR --out model.onnx [--checkpoint best|last] [--role ROLE]
 * [--input-mode tiles|whole] [--backend NAME] [--json]`: a run's generator as an ONNX model with
 * its model card, written atomically; prints the file's size, SHA-256 and card.
 * May depend on: node:crypto, node:path, node:util, ../backend, ../export, ../networks, ../run
 * (atomic writes), ./run.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelRole } from '@hadnet/core';
import { setupTrainingBackend, type TrainingBackend } from '../backend.js';
import { modelCardMetadata } from '../export/model-card.js';
import { exportRun } from '../export/export-run.js';
import { writeFileAtomic } from '../run/atomic.js';
import { withSeparators } from '../networks/layers.js';
import { UsageError, type Command } from './run.js';

const usage = `Usage: hadnet-train export --run RUN_DIR --out FILE [--checkpoint best|last] [--role ROLE] [--input-mode tiles|whole] [--json]

Writes the run's generator as an ONNX model (IR 8, opset 17) for 'hadnet segment' and segment():
input 'input' [batch, channels, depth, height, width] float32, outputs 'logits' and
'probabilities' [batch, 4, depth, height, width], the model card in its metadata. The graph is
deterministic (dropout off); segment() computes uncertainty from the softmax.

Options:
  --run RUN_DIR       a run folder (pretrain-teacher, pretrain-student or distill)
  --out FILE          the model file to write (atomically: a temporary file, then a rename)
  --checkpoint NAME   best (default) or last
  --role ROLE         the card's role: teacher, student or hadnet (default: the run's; distill
                      runs are 'hadnet')
  --input-mode MODE   tiles (default): segment() runs tiles of exactly the preset's input shape,
                      the extent training saw, so instance normalisation sees what it saw in
                      training; whole: the brain's box padded to a multiple of 16
  --backend NAME      tfjs backend for reading the weights: auto (default), tensorflow-gpu,
                      tensorflow or cpu
  --json              one JSON object on stdout: { file, bytes, sha256, parameters, card }`;

const CHECKPOINTS = ['best', 'last'] as const;
const ROLES: readonly ModelRole[] = ['teacher', 'student', 'hadnet'];
const MODES = ['tiles', 'whole'] as const;
const BACKENDS: readonly ('auto' | TrainingBackend)[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'cpu'];

/** A required path option. @throws UsageError when it is missing */
function path(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return resolve(value);
}

function choice<T extends string>(
  value: string | undefined,
  flag: string,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}; got '${value}'`);
  }
  return value as T;
}

/** Plain words for the file-system errors an export's write meets most. */
const WRITE_FAILURES: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/** Whether `path` is an existing folder (false when it does not exist or is anything else). */
async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The `export` command. */
export const exportCommand: Command = {
  summary: "write a run's generator as an ONNX model with its model card",
  usage,
  async run(argv, io) {
    let values: Partial<Record<'run' | 'out' | 'checkpoint' | 'role' | 'input-mode' | 'backend', string>> & {
      json?: boolean;
    };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          run: { type: 'string' },
          out: { type: 'string' },
          checkpoint: { type: 'string' },
          role: { type: 'string' },
          'input-mode': { type: 'string' },
          backend: { type: 'string' },
          json: { type: 'boolean' },
        },
        allowPositionals: false,
        strict: true,
      }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const runDir = path(values.run, '--run RUN_DIR');
    const out = path(values.out, '--out FILE');
    const checkpoint = choice(values.checkpoint, '--checkpoint', CHECKPOINTS) ?? 'best';
    const role = choice(values.role, '--role', ROLES);
    const inputMode = choice(values['input-mode'], '--input-mode', MODES) ?? 'tiles';
    const backend = choice(values.backend, '--backend', BACKENDS) ?? 'auto';

    // the output path, before any work: a folder is refused now, not after the export
    if (await isFolder(out)) {
      throw new UsageError(
        `--out ${out} is a folder; give the model file's name, e.g. ${join(out, 'model.onnx')}`,
      );
    }

    // load the checkpoint and build the graph
    await setupTrainingBackend({ backend });
    const { bytes, card, parameters } = await exportRun(runDir, { checkpoint, role, inputMode });

    // write it, then say what was written
    try {
      await writeFileAtomic(out, bytes);
    } catch (error) {
      // name the user's path, not the temporary file the message of a rename would name
      let code = (error as { code?: unknown }).code;
      // creating the folders of a path that runs through a file fails with EEXIST
      if (code === 'EEXIST') code = 'ENOTDIR';
      const why = WRITE_FAILURES[String(code)] ?? (error as Error).message;
      const failure = new Error(`export: cannot write ${out}: ${why}`, { cause: error });
      throw Object.assign(failure, { code: typeof code === 'string' ? code : 'WRITE_FAILED' });
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (values.json) {
      io.stdout(`${JSON.stringify({ file: out, bytes: bytes.length, sha256, parameters, card })}\n`);
      return;
    }
    const metadata = modelCardMetadata(card);
    const width = Math.max(...Object.keys(metadata).map((k) => k.length));
    io.stdout(
      [
        `wrote ${out}`,
        `  size    ${withSeparators(bytes.length)} bytes (${(bytes.length / 2 ** 20).toFixed(1)} MiB)`,
        `  sha256  ${sha256}`,
        `  ${withSeparators(parameters)} parameters, ${card.role} on ${card.sequences.join(', ')}`,
        'model card:',
        ...Object.entries(metadata).map(([key, value]) => `  ${key.padEnd(width)}  ${value}`),
        '',
      ].join('\n'),
    );
  },
};
