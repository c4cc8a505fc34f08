/**
 * Instance normalisation written as primitive ONNX operators, summed in short runs, in place of
 * ONNX's `InstanceNormalization`, whose onnxruntime kernels sum a whole channel in float32 and
 * put the exported logits 1e-3 (onnxruntime-node) to 8e-3 (wasm) from a float64 computation on a
 * real BraTS crop. docs/export.md has the measurements.
 * May depend on: ./onnx-builder.
 */
import type { OnnxGraphBuilder } from './onnx-builder.js';

/** The operators {@link addInstanceNormNodes} writes. */
export const INSTANCE_NORM_OPERATORS = Object.freeze([
  'ReduceMean',
  'Sub',
  'Mul',
  'Add',
  'Sqrt',
  'Div',
] as const);

/** Spatial axes of an NCDHW tensor (`[batch, channels, depth, height, width]`), innermost first. */
const SPATIAL_AXES = [4, 3, 2] as const;

/** A float32 parameter: its values and tfjs shape (`[channels]` for gamma and beta). */
export interface NormParameter {
  values: Float32Array;
  shape: number[];
}

/**
 * Adds the nodes of an affine instance normalisation over the spatial axes of `x`
 * (`[batch, channels, depth, height, width]`, NCDHW), as PyTorch's InstanceNorm3d and hadnet's
 * `instanceNorm3d` define it: per sample and channel,
 * `y = (x - mean) * gamma / sqrt(variance + epsilon) + beta`, with the biased variance of the
 * centred values (two passes, no `E[x^2] - E[x]^2`).
 *
 * Each mean is taken one axis at a time, width, then height, then depth (ReduceMean with
 * `keepdims`): every float32 sum then runs over at most one extent (a few hundred values)
 * instead of a whole channel (millions at 1 mm), so its rounding stays near float32's own. The
 * mean of equal-sized row means is the channel mean exactly, so nothing else changes.
 *
 * Nodes, for `name` = `conv_d1.unit1.norm`: `.mean.w`, `.mean.h`, `.mean` (ReduceMean),
 * `.centred` (Sub), `.squared` (Mul), `.variance.w`, `.variance.h`, `.variance` (ReduceMean),
 * `.variance_eps` (Add), `.std` (Sqrt), `.scale` (Div: gamma / std, `[batch, channels, 1, 1, 1]`),
 * `.scaled` (Mul) and `name` itself (Add beta), the output. Initializers: `${name}.gamma` and
 * `${name}.beta`, each `[channels, 1, 1, 1]` (broadcasting over NCDHW).
 *
 * @param graph - the graph being built
 * @param x - the tensor to normalise, NCDHW
 * @param name - the output's name, and the prefix of every node and initializer added
 * @param affine - `gamma` and `beta`, each `[channels]`
 * @param epsilon - the name of a scalar float32 initializer added to the variance
 * @returns `name`
 */
export function addInstanceNormNodes(
  graph: OnnxGraphBuilder,
  x: string,
  name: string,
  affine: { gamma: NormParameter; beta: NormParameter },
  epsilon: string,
): string {
  const { gamma, beta } = affine;
  const channels = gamma.shape[0];
  if (gamma.shape.length !== 1 || beta.shape.length !== 1 || beta.shape[0] !== channels) {
    throw new RangeError(
      `addInstanceNormNodes: '${name}' needs gamma and beta of shape [channels]; ` +
        `got [${gamma.shape.join(', ')}] and [${beta.shape.join(', ')}]`,
    );
  }
  const g = graph.initializer(`${name}.gamma`, [channels, 1, 1, 1], gamma.values);
  const b = graph.initializer(`${name}.beta`, [channels, 1, 1, 1], beta.values);

  // the mean over width, then height, then depth
  const spatialMean = (t: string, what: string): string => {
    let reduced = t;
    for (const axis of SPATIAL_AXES) {
      const suffix = axis === 4 ? '.w' : axis === 3 ? '.h' : '';
      reduced = graph.node('ReduceMean', `${name}.${what}${suffix}`, [reduced], {
        axes: { ints: [axis] },
        keepdims: { int: 1 },
      });
    }
    return reduced;
  };

  // centre, then the biased variance of the centred values
  const mean = spatialMean(x, 'mean');
  const centred = graph.node('Sub', `${name}.centred`, [x, mean]);
  const squared = graph.node('Mul', `${name}.squared`, [centred, centred]);
  const variance = spatialMean(squared, 'variance');

  // gamma / sqrt(variance + epsilon) per sample and channel, then scale and shift
  const std = graph.node('Sqrt', `${name}.std`, [
    graph.node('Add', `${name}.variance_eps`, [variance, epsilon]),
  ]);
  const scale = graph.node('Div', `${name}.scale`, [g, std]);
  const scaled = graph.node('Mul', `${name}.scaled`, [centred, scale]);
  return graph.node('Add', name, [scaled, b]);
}
