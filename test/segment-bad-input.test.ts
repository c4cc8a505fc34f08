/**
 * segment() with bad inputs (issue 9): NaN and infinite voxels, a sequence that is zero
 * everywhere, a 4D file, sequences on different grids, an unknown label convention, a model file
 * that is not ONNX and a truncated one. Each case is a small synthetic volume written as a real
 * NIfTI file (or a model file); each must give a typed error with a stable code and a message that
 * names the function, the sequence or file, what was expected and what came: in Node (infer-node),
 * in the browser package (infer-web, run here in Node: every one of these checks happens in core
 * before any onnxruntime session starts), and through `hadnet segment --out DIR`, which must exit 1
 * (2 for a usage error) with one line on stderr and leave no DIR behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setLogger, writeNifti, type SegmentOptions, type Sequence, type Volume } from '@hadnet/core';
import { segment as segmentNode } from '@hadnet/infer-node';
import { segment as segmentWeb } from '@hadnet/infer-web';
import { runCommand } from '../packages/infer-node/src/cli/run.js';
import { segmentCommand } from '../packages/infer-node/src/cli/segment.js';
import { flairThresholdModel } from './helpers/onnx-model.js';
import { syntheticCase } from './helpers/synthetic-case.js';

type Files = Record<'flair' | 't1' | 't2', string>;

/** One bad input: what to change in the good case, and the error every runtime must give. */
interface BadCase {
  name: string;
  /** The files to segment (the good case with some replaced) and the model file. */
  files: () => Files & { model: string };
  options?: Partial<SegmentOptions>;
  /** The CLI flags for `options`. */
  flags?: string[];
  /** Error code (a HadnetError's `code`, or the built-in class for argument errors). */
  code: string;
  /**
   * The message: Node's quotes the files' paths; infer-web's, given bytes, has no paths to quote
   * (see {@link quoted}).
   */
  message: (inNode: boolean) => RegExp;
  /** `hadnet segment` exit code: 1 for bad input, 2 for a usage error. */
  exit?: number;
}

/** A regular expression matching `text` literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `t1 (path)` as messages quote a sequence read from a file, or `t1` alone for bytes. */
const quoted = (sequence: string, file: string, inNode: boolean) =>
  inNode ? `${sequence} \\(${literal(file)}\\)` : sequence;

/** A 4D NIfTI-1 file (plain .nii) holding `frames` copies of a volume: dim[0] = 4, dim[4] = frames. */
function fourDimensional(volume: Volume, frames: number): Uint8Array {
  const single = gunzipSync(writeNifti(volume, { datatype: 'int16' }));
  const view = new DataView(single.buffer, single.byteOffset, single.byteLength);
  const voxOffset = view.getFloat32(108, true);
  const data = single.subarray(voxOffset);
  const file = new Uint8Array(single.length + (frames - 1) * data.length);
  file.set(single);
  for (let f = 1; f < frames; f++) file.set(data, single.length + (f - 1) * data.length);
  const header = new DataView(file.buffer);
  header.setInt16(40, 4, true); // dim[0]
  header.setInt16(48, frames, true); // dim[4]
  return file;
}

