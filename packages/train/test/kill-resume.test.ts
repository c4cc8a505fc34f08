/**
 * kill -9 of a real `hadnet-train` process while it replaces `checkpoints/last/`, then `--resume`
 * (issue 9). The built bin runs `pretrain-student` on small synthetic NIfTI cases in a child
 * process; the test watches the checkpoints folder and sends SIGKILL the moment
 * `checkpoints/last.partial/` appears (the new checkpoint being filled). The killed run must hold
 * a complete older checkpoint, `--resume` must finish it, every file of the run folder must parse,
 * and the log and the weights must equal those of an uninterrupted run with the same seed. A
 * second case leaves the run as a kill between replaceDirectory's two renames would (only
 * `last.previous/`, and a half-filled `last.partial/`) and resumes from that.
 * Needs `npm run build` first (`npm test` does it); skips with a reason where dist/ is absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDirectory } from '../src/run/atomic.js';
import { loadCheckpoint } from '../src/run/checkpoint.js';
import { readLog, type LogEntry } from '../src/run/log.js';
import { writeNiftiCase } from './nifti-cases.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const built = existsSync(bin);
if (!built) console.log(`skipping the kill -9 and resume test: ${bin} is not built (run npm run build)`);

/** How a child process ended, and what it printed. */
interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Resolves when the child has exited and its output is all read. */
function ended(child: ChildProcess): Promise<Ended> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** A log entry without its wall time, the one field two identical runs do not share. */
const withoutTime = ({ seconds: _seconds, ...entry }: LogEntry) => entry;

