/**
 * `importGenerator`: the inverse of `exportGenerator`'s weights. Reads the initializers of an
 * exported HAD-Net generator graph back into a tfjs {@link Generator}, so the same network with
 * the same weights runs on tfjs (what `npm run bench`'s tfjs-cpu path times).
 * May depend on: onnx-proto, tfjs-core, `@hadnet/core` (errors), ../networks, ./import-layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import onnxProto from 'onnx-proto';
import { InvalidModelError } from '@hadnet/core';
import { Generator } from '../networks/generator.js';
import { INSTANCE_NORM_EPSILON } from '../networks/ops.js';
import { kernelFromOnnx, splitKernelInputs, type OnnxKernelShape } from './import-layout.js';

export { kernelFromOnnx, splitKernelInputs, type OnnxKernelShape } from './import-layout.js';

const FN = 'importGenerator';

/**
 * The initializers of an exported graph that are not parameters, with the values the network
 * computes with: Resize's scales, and the instance norm's epsilon (in graphs that write instance
 * norm from primitive operators).
 */
const CONSTANTS: Readonly<Record<string, readonly number[]>> = Object.freeze({
  'upsample.scales': [1, 1, 2, 2, 2],
  'norm.epsilon': [Math.fround(INSTANCE_NORM_EPSILON)],
});

/** An initializer's dims for a `[channels]` parameter: `[channels]`, or `[channels, 1, 1, 1]` (broadcast over NCDHW). */
function vectorShape(dims: readonly number[], channels: number): readonly number[] {
  return dims[0] === channels && dims.slice(1).every((n) => n === 1) ? [channels] : dims;
}

/** Options of {@link importGenerator}. */
export interface ImportGeneratorOptions {
  /** The model's name in messages (its path). @defaultValue `'the model'` */
  name?: string;
}

/** A float32 initializer: its ONNX dims and values (row-major). */
interface Initializer {
  dims: number[];
  values: Float32Array;
}

const toNumber = (n: number | { toString(): string }): number =>
  typeof n === 'number' ? n : Number(n.toString());

/** The float32 initializers of an ONNX model, by name (from `raw_data`, little-endian, or `float_data`). */
function readInitializers(bytes: Uint8Array, name: string): Map<string, Initializer> {
  const { onnx } = onnxProto;
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidModelError(`${FN}: ${name} is not an ONNX model: ${reason}`);
  }
  const tensors = model.graph?.initializer ?? [];
  if (tensors.length === 0) {
    throw new InvalidModelError(
      `${FN}: ${name} holds no graph initializers; expected a hadnet generator's weights`,
    );
  }
  const found = new Map<string, Initializer>();
  for (const t of tensors) {
    const tensorName = t.name ?? '';
    const dims = (t.dims ?? []).map(toNumber);
    const size = dims.reduce((a, b) => a * b, 1);
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT) {
      throw new InvalidModelError(
        `${FN}: ${name}: initializer '${tensorName}' has ONNX data type ${t.dataType}; expected FLOAT (1)`,
      );
    }
    let values: Float32Array;
    if (t.rawData !== undefined && t.rawData !== null && t.rawData.byteLength > 0) {
      const raw = t.rawData;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      values = new Float32Array(raw.byteLength % 4 === 0 ? raw.byteLength / 4 : 0);
      for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
    } else {
      values = Float32Array.from(t.floatData ?? []);
    }
    if (values.length !== size) {
      throw new InvalidModelError(
        `${FN}: ${name}: initializer '${tensorName}' has dims [${dims.join(', ')}] (${size} values); ` +
          `its data holds ${values.length}`,
      );
    }
    found.set(tensorName, { dims, values });
  }
  return found;
}

/** The initializer called `key`, which must be a Conv kernel `[out, in, kd, kh, kw]`. */
function convKernel(initializers: Map<string, Initializer>, key: string, name: string): Initializer {
  const kernel = initializers.get(key);
  if (kernel === undefined) {
    throw new InvalidModelError(
      `${FN}: ${name} is not a hadnet generator graph: it lacks the initializer '${key}'`,
    );
  }
  if (kernel.dims.length !== 5) {
    throw new InvalidModelError(
      `${FN}: ${name}: '${key}' has dims [${kernel.dims.join(', ')}]; expected a Conv kernel [out, in, kd, kh, kw]`,
    );
  }
  return kernel;
}

/**
 * Builds a tfjs {@link Generator} with the weights of an ONNX model that `exportGenerator` wrote.
 *
 * The network's shape comes from the graph: input channels and the base width k from the first
 * convolution's kernel (`conv_d1.unit1.conv.kernel`, `[k, inputChannels, 3, 3, 3]`), the classes
 * from the head's (`conv_out.kernel`, `[classes, k, 1, 1, 1]`). Then every parameter is read from
 * the initializer of its name: Conv kernels go from ONNX's `[out, in, kd, kh, kw]` to tfjs'
 * `[kd, kh, kw, in, out]` ({@link kernelFromOnnx}); a decoder block's first kernel, which the
 * exporter joined over `concat(skip, upsampled)`, is split back into `kernel_skip` (the first
 * input channels) and `kernel_up` ({@link splitKernelInputs}); biases and instance-norm scales
 * and shifts are copied (stored `[channels]`, or `[channels, 1, 1, 1]` where the graph writes
 * instance norm from primitive operators). Every other initializer must be one of the graph's
 * constants, `upsample.scales` (`[1, 1, 2, 2, 2]`) or `norm.epsilon` (1e-5), holding the value
 * the tfjs network uses. The result computes what the exported graph computes: `apply()` takes
 * NDHWC where the graph takes NCDHW.
 *
 * Call `setupTrainingBackend()` first. The caller disposes the generator.
 *
 * @param bytes - the `.onnx` file's bytes
 * @param options - the model's name for messages
 * @returns the generator (dropout rate the default; it is off unless `apply` asks for it)
 * @throws TypeError when `bytes` is not a Uint8Array
 * @throws InvalidModelError when the bytes are not an ONNX model, or its initializers are not
 *   those of a hadnet generator (one missing, misshapen, not float32, or left over)
 * @example
 * ```ts
 * await setupTrainingBackend();
 * const student = importGenerator(new Uint8Array(readFileSync('hadnet-student.onnx')));
 * const { logits } = student.apply(images); // images [1, D, H, W, 3] (NDHWC)
 * ```
 */