describe('segment() with bad inputs', () => {
  let folder: string;
  const good = { flair: '', t1: '', t2: '', model: '' };
  const volumes = syntheticCase();
  const path = (name: string) => join(folder, name);
  const write = (name: string, bytes: Uint8Array | string) => {
    writeFileSync(path(name), bytes);
    return path(name);
  };
  const floatCopy = (volume: Volume, change: (data: Float32Array) => void): Volume => {
    const data = Float32Array.from(volume.data);
    change(data);
    return { ...volume, data };
  };
  // a voxel inside the synthetic brain, and one in its background (the corner)
  const centre = 20 + 40 * (18 + 36 * 15);

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-bad-input-'));
    for (const s of ['flair', 't1', 't2'] as const) good[s] = write(`${s}.nii.gz`, writeNifti(volumes[s]));
    good.model = write('model.onnx', flairThresholdModel());
    const nan = floatCopy(volumes.t1, (d) => ((d[centre] = NaN), (d[0] = NaN)));
    write('t1-nan.nii.gz', writeNifti(nan, { datatype: 'float32' }));
    write(
      'flair-inf.nii.gz',
      writeNifti(
        floatCopy(volumes.flair, (d) => (d[centre] = -Infinity)),
        { datatype: 'float32' },
      ),
    );
    write('t2-zero.nii.gz', writeNifti({ ...volumes.t2, data: new Int16Array(volumes.t2.data.length) }));
    write('flair-4d.nii', fourDimensional(volumes.flair, 2));
    const taller = syntheticCase([40, 36, 31]);
    write('t2-31-slices.nii.gz', writeNifti(taller.t2));
    write('notes.onnx', 'these are notes, not a model\n'.repeat(10));
    write('flair-as-model.onnx', readFileSync(good.flair));
    const model = readFileSync(good.model);
    write('half.onnx', model.subarray(0, Math.floor(model.length / 2)));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const modelName = (file: string, inNode: boolean) => literal(inNode ? path(file) : 'the model bytes');
  const cases: BadCase[] = [
    {
      name: 'NaN voxels in the T1 (one in the brain, one in the background)',
      files: () => ({ ...good, t1: path('t1-nan.nii.gz') }),
      code: 'INVALID_VOLUME',
      message: (inNode) =>
        new RegExp(
          `^segment: ${quoted('t1', path('t1-nan.nii.gz'), inNode)} holds 2 NaN or infinite voxels of 43200; ` +
            "repair the file, or set them to 0 \\(segment\\(\\)'s nonFinite: 'zero', hadnet segment's --zero-non-finite\\)$",
        ),
    },
    {
      name: 'an infinite voxel in the FLAIR',
      files: () => ({ ...good, flair: path('flair-inf.nii.gz') }),
      code: 'INVALID_VOLUME',
      message: (inNode) =>
        new RegExp(
          `^segment: ${quoted('flair', path('flair-inf.nii.gz'), inNode)} holds 1 NaN or infinite voxels of 43200;`,
        ),
    },
    {
      name: 'a T2 that is zero everywhere',
      files: () => ({ ...good, t2: path('t2-zero.nii.gz') }),
      code: 'INPUT_QUALITY',
      message: (inNode) =>
        new RegExp(
          `^segment: ${quoted('t2', path('t2-zero.nii.gz'), inNode)} is 0 in all 43200 voxels: it holds no image`,
        ),
    },
    {
      name: 'a 4D FLAIR (40x36x30x2)',
      files: () => ({ ...good, flair: path('flair-4d.nii') }),
      code: 'UNSUPPORTED_VOLUME',
      message: (inNode) =>
        new RegExp(
          `^readNifti: ${inNode ? literal(path('flair-4d.nii')) : 'flair \\(bytes\\)'} holds 2 volumes \\(dim = \\[4, 40, 36, 30, 2\\]\\); ` +
            'hadnet reads one 3D volume at a time',
        ),
    },
    {
      name: 'a T2 on another grid (31 slices)',
      files: () => ({ ...good, t2: path('t2-31-slices.nii.gz') }),
      code: 'MODALITY_MISMATCH',
      message: (inNode) =>
        new RegExp(
          `^checkSameGrid: ${quoted('flair', good.flair, inNode)} and ${quoted('t2', path('t2-31-slices.nii.gz'), inNode)} ` +
            'are on different grids: shape 40x36x30 vs 40x36x31$',
        ),
    },
    {
      name: 'a label convention hadnet does not know',
      files: () => ({ ...good }),
      options: { labelConvention: 'brats2021' as never },
      flags: ['--labels', 'brats2021'],
      code: 'RangeError',
      message: () => /^segment: labelConvention must be one of brats, brats2023; got brats2021$/,
      exit: 2,
    },
    {
      name: 'a model file that is text',
      files: () => ({ ...good, model: path('notes.onnx') }),
      code: 'INVALID_MODEL',
      message: (inNode) =>
        new RegExp(
          `^readOnnxMetadata: ${modelName('notes.onnx', inNode)} \\(290 bytes\\) is not an ONNX model: `,
        ),
    },
    {
      name: 'a NIfTI file given as the model',
      files: () => ({ ...good, model: path('flair-as-model.onnx') }),
      code: 'INVALID_MODEL',
      message: (inNode) =>
        new RegExp(
          `^readOnnxMetadata: ${modelName('flair-as-model.onnx', inNode)} \\(\\d+ bytes\\) is not an ONNX model: `,
        ),
    },
    {
      name: 'a truncated model (the first half of a valid one)',
      files: () => ({ ...good, model: path('half.onnx') }),
      code: 'INVALID_MODEL',
      message: (inNode) =>
        new RegExp(
          `^readOnnxMetadata: ${modelName('half.onnx', inNode)} \\(\\d+ bytes\\) is not an ONNX model: .*past the end$`,
        ),
    },
  ];

  /** The error a promise rejects with (failing the test when it resolves). */
  async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
    try {
      await promise;
    } catch (error) {
      return error as Error & { code?: string };
    }
    throw new Error('expected a rejection; segment() returned a result');
  }
  const codeOf = (error: Error & { code?: string }) => error.code ?? error.name;

  describe('in Node (infer-node), from files', () => {
    it.each(cases)('$name', async (c) => {
      const { model, ...inputs } = c.files();
      const error = await rejection(segmentNode(inputs, { model, device: 'cpu', ...c.options }));
      expect(codeOf(error)).toBe(c.code);
      expect(error.message).toMatch(c.message(true));
    });
  });

  describe('in the browser package (infer-web), from bytes', () => {
    it.each(cases)('$name', async (c) => {
      const { model, ...files } = c.files();
      const inputs: Partial<Record<Sequence, Uint8Array>> = {};
      for (const [s, file] of Object.entries(files))
        inputs[s as Sequence] = new Uint8Array(readFileSync(file));
      const error = await rejection(
        segmentWeb(inputs, { model: new Uint8Array(readFileSync(model)), device: 'wasm', ...c.options }),
      );
      expect(codeOf(error)).toBe(c.code);
      expect(error.message).toMatch(c.message(false));
    });
  });

  describe('hadnet segment --out DIR', () => {
    /** Runs `hadnet segment ARGS` in-process; returns the exit code and stderr. */
    async function hadnetSegment(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      let stdout = '';
      let stderr = '';
      const out = vi
        .spyOn(process.stdout, 'write')
        .mockImplementation((chunk) => ((stdout += String(chunk)), true));
      const err = vi
        .spyOn(process.stderr, 'write')
        .mockImplementation((chunk) => ((stderr += String(chunk)), true));
      try {
        return { code: await runCommand('segment', segmentCommand, args, { debug: false }), stdout, stderr };
      } finally {
        out.mockRestore();
        err.mockRestore();
        setLogger(null, 'silent');
      }
    }

    it.each(cases)('$name: one line on stderr, no output folder', async (c) => {
      const files = c.files();
      const out = path(`out-${cases.indexOf(c)}`);
      const run = await hadnetSegment([
        '--flair',
        files.flair,
        '--t1',
        files.t1,
        '--t2',
        files.t2,
        '--model',
        files.model,
        '--device',
        'cpu',
        '--out',
        out,
        ...(c.flags ?? []),
      ]);
      expect(run.code).toBe(c.exit ?? 1);
      expect(run.stdout).toBe('');
      if (c.exit === undefined) {
        // progress lines (load, preprocess, ...) and exactly one error line: hadnet: CODE: message
        const lines = run.stderr.split('\n').filter((line) => line !== '');
        const errors = lines.filter((line) => /^hadnet: [A-Z_]+: /.test(line));
        expect(errors).toHaveLength(1);
        expect(
          lines.filter((line) => !errors.includes(line)).every((line) => /^hadnet: [a-z]+$/.test(line)),
        ).toBe(true);
        const [, code, message] = /^hadnet: ([A-Z_]+): (.*)$/.exec(errors[0])!;
        expect(code).toBe(c.code);
        expect(message).toMatch(c.message(true));
      } else {
        expect(run.stderr).toMatch(/--labels must be brats or brats2023; got 'brats2021'/);
      }
      expect(existsSync(out)).toBe(false);
    });

    it('--zero-non-finite segments the NaN case, with the repair in report.json', async () => {
      const out = path('out-zeroed');
      const run = await hadnetSegment([
        ...['--flair', good.flair, '--t1', path('t1-nan.nii.gz'), '--t2', good.t2],
        ...['--model', good.model, '--device', 'cpu', '--out', out, '--zero-non-finite', '--json'],
      ]);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect(report.warnings.filter((w: string) => /NaN or infinite/.test(w))).toHaveLength(1);
      expect(report.warnings.join('\n')).toMatch(/t1.* 2 NaN or infinite voxels/);
    });
  });
});
