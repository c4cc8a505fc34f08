import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  removeAtomicLeftovers,
  replaceDirectory,
  resolveDirectory,
  writeFileAtomic,
  writeFileSynced,
  type ReplaceDirectoryStage,
} from './atomic.js';

const fill = (n: number) => async (dir: string) => {
  await writeFileSynced(join(dir, 'data.bin'), new Uint8Array(4096).fill(n));
  await writeFileSynced(join(dir, 'state.json'), JSON.stringify({ n }));
};

/** The version a folder holds, checking that its two files agree. */
function versionOf(dir: string): number {
  const { n } = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
  const data = readFileSync(join(dir, 'data.bin'));
  expect(data.length).toBe(4096);
  expect(data.every((b) => b === n)).toBe(true);
  return n;
}

describe('writeFileAtomic', () => {
  it('writes the whole file and leaves no temporary behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hadnet-atomic-'));
    const file = join(dir, 'sub', 'x.json');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, 'second');
    expect(readFileSync(file, 'utf8')).toBe('second');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['x.json']);
  });

  it("a killed write's temporary file is removed by removeAtomicLeftovers, only for the names given", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hadnet-atomic-'));
    for (const name of [
      'log.jsonl',
      'log.jsonl.tmp-4242-0',
      'curves.svg.tmp-7-12',
      'notes.tmp-1-1',
      'log.jsonl.tmp-x',
    ])
      writeFileSync(join(dir, name), 'x');
    expect((await removeAtomicLeftovers(dir, ['log.jsonl', 'curves.svg'])).sort()).toEqual([
      'curves.svg.tmp-7-12',
      'log.jsonl.tmp-4242-0',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['log.jsonl', 'log.jsonl.tmp-x', 'notes.tmp-1-1']);
  });
});

describe('replaceDirectory', () => {
  it('replaces a folder; a crash at any stage leaves the old or the new one complete', async () => {
    const stages: ReplaceDirectoryStage[] = ['filled', 'movedAside', 'renamed'];
    for (const crashAt of stages) {
      const root = mkdtempSync(join(tmpdir(), 'hadnet-replace-'));
      const target = join(root, 'last');
      await replaceDirectory(target, fill(1));
      expect(versionOf((await resolveDirectory(target))!)).toBe(1);
      const crash = (stage: ReplaceDirectoryStage) => {
        if (stage === crashAt) throw new Error(`crash after ${stage}`);
      };
      await expect(replaceDirectory(target, fill(2), { afterStage: crash })).rejects.toThrow(
        `crash after ${crashAt}`,
      );
      const found = (await resolveDirectory(target))!;
      // until the rename, the old copy stands (moved aside after 'movedAside'); after it, the new one
      expect(versionOf(found)).toBe(crashAt === 'renamed' ? 2 : 1);
      if (crashAt === 'movedAside') expect(found).toBe(`${target}.previous`);

      // the next write recovers: a complete folder at the target, leftovers gone
      await replaceDirectory(target, fill(3));
      expect(versionOf((await resolveDirectory(target))!)).toBe(3);
      expect(readdirSync(root)).toEqual(['last']);
    }
  });

  it('resolveDirectory finds nothing where nothing was written', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-replace-'));
    expect(await resolveDirectory(join(root, 'none'))).toBeUndefined();
  });
});

// a child process replacing a folder over and over, killed with SIGKILL at random moments
let esbuild: typeof import('esbuild') | undefined;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('skipping the kill -9 test: esbuild (a dependency of tsup) is not installed');
}

describe.skipIf(!esbuild)('replaceDirectory under kill -9', () => {
  it('always leaves a complete folder, never older than the last one finished', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-kill-'));
    const entry = join(root, 'child.ts');
    const atomic = fileURLToPath(new URL('./atomic.ts', import.meta.url));
    writeFileSync(
      entry,
      `import { replaceDirectory, writeFileSynced } from ${JSON.stringify(atomic)};
       import { join } from 'node:path';
       const target = process.argv[2];
       for (let n = Number(process.argv[3]); ; n = (n % 250) + 1) {
         await replaceDirectory(target, async (dir) => {
           await writeFileSynced(join(dir, 'data.bin'), new Uint8Array(4096).fill(n));
           await writeFileSynced(join(dir, 'state.json'), JSON.stringify({ n }));
         });
         process.stdout.write(n + '\\n');
       }`,
    );
    const bundle = join(root, 'child.mjs');
    esbuild!.buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'error',
    });
    const target = join(root, 'last');
    let start = 1;
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, [bundle, target, String(start)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let finished: number[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        finished = finished.concat(chunk.toString().trim().split('\n').map(Number));
      });
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (finished.length >= 3 + round) {
            clearInterval(poll);
            setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, round * 3);
          }
        }, 1);
      });
      await new Promise((resolve) => child.once('close', resolve)); // after its output is all read
      const found = await resolveDirectory(target);
      expect(found).toBeDefined();
      const n = versionOf(found!);
      const last = finished[finished.length - 1];
      // the folder is the last finished version or the one being written when killed
      expect([last, (last % 250) + 1]).toContain(n);
      start = (n % 250) + 1;
    }
  });
});
