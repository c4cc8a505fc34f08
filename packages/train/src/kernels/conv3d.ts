/**
 * tfjs `cpu`-backend kernels for Conv3D, Conv3DBackpropInputV2 and Conv3DBackpropFilterV2 that
 * run in the native addon (im2col + OpenBLAS SGEMM). Tensors NDHWC, filters `[kd, kh, kw, in,
 * out]`, as tfjs. Shapes and padding come from tfjs' own `computeConv3DInfo`, so 'same' pads
 * exactly as stock tfjs does (asymmetrically where it must). Dilations other than 1 and non-float
 * inputs go to the stock kernel. May depend on: tfjs-core, ./native.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NativeKernels } from './native.js';
import { cpuBackendOf, floatValues } from './tensor-data.js';

type Conv3DInfo = tf.backend_util.Conv3DInfo;

function geometry(info: Conv3DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inDepth,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterDepth,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outDepth,
    info.outHeight,
    info.outWidth,
    info.strideDepth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.front,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

type Shape5 = [number, number, number, number, number];
type Pad = 'valid' | 'same';

/**
 * The three convolution kernels, each falling back to `stock` (the kernel it replaces) where it
 * does not apply.
 * @param native - the loaded addon
 * @param stock - the stock kernel functions by kernel name
 */
export function conv3dKernels(
  native: NativeKernels,
  stock: (name: string) => tf.KernelFunc,
): tf.KernelConfig[] {
  const forward: tf.KernelFunc = (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dilations } = args.attrs as unknown as {
      strides: [number, number, number] | number;
      pad: Pad;
      dilations: [number, number, number] | number;
    };
    const dilated = [dilations].flat().some((d) => d !== 1);
    if (dilated || x.dtype !== 'float32' || filter.dtype !== 'float32') return stock(tf.Conv3D)(args);
    const backend = cpuBackendOf(args.backend);
    const info = tf.backend_util.computeConv3DInfo(
      x.shape as Shape5,
      filter.shape as Shape5,
      strides,
      1,
      pad,
    );
    const out = new Float32Array(tf.util.sizeFromShape(info.outShape));
    native.conv3d(0, out, floatValues(backend, x), floatValues(backend, filter), geometry(info));
    return backend.makeTensorInfo(info.outShape, 'float32', out);
  };

  const inputGradient: tf.KernelFunc = (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, inputShape } = args.attrs as unknown as {
      strides: [number, number, number] | number;
      pad: Pad;
      inputShape: Shape5;
    };
    if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return stock(tf.Conv3DBackpropInputV2)(args);
    const backend = cpuBackendOf(args.backend);
    const info = tf.backend_util.computeConv3DInfo(inputShape, filter.shape as Shape5, strides, 1, pad);
    const out = new Float32Array(tf.util.sizeFromShape(info.inShape));
    native.conv3d(1, out, floatValues(backend, dy), floatValues(backend, filter), geometry(info));
    return backend.makeTensorInfo(info.inShape, 'float32', out);
  };

  const filterGradient: tf.KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, filterShape } = args.attrs as unknown as {
      strides: [number, number, number] | number;
      pad: Pad;
      filterShape: Shape5;
    };
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') return stock(tf.Conv3DBackpropFilterV2)(args);
    const backend = cpuBackendOf(args.backend);
    const info = tf.backend_util.computeConv3DInfo(x.shape as Shape5, filterShape, strides, 1, pad);
    const out = new Float32Array(tf.util.sizeFromShape(filterShape));
    native.conv3d(2, out, floatValues(backend, x), floatValues(backend, dy), geometry(info));
    return backend.makeTensorInfo(filterShape, 'float32', out);
  };

  return [
    { kernelName: tf.Conv3D, backendName: 'cpu', kernelFunc: forward },
    { kernelName: tf.Conv3DBackpropInputV2, backendName: 'cpu', kernelFunc: inputGradient },
    { kernelName: tf.Conv3DBackpropFilterV2, backendName: 'cpu', kernelFunc: filterGradient },
  ];
}
