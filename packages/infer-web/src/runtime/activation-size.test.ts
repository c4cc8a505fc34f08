/**
 * The widest tensor of a graph, on graphs built with onnx-proto (independent of the reader) whose
 * sizes are worked out by hand in each case.
 */
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { widestActivation } from './activation-size.js';
import { readOnnxGraph } from './onnx-graph.js';

const { onnx } = onnxProto;
const { INTS, INT } = onnx.AttributeProto.AttributeType;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

type Node = { op: string; inputs: string[]; output: string; ints?: Record<string, number[]> };

/** A graph from nodes; `weights` are initializers by name and shape, `floats` small float constants. */
function graphBytes(
  nodes: Node[],
  weights: Record<string, number[]>,
  floats: Record<string, number[]> = {},
  channels?: number,
) {
  const dim = [{ dimParam: 'batch' }, channels === undefined ? { dimParam: 'c' } : { dimValue: channels }];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: nodes.map((n) => ({
        opType: n.op,
        input: n.inputs,
        output: [n.output],
        attribute: Object.entries(n.ints ?? {}).map(([name, ints]) =>
          name === 'axis' ? { name, type: INT, i: ints[0] } : { name, type: INTS, ints },
        ),
      })),
      initializer: [
        ...Object.entries(weights).map(([name, dims]) => ({
          name,
          dataType: FLOAT,
          dims,
          rawData: new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)),
        })),
        ...Object.entries(floats).map(([name, values]) => ({
          name,
          dataType: FLOAT,
          dims: [values.length],
          floatData: values,
        })),
      ],
      input: [{ name: 'input', type: { tensorType: { elemType: FLOAT, shape: { dim } } } }],
      output: [{ name: 'probabilities', type: { tensorType: { elemType: FLOAT } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const pool = { kernel_shape: [2, 2, 2], strides: [2, 2, 2] };

describe('widestActivation', () => {
  it('finds the full-resolution concatenation of a small U-Net: 8 + 16 channels', () => {
    // input 3 -> conv 8 (full) -> pool (1/8) -> conv 16 (1/8: 2 per voxel) -> resize x2 (16 at full)
    // -> concat with the skip (8 + 16 = 24 at full) -> conv 4 -> softmax
    const bytes = graphBytes(
      [
        { op: 'Conv', inputs: ['input', 'w1', 'b1'], output: 'skip' },
        { op: 'MaxPool', inputs: ['skip'], output: 'down', ints: pool },
        { op: 'Conv', inputs: ['down', 'w2'], output: 'deep' },
        { op: 'Resize', inputs: ['deep', '', 'scales'], output: 'up' },
        { op: 'Concat', inputs: ['skip', 'up'], output: 'joined', ints: { axis: [1] } },
        { op: 'Conv', inputs: ['joined', 'w3'], output: 'logits' },
        { op: 'Softmax', inputs: ['logits'], output: 'probabilities', ints: { axis: [1] } },
      ],
      { w1: [8, 3, 3, 3, 3], b1: [8], w2: [16, 8, 3, 3, 3], w3: [4, 24, 1, 1, 1] },
      { scales: [1, 1, 2, 2, 2] },
      3,
    );
    const widest = widestActivation(readOnnxGraph(bytes), 3);
    expect(widest).toEqual({
      tensor: 'joined',
      opType: 'Concat',
      channels: 24,
      scale: 1,
      valuesPerVoxel: 24,
    });
  });

  it('finds a deep layer when it holds more values per input voxel than any full-resolution one', () => {
    // conv 4 (full: 4 per voxel) -> pool -> conv 64 at 1/8 (8 per voxel) -> pool -> conv 256 at 1/64 (4 per voxel)
    const bytes = graphBytes(
      [
        { op: 'Conv', inputs: ['input', 'a'], output: 'c1' },
        { op: 'MaxPool', inputs: ['c1'], output: 'p1', ints: pool },
        { op: 'Conv', inputs: ['p1', 'b'], output: 'c2' },
        { op: 'LeakyRelu', inputs: ['c2'], output: 'r2' },
        { op: 'MaxPool', inputs: ['r2'], output: 'p2', ints: pool },
        { op: 'Conv', inputs: ['p2', 'c'], output: 'c3' },
      ],
      { a: [4, 2, 1, 1, 1], b: [64, 4, 3, 3, 3], c: [256, 64, 3, 3, 3] },
    );
    const widest = widestActivation(readOnnxGraph(bytes), 2);
    expect(widest.tensor).toBe('c2');
    expect(widest.channels).toBe(64);
    expect(widest.scale).toBeCloseTo(1 / 8, 12);
    expect(widest.valuesPerVoxel).toBeCloseTo(8, 12);
  });

  it('takes the input channels from the card when the graph leaves them symbolic, and counts strided convolutions', () => {
    // symbolic channels: 5 from the caller; conv with strides 2 -> 40 channels at 1/8 = 5 per voxel (a tie keeps the input)
    const bytes = graphBytes(
      [{ op: 'Conv', inputs: ['input', 'w'], output: 'strided', ints: { strides: [2, 2, 2] } }],
      { w: [40, 5, 2, 2, 2] },
    );
    expect(widestActivation(readOnnxGraph(bytes), 5)).toMatchObject({
      tensor: 'input',
      channels: 5,
      valuesPerVoxel: 5,
    });
    // ConvTranspose with group 2 and weight [4, 6, ...]: 12 channels, upsampled x8 from 1/8 -> 12 per voxel
    const up = graphBytes(
      [
        { op: 'MaxPool', inputs: ['input'], output: 'p', ints: pool },
        { op: 'ConvTranspose', inputs: ['p', 'w'], output: 't', ints: { strides: [2, 2, 2], group: [2] } },
      ],
      { w: [4, 6, 2, 2, 2] },
      {},
      4,
    );
    expect(widestActivation(readOnnxGraph(up), 4)).toMatchObject({ tensor: 't', channels: 12, scale: 1 });
  });

  it('reads negative attributes (Concat axis -4 is the channel axis of a 5D tensor)', () => {
    const bytes = graphBytes(
      [
        { op: 'Conv', inputs: ['input', 'w'], output: 'a' },
        { op: 'Concat', inputs: ['a', 'a', 'input'], output: 'cat', ints: { axis: [-4] } },
      ],
      { w: [7, 3, 1, 1, 1] },
      {},
      3,
    );
    const graph = readOnnxGraph(bytes);
    expect(graph.nodes[1].ints.axis).toEqual([-4]);
    expect(widestActivation(graph, 3)).toMatchObject({ tensor: 'cat', channels: 17 });
  });

  it('refuses bytes that are not an ONNX model', () => {
    expect(() => readOnnxGraph(new Uint8Array([0x3a, 0x05, 1]), 'junk.onnx')).toThrow(
      expect.objectContaining({ code: 'INVALID_MODEL', message: expect.stringContaining('junk.onnx') }),
    );
    expect(() => readOnnxGraph(new Uint8Array([0x08, 0x07]), 'empty.onnx')).toThrow(
      /empty.onnx holds no graph/,
    );
  });
});
