/**
 * Reading and writing tensor values inside tfjs `cpu`-backend kernels. The cpu backend keeps each
 * tensor's values in one typed array (row-major, the tensor's shape). May depend on: tfjs-core.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs' `MathBackendCPU` the fast kernels use. */
export interface CpuBackend {
  data: { get(dataId: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array | Uint8Array): tf.TensorInfo;
}

/** The kernel's backend as the cpu backend it is (the kernels are registered for 'cpu' only). */
export function cpuBackendOf(backend: unknown): CpuBackend {
  return backend as CpuBackend;
}

/**
 * The float32 values of `t`, without a copy.
 * @throws TypeError when the backend holds no Float32Array for it
 */
export function floatValues(backend: CpuBackend, t: tf.TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  if (!(values instanceof Float32Array)) {
    throw new TypeError(
      `hadnet fast kernels: expected float32 values for a ${t.dtype} tensor [${t.shape.join(', ')}]`,
    );
  }
  return values;
}
