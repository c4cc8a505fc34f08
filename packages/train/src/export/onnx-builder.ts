/**
 * A small writer of ONNX graphs over the onnx-proto protobuf binding: nodes of the operators the
 * exporter allows, float32 initializers, named inputs and outputs with dynamic axes, and the
 * final `ModelProto` bytes (IR 8, opset 17).
 * May depend on: onnx-proto.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** The ONNX IR version the exporter writes. */
export const ONNX_IR_VERSION = 8;

/** The default-domain opset the exporter writes. */
export const ONNX_OPSET = 17;

/**
 * The only operators an exported graph may hold: those measured to run on onnxruntime-node (CPU,
 * CUDA) and onnxruntime-web (WebGPU, wasm). ConvTranspose is not among them: it fails on both
 * onnxruntime-web WebGPU bundles. Neither is InstanceNormalization: onnxruntime sums each channel
 * in float32 in one run, too coarse for the 1e-4 parity bar, so instance normalisation is written
 * with ReduceMean, Sub, Mul, Add, Sqrt and Div (./instance-norm-nodes.ts, docs/export.md).
 */
export const ALLOWED_OPERATORS = Object.freeze([
  'Conv',
  'LeakyRelu',
  'MaxPool',
  'Resize',
  'Concat',
  'Add',
  'Softmax',
  'ReduceMean',
  'Sub',
  'Mul',
  'Sqrt',
  'Div',
] as const);

/** One of {@link ALLOWED_OPERATORS}. */
export type AllowedOperator = (typeof ALLOWED_OPERATORS)[number];

/** An attribute value: a float, an integer, a list of integers, or a string. */
export type AttributeValue = { float: number } | { int: number } | { ints: number[] } | { string: string };

/** One axis of a graph input or output: a fixed extent, or a named dynamic one. */
export type Dimension = number | string;

/** A graph input or output: its name, float32 shape and documentation. */
export interface TensorInfo {
  name: string;
  /** e.g. `['batch', 3, 'depth', 'height', 'width']`. */
  shape: Dimension[];
  docString?: string;
}

const { FLOAT, INT, INTS, STRING } = onnx.AttributeProto.AttributeType;
const hostIsLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The bytes of `values` in little-endian order, as ONNX's `raw_data` stores them. */
export function littleEndianFloat32(values: Float32Array): Uint8Array {
  if (hostIsLittleEndian)
    return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  if ('float' in value) return { name, type: FLOAT, f: value.float };
  if ('int' in value) return { name, type: INT, i: value.int };
  if ('ints' in value) return { name, type: INTS, ints: value.ints };
  return { name, type: STRING, s: new TextEncoder().encode(value.string) };
}

function valueInfo(info: TensorInfo): onnxProto.onnx.IValueInfoProto {
  const dim = info.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return {
    name: info.name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } },
    docString: info.docString ?? '',
  };
}

/**
 * Collects the nodes and initializers of one graph, in the order they are added (a topological
 * order when each node is added after the nodes it reads from), and encodes the model.
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: TensorInfo[] = [];
  private readonly names = new Set<string>();

  /**
   * Declares a float32 graph input.
   * @returns its name
   * @throws RangeError when the name is taken
   */
  input(info: TensorInfo): string {
    this.claim(info.name, 'input');
    this.inputs.push(info);
    return info.name;
  }

  /**
   * Adds a float32 initializer.
   * @param name - unique among the graph's tensors
   * @param dims - its shape; the product must equal `values.length`
   * @param values - row-major (the last axis varies fastest)
   * @returns `name`
   * @throws RangeError when the name is taken or the shape does not hold `values.length` values
   */
  initializer(name: string, dims: readonly number[], values: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== values.length) {
      throw new RangeError(
        `OnnxGraphBuilder.initializer: '${name}' has shape [${dims.join(', ')}] (${size} values); got ${values.length}`,
      );
    }
    this.claim(name, 'initializer');
    this.initializers.push({
      name,
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims: [...dims],
      rawData: littleEndianFloat32(values),
    });
    return name;
  }

  /**
   * Adds a node whose single output is called `name` (the node is named the same).
   * @param op - one of {@link ALLOWED_OPERATORS}
   * @param name - the node's and its output's name, unique among the graph's tensors
   * @param inputs - tensor names; `''` for an omitted optional input
   * @param attributes - by attribute name
   * @returns `name`
   * @throws RangeError when the name is taken
   */
  node(
    op: AllowedOperator,
    name: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
  ): string {
    this.claim(name, 'node');
    this.nodes.push({
      opType: op,
      name,
      input: [...inputs],
      output: [name],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return name;
  }

  /**
   * The model's bytes.
   * @param graph - the graph's name, documentation and outputs (each a tensor added by {@link node})
   * @throws RangeError when an output names no node's tensor
   * @param model - producer, documentation and `metadata_props`
   */
  encode(
    graph: { name: string; docString: string; outputs: TensorInfo[] },
    model: {
      producerName: string;
      producerVersion: string;
      docString: string;
      metadata: Record<string, string>;
    },
  ): Uint8Array {
    const produced = new Set(this.nodes.map((n) => n.name));
    for (const output of graph.outputs) {
      if (!produced.has(output.name)) {
        throw new RangeError(
          `OnnxGraphBuilder.encode: output '${output.name}' is not the output of any node`,
        );
      }
    }
    const proto = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: model.producerName,
      producerVersion: model.producerVersion,
      docString: model.docString,
      graph: {
        name: graph.name,
        docString: graph.docString,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map(valueInfo),
        output: graph.outputs.map(valueInfo),
      },
      metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    });
    const bytes = onnx.ModelProto.encode(proto).finish();
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private claim(name: string, what: string): void {
    if (this.names.has(name)) {
      throw new RangeError(`OnnxGraphBuilder.${what}: the tensor name '${name}' is already used`);
    }
    this.names.add(name);
  }
}
