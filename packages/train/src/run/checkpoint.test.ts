import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkpointDirectory,
  loadCheckpoint,
  networkSha256,
  saveCheckpoint,
  type Checkpoint,
} from './checkpoint.js';
import { configDifference, TRAIN_CODE_VERSION, type RunConfig } from './config.js';
import { readTensorFile, writeTensorFile } from './tensor-file.js';

describe('tensor files', () => {
  it('store float32 little-endian, one array after another, with a manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hadnet-tensors-'));
    await writeTensorFile(dir, 'w', [
      { name: 'a', shape: [2], data: Float32Array.of(1, -2) },
      { name: 'b.kernel', shape: [1, 1, 1, 1, 1], data: Float32Array.of(0.5) },
    ]);
    // 1 = 0x3f800000, -2 = 0xc0000000, 0.5 = 0x3f000000, least significant byte first
    expect(Array.from(readFileSync(join(dir, 'w.bin')))).toEqual([
      0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f,
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8'))).toEqual({
      format: 'hadnet-tensors/1',
      tensors: [
        { name: 'a', shape: [2], dtype: 'float32', offset: 0, length: 8 },
        { name: 'b.kernel', shape: [1, 1, 1, 1, 1], dtype: 'float32', offset: 8, length: 4 },
      ],
    });
    const back = await readTensorFile(dir, 'w');
    expect(back.map((t) => [t.name, t.shape, Array.from(t.data)])).toEqual([
      ['a', [2], [1, -2]],
      ['b.kernel', [1, 1, 1, 1, 1], [0.5]],
    ]);
    await expect(
      writeTensorFile(dir, 'x', [{ name: 'a', shape: [3], data: new Float32Array(2) }]),
    ).rejects.toThrow(/'a' holds 2 values; shape \[3\] needs 3/);
  });
});

function sampleCheckpoint(epoch: number): Checkpoint {
  const dice = { ET: 0.5, TC: 0.6, WT: 0.7, mean: 0.6 };
  return {
    state: {
      format: 'hadnet-checkpoint/1',
      stage: 'distill',
      epoch,
      step: 10 * epoch,
      rng: [1, 2, 3, epoch],
      best: { epoch, score: 0.6, dice },
      validation: dice,
      optimizers: {},
      networks: [],
      savedAt: 'now',
    },
    networks: {
      generator: [{ name: 'g', shape: [2], data: Float32Array.of(epoch, 1) }],
      discriminator: [{ name: 'd', shape: [1], data: Float32Array.of(-epoch) }],
    },
    optimizers: {
      generator: { step: 7, moments: [{ name: 'm/g', shape: [2], data: Float32Array.of(0.1, 0.2) }] },
    },
  };
}

describe('checkpoints', () => {
  it('round-trip networks, optimizer moments and state', async () => {
    const run = mkdtempSync(join(tmpdir(), 'hadnet-ckpt-'));
    await saveCheckpoint(run, 'last', sampleCheckpoint(3));
    const back = await loadCheckpoint(run, 'last');
    expect(back.state.epoch).toBe(3);
    expect(back.state.networks).toEqual(['generator', 'discriminator']);
    expect(back.state.optimizers).toEqual({ generator: { step: 7 } });
    expect(Array.from(back.networks.generator[0].data)).toEqual([3, 1]);
    expect(Array.from(back.optimizers.generator.moments[0].data)).toEqual([
      Math.fround(0.1),
      Math.fround(0.2),
    ]);
    expect((await loadCheckpoint(run, 'last', { optimizers: false })).optimizers).toEqual({});
    expect(await networkSha256(run, 'last')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('are found in their .previous folder after a crash mid-replacement, and missing ones are named', async () => {
    const run = mkdtempSync(join(tmpdir(), 'hadnet-ckpt-'));
    await saveCheckpoint(run, 'last', sampleCheckpoint(2));
    const dir = join(run, 'checkpoints', 'last');
    renameSync(dir, `${dir}.previous`); // what a kill between the two renames leaves
    expect(await checkpointDirectory(run, 'last')).toBe(`${dir}.previous`);
    expect((await loadCheckpoint(run, 'last')).state.epoch).toBe(2);
    await expect(loadCheckpoint(run, 'best')).rejects.toThrow(/has no 'best' checkpoint/);
  });
});

describe('configDifference', () => {
  const base = {
    format: 'hadnet-run/1',
    stage: 'pretrain-student',
    role: 'student',
    sequences: ['flair', 't1', 't2'],
    preset: { name: 'tiny', k: 4 },
    seed: 1,
    epochs: 3,
    batchSize: 1,
    hyperparameters: { learningRate: 2e-4, beta1: 0.9 },
    data: { train: ['a'], val: ['b'], test: [] },
    codeVersion: '0.1.0',
    createdAt: 'then',
  } as unknown as RunConfig;

  it('ignores epochs, creation time and key order, and names the first difference', () => {
    expect(
      configDifference(base, {
        ...base,
        epochs: 9,
        createdAt: 'now',
        hyperparameters: { beta1: 0.9, learningRate: 2e-4 },
      }),
    ).toBeUndefined();
    expect(configDifference(base, { ...base, seed: 2 })).toBe('seed: 1 in config.json, 2 now');
    expect(configDifference(base, { ...base, data: { ...base.data, val: ['c'] } })).toBe(
      'data.val: ["b"] in config.json, ["c"] now',
    );
    const teacher = { run: '/t', checkpoint: 'best' as const, epoch: 1, weightsSha256: 'aa' };
    expect(
      configDifference({ ...base, teacher }, { ...base, teacher: { ...teacher, weightsSha256: 'bb' } }),
    ).toMatch(/^teacher: \/t 'best' \(sha256 aa\) in config.json, \/t 'best' \(sha256 bb\) now$/);
  });
});

describe('TRAIN_CODE_VERSION', () => {
  it("is the package's version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(TRAIN_CODE_VERSION).toBe(pkg.version);
  });
});
