/**
 * Reads the `metadata_props` of an ONNX model straight from its protobuf bytes, so that every
 * runtime sees the model card the same way (onnxruntime's JavaScript sessions do not expose it).
 * Depends on core's errors only.
 */
import { InvalidModelError } from '../errors.js';

// field numbers of onnx.ModelProto (onnx/onnx.proto) and of its StringStringEntryProto
const IR_VERSION = 1;
const GRAPH = 7;
const METADATA_PROPS = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

// protobuf wire types
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** One field of a protobuf message: its number, and its bytes (length-delimited) or value. */
interface Field {
  number: number;
  wireType: number;
  /** The varint's value (wire type 0). */
  value: number;
  /** The payload (wire type 2). */
  bytes?: Uint8Array;
}

/** Walks the top-level fields of one protobuf message; throws on bytes that are not one. */
function* fields(bytes: Uint8Array, what: string): Generator<Field> {
  let at = 0;
  const varint = (): number => {
    // little-endian groups of 7 bits; multiplication keeps values above 2^32 exact up to 2^53
    let value = 0;
    let scale = 1;
    for (let n = 0; n < 10; n++) {
      if (at >= bytes.length) throw new RangeError(`${what} ends inside a varint at byte ${at}`);
      const byte = bytes[at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new RangeError(`${what} holds a varint longer than 10 bytes at byte ${at}`);
  };
  while (at < bytes.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (number === 0) throw new RangeError(`${what} holds field number 0 at byte ${at}`);
    if (wireType === VARINT) {
      yield { number, wireType, value: varint() };
    } else if (wireType === LENGTH_DELIMITED) {
      const length = varint();
      if (at + length > bytes.length) {
        throw new RangeError(`${what}: field ${number} declares ${length} bytes at byte ${at}, past the end`);
      }
      yield { number, wireType, value: length, bytes: bytes.subarray(at, at + length) };
      at += length;
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      at += wireType === FIXED64 ? 8 : 4;
      if (at > bytes.length) throw new RangeError(`${what} ends inside a fixed-size field`);
      yield { number, wireType, value: 0 };
    } else {
      throw new RangeError(`${what} holds wire type ${wireType} (groups or invalid) at byte ${at}`);
    }
  }
}

/**
 * The `metadata_props` of an ONNX model (where hadnet keeps its model card), as a plain object.
 *
 * Only the top level of the `ModelProto` is walked; the graph and its weights are skipped, so a
 * large model costs one pass over its field headers.
 * @param bytes - the `.onnx` file's bytes
 * @param name - the model's name for messages (a path or `'the model bytes'`)
 * @returns every key and value, in file order (a repeated key keeps its last value)
 * @throws InvalidModelError when the bytes are not a protobuf `ModelProto` with an IR version and a
 *   graph (a truncated download, an HTML error page, a `.nii.gz` passed by mistake)
 * @example
 * ```ts
 * const metadata = readOnnxMetadata(bytes); // { 'hadnet.format': '1', 'hadnet.role': 'student', ... }
 * ```
 */
export function readOnnxMetadata(bytes: Uint8Array, name = 'the model bytes'): Record<string, string> {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`readOnnxMetadata: bytes must be a Uint8Array; got ${typeof bytes}`);
  }
  const metadata: Record<string, string> = {};
  const text = new TextDecoder('utf-8', { fatal: true });
  let irVersion = false;
  let graph = false;
  try {
    for (const field of fields(bytes, 'the ModelProto')) {
      if (field.number === IR_VERSION && field.wireType === VARINT) irVersion = true;
      if (field.number === GRAPH && field.wireType === LENGTH_DELIMITED) graph = true;
      if (field.number !== METADATA_PROPS || field.bytes === undefined) continue;

      // one StringStringEntryProto: key = 1, value = 2
      let key = '';
      let value = '';
      for (const entry of fields(field.bytes, 'a metadata_props entry')) {
        if (entry.bytes === undefined) continue;
        if (entry.number === ENTRY_KEY) key = text.decode(entry.bytes);
        if (entry.number === ENTRY_VALUE) value = text.decode(entry.bytes);
      }
      metadata[key] = value;
    }
  } catch (error) {
    throw new InvalidModelError(
      `readOnnxMetadata: ${name} (${bytes.length} bytes) is not an ONNX model: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!irVersion || !graph) {
    throw new InvalidModelError(
      `readOnnxMetadata: ${name} (${bytes.length} bytes) is not an ONNX model: no ` +
        `${irVersion ? 'graph' : 'ir_version'} field in its ModelProto`,
    );
  }
  return metadata;
}
