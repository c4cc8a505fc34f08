/**
 * From ONNX's layouts back to tfjs': the inverse of ./layout.ts. Convolution kernels
 * `[out, in, kd, kh, kw]` (ONNX) to `[kd, kh, kw, in, out]` (tfjs), and a kernel over
 * concatenated inputs split back into one kernel per input.
 * May depend on: ./layout (the kernel shape type).
 */
import type { TfjsKernelShape } from './layout.js';

/** A 3D convolution kernel's shape in ONNX's order: `[out, in, kd, kh, kw]`. */
export type OnnxKernelShape = readonly [number, number, number, number, number];

function checkShape(fn: string, values: Float32Array, shape: readonly number[], layout: string): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length !== 5 || !shape.every((n) => Number.isInteger(n) && n >= 1) || size !== values.length) {
    throw new RangeError(
      `${fn}: kernel must be ${layout} with one value per entry; got shape [${shape.join(', ')}] and ` +
        `${values.length} values`,
    );
  }
}

/**
 * Reorders an ONNX Conv kernel for tfjs: entry `[o, i, z, y, x]` of the input (`[out, in, kd, kh,
 * kw]`, row-major) becomes entry `[z, y, x, i, o]` of the output (`[kd, kh, kw, in, out]`,
 * row-major). The inverse of `kernelToOnnx`.
 *
 * @param values - the ONNX kernel, row-major
 * @param dims - `[out, in, kd, kh, kw]`
 * @returns the values in tfjs' order, and tfjs' shape `[kd, kh, kw, in, out]`
 * @throws RangeError when `dims` is not 5 positive integers whose product is `values.length`
 * @example
 * ```ts
 * const { values, shape } = kernelFromOnnx(weights, [8, 3, 3, 3, 3]); // shape [3, 3, 3, 3, 8]
 * ```
 */
export function kernelFromOnnx(
  values: Float32Array,
  dims: OnnxKernelShape,
): { values: Float32Array; shape: [number, number, number, number, number] } {
  checkShape('kernelFromOnnx', values, dims, '[out, in, kd, kh, kw]');
  const [cout, cin, kd, kh, kw] = dims;
  const spatial = kd * kh * kw;
  const out = new Float32Array(values.length);

  // ONNX index (o * cin + i) * spatial + s; tfjs (s * cin + i) * cout + o, with s = (z * kh + y) * kw + x
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      const from = (o * cin + i) * spatial;
      for (let s = 0; s < spatial; s++) out[(s * cin + i) * cout + o] = values[from + s];
    }
  }
  return { values: out, shape: [kd, kh, kw, cin, cout] };
}

/**
 * Splits a tfjs kernel along its input channels into consecutive parts: the inverse of
 * `concatKernelInputs`. Part `p` holds input channels `[sum of earlier parts, + parts[p])`.
 *
 * @param kernel - a tfjs kernel `[kd, kh, kw, in, out]`
 * @param parts - each part's input channels, in order; they must add up to `in`
 * @returns one kernel `[kd, kh, kw, parts[p], out]` per part (tfjs order)
 * @throws RangeError when the kernel is malformed, or `parts` are not positive whole numbers
 *   adding up to its input channels
 * @example
 * ```ts
 * const [skip, up] = splitKernelInputs(joined, [16, 16]); // joined [3, 3, 3, 32, 16]
 * ```
 */
export function splitKernelInputs(
  kernel: { values: Float32Array; shape: TfjsKernelShape },
  parts: readonly number[],
): { values: Float32Array; shape: [number, number, number, number, number] }[] {
  checkShape('splitKernelInputs', kernel.values, kernel.shape, '[kd, kh, kw, in, out]');
  const [kd, kh, kw, cin, cout] = kernel.shape;
  const total = parts.reduce((a, b) => a + b, 0);
  if (parts.length === 0 || !parts.every((n) => Number.isInteger(n) && n >= 1) || total !== cin) {
    throw new RangeError(
      `splitKernelInputs: parts must be positive whole numbers adding up to the kernel's ${cin} input ` +
        `channels; got [${parts.join(', ')}]`,
    );
  }
  const spatial = kd * kh * kw;
  const outputs = parts.map((n) => new Float32Array(spatial * n * cout));

  // at each kernel position, the parts' rows of `in_p * out` values follow each other
  let at = 0;
  for (let s = 0; s < spatial; s++) {
    parts.forEach((n, p) => {
      const rows = n * cout;
      outputs[p].set(kernel.values.subarray(at, at + rows), s * rows);
      at += rows;
    });
  }
  return outputs.map((values, p) => ({ values, shape: [kd, kh, kw, parts[p], cout] }));
}
