/**
 * The exported graph read back from its bytes: IR and opset, operator types (a subset of the
 * allowed list, and each the number of times the network has it), the input and outputs with
 * their dynamic axes, Conv and Resize attributes, weights in ONNX's layout, every parameter
 * present once, the model card, and the refusals of exportGenerator.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidModelError, parseModelCard, readOnnxMetadata } from '@hadnet/core';
import { ALLOWED_OPERATORS, exportGenerator, type Generator } from '@hadnet/train';
import { decodeModel, randomGenerator, testCard, type DecodedModel } from './export-fixtures.js';

/** ONNX's [out, in, kd, kh, kw] from a tfjs kernel [kd, kh, kw, in, out], by tfjs' own transpose. */
function onnxLayout(kernel: tf.Tensor): Float32Array {
  return tf.tidy(() => tf.transpose(kernel, [4, 3, 0, 1, 2]).dataSync() as Float32Array);
}

describe('exportGenerator on a student (k = 2)', () => {
  let model: Generator;
  let bytes: Uint8Array;
  let graph: DecodedModel;

  beforeAll(async () => {
    model = await randomGenerator({ role: 'student', k: 2, seed: 3 });
    bytes = exportGenerator(model, testCard('student'), { source: 'runs/test checkpoint best' });
    graph = decodeModel(bytes);
  });
  afterAll(() => model?.dispose());

  it('is IR 8 with the default-domain opset 17', () => {
    expect(graph.irVersion).toBe(8);
    expect(graph.opsets).toEqual([{ domain: '', version: 17 }]);
  });

  it('uses only the allowed operators, each as often as the network has the step', () => {
    const counts: Record<string, number> = {};
    for (const n of graph.nodes) counts[n.op] = (counts[n.op] ?? 0) + 1;
    for (const op of Object.keys(counts)) expect(ALLOWED_OPERATORS).toContain(op);
    // 18 units (8 down, 2 centre, 8 up) of Conv, instance norm and LeakyReLU; the head Conv; 4
    // pools, 4 upsamplings, 4 concatenations; one softmax. Each instance norm: 3 ReduceMean for
    // the mean and 3 for the variance, Sub, Mul (square), Add (epsilon), Sqrt, Div (gamma / std),
    // Mul (scale), Add (beta)
    expect(counts).toEqual({
      Conv: 19,
      ReduceMean: 18 * 6,
      Sub: 18,
      Mul: 18 * 2,
      Add: 18 * 2,
      Sqrt: 18,
      Div: 18,
      LeakyRelu: 18,
      MaxPool: 4,
      Resize: 4,
      Concat: 4,
      Softmax: 1,
    });
    expect(ALLOWED_OPERATORS).not.toContain('InstanceNormalization');
  });

  it('normalises each channel over width, then height, then depth, with gamma and beta as [C, 1, 1, 1]', () => {
    const byName = new Map(graph.nodes.map((n) => [n.name, n]));
    const norm = 'conv_d2.unit1.norm';
    const wiring = (name: string) => {
      const n = byName.get(`${norm}${name}`)!;
      return { op: n.op, inputs: n.inputs, attributes: n.attributes };
    };
    const reduce = (axis: number) => ({ axes: [axis], keepdims: 1 });
    expect(wiring('.mean.w')).toEqual({
      op: 'ReduceMean',
      inputs: ['conv_d2.unit1.conv'],
      attributes: reduce(4),
    });
    expect(wiring('.mean.h')).toEqual({
      op: 'ReduceMean',
      inputs: [`${norm}.mean.w`],
      attributes: reduce(3),
    });
    expect(wiring('.mean')).toEqual({ op: 'ReduceMean', inputs: [`${norm}.mean.h`], attributes: reduce(2) });
    expect(wiring('.centred')).toMatchObject({ op: 'Sub', inputs: ['conv_d2.unit1.conv', `${norm}.mean`] });
    expect(wiring('.squared')).toMatchObject({ op: 'Mul', inputs: [`${norm}.centred`, `${norm}.centred`] });
    expect(wiring('.variance.w')).toEqual({
      op: 'ReduceMean',
      inputs: [`${norm}.squared`],
      attributes: reduce(4),
    });
    expect(wiring('.variance')).toEqual({
      op: 'ReduceMean',
      inputs: [`${norm}.variance.h`],
      attributes: reduce(2),
    });
    expect(wiring('.variance_eps')).toMatchObject({
      op: 'Add',
      inputs: [`${norm}.variance`, 'norm.epsilon'],
    });
    expect(wiring('.std')).toMatchObject({ op: 'Sqrt', inputs: [`${norm}.variance_eps`] });
    expect(wiring('.scale')).toMatchObject({ op: 'Div', inputs: [`${norm}.gamma`, `${norm}.std`] });
    expect(wiring('.scaled')).toMatchObject({ op: 'Mul', inputs: [`${norm}.centred`, `${norm}.scale`] });
    expect(wiring('')).toMatchObject({ op: 'Add', inputs: [`${norm}.scaled`, `${norm}.beta`] });
    expect(byName.get('conv_d2.unit1.act')!.inputs).toEqual([norm]);

    // k = 2: conv_d2 has 2k = 4 channels; epsilon is PyTorch's 1e-5 (as float32)
    const gamma = graph.initializers.get(`${norm}.gamma`)!;
    expect(gamma.dims).toEqual([4, 1, 1, 1]);
    expect(gamma.values).toEqual(model.parameters.get(`conv_d2.unit1.norm.gamma`).dataSync());
    expect(graph.initializers.get(`${norm}.beta`)!.dims).toEqual([4, 1, 1, 1]);
    const epsilon = graph.initializers.get('norm.epsilon')!;
    expect(epsilon.dims).toEqual([]);
    expect(epsilon.values).toEqual(new Float32Array([1e-5]));
  });

  it('takes `input` [batch, 3, depth, height, width] and gives `logits` and `probabilities` with 4 classes', () => {
    expect(graph.inputs).toEqual([{ name: 'input', dims: ['batch', 3, 'depth', 'height', 'width'] }]);
    expect(graph.outputs).toEqual([
      { name: 'logits', dims: ['batch', 4, 'depth', 'height', 'width'] },
      { name: 'probabilities', dims: ['batch', 4, 'depth', 'height', 'width'] },
    ]);
    const softmax = graph.nodes.find((n) => n.op === 'Softmax')!;
    expect(softmax).toMatchObject({
      inputs: ['logits'],
      outputs: ['probabilities'],
      attributes: { axis: 1 },
    });
  });

  it('pads 3x3x3 convolutions by 1 and the 1x1x1 head by 0, and upsamples by floor(o / 2)', () => {
    for (const n of graph.nodes.filter((node) => node.op === 'Conv')) {
      const size = (n.attributes.kernel_shape as number[])[0];
      expect(n.attributes.pads).toEqual(new Array(6).fill((size - 1) / 2));
      expect(n.attributes.strides).toEqual([1, 1, 1]);
    }
    for (const n of graph.nodes.filter((node) => node.op === 'Resize')) {
      expect(n.attributes).toEqual({
        mode: 'nearest',
        coordinate_transformation_mode: 'asymmetric',
        nearest_mode: 'floor',
      });
      expect(Array.from(graph.initializers.get(n.inputs[2])!.values)).toEqual([1, 1, 2, 2, 2]);
    }
  });

  it('holds each kernel in ONNX layout, the Up blocks’ two kernels joined skip first', () => {
    const first = graph.initializers.get('conv_d1.unit1.conv.kernel')!;
    expect(first.dims).toEqual([2, 3, 3, 3, 3]);
    expect(first.values).toEqual(onnxLayout(model.parameters.get('conv_d1.unit1.conv.kernel')));

    const joined = graph.initializers.get('conv_u2.unit1.conv.kernel')!;
    const expected = tf.tidy(() =>
      tf.concat(
        [
          model.parameters.get('conv_u2.unit1.conv.kernel_skip'),
          model.parameters.get('conv_u2.unit1.conv.kernel_up'),
        ],
        3,
      ),
    );
    expect(joined.dims).toEqual([4, 8, 3, 3, 3]); // skip 2k + upsampled 2k -> 2k, k = 2
    expect(joined.values).toEqual(onnxLayout(expected));
    expected.dispose();
  });

  it("holds every parameter's values once, and nothing else but the upsampling scales and epsilon", () => {
    let values = 0;
    const constants = ['upsample.scales', 'norm.epsilon'];
    for (const [name, t] of graph.initializers) if (!constants.includes(name)) values += t.values.length;
    expect(values).toBe(model.countParameters());
    // the 4 Up blocks' kernel_skip and kernel_up are joined into one kernel each
    expect(graph.initializers.size).toBe(constants.length + model.parameters.names().length - 4);
    const beta = graph.initializers.get('conv_u1.unit2.norm.beta')!;
    expect(beta.values).toEqual(model.parameters.get('conv_u1.unit2.norm.beta').dataSync());
  });

  it('carries the model card, which parseModelCard reads back unchanged', () => {
    expect(parseModelCard(readOnnxMetadata(bytes))).toEqual(testCard('student'));
  });
});

