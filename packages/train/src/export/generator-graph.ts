/**
 * Writes the HAD-Net generator's deterministic forward pass as ONNX nodes, step for step as
 * `Generator.apply` computes it with dropout off, in NCDHW (`[batch, channels, depth, height,
 * width]`, the same D, H, W as tfjs' NDHWC). Weights become initializers named after the
 * generator's parameters.
 * May depend on: tfjs-core (reading variables), ../networks, ./layout, ./onnx-builder,
 * ./instance-norm-nodes.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { GENERATOR_LEAKY_SLOPE, INSTANCE_NORM_EPSILON } from '../networks/ops.js';
import type { Generator } from '../networks/generator.js';
import { addInstanceNormNodes } from './instance-norm-nodes.js';
import { concatKernelInputs, convPads, kernelToOnnx, type TfjsKernelShape } from './layout.js';
import type { OnnxGraphBuilder } from './onnx-builder.js';

/** Names of the graph's input and outputs. */
export const GRAPH_TENSORS = Object.freeze({
  input: 'input',
  logits: 'logits',
  probabilities: 'probabilities',
} as const);

/** Reads a generator's parameters by name and remembers which were read. */
class ParameterReader {
  private readonly used = new Set<string>();

  constructor(private readonly model: Generator) {}

  has(name: string): boolean {
    return this.model.parameters.has(name);
  }

  read(name: string): { values: Float32Array; shape: number[] } {
    const variable: tf.Variable = this.model.parameters.get(name);
    if (this.used.has(name))
      throw new RangeError(`exportGenerator: parameter '${name}' would be placed twice`);
    this.used.add(name);
    return { values: variable.dataSync() as Float32Array, shape: [...variable.shape] };
  }

  /** The parameters never read: the graph would silently lack them. */
  unused(): string[] {
    return this.model.parameters.names().filter((n) => !this.used.has(n));
  }
}

/**
 * Adds the generator's nodes to `graph`, reading from the tensor {@link GRAPH_TENSORS}.input
 * (which the caller declares) and producing `logits` and `probabilities`.
 *
 * Steps, as `Generator.apply` with dropout off (dropout is the identity then, so it is left out):
 * four Down blocks (two units, the second's output kept as the skip, then MaxPool 2x2x2 stride 2),
 * the Center block (two units), four Up blocks (Resize nearest x2 of the deeper tensor, Concat
 * with the skip, two units; the first unit's Conv has the kernel `kernel_skip` and `kernel_up`
 * joined along its input channels, which equals tfjs' sum of the two convolutions), then the
 * 1x1x1 Conv to the class logits and a Softmax over channels. A unit is Conv 3x3x3 (pads 1,
 * bias), instance normalisation (epsilon 1e-5, the affine scale and shift) and LeakyRelu 0.01.
 *
 * Instance normalisation is written with ReduceMean, Sub, Mul, Add, Sqrt and Div
 * ({@link addInstanceNormNodes}), not as ONNX's InstanceNormalization: onnxruntime's kernels for
 * that operator sum each channel in float32 in one run, which on real images put the logits 1e-3
 * (onnxruntime-node) to 8e-3 (wasm) from float64; the primitive operators, summing one axis at a
 * time, keep them within 1e-4 of float64 and of tfjs on real and random inputs (measured 5e-6 to
 * 9e-5; docs/export.md).
 *
 * Resize uses `coordinate_transformation_mode` asymmetric with `nearest_mode` floor: output voxel
 * `o` reads input voxel `floor(o / 2)`, as `upsampleNearest3d` does. Its `scales` input
 * (`[1, 1, 2, 2, 2]`) and the normalisation's `norm.epsilon` (a scalar, 1e-5) are the only
 * initializers that are not parameters.
 *
 * @throws RangeError when the generator holds a parameter the walk does not place (the network
 *   changed and the exporter did not), or the walk asks for one it lacks
 */
