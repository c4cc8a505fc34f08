/**
 * Shared pieces of the export tests: generators with every weight random (not only the kernels:
 * biases, instance-norm scales and shifts too, so that each reaches the graph), model cards, the
 * tfjs forward pass in NCDHW, and the difference measure.
 */
import * as tf from '@tensorflow/tfjs-core';
import onnxProto from 'onnx-proto';
import { expect } from 'vitest';
import { enableFastKernels, GENERATOR_INPUT_CHANNELS, Generator, setupTrainingBackend } from '@hadnet/train';
import type { ModelCard } from '@hadnet/core';

/**
 * The bar on the logits (max absolute difference): tfjs, onnxruntime-node (cpu) and
 * onnxruntime-web (wasm, in Node) agree with each other and with a float64 computation of the
 * same network (./export-reference.ts) to 1e-4. Every runtime computes in float32; measuring
 * each against float64 tells rounding (every runtime near float64) from a wrong graph (one far
 * from it: symmetric pads in place of tfjs' asymmetric ones, for example, give 2e-2).
 *
 * What was measured (docs/export.md has the table): storing each step's output in float32 alone
 * puts the logits 1e-6 to 1e-5 from float64. The exported graph writes instance normalisation
 * with primitive operators, summed one axis at a time (../src/export/instance-norm-nodes.ts);
 * with it, onnxruntime-node and wasm are 2e-5 to 6e-5 from float64 on random input and on the
 * BraTS crop, for random weights, and under 1e-5 for a trained student. ONNX's own
 * InstanceNormalization, summed over a whole channel in float32, was 1.0e-3 (node) and 8.1e-3
 * (wasm) from float64 on the BraTS crop. tfjs, with hadnet's fused instance norm (float64 sums),
 * is 2.5e-5 from float64 there; with tfjs' stock composed ops (`matMul` by a row of ones, partial
 * sums kept in float32) it is 1.4e-4, so the tests run tfjs as training does
 * ({@link randomGenerator}).
 */
export const PARITY_TOLERANCE = 1e-4;

/**
 * A generator whose every parameter is random: kernels as initialised (Kaiming-normal), biases
 * uniform on [-0.2, 0.2], instance-norm scales on [0.5, 1.5] and shifts on [-0.5, 0.5].
 *
 * tfjs runs on the `cpu` backend as training sets it up (`setupTrainingBackend`'s default):
 * hadnet's fast kernels, among them the fused instance norm whose sums are float64 (the stock
 * composed ops keep partial sums in float32 and put tfjs' own logits 1.4e-4 from float64 on the
 * BraTS crop). Where the native addon is not built, the convolutions stay tfjs' stock ones; both
 * were measured within the bar.
 */
export async function randomGenerator(options: {
  role: 'teacher' | 'student';
  k: number;
  seed: number;
}): Promise<Generator> {
  await useTrainingKernels();
  const model = new Generator({
    inputChannels: GENERATOR_INPUT_CHANNELS[options.role],
    k: options.k,
    seed: options.seed,
  });
  const ranges: [string, number, number][] = [
    ['.bias', -0.2, 0.2],
    ['.gamma', 0.5, 1.5],
    ['.beta', -0.5, 0.5],
  ];
  model.parameters.names().forEach((name, i) => {
    const range = ranges.find(([suffix]) => name.endsWith(suffix));
    if (range === undefined) return;
    const variable = model.parameters.get(name);
    const seed = options.seed * 7919 + i;
    tf.tidy(() => variable.assign(tf.randomUniform(variable.shape, range[1], range[2], 'float32', seed)));
  });
  return model;
}

/**
 * Sets tfjs up as training does: the `cpu` backend with hadnet's fast kernels (idempotent; a test
 * that turned them off gets them back).
 */
export async function useTrainingKernels(): Promise<void> {
  await setupTrainingBackend({ backend: 'cpu' });
  enableFastKernels();
}

/**
 * A complete card for a generator of `role` (whole volumes, 1 mm, hadnet normalisation, left-right
 * mirroring).
 */
export function testCard(
  role: 'teacher' | 'student' | 'hadnet',
  overrides: Partial<ModelCard> = {},
): ModelCard {
  return {
    format: 1,
    role,
    sequences: role === 'teacher' ? ['flair', 't1ce', 't1', 't2'] : ['flair', 't1', 't2'],
    classes: 4,
    normalisation: 'hadnet',
    spacingMm: [1, 1, 1],
    inputMode: 'whole',
    padMultiple: 16,
    mirrorAxes: ['width'],
    training: { data: 'none: random weights for a test', epochs: 0, preset: 'test' },
    codeVersion: '0.1.0-test',
    ...overrides,
  };
}

