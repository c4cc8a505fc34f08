/**
 * Broadcasting binary kernels (Add, Sub, Multiply, RealDiv, Maximum, Minimum, SquaredDifference
 * and the float comparisons) for tfjs' `cpu` backend, in plain JS on typed arrays. Stock tfjs-cpu
 * computes every broadcast element through index arrays (`indexToLoc`, `slice`), about 30x slower
 * than a straight loop; here each operand whose broadcast is a contiguous run of the output's axes
 * (`[n, c]` with `[c]`, `[n, c]` with `[n, 1]`, any shape with a scalar, `[1, 1, 1, 1, 1]` with a
 * whole tensor) is first spread over the output's size with block fills and copies, then one
 * straight loop runs. Other broadcasts and non-float inputs go to the
 * stock kernel. The arithmetic is the same float32 arithmetic, element by element.
 * May depend on: tfjs-core, ./tensor-data.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackendOf, floatValues } from './tensor-data.js';

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAX = 4;
const MIN = 5;
const SQUARED_DIFFERENCE = 6;
const GREATER = 7;
const GREATER_EQUAL = 8;
const LESS = 9;
const LESS_EQUAL = 10;
const EQUAL = 11;

const OPS: ReadonlyArray<readonly [string, number]> = [
  [tf.Add, ADD],
  [tf.Sub, SUB],
  [tf.Multiply, MUL],
  [tf.RealDiv, DIV],
  [tf.Maximum, MAX],
  [tf.Minimum, MIN],
  [tf.SquaredDifference, SQUARED_DIFFERENCE],
  [tf.Greater, GREATER],
  [tf.GreaterEqual, GREATER_EQUAL],
  [tf.Less, LESS],
  [tf.LessEqual, LESS_EQUAL],
  [tf.Equal, EQUAL],
];

/**
 * How an operand is read along the flat output: element `i` of the output reads operand element
 * `floor(i / repeat) % size` (`repeat` = the product of the broadcast axes after the operand's run
 * of axes). Undefined when the operand's broadcast is not of that form.
 */
interface Reader {
  size: number;
  repeat: number;
}

function readerFor(shape: readonly number[], outShape: readonly number[]): Reader | undefined {
  const aligned = [...new Array<number>(outShape.length - shape.length).fill(1), ...shape];
  const size = tf.util.sizeFromShape(shape as number[]);
  if (size === 1) return { size: 1, repeat: 1 };

  // the run: the axes where the operand is not 1; every axis in it must be the output's whole
  const first = aligned.findIndex((n) => n !== 1);
  let last = aligned.length - 1;
  while (aligned[last] === 1) last--;
  for (let axis = first; axis <= last; axis++) if (aligned[axis] !== outShape[axis]) return undefined;
  return { size, repeat: tf.util.sizeFromShape(outShape.slice(last + 1) as number[]) };
}

/** The operand spread over the whole flat output (itself when it already is whole). */
function expand(values: Float32Array, reader: Reader, n: number): Float32Array {
  if (reader.size === n) return values;
  const out = new Float32Array(n);
  if (reader.repeat > 1) {
    for (let i = 0, o = 0; o < n; i = (i + 1) % reader.size, o += reader.repeat) {
      out.fill(values[i], o, o + reader.repeat);
    }
    return out;
  }
  out.set(values);
  for (let filled = reader.size; filled < n; filled *= 2)
    out.copyWithin(filled, 0, Math.min(filled, n - filled));
  return out;
}

/** out[i] = a[i] op b[i] over whole operands. */
function loop(op: number, out: Float32Array | Uint8Array, a: Float32Array, b: Float32Array): void {
  const n = out.length;
  switch (op) {
    case ADD:
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      return;
    case SUB:
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      return;
    case MUL:
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      return;
    case DIV:
      for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
      return;
    case MAX:
      for (let i = 0; i < n; i++) out[i] = maximum(a[i], b[i]);
      return;
    case MIN:
      for (let i = 0; i < n; i++) out[i] = minimum(a[i], b[i]);
      return;
    case SQUARED_DIFFERENCE:
      for (let i = 0; i < n; i++) out[i] = (a[i] - b[i]) * (a[i] - b[i]);
      return;
    case GREATER:
      for (let i = 0; i < n; i++) out[i] = a[i] > b[i] ? 1 : 0;
      return;
    case GREATER_EQUAL:
      for (let i = 0; i < n; i++) out[i] = a[i] >= b[i] ? 1 : 0;
      return;
    case LESS:
      for (let i = 0; i < n; i++) out[i] = a[i] < b[i] ? 1 : 0;
      return;
    case LESS_EQUAL:
      for (let i = 0; i < n; i++) out[i] = a[i] <= b[i] ? 1 : 0;
      return;
    default:
      for (let i = 0; i < n; i++) out[i] = a[i] === b[i] ? 1 : 0;
  }
}

/** As stock tfjs-cpu: Math.max (NaN wins). */
function maximum(x: number, y: number): number {
  return Math.max(x, y);
}

function minimum(x: number, y: number): number {
  return Math.min(x, y);
}

/**
 * The binary kernels.
 * @param stock - the stock kernel of a name, for the cases these do not serve
 */
export function binaryKernels(stock: (name: string) => tf.KernelFunc): tf.KernelConfig[] {
  return OPS.map(([name, op]) => {
    const comparison = op >= GREATER;
    const kernelFunc: tf.KernelFunc = (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(name)(args);
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const ra = readerFor(a.shape, outShape);
      const rb = readerFor(b.shape, outShape);
      if (!ra || !rb) return stock(name)(args);
      const backend = cpuBackendOf(args.backend);
      const size = tf.util.sizeFromShape(outShape);
      const out = comparison ? new Uint8Array(size) : new Float32Array(size);
      loop(op, out, expand(floatValues(backend, a), ra, size), expand(floatValues(backend, b), rb, size));
      return backend.makeTensorInfo(outShape, comparison ? 'bool' : 'float32', out);
    };
    return { kernelName: name, backendName: 'cpu', kernelFunc };
  });
}
