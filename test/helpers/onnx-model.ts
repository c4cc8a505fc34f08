/**
 * Test-only ONNX models, built with the onnx-proto protobuf binding (independent of hadnet's own
 * metadata reader): one 1x1x1 Conv from the input channels to 4 classes, then a Softmax over
 * channels, with the exporter's tensor names (`input`, `logits`, `probabilities`) and a hadnet
 * model card in `metadata_props`. Its logits are `W · x + b` per voxel, so tests can work out by
 * hand which class wins where.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** A student card (FLAIR, T1, T2; whole volume; 1 mm), as CONTRACTS.md keys it. */
export function studentCard(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const card: Record<string, string | undefined> = {
    'hadnet.format': '1',
    'hadnet.role': 'student',
    'hadnet.sequences': JSON.stringify(['flair', 't1', 't2']),
    'hadnet.classes': '4',
    'hadnet.normalisation': 'hadnet',
    'hadnet.spacingMm': JSON.stringify([1, 1, 1]),
    'hadnet.inputMode': 'whole',
    'hadnet.padMultiple': '16',
    'hadnet.training': JSON.stringify({ data: 'none: a hand-made test model', epochs: 0 }),
    'hadnet.codeVersion': '0.1.0-test',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(card).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Options of {@link convModel}. */
export interface ConvModelOptions {
  /** `weights[class][channel]`: 4 rows, one number per input channel. */
  weights: number[][];
  /** One bias per class. */
  bias: number[];
  /** The `metadata_props`; `studentCard()` when omitted. */
  metadata?: Record<string, string>;
  /** Name of the graph input. @defaultValue `'input'` */
  inputName?: string;
  /** Name of the softmax output. @defaultValue `'probabilities'` */
  probabilitiesName?: string;
}

function tensorValue(name: string, channels: number) {
  const dim = [
    { dimParam: 'batch' },
    { dimValue: channels },
    { dimParam: 'depth' },
    { dimParam: 'height' },
    { dimParam: 'width' },
  ];
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } } };
}

/**
 * The bytes of a model `logits = Conv1x1x1(input; W, b)`, `probabilities = Softmax(logits, axis 1)`:
 * IR 8, opset 17, input `[batch, channels, depth, height, width]` float32 with dynamic batch and
 * spatial axes.
 */
export function convModel(options: ConvModelOptions): Uint8Array {
  const classes = options.weights.length;
  const channels = options.weights[0].length;
  const input = options.inputName ?? 'input';
  const probabilities = options.probabilitiesName ?? 'probabilities';
  const { INTS, INT } = onnx.AttributeProto.AttributeType;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'hadnet-tests',
    graph: {
      name: 'conv1x1x1-softmax',
      node: [
        {
          opType: 'Conv',
          input: [input, 'W', 'B'],
          output: ['logits'],
          attribute: [{ name: 'kernel_shape', type: INTS, ints: [1, 1, 1] }],
        },
        {
          opType: 'Softmax',
          input: ['logits'],
          output: [probabilities],
          attribute: [{ name: 'axis', type: INT, i: 1 }],
        },
      ],
      initializer: [
        {
          name: 'W',
          dataType: onnx.TensorProto.DataType.FLOAT,
          dims: [classes, channels, 1, 1, 1],
          floatData: options.weights.flat(),
        },
        { name: 'B', dataType: onnx.TensorProto.DataType.FLOAT, dims: [classes], floatData: options.bias },
      ],
      input: [tensorValue(input, channels)],
      output: [tensorValue('logits', classes), tensorValue(probabilities, classes)],
    },
    metadataProps: Object.entries(options.metadata ?? studentCard()).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The FLAIR-threshold model: logits depend on the first channel x only,
 * l0 = 0, l2 = 10x - 3, l1 = 20x - 8.5, l3 = 30x - 17.5. The upper envelope of these lines gives
 * class 0 for x < 0.3, 2 (ED) for 0.3 < x < 0.55, 1 (NCR/NET) for 0.55 < x < 0.9 and 3 (ET) for
 * x > 0.9: l2 = l0 at 0.3, l1 = l2 at 0.55, l3 = l1 at 0.9.
 */
export function flairThresholdModel(channels = 3, metadata?: Record<string, string>): Uint8Array {
  const row = (first: number) => [first, ...new Array(channels - 1).fill(0)];
  return convModel({ weights: [row(0), row(20), row(10), row(30)], bias: [0, -8.5, -3, -17.5], metadata });
}

/** Class of the FLAIR-threshold model at a normalised FLAIR value x (see {@link flairThresholdModel}). */
export function flairThresholdClass(x: number): number {
  return x < 0.3 ? 0 : x < 0.55 ? 2 : x < 0.9 ? 1 : 3;
}

/** The thresholds of {@link flairThresholdModel} on x. */
export const FLAIR_THRESHOLDS = [0.3, 0.55, 0.9];