export function addGeneratorNodes(graph: OnnxGraphBuilder, model: Generator): void {
  const params = new ParameterReader(model);
  const scales = graph.initializer('upsample.scales', [5], new Float32Array([1, 1, 2, 2, 2]));
  const epsilon = graph.initializer('norm.epsilon', [], new Float32Array([INSTANCE_NORM_EPSILON]));

  // Conv over one input, or over concat(skip, upsampled) with the joined kernel
  const conv = (x: string, name: string, output = name): string => {
    const kernel = params.has(`${name}.kernel`)
      ? params.read(`${name}.kernel`)
      : concatKernelInputs(
          [params.read(`${name}.kernel_skip`), params.read(`${name}.kernel_up`)].map((k) => ({
            values: k.values,
            shape: k.shape as unknown as TfjsKernelShape,
          })),
        );
    const onnxKernel = kernelToOnnx(kernel.values, kernel.shape as TfjsKernelShape);
    const weight = graph.initializer(`${name}.kernel`, onnxKernel.dims, onnxKernel.values);
    const bias = params.read(`${name}.bias`);
    const b = graph.initializer(`${name}.bias`, bias.shape, bias.values);
    const size = onnxKernel.dims[2];
    return graph.node('Conv', output, [x, weight, b], {
      kernel_shape: { ints: onnxKernel.dims.slice(2) },
      strides: { ints: [1, 1, 1] },
      pads: { ints: convPads((size - 1) / 2) },
      dilations: { ints: [1, 1, 1] },
      group: { int: 1 },
    });
  };

  // a unit: Conv 3x3x3, instance norm from primitive operators (./instance-norm-nodes), LeakyReLU
  const unit = (x: string, name: string): string => {
    const convolved = conv(x, `${name}.conv`);
    const normalised = addInstanceNormNodes(
      graph,
      convolved,
      `${name}.norm`,
      { gamma: params.read(`${name}.norm.gamma`), beta: params.read(`${name}.norm.beta`) },
      epsilon,
    );
    return graph.node('LeakyRelu', `${name}.act`, [normalised], { alpha: { float: GENERATOR_LEAKY_SLOPE } });
  };

  // encoder
  const skips: string[] = [];
  let h: string = GRAPH_TENSORS.input;
  for (let level = 0; level < 4; level++) {
    const name = `conv_d${level + 1}`;
    const skip = unit(unit(h, `${name}.unit1`), `${name}.unit2`);
    skips.push(skip);
    h = graph.node('MaxPool', `${name}.pool`, [skip], {
      kernel_shape: { ints: [2, 2, 2] },
      strides: { ints: [2, 2, 2] },
      pads: { ints: [0, 0, 0, 0, 0, 0] },
    });
  }

  // bottleneck
  let up = unit(unit(h, 'conv_c5.unit1'), 'conv_c5.unit2');

  // decoder, deepest first
  for (let level = 3; level >= 0; level--) {
    const name = `conv_u${level + 1}`;
    const upsampled = graph.node('Resize', `${name}.upsample`, [up, '', scales], {
      mode: { string: 'nearest' },
      coordinate_transformation_mode: { string: 'asymmetric' },
      nearest_mode: { string: 'floor' },
    });
    const joined = graph.node('Concat', `${name}.concat`, [skips[level], upsampled], { axis: { int: 1 } });
    up = unit(unit(joined, `${name}.unit1`), `${name}.unit2`);
  }

  // 1x1x1 head and class probabilities
  const logits = conv(up, 'conv_out', GRAPH_TENSORS.logits);
  graph.node('Softmax', GRAPH_TENSORS.probabilities, [logits], { axis: { int: 1 } });

  const unused = params.unused();
  if (unused.length > 0) {
    throw new RangeError(
      `exportGenerator: the graph does not place ${unused.length} of the generator's parameters ` +
        `(${unused.slice(0, 5).join(', ')}${unused.length > 5 ? ', ...' : ''}); the exporter does not match the network`,
    );
  }
}
