/**
 * Named, ordered sets of tfjs variables: what a network owns, how each tensor starts, and how
 * many numbers there are. Names are hadnet's own (`conv_d1.unit1.conv.kernel`); checkpoints and
 * the ONNX exporter key on them.
 * May depend on: tfjs-core.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * How a parameter starts.
 * - `kaimingNormal`: normal with mean 0 and standard deviation `sqrt(2 / fanIn)` (PyTorch's
 *   `kaiming_normal_` defaults: fan-in mode, gain of a ReLU), used by the generator's convolutions.
 * - `torchDefault`: uniform on `[-1/sqrt(fanIn), 1/sqrt(fanIn)]`, what PyTorch's `Conv3d` starts
 *   with (weights and biases), used by the discriminator, which the reference never re-initialises.
 * - `zeros`, `ones`: constants (biases; instance-norm shifts and scales).
 */
export type Initialiser =
  | { kind: 'kaimingNormal'; fanIn: number }
  | { kind: 'torchDefault'; fanIn: number }
  | { kind: 'zeros' }
  | { kind: 'ones' };

/** One parameter tensor a network owns. */
export interface ParameterSpec {
  /** Unique within its network, dot-separated: block, unit, layer, tensor. */
  name: string;
  /** A convolution kernel is `[kd, kh, kw, inChannels, outChannels]`; the rest are `[channels]`. */
  shape: number[];
  init: Initialiser;
}

/** Number of values in a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Sum of the sizes of `specs`. */
export function countParameters(specs: readonly ParameterSpec[]): number {
  return specs.reduce((sum, s) => sum + sizeOf(s.shape), 0);
}

function initialValue(spec: ParameterSpec, seed: number | undefined): tf.Tensor {
  const { init, shape } = spec;
  switch (init.kind) {
    case 'kaimingNormal':
      return tf.randomNormal(shape, 0, Math.sqrt(2 / init.fanIn), 'float32', seed);
    case 'torchDefault': {
      const bound = 1 / Math.sqrt(init.fanIn);
      return tf.randomUniform(shape, -bound, bound, 'float32', seed);
    }
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
  }
}

/**
 * The variables of one network, in the order of its specs. Call {@link ParameterSet.dispose}
 * when the network is no longer needed: tfjs variables are not garbage-collected.
 */
export class ParameterSet {
  /** The specs the variables were made from, in order. */
  readonly specs: readonly ParameterSpec[];
  private readonly byName = new Map<string, tf.Variable>();

  /**
   * Allocates and initialises one variable per spec.
   * @param specs - the parameters, with unique names
   * @param options - `seed`: parameter `i` draws with seed `seed * 4096 + i` (networks with
   *   different seeds never share a stream; a network has far fewer than 4096 tensors), so a
   *   seeded network is the same on every run; random when omitted. `owner`: names the network
   *   in errors.
   * @throws RangeError when two specs share a name
   */
  constructor(specs: readonly ParameterSpec[], options: { seed?: number; owner: string }) {
    if (specs.length > 4096) {
      throw new RangeError(`${options.owner}: at most 4096 parameter tensors; got ${specs.length}`);
    }
    this.specs = specs;
    specs.forEach((spec, i) => {
      if (this.byName.has(spec.name)) {
        this.dispose();
        throw new RangeError(`${options.owner}: parameter name '${spec.name}' is used twice`);
      }
      const seed = options.seed === undefined ? undefined : options.seed * 4096 + i;
      const initial = initialValue(spec, seed);
      this.byName.set(spec.name, tf.variable(initial, true));
      initial.dispose();
    });
  }

  /**
   * The variable called `name`.
   * @throws RangeError when there is none
   */
  get(name: string): tf.Variable {
    const v = this.byName.get(name);
    if (!v) throw new RangeError(`ParameterSet.get: no parameter '${name}'`);
    return v;
  }

  /** Whether a parameter called `name` exists. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Parameter names in order. */
  names(): string[] {
    return this.specs.map((s) => s.name);
  }

  /** The variables in order, for an optimizer's `varList`. */
  variables(): tf.Variable[] {
    return this.specs.map((s) => this.get(s.name));
  }

  /** Total number of values. */
  count(): number {
    return countParameters(this.specs);
  }

  /** Makes every variable trainable (`true`) or frozen (`false`: no gradients, no updates). */
  setTrainable(trainable: boolean): void {
    for (const v of this.byName.values()) v.trainable = trainable;
  }

  /** Frees every variable. The set must not be used afterwards. */
  dispose(): void {
    for (const v of this.byName.values()) v.dispose();
    this.byName.clear();
  }
}
