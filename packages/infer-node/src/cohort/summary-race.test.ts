/**
 * Two workers writing the summary at once, with the race forced: the first writer read the case
 * folders before a case finished, but its rename lands after the second writer's. The first
 * writer must notice and write again, so that the summary on disk is the latest state.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeCohortSummary } from './summary.js';

// holds the first atomic write of the slow writer until the test releases it
const gate = vi.hoisted(() => {
  let release = () => {};
  let reached = () => {};
  return {
    hold: false,
    released: Promise.resolve(),
    reached: Promise.resolve(),
    arm() {
      this.hold = true;
      this.released = new Promise<void>((done) => (release = done));
      this.reached = new Promise<void>((done) => (reached = done));
    },
    release: () => release(),
    arrive: () => reached(),
  };
});

vi.mock('./write-atomic.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./write-atomic.js')>();
  return {
    ...real,
    writeTextAtomic: async (path: string, text: string) => {
      if (gate.hold) {
        gate.hold = false;
        gate.arrive();
        await gate.released;
      }
      return real.writeTextAtomic(path, text);
    },
  };
});

const report = (id: string) => ({
  case: id,
  inputs: {},
  device: 'cpu',
  model: { file: 'm.onnx', sha256: 'aa', role: 'student', card: {} },
  volumesMl: { ET: 1, TC: 2, WT: 3 },
  timingsMs: { load: 1, preprocess: 1, infer: 1, postprocess: 1, write: 1, total: 5 },
  warnings: [],
});

describe('writeCohortSummary under a forced race', () => {
  const out = mkdtempSync(join(tmpdir(), 'hadnet-summary-race-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('the writer whose rename lands last, with an old view, writes again', async () => {
    mkdirSync(join(out, 'A'));
    writeFileSync(join(out, 'A', 'report.json'), JSON.stringify(report('A')));

    // the slow writer reads the folders (A complete, B pending) and stops before writing
    gate.arm();
    const slow = writeCohortSummary(out, { cases: ['A', 'B'] });
    await gate.reached;

    // B finishes; the fast writer sees it and writes its summary
    mkdirSync(join(out, 'B'));
    writeFileSync(join(out, 'B', 'report.json'), JSON.stringify(report('B')));
    const fast = await writeCohortSummary(out, { cases: ['A', 'B'] });
    expect(fast.summary.counts.complete).toBe(2);
    expect(JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8')).counts.complete).toBe(2);

    // the slow writer renames its old view over it, then must notice and write the new one
    gate.release();
    const late = await slow;
    expect(late.summary.counts.complete).toBe(2);
    const onDisk = JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8'));
    expect(onDisk.counts).toEqual({ total: 2, complete: 2, failed: 0, incomplete: 0, pending: 0 });
    expect(readFileSync(join(out, 'cohort.csv'), 'utf8').split('\n')[2]).toMatch(/^B,complete,/);
  });
});
