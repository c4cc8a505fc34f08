/**
 * SplitV for tfjs' `cpu` backend as block copies: along axis `a` of a row-major tensor, each part
 * is `outer` blocks of `size_i * inner` contiguous values. Stock tfjs-cpu slices element by element
 * through index arrays; the gradient of every concatenation (the discriminator's first input) is a
 * split along the channels. Non-float inputs go to the stock kernel.
 * May depend on: tfjs-core, ./tensor-data.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackendOf, floatValues } from './tensor-data.js';

/**
 * The SplitV kernel.
 * @param stock - the stock kernel of a name, for the cases this does not serve
 */
export function splitKernel(stock: (name: string) => tf.KernelFunc): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as {
      numOrSizeSplits: number[] | number;
      axis: number;
    };
    if (x.dtype !== 'float32') return stock(tf.SplitV)(args);
    const backend = cpuBackendOf(args.backend);
    const dim = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, dim);
    const values = floatValues(backend, x);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, dim));
    const inner = tf.util.sizeFromShape(x.shape.slice(dim + 1));
    const rowLength = x.shape[dim] * inner;
    let offset = 0;
    return sizes.map((size) => {
      const block = size * inner;
      const out = new Float32Array(outer * block);
      if (block >= 64) {
        for (let o = 0; o < outer; o++) {
          const from = o * rowLength + offset;
          out.set(values.subarray(from, from + block), o * block);
        }
      } else {
        for (let o = 0, to = 0; o < outer; o++) {
          for (let from = o * rowLength + offset, end = from + block; from < end; from++, to++)
            out[to] = values[from];
        }
      }
      offset += block;
      const shape = x.shape.slice();
      shape[dim] = size;
      return backend.makeTensorInfo(shape, 'float32', out);
    });
  };
  return { kernelName: tf.SplitV, backendName: 'cpu', kernelFunc };
}
