/**
 * A test model whose largest tensor is as wide as asked: Conv 1x1x1 from the input channels to
 * `width` channels, Conv 1x1x1 to 4 classes, Softmax; built with onnx-proto, with a student card.
 * Its labels do not matter: it exists to be too large for a WebGPU adapter's buffers.
 */
import onnxProto from 'onnx-proto';
import { studentCard } from '../../helpers/onnx-model.js';

const { onnx } = onnxProto;

/** The bytes of the model; `[batch, width, D, H, W]` is its widest tensor, named `wide`. */
export function wideModel(width: number, channels = 3, metadata = studentCard()): Uint8Array {
  const { INTS, INT } = onnx.AttributeProto.AttributeType;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const kernel = [{ name: 'kernel_shape', type: INTS, ints: [1, 1, 1] }];
  const value = (name: string, c: number) => ({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: [{ dimParam: 'b' }, { dimValue: c }, { dimParam: 'd' }, { dimParam: 'h' }, { dimParam: 'w' }],
        },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'hadnet-tests',
    graph: {
      name: 'wide',
      node: [
        { opType: 'Conv', input: ['input', 'W1', 'B1'], output: ['wide'], attribute: kernel },
        { opType: 'Conv', input: ['wide', 'W2', 'B2'], output: ['logits'], attribute: kernel },
        {
          opType: 'Softmax',
          input: ['logits'],
          output: ['probabilities'],
          attribute: [{ name: 'axis', type: INT, i: 1 }],
        },
      ],
      initializer: [
        {
          name: 'W1',
          dataType: FLOAT,
          dims: [width, channels, 1, 1, 1],
          floatData: new Array(width * channels).fill(0.01),
        },
        { name: 'B1', dataType: FLOAT, dims: [width], floatData: new Array(width).fill(0) },
        {
          name: 'W2',
          dataType: FLOAT,
          dims: [4, width, 1, 1, 1],
          floatData: new Array(4 * width).fill(0.01),
        },
        { name: 'B2', dataType: FLOAT, dims: [4], floatData: [1, 0, 0, 0] },
      ],
      input: [value('input', channels)],
      output: [value('probabilities', 4)],
    },
    metadataProps: Object.entries(metadata).map(([key, v]) => ({ key, value: v })),
  });
  return onnx.ModelProto.encode(model).finish();
}
