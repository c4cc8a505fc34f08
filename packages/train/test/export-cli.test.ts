/**
 * `hadnet-train export` on a run folder made here (a config.json written by hand, a checkpoint of
 * a small student with random weights): the file is written atomically, its size and SHA-256
 * are the ones printed, its card is the run's, and onnxruntime-node gives the checkpoint's logits;
 * usage errors exit 2 and run errors exit 1 with the error's code.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelCard, readOnnxMetadata } from '@hadnet/core';
import { type Generator } from '@hadnet/train';
import { main } from '../src/cli/main.js';
import { saveCheckpoint } from '../src/run/checkpoint.js';
import { parameterArrays } from '../src/run/weights.js';
import {
  maxAbsDifference,
  randomGenerator,
  randomNormal,
  tfjsLogitsNcdhw,
  PARITY_TOLERANCE,
} from './export-fixtures.js';

const preset = {
  name: 'tiny',
  k: 2,
  discriminatorWidth: 2,
  inputShape: [32, 32, 32],
  spacingMm: [3, 3, 3],
  inputMode: 'whole',
  dropoutRate: 0.2,
  description: 'test',
};
const validation = { ET: 0.25, TC: 0.5, WT: 0.75, mean: 0.5 };

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('hadnet-train export', () => {
  let dir: string;
  let run: string;
  let model: Generator;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hadnet-export-cli-'));
    run = join(dir, 'student-run');
    model = await randomGenerator({ role: 'student', k: 2, seed: 31 });
    await saveCheckpoint(run, 'best', {
      state: {
        format: 'hadnet-checkpoint/1',
        stage: 'pretrain-student',
        epoch: 7,
        step: 70,
        rng: [1, 2, 3, 4],
        best: { epoch: 7, score: 0.5, dice: validation },
        validation,
        optimizers: {},
        networks: [],
        savedAt: '2026-01-01T00:00:00.000Z',
      },
      networks: { generator: parameterArrays(model.parameters) },
      optimizers: {},
    });
    const config = {
      format: 'hadnet-run/1',
      stage: 'pretrain-student',
      role: 'student',
      sequences: ['flair', 't1', 't2'],
      preset,
      seed: 5,
      epochs: 10,
      batchSize: 1,
      hyperparameters: {},
      data: {
        dir: '/data/brats-sample',
        split: '/data/split.json',
        train: ['a', 'b'],
        val: ['c'],
        test: ['d'],
      },
      codeVersion: '0.1.0',
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    writeFileSync(join(run, 'config.json'), JSON.stringify(config));
  });
  afterAll(() => {
    model?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes the model with the run's card and prints its size and SHA-256", async () => {
    const out = join(dir, 'models', 'student.onnx');
    const { code, stdout, stderr } = await cli([
      'export',
      '--run',
      run,
      '--out',
      out,
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    const bytes = new Uint8Array(readFileSync(out));
    expect(printed.file).toBe(out);
    expect(printed.bytes).toBe(bytes.length);
    expect(printed.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(printed.parameters).toBe(model.countParameters());
    expect(readdirSync(join(dir, 'models'))).toEqual(['student.onnx']);

    const card = parseModelCard(readOnnxMetadata(bytes));
    expect(card).toEqual(printed.card);
    expect(card).toEqual({
      format: 1,
      role: 'student',
      sequences: ['flair', 't1', 't2'],
      classes: 4,
      normalisation: 'hadnet',
      spacingMm: [3, 3, 3],
      inputMode: 'tiles',
      roiSize: [32, 32, 32],
      padMultiple: 16,
      // the run's config names no augmentation, so training flipped left-right (the default)
      mirrorAxes: ['width'],
      training: {
        stage: 'pretrain-student',
        data: 'brats-sample',
        split: 'split.json',
        cases: { train: 2, val: 1 },
        epochs: 7,
        preset: 'tiny',
        checkpoint: 'best',
        seed: 5,
        validationDice: validation,
        best: { epoch: 7, score: 0.5, dice: validation },
      },
      codeVersion: '0.1.0',
    });

    // the weights are the checkpoint's
    const shape = [1, 3, 32, 32, 32];
    const input = randomNormal(32 ** 3 * 3, 8);
    const session = await ortNode.InferenceSession.create(bytes);
    const logits = (await session.run({ input: new ortNode.Tensor('float32', input, shape) })).logits.data;
    await session.release();
    expect(maxAbsDifference(logits as Float32Array, tfjsLogitsNcdhw(model, input, shape))).toBeLessThan(
      PARITY_TOLERANCE,
    );
  });

  it('prints the card as text, and takes --role and --input-mode', async () => {
    const out = join(dir, 'hadnet.onnx');
    const { code, stdout } = await cli([
      'export',
      '--run',
      run,
      '--out',
      out,
      '--role',
      'hadnet',
      '--input-mode',
      'whole',
    ]);
    expect(code).toBe(0);
    const bytes = readFileSync(out);
    expect(stdout).toContain(`sha256  ${createHash('sha256').update(bytes).digest('hex')}`);
    expect(stdout).toMatch(/size {4}[\d,]+ bytes/);
    expect(stdout).toContain('hadnet.role           hadnet');
    const card = parseModelCard(readOnnxMetadata(new Uint8Array(bytes)));
    expect(card.role).toBe('hadnet');
    expect(card.inputMode).toBe('whole');
    expect(card.roiSize).toBeUndefined();
  });

  it('exits 2 on usage errors and 1 with the error code on run errors', async () => {
    const out = join(dir, 'x.onnx');
    expect((await cli(['export', '--out', out])).stderr).toMatch(/--run RUN_DIR is required/);
    const badRole = await cli(['export', '--run', run, '--out', out, '--role', 'pupil']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--role must be one of teacher, student, hadnet; got 'pupil'/);

    const teacher = await cli(['export', '--run', run, '--out', out, '--role', 'teacher']);
    expect(teacher.code).toBe(1);
    expect(teacher.stderr).toMatch(
      /^hadnet-train: INVALID_ARGUMENT: runModelCard: role 'teacher' does not fit/,
    );
    const missing = await cli(['export', '--run', join(dir, 'nothing'), '--out', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hadnet-train: INVALID_RUN: /);
    expect(readdirSync(dir).filter((f) => f.startsWith('x.onnx'))).toEqual([]);

    // an output that is a folder is refused before the export; one that cannot be written names it
    const folder = await cli(['export', '--run', run, '--out', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(
      `--out ${dir} is a folder; give the model file's name, e.g. ${join(dir, 'model.onnx')}`,
    );
    writeFileSync(join(dir, 'a-file'), 'not a folder');
    const blocked = await cli(['export', '--run', run, '--out', join(dir, 'a-file', 'model.onnx')]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(
      new RegExp(
        `^hadnet-train: ENOTDIR: export: cannot write ${join(dir, 'a-file', 'model.onnx')}: a part of the path is a file, not a folder$`,
        'm',
      ),
    );
  });
});