export function importGenerator(bytes: Uint8Array, options: ImportGeneratorOptions = {}): Generator {
  const name = options.name ?? 'the model';
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`${FN}: bytes must be a Uint8Array of an .onnx file; got ${String(bytes)}`);
  }

  // the network's shape from the first and the last convolution
  const initializers = readInitializers(bytes, name);
  const first = convKernel(initializers, 'conv_d1.unit1.conv.kernel', name);
  const head = convKernel(initializers, 'conv_out.kernel', name);
  const [k, inputChannels] = first.dims;
  const [classes, headInputs] = head.dims;
  if (headInputs !== k) {
    throw new InvalidModelError(
      `${FN}: ${name}: 'conv_out.kernel' takes ${headInputs} input channels; the first convolution has ` +
        `k = ${k} outputs, and the head must take k`,
    );
  }
  const generator = new Generator({ inputChannels, k, classes });
  try {
    // every parameter from its initializer, in tfjs' layout
    const placed = new Set<string>();
    const values = new Map<string, Float32Array>();
    for (const parameter of generator.parameters.names()) {
      const shape = generator.parameters.get(parameter).shape;
      let value: { values: Float32Array; shape: readonly number[] };
      const joined = /^(.*)\.kernel_(skip|up)$/.exec(parameter);
      if (joined !== null) {
        const key = `${joined[1]}.kernel`;
        const kernel = convKernel(initializers, key, name);
        const skip = generator.parameters.get(`${joined[1]}.kernel_skip`).shape[3] as number;
        const up = generator.parameters.get(`${joined[1]}.kernel_up`).shape[3] as number;
        const tfjsKernel = kernelFromOnnx(kernel.values, kernel.dims as unknown as OnnxKernelShape);
        if (tfjsKernel.shape[3] !== skip + up) {
          throw new InvalidModelError(
            `${FN}: ${name}: '${key}' takes ${tfjsKernel.shape[3]} input channels; the generator's ` +
              `${joined[1]} takes ${skip} + ${up} (skip + upsampled)`,
          );
        }
        const parts = splitKernelInputs({ values: tfjsKernel.values, shape: tfjsKernel.shape }, [skip, up]);
        value = parts[joined[2] === 'skip' ? 0 : 1];
        placed.add(key);
      } else if (parameter.endsWith('.kernel')) {
        const kernel = convKernel(initializers, parameter, name);
        value = kernelFromOnnx(kernel.values, kernel.dims as unknown as OnnxKernelShape);
        placed.add(parameter);
      } else {
        const tensor = initializers.get(parameter);
        if (tensor === undefined) {
          throw new InvalidModelError(
            `${FN}: ${name} is not a hadnet generator graph: it lacks the initializer '${parameter}'`,
          );
        }
        value = { values: tensor.values, shape: vectorShape(tensor.dims, shape[0] as number) };
        placed.add(parameter);
      }
      if (value.shape.length !== shape.length || value.shape.some((n, a) => n !== shape[a])) {
        throw new InvalidModelError(
          `${FN}: ${name}: '${parameter}' comes out as [${value.shape.join(', ')}]; the generator ` +
            `(k = ${k}, ${inputChannels} inputs, ${classes} classes) needs [${shape.join(', ')}]`,
        );
      }
      values.set(parameter, value.values);
    }

    // the constants hold what tfjs computes with
    for (const [key, expected] of Object.entries(CONSTANTS)) {
      const constant = initializers.get(key);
      if (constant === undefined) continue;
      placed.add(key);
      if (constant.values.length !== expected.length || constant.values.some((v, i) => v !== expected[i])) {
        throw new InvalidModelError(
          `${FN}: ${name}: the constant '${key}' is [${Array.from(constant.values).join(', ')}]; the ` +
            `generator computes with [${expected.join(', ')}]`,
        );
      }
    }

    // nothing left over: a graph with more weights than the generator is another network
    const extra = [...initializers.keys()].filter((key) => !placed.has(key));
    if (extra.length > 0) {
      throw new InvalidModelError(
        `${FN}: ${name}: ${extra.length} initializer(s) are not weights of a hadnet generator ` +
          `(k = ${k}): ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}`,
      );
    }

    // all checked: assign
    for (const [parameter, data] of values) {
      const variable = generator.parameters.get(parameter);
      tf.tidy(() => variable.assign(tf.tensor(data, variable.shape, 'float32')));
    }
    return generator;
  } catch (error) {
    generator.dispose();
    throw error;
  }
}
