/**
 * @hadnet/train: HAD-Net training in TensorFlow.js: backend selection, the generator U-Net, the
 * hierarchical discriminator (and AD-Net), the losses, and the presets. Tensors are NDHWC
 * (`[batch, depth, height, width, channels]`) with D = k, H = j, W = i of the RAS-ordered grid.
 */
// Also: training data (./data), run folders (./run), the three training stages (./stages), the
// fast cpu kernels (./kernels) and the ONNX exporter (./export).
export const PACKAGE_NAME = '@hadnet/train';

export * from './backend.js';
export * from './losses.js';
export * from './networks/index.js';
export * from './kernels/index.js';
export * from './data/index.js';
export * from './run/index.js';
export * from './export/index.js';
export * from './stages/index.js';