/**
 * The generator's logits for an NCDHW input, through tfjs: the input is transposed to NDHWC with
 * tfjs' own transpose, run with dropout off, and the logits transposed back to NCDHW.
 * @param input - `[batch, channels, depth, height, width]`, row-major
 */
export function tfjsLogitsNcdhw(
  model: Generator,
  input: Float32Array,
  shape: readonly number[],
): Float32Array {
  return tf.tidy(() => {
    const x = tf.transpose(
      tf.tensor5d(input, shape as [number, number, number, number, number]),
      [0, 2, 3, 4, 1],
    );
    const { logits, features } = model.apply(x as tf.Tensor5D);
    tf.dispose(features.flat());
    return tf.transpose(logits, [0, 4, 1, 2, 3]).dataSync() as Float32Array;
  });
}

/** Normal random values from a seeded generator (Box-Muller over a 32-bit LCG). */
export function randomNormal(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return out;
}

/** The largest |a[i] - b[i]|; Infinity when the lengths differ or a value is not finite. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/** What the export tests read back from a model's bytes (decoded with onnx-proto). */
export interface DecodedModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  nodes: {
    op: string;
    name: string;
    inputs: string[];
    outputs: string[];
    attributes: Record<string, unknown>;
  }[];
  initializers: Map<string, { dims: number[]; values: Float32Array }>;
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
}

const toNumber = (n: number | { toString(): string }): number =>
  typeof n === 'number' ? n : Number(n.toString());

/** Decodes an ONNX model's graph: nodes, float32 initializers (from `raw_data`), inputs, outputs. */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const dims = (v: onnxProto.onnx.IValueInfoProto): (number | string)[] =>
    (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : toNumber(d.dimValue ?? 0)));
  const attribute = (a: onnxProto.onnx.IAttributeProto): unknown => {
    const { FLOAT, INT, INTS, STRING } = onnx.AttributeProto.AttributeType;
    if (a.type === FLOAT) return a.f;
    if (a.type === INT) return toNumber(a.i ?? 0);
    if (a.type === INTS) return (a.ints ?? []).map(toNumber);
    if (a.type === STRING) return new TextDecoder().decode(a.s ?? new Uint8Array());
    return undefined;
  };
  const initializers = new Map<string, { dims: number[]; values: Float32Array }>();
  for (const t of graph.initializer ?? []) {
    expect(t.dataType).toBe(onnx.TensorProto.DataType.FLOAT);
    const raw = t.rawData!;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const values = new Float32Array(raw.byteLength / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
    initializers.set(t.name!, { dims: (t.dims ?? []).map(toNumber), values });
  }
  return {
    irVersion: toNumber(model.irVersion ?? 0),
    opsets: (model.opsetImport ?? []).map((o) => ({
      domain: o.domain ?? '',
      version: toNumber(o.version ?? 0),
    })),
    nodes: (graph.node ?? []).map((n) => ({
      op: n.opType!,
      name: n.name!,
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name!, attribute(a)])),
    })),
    initializers,
    inputs: (graph.input ?? []).map((v) => ({ name: v.name!, dims: dims(v) })),
    outputs: (graph.output ?? []).map((v) => ({ name: v.name!, dims: dims(v) })),
  };
}

/**
 * The voxels whose class (argmax over axis 1 of `[batch, classes, D, H, W]`) differs between
 * `logits` and `truth`, counting only voxels where `truth`'s two best classes are more than
 * `margin` apart (nearer ties may flip under any rounding).
 */
export function classDisagreements(
  logits: ArrayLike<number>,
  truth: ArrayLike<number>,
  shape: readonly number[],
  margin: number,
): number {
  const [batch, classes] = shape;
  const voxels = shape[2] * shape[3] * shape[4];
  let differ = 0;
  for (let n = 0; n < batch; n++) {
    for (let v = 0; v < voxels; v++) {
      const at = (c: number): number => (n * classes + c) * voxels + v;
      let best = 0;
      let second = -Infinity;
      let got = 0;
      for (let c = 1; c < classes; c++) {
        if (truth[at(c)] > truth[at(best)]) {
          second = truth[at(best)];
          best = c;
        } else second = Math.max(second, truth[at(c)]);
        if (logits[at(c)] > logits[at(got)]) got = c;
      }
      if (truth[at(best)] - second > margin && got !== best) differ++;
    }
  }
  return differ;
}
