/**
 * The smallest ONNX model (one Identity node on a 1-element float tensor), encoded by hand, with
 * which the runtime checks once per process whether a device can start at all, apart from any
 * user's model. Depends on nothing.
 */

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return out;
}

/** One protobuf field: a varint (wire type 0) or bytes, a string or a nested message (wire type 2). */
function field(number: number, value: number | string | number[]): number[] {
  if (typeof value === 'number') return [...varint(number * 8), ...varint(value)];
  const bytes = typeof value === 'string' ? Array.from(new TextEncoder().encode(value)) : value;
  return [...varint(number * 8 + 2), ...varint(bytes.length), ...bytes];
}

/** `ValueInfoProto` of a float tensor of shape [1]. */
function floatVector(name: string): number[] {
  // TypeProto.tensor_type (1) { elem_type (1) = FLOAT (1), shape (2) { dim (1) { dim_value (1) = 1 } } }
  const shape = field(2, field(1, field(1, 1)));
  return [...field(1, name), ...field(2, field(1, [...field(1, 1), ...shape]))];
}

/**
 * The probe model's bytes: IR version 8, opset 17, graph `y = Identity(x)` with x and y float32 [1].
 * @returns a fresh copy each call
 */
export function probeModelBytes(): Uint8Array {
  // NodeProto: input (1), output (2), op_type (4)
  const node = [...field(1, 'x'), ...field(2, 'y'), ...field(4, 'Identity')];
  // GraphProto: node (1), name (2), input (11), output (12)
  const graph = [
    ...field(1, node),
    ...field(2, 'hadnet-probe'),
    ...field(11, floatVector('x')),
    ...field(12, floatVector('y')),
  ];
  // ModelProto: ir_version (1), producer_name (2), graph (7), opset_import (8) { domain (1), version (2) }
  const model = [
    ...field(1, 8),
    ...field(2, 'hadnet'),
    ...field(7, graph),
    ...field(8, [...field(1, ''), ...field(2, 17)]),
  ];
  return Uint8Array.from(model);
}
