/**
 * From tfjs' layouts to ONNX's: convolution kernels `[kd, kh, kw, in, out]` (tfjs, the input
 * channels second-fastest) to `[out, in, kd, kh, kw]` (ONNX), kernels of concatenated inputs
 * joined along `in`, and the padding tfjs applies written as ONNX `pads`.
 * May depend on: nothing.
 */

/** A 3D convolution kernel's shape in tfjs' order: `[kd, kh, kw, in, out]`. */
export type TfjsKernelShape = readonly [number, number, number, number, number];

function checkKernel(fn: string, values: Float32Array, shape: readonly number[]): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length !== 5 || !shape.every((n) => Number.isInteger(n) && n >= 1) || size !== values.length) {
    throw new RangeError(
      `${fn}: kernel must be [kd, kh, kw, in, out] with one value per entry; got shape ` +
        `[${shape.join(', ')}] and ${values.length} values`,
    );
  }
}

/**
 * Reorders a tfjs convolution kernel for ONNX's Conv: entry `[z, y, x, i, o]` of the input
 * (`[kd, kh, kw, in, out]`, row-major) becomes entry `[o, i, z, y, x]` of the output
 * (`[out, in, kd, kh, kw]`, row-major). Both convolve the same way (neither flips the kernel).
 *
 * @param values - the tfjs kernel, row-major
 * @param shape - `[kd, kh, kw, in, out]`
 * @returns the values in ONNX's order, and ONNX's shape `[out, in, kd, kh, kw]`
 * @throws RangeError when `shape` is not 5 positive integers whose product is `values.length`
 */
export function kernelToOnnx(
  values: Float32Array,
  shape: TfjsKernelShape,
): { values: Float32Array; dims: [number, number, number, number, number] } {
  checkKernel('kernelToOnnx', values, shape);
  const [kd, kh, kw, cin, cout] = shape;
  const spatial = kd * kh * kw;
  const out = new Float32Array(values.length);

  // tfjs index (s * cin + i) * cout + o, with s = (z * kh + y) * kw + x; ONNX (o * cin + i) * spatial + s
  for (let s = 0; s < spatial; s++) {
    for (let i = 0; i < cin; i++) {
      const from = (s * cin + i) * cout;
      for (let o = 0; o < cout; o++) out[(o * cin + i) * spatial + s] = values[from + o];
    }
  }
  return { values: out, dims: [cout, cin, kd, kh, kw] };
}

/**
 * Joins tfjs kernels along their input channels, in the order given: the one kernel of a
 * convolution over `concat(inputs)`, whose value is the sum of each part's convolution.
 *
 * @param parts - tfjs kernels `[kd, kh, kw, in_p, out]` with equal `kd, kh, kw, out`
 * @returns the joined kernel `[kd, kh, kw, sum of in_p, out]` (tfjs order)
 * @throws RangeError when there is no part, or the parts differ in anything but `in`
 */
export function concatKernelInputs(parts: readonly { values: Float32Array; shape: TfjsKernelShape }[]): {
  values: Float32Array;
  shape: TfjsKernelShape;
} {
  if (parts.length === 0) throw new RangeError('concatKernelInputs: expected at least one kernel; got none');
  for (const p of parts) checkKernel('concatKernelInputs', p.values, p.shape);
  const [kd, kh, kw, , cout] = parts[0].shape;
  const differs = parts.find(
    (p) => p.shape[0] !== kd || p.shape[1] !== kh || p.shape[2] !== kw || p.shape[4] !== cout,
  );
  if (differs) {
    throw new RangeError(
      `concatKernelInputs: every kernel must be [${kd}, ${kh}, ${kw}, in, ${cout}]; got ` +
        `[${differs.shape.join(', ')}]`,
    );
  }
  const cin = parts.reduce((sum, p) => sum + p.shape[3], 0);
  const spatial = kd * kh * kw;
  const out = new Float32Array(spatial * cin * cout);

  // at each kernel position, the parts' rows of `in_p * out` values follow each other
  let at = 0;
  for (let s = 0; s < spatial; s++) {
    for (const p of parts) {
      const rows = p.shape[3] * cout;
      out.set(p.values.subarray(s * rows, (s + 1) * rows), at);
      at += rows;
    }
  }
  return { values: out, shape: [kd, kh, kw, cin, cout] };
}

/**
 * ONNX `pads` (`[d_begin, h_begin, w_begin, d_end, h_end, w_end]`) for the padding the networks'
 * `conv3dPadded` applies: `padding` zeros on both sides of every spatial axis. It calls tfjs'
 * `'same'` only where `'same'` pads exactly that (the padding, not the call, is what the numbers
 * depend on), and pads explicitly everywhere else, so the pads are symmetric and fixed whatever
 * the input's extent: a graph with dynamic spatial axes computes what tfjs computes. (tfjs'
 * `'same'` itself puts the odd zero at the end when `(out - 1) * stride + kernel - in` is odd;
 * symmetric pads in its place would shift the result by one voxel.)
 *
 * @param padding - zeros on each side, a whole number >= 0
 * @throws RangeError when `padding` is not a whole number >= 0
 */
export function convPads(padding: number): number[] {
  if (!Number.isInteger(padding) || padding < 0) {
    throw new RangeError(`convPads: padding must be a whole number >= 0; got ${padding}`);
  }
  return new Array<number>(6).fill(padding);
}
