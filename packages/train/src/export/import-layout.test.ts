import { describe, expect, it } from 'vitest';
import { kernelFromOnnx, splitKernelInputs } from './import-layout.js';
import { concatKernelInputs, kernelToOnnx } from './layout.js';

/** Seeded values in [-1, 1) (a 32-bit LCG), so round trips compare more than labels. */
function seeded(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

describe('kernelFromOnnx', () => {
  it('moves entry [o, i, z, y, x] to [z, y, x, i, o]', () => {
    // ONNX [out 2, in 2, kd 1, kh 1, kw 2], entry [o, i, 0, 0, x] labelled o*100 + i*10 + x,
    // listed in ONNX row-major order (o, then i, then x)
    const onnx = new Float32Array([0, 1, 10, 11, 100, 101, 110, 111]);
    const { values, shape } = kernelFromOnnx(onnx, [2, 2, 1, 1, 2]);
    expect(shape).toEqual([1, 1, 2, 2, 2]);
    // tfjs row-major order is x, then i, then o
    expect(Array.from(values)).toEqual([0, 100, 10, 110, 1, 101, 11, 111]);
  });

  it('undoes kernelToOnnx exactly, on 3x3x3 and 1x1x1 kernels', () => {
    const shapes: [number, number, number, number, number][] = [
      [3, 3, 3, 5, 7],
      [1, 1, 1, 8, 4],
      [3, 1, 2, 2, 3],
    ];
    for (const shape of shapes) {
      const tfjs = seeded(
        shape.reduce((a, b) => a * b, 1),
        shape[3] * 31 + shape[4],
      );
      const onnx = kernelToOnnx(tfjs, shape);
      const back = kernelFromOnnx(onnx.values, onnx.dims);
      expect(back.shape).toEqual([...shape]);
      expect(back.values).toEqual(tfjs);
    }
  });

  it('refuses dims that do not hold the values', () => {
    expect(() => kernelFromOnnx(new Float32Array(7), [2, 2, 1, 1, 2])).toThrow(
      /kernelFromOnnx: kernel must be \[out, in, kd, kh, kw\] with one value per entry; got shape \[2, 2, 1, 1, 2\] and 7 values/,
    );
    expect(() => kernelFromOnnx(new Float32Array(4), [2, 2, 1] as never)).toThrow(RangeError);
  });
});

describe('splitKernelInputs', () => {
  it('gives each part its input channels, at every kernel position', () => {
    // tfjs [kd 1, kh 1, kw 2, in 3, out 2], entry [0, 0, x, i, o] labelled x*100 + i*10 + o
    const values = new Float32Array([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);
    const [first, second] = splitKernelInputs({ values, shape: [1, 1, 2, 3, 2] }, [1, 2]);
    expect(first.shape).toEqual([1, 1, 2, 1, 2]);
    expect(Array.from(first.values)).toEqual([0, 1, 100, 101]);
    expect(second.shape).toEqual([1, 1, 2, 2, 2]);
    expect(Array.from(second.values)).toEqual([10, 11, 20, 21, 110, 111, 120, 121]);
  });

  it('undoes concatKernelInputs exactly', () => {
    const skip = { values: seeded(27 * 4 * 6, 1), shape: [3, 3, 3, 4, 6] as const };
    const up = { values: seeded(27 * 5 * 6, 2), shape: [3, 3, 3, 5, 6] as const };
    const [a, b] = splitKernelInputs(concatKernelInputs([skip, up]), [4, 5]);
    expect(a).toEqual({ values: skip.values, shape: [...skip.shape] });
    expect(b).toEqual({ values: up.values, shape: [...up.shape] });
  });

  it('refuses parts that do not add up to the input channels', () => {
    const kernel = { values: new Float32Array(12), shape: [1, 1, 2, 3, 2] as const };
    expect(() => splitKernelInputs(kernel, [1, 1])).toThrow(
      "splitKernelInputs: parts must be positive whole numbers adding up to the kernel's 3 input channels; got [1, 1]",
    );
    expect(() => splitKernelInputs(kernel, [3, 0])).toThrow(RangeError);
    expect(() => splitKernelInputs(kernel, [])).toThrow(RangeError);
  });
});
