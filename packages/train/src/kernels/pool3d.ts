/**
 * MaxPool3D, its gradient MaxPool3DGrad and AvgPool3D for tfjs' `cpu` backend, in plain JS on the
 * NDHWC values with the window walked once per output voxel for all channels at a time. Stock
 * tfjs-cpu reads every element through `TensorBuffer.get` and recomputes each window's maximum
 * once per input voxel in the gradient. The semantics are stock tfjs-cpu's: a window's maximum is
 * the last largest value in (depth, height, width) order (`>=`), the gradient adds each output's
 * `dy` to that one input, and an average divides by the number of in-bounds values. Windows with
 * unequal height and width go to the stock kernels (their position code mixes the two).
 * May depend on: tfjs-core, ./tensor-data.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackendOf, floatValues } from './tensor-data.js';

type Shape5 = [number, number, number, number, number];
type Triple = [number, number, number] | number;

interface PoolAttrs {
  filterSize: Triple;
  strides: Triple;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolInfo(shape: number[], attrs: PoolAttrs): tf.backend_util.Conv3DInfo {
  return tf.backend_util.computePool3DInfo(
    shape as Shape5,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

/**
 * Walks every window: `visit(outIndex, inIndices, count)` gets the flat NDHWC index of channel 0 of
 * the output voxel and of each in-bounds input voxel of its window, in (depth, height, width) order.
 */
function forEachWindow(
  info: tf.backend_util.Conv3DInfo,
  visit: (outBase: number, inBases: Int32Array, count: number) => void,
): void {
  const c = info.inChannels;
  const window = new Int32Array(info.filterDepth * info.filterHeight * info.filterWidth);
  const { front, top, left } = info.padInfo;
  let outBase = 0;
  for (let b = 0; b < info.batchSize; b++) {
    const batchBase = b * info.inDepth * info.inHeight * info.inWidth;
    for (let od = 0; od < info.outDepth; od++) {
      const z0 = od * info.strideDepth - front;
      for (let oh = 0; oh < info.outHeight; oh++) {
        const y0 = oh * info.strideHeight - top;
        for (let ow = 0; ow < info.outWidth; ow++, outBase += c) {
          const x0 = ow * info.strideWidth - left;
          let count = 0;
          for (let z = Math.max(z0, 0); z < Math.min(z0 + info.filterDepth, info.inDepth); z++) {
            for (let y = Math.max(y0, 0); y < Math.min(y0 + info.filterHeight, info.inHeight); y++) {
              const row = batchBase + (z * info.inHeight + y) * info.inWidth;
              for (let x = Math.max(x0, 0); x < Math.min(x0 + info.filterWidth, info.inWidth); x++) {
                window[count++] = (row + x) * c;
              }
            }
          }
          visit(outBase, window, count);
        }
      }
    }
  }
}

/**
 * The pooling kernels.
 * @param stock - the stock kernel of a name, for the cases these do not serve
 */
export function pool3dKernels(stock: (name: string) => tf.KernelFunc): tf.KernelConfig[] {
  const served = (dtype: string, info: tf.backend_util.Conv3DInfo): boolean =>
    dtype === 'float32' && info.filterHeight === info.filterWidth;

  const maxPool: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const info = poolInfo(x.shape, args.attrs as unknown as PoolAttrs);
    if (!served(x.dtype, info)) return stock(tf.MaxPool3D)(args);
    const backend = cpuBackendOf(args.backend);
    const values = floatValues(backend, x);
    const c = info.inChannels;
    const out = new Float32Array(tf.util.sizeFromShape(info.outShape));
    forEachWindow(info, (outBase, window, count) => {
      for (let ch = 0; ch < c; ch++) {
        let max = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < count; i++) {
          const v = values[window[i] + ch];
          if (v > max) max = v;
        }
        out[outBase + ch] = max;
      }
    });
    return backend.makeTensorInfo(info.outShape, 'float32', out);
  };

  const maxPoolGrad: tf.KernelFunc = (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const info = poolInfo(input.shape, args.attrs as unknown as PoolAttrs);
    if (!served(input.dtype, info) || dy.dtype !== 'float32') return stock(tf.MaxPool3DGrad)(args);
    const backend = cpuBackendOf(args.backend);
    const values = floatValues(backend, input);
    const gradient = floatValues(backend, dy);
    const c = info.inChannels;
    const dx = new Float32Array(values.length);
    forEachWindow(info, (outBase, window, count) => {
      for (let ch = 0; ch < c; ch++) {
        let max = Number.NEGATIVE_INFINITY;
        let at = -1;
        for (let i = 0; i < count; i++) {
          const v = values[window[i] + ch];
          if (v >= max) {
            max = v;
            at = window[i] + ch;
          }
        }
        if (at >= 0) dx[at] += gradient[outBase + ch];
      }
    });
    return backend.makeTensorInfo(input.shape, 'float32', dx);
  };

  const avgPool: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const info = poolInfo(x.shape, args.attrs as unknown as PoolAttrs);
    if (!served(x.dtype, info)) return stock(tf.AvgPool3D)(args);
    const backend = cpuBackendOf(args.backend);
    const values = floatValues(backend, x);
    const c = info.inChannels;
    const out = new Float32Array(tf.util.sizeFromShape(info.outShape));
    forEachWindow(info, (outBase, window, count) => {
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let i = 0; i < count; i++) sum += values[window[i] + ch];
        out[outBase + ch] = sum / count;
      }
    });
    return backend.makeTensorInfo(info.outShape, 'float32', out);
  };

  return [
    { kernelName: tf.MaxPool3D, backendName: 'cpu', kernelFunc: maxPool },
    { kernelName: tf.MaxPool3DGrad, backendName: 'cpu', kernelFunc: maxPoolGrad },
    { kernelName: tf.AvgPool3D, backendName: 'cpu', kernelFunc: avgPool },
  ];
}
