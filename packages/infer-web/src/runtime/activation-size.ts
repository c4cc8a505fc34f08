/**
 * How much memory a model's largest single tensor takes, worked out from its ONNX graph before
 * running it: the number WebGPU's buffer limits are checked against. Depends on @hadnet/core's
 * runtime contract and ./onnx-graph.
 */
import { MODEL_INPUT } from '@hadnet/core';
import type { OnnxGraph } from './onnx-graph.js';

/** The widest tensor of a graph, per voxel of the network's input grid. */
export interface WidestActivation {
  /** Its name in the graph. */
  tensor: string;
  /** The operator that produces it (`'input'` for the graph input). */
  opType: string;
  /** Its channels. */
  channels: number;
  /** Its voxels as a fraction of the input grid's (1 at full resolution, 1/8 after one 2x pooling). */
  scale: number;
  /** `channels x scale`: float32 values per input voxel and batch item. */
  valuesPerVoxel: number;
}

interface Size {
  channels: number;
  scale: number;
}

const product = (values: readonly number[]) => values.reduce((a, b) => a * b, 1);

/** Spatial strides of a pooling or convolution node (its `strides`, or 1 on each axis). */
function strideFactor(ints: Record<string, number[]>): number {
  return product(ints.strides ?? [1]);
}

/**
 * The widest tensor of a segmentation graph: sizes are followed from the input
 * (`[batch, channels, depth, height, width]`, NCDHW) node by node, as channels and a voxel
 * fraction of the input grid:
 * - `Conv`: the weight's output channels; voxels divided by the product of `strides`;
 * - `ConvTranspose`: the weight's `dims[1] x group` channels; voxels multiplied by the strides;
 * - `MaxPool`, `AveragePool`, `LpPool`: channels kept; voxels divided by the strides;
 * - `GlobalAveragePool`, `GlobalMaxPool`: one voxel;
 * - `Resize`, `Upsample`: voxels multiplied by the spatial `scales` when they are a constant;
 *   given as `sizes` instead, the full input grid is assumed (the most a U-Net's decoder reaches);
 * - `Concat` on axis 1: channels added;
 * - every other operator (normalisations, activations, `Add`, `Softmax`, ...): the widest of
 *   its inputs.
 * Tensors not reached from the input (weights, constants) are not activations and do not count.
 * @param graph - from `readOnnxGraph`
 * @param inputChannels - channels of the input when the graph leaves them symbolic
 * @returns the widest tensor; its `valuesPerVoxel x voxels x batch x 4` is its size in bytes
 * @example
 * ```ts
 * const widest = widestActivation(readOnnxGraph(bytes), 3);
 * const bytes = widest.valuesPerVoxel * 128 ** 3 * 4; // one 128^3 tile
 * ```
 */
export function widestActivation(graph: OnnxGraph, inputChannels: number): WidestActivation {
  const declared = graph.inputs.find((input) => input.name === MODEL_INPUT)?.dims[1];
  const sizes = new Map<string, Size>([[MODEL_INPUT, { channels: declared ?? inputChannels, scale: 1 }]]);
  let widest: WidestActivation = {
    tensor: MODEL_INPUT,
    opType: 'input',
    ...sizes.get(MODEL_INPUT)!,
    valuesPerVoxel: sizes.get(MODEL_INPUT)!.channels,
  };

  for (const node of graph.nodes) {
    const known = node.inputs.map((name) => sizes.get(name)).filter((s): s is Size => s !== undefined);
    if (known.length === 0) continue;
    const first = sizes.get(node.inputs[0]) ?? known[0];
    const weight = graph.initializers.get(node.inputs[1] ?? '');
    const widestIn = Math.max(...known.map((s) => s.channels));
    const largestIn = Math.max(...known.map((s) => s.scale));
    let out: Size;
    switch (node.opType) {
      case 'Conv':
        out = { channels: weight?.dims[0] ?? widestIn, scale: first.scale / strideFactor(node.ints) };
        break;
      case 'ConvTranspose':
        out = {
          channels: weight === undefined ? widestIn : weight.dims[1] * (node.ints.group?.[0] ?? 1),
          scale: first.scale * strideFactor(node.ints),
        };
        break;
      case 'MaxPool':
      case 'AveragePool':
      case 'LpPool':
        out = { channels: first.channels, scale: first.scale / strideFactor(node.ints) };
        break;
      case 'GlobalAveragePool':
      case 'GlobalMaxPool':
        out = { channels: first.channels, scale: 0 };
        break;
      case 'Resize':
      case 'Upsample': {
        const scales = graph.initializers.get(node.inputs[node.opType === 'Resize' ? 2 : 1] ?? '')?.floats;
        out = {
          channels: first.channels,
          scale: scales !== undefined && scales.length > 2 ? first.scale * product([...scales.slice(2)]) : 1,
        };
        break;
      }
      case 'Concat': {
        const axis = node.ints.axis?.[0] ?? 1;
        out =
          axis === 1 || axis === -4
            ? { channels: known.reduce((sum, s) => sum + s.channels, 0), scale: largestIn }
            : { channels: widestIn, scale: largestIn };
        break;
      }
      default:
        out = { channels: widestIn, scale: largestIn };
    }
    for (const name of node.outputs) {
      if (name === '') continue;
      sizes.set(name, out);
      const valuesPerVoxel = out.channels * out.scale;
      if (valuesPerVoxel > widest.valuesPerVoxel) {
        widest = { tensor: name, opType: node.opType, ...out, valuesPerVoxel };
      }
    }
  }
  return widest;
}
