/**
 * A reader for the parts of an ONNX graph that size its activations: each node's operator, its
 * inputs, outputs and integer attributes, the graph's inputs with their shapes, and the
 * initializers' dimensions (and the values of small float ones, such as Resize's scales). Read
 * straight from the protobuf bytes, with no ONNX library. Depends on @hadnet/core's errors only.
 */
import { InvalidModelError } from '@hadnet/core';

/** One node of the graph, as far as sizing needs it. */
export interface GraphNode {
  /** `op_type`, e.g. `'Conv'`. */
  opType: string;
  /** Input tensor names, in order (an empty name is an omitted optional input). */
  inputs: string[];
  /** Output tensor names, in order. */
  outputs: string[];
  /** Integer and integer-list attributes by name (e.g. `strides`, `axis`, `group`). */
  ints: Record<string, number[]>;
}

/** An initializer (a constant tensor): its dimensions, and its values when float and small. */
export interface GraphInitializer {
  /** Its dimensions. */
  dims: number[];
  /** Its float32 values, when it holds at most 64 of them (scales, not weights). */
  floats?: Float32Array;
}

/** A graph input: its name and its dimensions (`undefined` for a symbolic one such as `batch`). */
export interface GraphInput {
  /** Tensor name. */
  name: string;
  /** Dimensions; a symbolic dimension is `undefined`. */
  dims: (number | undefined)[];
}

/** The parts of an ONNX graph {@link readOnnxGraph} reads. */
export interface OnnxGraph {
  /** Nodes in the file's order (ONNX requires a topological one). */
  nodes: GraphNode[];
  /** Initializers by name. */
  initializers: Map<string, GraphInitializer>;
  /** Graph inputs that are not initializers. */
  inputs: GraphInput[];
}

// field numbers from onnx/onnx.proto
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_I = 3;
const ATTRIBUTE_INTS = 8;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_FLOAT_DATA = 4;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const VALUE_NAME = 1;
const VALUE_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const FLOAT = 1;
const SMALL = 64;

type Field = { number: number; wire: number; value: number; bytes?: Uint8Array };

/** The fields of one protobuf message, in order. */
function* fields(bytes: Uint8Array, what: string): Generator<Field> {
  let at = 0;
  // little-endian groups of 7 bits; int64 fields (axis -1) are two's complement over 10 bytes
  const varint = (): number => {
    let value = 0n;
    for (let n = 0n; n < 10n; n++) {
      if (at >= bytes.length) throw malformed(what, at);
      const byte = bytes[at++];
      value |= BigInt(byte & 0x7f) << (7n * n);
      if (byte < 0x80) return Number(BigInt.asIntN(64, value));
    }
    throw malformed(what, at);
  };
  while (at < bytes.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      yield { number, wire, value: varint() };
    } else if (wire === 2) {
      const length = varint();
      if (at + length > bytes.length) throw malformed(what, at);
      yield { number, wire, value: length, bytes: bytes.subarray(at, at + length) };
      at += length;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (at + size > bytes.length) throw malformed(what, at);
      yield { number, wire, value: 0, bytes: bytes.subarray(at, at + size) };
      at += size;
    } else {
      throw malformed(what, at);
    }
  }
}

