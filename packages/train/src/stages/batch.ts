/**
 * A batch of cases as tensors: images `[batch, D, H, W, channels]` (NDHWC) float32 and labels
 * `[batch, D, H, W]` int32.
 * May depend on: tfjs-core.
 */
import * as tf from '@tensorflow/tfjs-core';

/** One case's arrays on the network grid. */
export interface CaseArrays {
  id: string;
  /** `[D, H, W]`. */
  shape: readonly [number, number, number];
  /** `[D, H, W, channels]`. */
  images: Float32Array;
  /** `[D, H, W]` class indices. */
  labels: Uint8Array;
}

/**
 * Stacks cases into tensors. The caller disposes them.
 * @param channels - channels per voxel in `images`
 * @throws RangeError when the batch is empty, shapes differ, or an array's length does not fit
 */
export function stackBatch(
  items: readonly CaseArrays[],
  channels: number,
): { images: tf.Tensor5D; labels: tf.Tensor4D } {
  if (items.length === 0) throw new RangeError('stackBatch: the batch is empty');
  const [d, h, w] = items[0].shape;
  const voxels = d * h * w;
  for (const c of items) {
    if (c.shape.some((n, i) => n !== items[0].shape[i])) {
      throw new RangeError(
        `stackBatch: case ${c.id} is [${c.shape.join(', ')}] but ${items[0].id} is [${items[0].shape.join(', ')}]`,
      );
    }
    if (c.images.length !== voxels * channels || c.labels.length !== voxels) {
      throw new RangeError(
        `stackBatch: case ${c.id} holds ${c.images.length} image values and ${c.labels.length} labels; ` +
          `[${d}, ${h}, ${w}] x ${channels} channels needs ${voxels * channels} and ${voxels}`,
      );
    }
  }
  const images = new Float32Array(items.length * voxels * channels);
  const labels = new Int32Array(items.length * voxels);
  items.forEach((c, b) => {
    images.set(c.images, b * voxels * channels);
    labels.set(c.labels, b * voxels);
  });
  return {
    images: tf.tensor5d(images, [items.length, d, h, w, channels]),
    labels: tf.tensor4d(labels, [items.length, d, h, w], 'int32'),
  };
}