/** The files of a folder, recursively, as paths relative to it, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
    )
    .sort();
}

describe.skipIf(!built)('hadnet-train under kill -9 while it writes a checkpoint', () => {
  let root: string;
  let common: string[];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'hadnet-kill-resume-'));
    const data = join(root, 'data');
    for (const id of ['a', 'b', 'c']) writeNiftiCase(data, id);
    const split = join(root, 'split.json');
    writeFileSync(split, JSON.stringify({ train: ['a', 'b'], val: ['c'], test: [] }));
    // k = 8: about 1 M parameters, so a checkpoint (weights and Adam's two moments) is 12 MB,
    // written and flushed file by file: a window of tens of milliseconds to kill in
    const preset = join(root, 'preset.json');
    writeFileSync(
      preset,
      JSON.stringify({
        k: 8,
        discriminatorWidth: 2,
        inputShape: [16, 16, 16],
        spacingMm: [2, 2, 2],
        dropoutRate: 0.2,
      }),
    );
    common = ['--data', data, '--split', split, '--preset', preset, '--seed', '7', '--backend', 'cpu'];
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const train = (runDir: string, epochs: number, resume = false) =>
    spawn(
      process.execPath,
      [
        bin,
        'pretrain-student',
        ...common,
        '--out',
        runDir,
        '--epochs',
        String(epochs),
        ...(resume ? ['--resume'] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );

  /** Runs to the end; fails the test on a non-zero exit. */
  async function trainToEnd(runDir: string, epochs: number, resume = false): Promise<void> {
    const result = await ended(train(runDir, epochs, resume));
    expect(result.stderr.split('\n').filter((l) => l.startsWith('hadnet-train:'))).toEqual([]);
    expect(result.code).toBe(0);
  }

  /**
   * Starts (or resumes) a run and sends SIGKILL as soon as `checkpoints/last.partial` appears after
   * `checkpoints/last` exists (the second or a later epoch's checkpoint being filled).
   * @returns whether the kill caught the replacement in progress (`last.partial` still there)
   */
  async function killWhileReplacingLast(runDir: string, epochs: number, resume: boolean): Promise<boolean> {
    const checkpoints = join(runDir, 'checkpoints');
    const child = train(runDir, epochs, resume);
    const done = ended(child);
    let watcher: ReturnType<typeof watch> | undefined;
    const fire = () => {
      if (existsSync(join(checkpoints, 'last.partial')) && existsSync(join(checkpoints, 'last'))) {
        child.kill('SIGKILL');
        watcher?.close();
      }
    };
    // the checkpoints folder exists once an epoch's summary line is printed (after its checkpoints)
    const arm = (chunk: Buffer) => {
      if (
        watcher === undefined &&
        /^epoch \d+\/\d+ {2}loss/m.test(chunk.toString()) &&
        existsSync(checkpoints)
      ) {
        watcher = watch(checkpoints, (_event, name) => name === 'last.partial' && fire());
      }
    };
    child.stdout!.on('data', arm);
    const result = await done;
    watcher?.close();
    expect(result.signal).toBe('SIGKILL');
    return existsSync(join(checkpoints, 'last.partial'));
  }

  it('resumes from the last complete checkpoint; the log and weights equal an uninterrupted run', async () => {
    const epochs = 6;
    const reference = join(root, 'reference');
    const killed = join(root, 'killed');
    await trainToEnd(reference, epochs + 1);

    // kill while checkpoints/last is replaced; where the kill came too late (the new folder was
    // already in place), resume and try again on a later epoch
    let caught = 0;
    for (let attempt = 0; attempt < 3 && caught === 0; attempt++) {
      const midWrite = await killWhileReplacingLast(killed, epochs, attempt > 0);
      const log = await readLog(killed);
      const last = await loadCheckpoint(killed, 'last');
      if (midWrite) {
        caught++;
        // the log line of the epoch being saved is written first; the checkpoint is the one before
        expect(last.state.epoch).toBe(log.length - 1);
      } else {
        expect(last.state.epoch).toBeGreaterThanOrEqual(log.length - 1);
      }
      if (log.length >= epochs) break;
    }
    expect(caught).toBe(1);

    // resume to the end: the partial folder is replaced, the extra log line dropped and redone
    await trainToEnd(killed, epochs, true);
    const expected = (await readLog(reference)).slice(0, epochs).map(withoutTime);
    expect((await readLog(killed)).map(withoutTime)).toEqual(expected);

    // every file of the run folder is complete and parses; no temporary folder is left
    expect(listFiles(killed)).toEqual(
      [
        'config.json',
        'curves.svg',
        'log.jsonl',
        ...['best', 'last'].flatMap((c) =>
          [
            'generator.bin',
            'generator.json',
            'optimizer-generator.bin',
            'optimizer-generator.json',
            'state.json',
          ].map((f) => `checkpoints/${c}/${f}`),
        ),
      ].sort(),
    );
    expect(JSON.parse(readFileSync(join(killed, 'config.json'), 'utf8')).epochs).toBe(epochs);
    const svg = readFileSync(join(killed, 'curves.svg'), 'utf8');
    expect(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const name of ['best', 'last'] as const) {
      const checkpoint = await loadCheckpoint(killed, name);
      expect(checkpoint.networks.generator.length).toBeGreaterThan(0);
      expect(checkpoint.optimizers.generator.step).toBe(checkpoint.state.step);
    }
    expect((await loadCheckpoint(killed, 'last')).state.epoch).toBe(epochs);

    // a kill between the two renames: checkpoints/last moved aside to last.previous, the new
    // folder half-filled; resuming to one more epoch continues from last.previous and ends equal
    // to the uninterrupted run's epoch epochs + 1
    const checkpoints = join(killed, 'checkpoints');
    renameSync(join(checkpoints, 'last'), join(checkpoints, 'last.previous'));
    mkdirSync(join(checkpoints, 'last.partial'));
    writeFileSync(join(checkpoints, 'last.partial', 'generator.bin'), new Uint8Array(1000));
    expect(await resolveDirectory(join(checkpoints, 'last'))).toBe(join(checkpoints, 'last.previous'));
    await trainToEnd(killed, epochs + 1, true);
    expect((await readLog(killed)).map(withoutTime)).toEqual((await readLog(reference)).map(withoutTime));
    expect(readdirSync(checkpoints).sort()).toEqual(['best', 'last']);
    for (const name of ['best', 'last']) {
      for (const file of ['generator.bin', 'optimizer-generator.bin']) {
        const resumed = readFileSync(join(checkpoints, name, file));
        expect(resumed.equals(readFileSync(join(reference, 'checkpoints', name, file)))).toBe(true);
      }
    }
  });
});
