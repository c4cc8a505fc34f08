/**
 * BatchMatMul for tfjs' `cpu` backend through the native addon's OpenBLAS SGEMM. The networks sum
 * over voxels as `ones[1, n] . x[n, c]` (instance norm, bias gradients), and the losses multiply
 * too. Batches are equal or 1 on one side (shared); other broadcasts and non-float inputs go to the
 * stock kernel. May depend on: tfjs-core, ./native, ./tensor-data.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeKernels } from './native.js';
import { cpuBackendOf, floatValues } from './tensor-data.js';

/**
 * The BatchMatMul kernel.
 * @param native - the loaded addon
 * @param stock - the stock kernel of a name, for the cases this does not serve
 */
export function matmulKernel(native: NativeKernels, stock: (name: string) => tf.KernelFunc): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
      return stock(tf.BatchMatMul)(args);
    }
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) return stock(tf.BatchMatMul)(args);
    const [rowsA, colsA] = a.shape.slice(-2);
    const [rowsB, colsB] = b.shape.slice(-2);
    const m = transposeA ? colsA : rowsA;
    const k = transposeA ? rowsA : colsA;
    const n = transposeB ? rowsB : colsB;
    if ((transposeB ? colsB : rowsB) !== k) return stock(tf.BatchMatMul)(args);
    const outShape = [...tf.backend_util.assertAndGetBroadcastShape(outerA, outerB), m, n];
    const backend = cpuBackendOf(args.backend);
    const out = new Float32Array(Math.max(batchA, batchB) * m * n);
    const geometry = Int32Array.from([batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0]);
    native.matmul(out, floatValues(backend, a), floatValues(backend, b), geometry);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
  return { kernelName: tf.BatchMatMul, backendName: 'cpu', kernelFunc };
}
