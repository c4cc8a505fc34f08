import { describe, expect, it } from 'vitest';
import { concatKernelInputs, convPads, kernelToOnnx } from './layout.js';

/** Entry [z, y, x, i, o] of a tfjs kernel holds the number zyxio read in decimal. */
function labelledKernel(shape: [number, number, number, number, number]): Float32Array {
  const [kd, kh, kw, cin, cout] = shape;
  const values: number[] = [];
  for (let z = 0; z < kd; z++)
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < cin; i++)
          for (let o = 0; o < cout; o++) values.push(z * 1e4 + y * 1e3 + x * 100 + i * 10 + o);
  return new Float32Array(values);
}

describe('kernelToOnnx', () => {
  it('moves entry [z, y, x, i, o] to [o, i, z, y, x]', () => {
    // kd 1, kh 2, kw 2, in 2, out 3: ONNX row-major order is o, then i, then z, y, x
    const { values, dims } = kernelToOnnx(labelledKernel([1, 2, 2, 2, 3]), [1, 2, 2, 2, 3]);
    expect(dims).toEqual([3, 2, 1, 2, 2]);
    expect(Array.from(values)).toEqual([
      // o = 0: i = 0 then i = 1, each over (y, x) = (0,0) (0,1) (1,0) (1,1)
      0, 100, 1000, 1100, 10, 110, 1010, 1110,
      // o = 1
      1, 101, 1001, 1101, 11, 111, 1011, 1111,
      // o = 2
      2, 102, 1002, 1102, 12, 112, 1012, 1112,
    ]);
  });

  it('refuses a shape that does not hold the values', () => {
    expect(() => kernelToOnnx(new Float32Array(5), [1, 1, 1, 2, 3])).toThrow(
      /kernelToOnnx: kernel must be \[kd, kh, kw, in, out\].*\[1, 1, 1, 2, 3\] and 5 values/,
    );
    expect(() => kernelToOnnx(new Float32Array(6), [1, 1, 2, 3] as never)).toThrow(RangeError);
  });
});

describe('concatKernelInputs', () => {
  it('puts the first kernel’s input channels first at every tap', () => {
    // two taps (kw 2), out 2; part a has 1 input channel, part b 2
    const a = { values: new Float32Array([1, 2, 3, 4]), shape: [1, 1, 2, 1, 2] as const };
    const b = { values: new Float32Array([10, 20, 30, 40, 50, 60, 70, 80]), shape: [1, 1, 2, 2, 2] as const };
    const joined = concatKernelInputs([a, b]);
    expect(joined.shape).toEqual([1, 1, 2, 3, 2]);
    // tap 0: a's row (1, 2), b's rows (10, 20) (30, 40); tap 1: (3, 4), (50, 60) (70, 80)
    expect(Array.from(joined.values)).toEqual([1, 2, 10, 20, 30, 40, 3, 4, 50, 60, 70, 80]);
  });

  it('refuses kernels of different taps or outputs, and an empty list', () => {
    const a = { values: new Float32Array(4), shape: [1, 1, 2, 1, 2] as const };
    const c = { values: new Float32Array(3), shape: [1, 1, 1, 1, 3] as const };
    expect(() => concatKernelInputs([a, c])).toThrow(
      /concatKernelInputs: every kernel must be \[1, 1, 2, in, 2\]; got \[1, 1, 1, 1, 3\]/,
    );
    expect(() => concatKernelInputs([])).toThrow(/expected at least one kernel/);
  });
});

describe('convPads', () => {
  it('pads every spatial axis by the same amount at both ends', () => {
    expect(convPads(1)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(convPads(0)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('refuses a negative or fractional padding', () => {
    expect(() => convPads(-1)).toThrow(/convPads: padding must be a whole number >= 0; got -1/);
    expect(() => convPads(0.5)).toThrow(RangeError);
  });
});
