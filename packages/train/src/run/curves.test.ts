import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCurves } from './curves.js';
import { readLog, writeLog, type LogEntry } from './log.js';

const entry = (epoch: number, loss: number, mean: number, best: boolean): LogEntry => ({
  epoch,
  step: epoch * 2,
  seconds: 1,
  losses: { loss },
  validation: { WT: mean, TC: mean, ET: mean, mean },
  best,
});

describe('log.jsonl', () => {
  it('is one JSON line per epoch; a missing log reads as empty', async () => {
    const run = mkdtempSync(join(tmpdir(), 'hadnet-log-'));
    expect(await readLog(run)).toEqual([]);
    const entries = [entry(1, 2, 0.1, true), entry(2, 1.5, 0.3, true)];
    await writeLog(run, entries);
    const text = readFileSync(join(run, 'log.jsonl'), 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(JSON.parse(text.split('\n')[1]).epoch).toBe(2);
    expect(await readLog(run)).toEqual(entries);
  });
});

describe('renderCurves', () => {
  it('draws one polyline per loss and per Dice series, with points where the values are', () => {
    const svg = renderCurves(
      [entry(1, 2, 0, true), entry(2, 1, 0.5, true), entry(3, 1.5, 1, true)],
      'run <x>',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('run &lt;x&gt; (best: epoch 3, mean Dice 1.000)');
    expect(svg.match(/<polyline/g)).toHaveLength(1 + 4);

    // Dice panel: x from 550 (epoch 1) to 950 (epoch 3), y from 310 (Dice 0) to 50 (Dice 1)
    expect(svg).toContain('points="550.0,310.0 750.0,180.0 950.0,50.0"');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('draws a single epoch as dots', () => {
    const svg = renderCurves([entry(1, 2, 0.4, true)], 'one');
    expect(svg).not.toContain('<polyline');
    expect(svg.match(/<circle/g)).toHaveLength(1 + 4);
  });
});