describe('exportGenerator refusals', () => {
  let model: Generator;
  beforeAll(async () => {
    model = await randomGenerator({ role: 'student', k: 2, seed: 4 });
  });
  afterAll(() => model?.dispose());

  it('refuses a card whose sequences or classes do not fit the generator', () => {
    expect(() => exportGenerator(model, testCard('teacher'))).toThrow(
      /exportGenerator: card.sequences lists 4 sequences \(flair, t1ce, t1, t2\); the generator takes 3 input channels/,
    );
    expect(() => exportGenerator(model, testCard('student', { classes: 3 }))).toThrow(
      /card.classes is 3; the generator has 4 classes/,
    );
  });

  it('refuses a grid multiple or tile the four poolings cannot take', () => {
    expect(() => exportGenerator(model, testCard('student', { padMultiple: 8 }))).toThrow(
      /card.padMultiple must be a multiple of 16 .*got 8/,
    );
    const tiles = testCard('student', { inputMode: 'tiles', padMultiple: 16, roiSize: [96, 96, 40] });
    expect(() => exportGenerator(model, tiles)).toThrow(InvalidModelError);
  });

  it('refuses a malformed card and a model that is not a Generator', () => {
    const card = testCard('student', { codeVersion: ' ' });
    expect(() => exportGenerator(model, card)).toThrow(/'hadnet.codeVersion' must be a non-empty string/);
    expect(() => exportGenerator({} as Generator, testCard('student'))).toThrow(
      /exportGenerator: model must be a Generator/,
    );
  });
});