function malformed(what: string, at: number): InvalidModelError {
  return new InvalidModelError(`readOnnxGraph: ${what} is not a valid ONNX protobuf (broken at byte ${at})`);
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

/** Varints of a field that may be packed (wire type 2) or repeated one by one (wire type 0). */
function pushVarints(field: Field, into: number[], what: string): void {
  if (field.wire === 0) into.push(field.value);
  else for (const packed of fields(rekeyed(field.bytes!), what)) into.push(packed.value);
}

/** Packed varints, each given the key of field 1 (wire type 0) so that {@link fields} reads them. */
function rekeyed(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let start = true;
  for (const byte of bytes) {
    if (start) out.push(0x08);
    out.push(byte);
    start = byte < 0x80;
  }
  return Uint8Array.from(out);
}

function readNode(bytes: Uint8Array, what: string): GraphNode {
  const node: GraphNode = { opType: '', inputs: [], outputs: [], ints: {} };
  for (const f of fields(bytes, what)) {
    if (f.number === NODE_INPUT) node.inputs.push(text(f.bytes));
    else if (f.number === NODE_OUTPUT) node.outputs.push(text(f.bytes));
    else if (f.number === NODE_OP_TYPE) node.opType = text(f.bytes);
    else if (f.number === NODE_ATTRIBUTE) {
      let name = '';
      const values: number[] = [];
      for (const a of fields(f.bytes!, what)) {
        if (a.number === ATTRIBUTE_NAME) name = text(a.bytes);
        else if (a.number === ATTRIBUTE_I || a.number === ATTRIBUTE_INTS) pushVarints(a, values, what);
      }
      if (values.length > 0) node.ints[name] = values;
    }
  }
  return node;
}

function readInitializer(bytes: Uint8Array, what: string): [string, GraphInitializer] {
  let name = '';
  let type = 0;
  const dims: number[] = [];
  const floats: number[] = [];
  let raw: Uint8Array | undefined;
  for (const f of fields(bytes, what)) {
    if (f.number === TENSOR_DIMS) pushVarints(f, dims, what);
    else if (f.number === TENSOR_DATA_TYPE) type = f.value;
    else if (f.number === TENSOR_NAME) name = text(f.bytes);
    else if (f.number === TENSOR_RAW_DATA) raw = f.bytes;
    else if (f.number === TENSOR_FLOAT_DATA && f.bytes !== undefined) {
      const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
      for (let at = 0; at + 4 <= f.bytes.byteLength && floats.length <= SMALL; at += 4) {
        floats.push(view.getFloat32(at, true));
      }
    }
  }
  const initializer: GraphInitializer = { dims };
  const count = dims.reduce((a, b) => a * b, 1);
  if (type === FLOAT && count <= SMALL) {
    if (raw !== undefined && raw.byteLength === count * 4) {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      initializer.floats = Float32Array.from({ length: count }, (_, n) => view.getFloat32(n * 4, true));
    } else if (floats.length === count) {
      initializer.floats = Float32Array.from(floats);
    }
  }
  return [name, initializer];
}

function readInput(bytes: Uint8Array, what: string): GraphInput {
  const input: GraphInput = { name: '', dims: [] };
  for (const f of fields(bytes, what)) {
    if (f.number === VALUE_NAME) input.name = text(f.bytes);
    if (f.number !== VALUE_TYPE) continue;
    for (const t of fields(f.bytes!, what)) {
      if (t.number !== TYPE_TENSOR) continue;
      for (const s of fields(t.bytes!, what)) {
        if (s.number !== TENSOR_TYPE_SHAPE) continue;
        for (const d of fields(s.bytes!, what)) {
          if (d.number !== SHAPE_DIM) continue;
          let value: number | undefined;
          for (const v of fields(d.bytes!, what)) if (v.number === DIM_VALUE) value = v.value;
          input.dims.push(value);
        }
      }
    }
  }
  return input;
}

/**
 * Reads an ONNX model's graph: nodes, initializers (dimensions, and values of small float ones)
 * and inputs. Weight values are skipped, so this costs little even for a large model.
 * @param bytes - the `.onnx` file's bytes
 * @param name - the model's name for messages
 * @throws InvalidModelError when the bytes are not an ONNX model with a graph
 * @example
 * ```ts
 * const graph = readOnnxGraph(bytes, 'model.onnx');
 * graph.nodes.map((n) => n.opType); // ['Conv', 'ReduceMean', 'ReduceMean', ...]
 * ```
 */
export function readOnnxGraph(bytes: Uint8Array, name = 'the model'): OnnxGraph {
  let graphBytes: Uint8Array | undefined;
  for (const f of fields(bytes, name)) if (f.number === MODEL_GRAPH && f.wire === 2) graphBytes = f.bytes;
  if (graphBytes === undefined) {
    throw new InvalidModelError(`readOnnxGraph: ${name} holds no graph (ModelProto field 7 is missing)`);
  }
  const graph: OnnxGraph = { nodes: [], initializers: new Map(), inputs: [] };
  const inputs: GraphInput[] = [];
  for (const f of fields(graphBytes, name)) {
    if (f.wire !== 2) continue;
    if (f.number === GRAPH_NODE) graph.nodes.push(readNode(f.bytes!, name));
    else if (f.number === GRAPH_INITIALIZER) graph.initializers.set(...readInitializer(f.bytes!, name));
    else if (f.number === GRAPH_INPUT) inputs.push(readInput(f.bytes!, name));
  }
  graph.inputs = inputs.filter((input) => !graph.initializers.has(input.name));
  return graph;
}
