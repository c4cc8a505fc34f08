/**
 * Adam and AdamW with PyTorch's arithmetic (`torch.optim.Adam` / `AdamW`, single-tensor path):
 * the reference trains with them, and tfjs' own Adam neither decouples weight decay nor adds
 * epsilon after the bias correction, and its state cannot be restored bit for bit. Here the
 * state is each parameter's first and second moment and the step count, all of which a
 * checkpoint stores and a resumed run restores exactly.
 * May depend on: tfjs-core, ../networks (ParameterSet), ../run (types).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidRunError } from '@hadnet/core';
import type { ParameterSet } from '../networks/parameters.js';
import type { OptimizerState } from '../run/checkpoint.js';

/** Settings of {@link AdamOptimizer}. */
export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /**
   * Decoupled weight decay (AdamW: each step multiplies the parameters by `1 - lr * decay`
   * first); 0 is plain Adam.
   */
  weightDecay: number;
}

/**
 * One optimizer over one network's parameters. Per step, for each parameter p with gradient g,
 * as PyTorch computes it: `p *= 1 - lr*wd; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 *
 * @example
 * ```ts
 * const adamw = new AdamOptimizer(student.parameters, { learningRate: 2e-4, beta1: 0.9, beta2: 0.999,
 *   epsilon: 1e-8, weightDecay: 1e-5 });
 * const { value, grads } = tf.variableGrads(loss, student.trainableVariables());
 * adamw.apply(grads);
 * ```
 */
export class AdamOptimizer {
  readonly settings: Readonly<AdamSettings>;
  /** Updates taken (Adam's t). */
  step = 0;
  private readonly parameters: ParameterSet;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  /**
   * @param parameters - the network's parameters; moments start at zero
   * @param settings - learning rate, betas, epsilon, decoupled weight decay
   * @throws RangeError when a setting is out of range
   */
  constructor(parameters: ParameterSet, settings: AdamSettings) {
    const { learningRate, beta1, beta2, epsilon, weightDecay } = settings;
    const checks: [string, number, boolean][] = [
      ['learningRate', learningRate, learningRate >= 0],
      ['beta1', beta1, beta1 >= 0 && beta1 < 1],
      ['beta2', beta2, beta2 >= 0 && beta2 < 1],
      ['epsilon', epsilon, epsilon > 0],
      ['weightDecay', weightDecay, weightDecay >= 0],
    ];
    for (const [name, value, ok] of checks) {
      if (!(ok && Number.isFinite(value)))
        throw new RangeError(`AdamOptimizer: ${name} is out of range; got ${value}`);
    }
    this.settings = Object.freeze({ ...settings });
    this.parameters = parameters;
    for (const name of parameters.names()) {
      const shape = parameters.get(name).shape;
      const zeros = tf.zeros(shape);
      this.m.set(name, tf.variable(zeros, false));
      this.v.set(name, tf.variable(zeros, false));
      zeros.dispose();
    }
  }

  /**
   * Takes one step.
   * @param gradients - one gradient per parameter, keyed by the tfjs variable's `name` (what
   *   `tf.variableGrads` returns); parameters without one are left alone, as PyTorch leaves a
   *   parameter whose `grad` is None
   */
  apply(gradients: tf.NamedTensorMap): void {
    const { learningRate: lr, beta1, beta2, epsilon, weightDecay } = this.settings;
    this.step += 1;
    const stepSize = lr / (1 - beta1 ** this.step);
    const correction2 = Math.sqrt(1 - beta2 ** this.step);
    for (const name of this.parameters.names()) {
      const p = this.parameters.get(name);
      const g = gradients[p.name];
      if (g === undefined) continue;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      tf.tidy(() => {
        const decayed = weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const denominator = tf.add(tf.div(tf.sqrt(v1), correction2), epsilon);
        m.assign(m1);
        v.assign(v1);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m1, denominator), stepSize)));
      });
    }
  }

  /** The step count and a copy of every moment (`m/<parameter>`, `v/<parameter>`). */
  getState(): OptimizerState {
    const moments = this.parameters.names().flatMap((name) => [
      {
        name: `m/${name}`,
        shape: [...this.m.get(name)!.shape],
        data: this.m.get(name)!.dataSync().slice() as Float32Array,
      },
      {
        name: `v/${name}`,
        shape: [...this.v.get(name)!.shape],
        data: this.v.get(name)!.dataSync().slice() as Float32Array,
      },
    ]);
    return { step: this.step, moments };
  }

  /**
   * Restores a state from {@link AdamOptimizer.getState} (a checkpoint's).
   * @throws InvalidRunError when a moment is missing or misshapen
   */
  setState(state: OptimizerState, where = 'the optimizer state'): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new InvalidRunError(
        `AdamOptimizer.setState: ${where}: step must be a whole number; got ${state.step}`,
      );
    }
    const byName = new Map(state.moments.map((a) => [a.name, a]));
    for (const name of this.parameters.names()) {
      for (const [prefix, store] of [
        ['m', this.m],
        ['v', this.v],
      ] as const) {
        const a = byName.get(`${prefix}/${name}`);
        const target = store.get(name)!;
        if (!a || a.data.length !== target.size) {
          throw new InvalidRunError(
            `AdamOptimizer.setState: ${where} lacks '${prefix}/${name}' of [${target.shape.join(', ')}]` +
              (a ? `; it holds ${a.data.length} values` : ''),
          );
        }
      }
    }
    for (const name of this.parameters.names()) {
      for (const [prefix, store] of [
        ['m', this.m],
        ['v', this.v],
      ] as const) {
        const a = byName.get(`${prefix}/${name}`)!;
        const target = store.get(name)!;
        tf.tidy(() => target.assign(tf.tensor(a.data, target.shape, 'float32')));
      }
    }
    this.step = state.step;
  }

  /** Frees the moments. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
