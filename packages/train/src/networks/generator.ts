/**
 * The HAD-Net segmentation network (teacher and student alike): a 3D U-Net with 4 poolings, as
 * ../shared/method/HADNET.md §1 specifies. Tensors are NDHWC (`[batch, depth, height, width,
 * channels]`) with D = k, H = j, W = i of the RAS-ordered NIfTI grid.
 * May depend on: tfjs-core, ./ops, ./layers, ./parameters.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  channelDropout3d,
  conv3dOverParts,
  GENERATOR_LEAKY_SLOPE,
  instanceNorm3d,
  upsampleNearest3d,
} from './ops.js';
import { convRow, normRow, stepRow, tableParameters, type LayerRow } from './layers.js';
import { ParameterSet } from './parameters.js';

/** Number of input channels: teacher `[flair, t1ce, t1, t2]`, student `[flair, t1, t2]`. */
export const GENERATOR_INPUT_CHANNELS = Object.freeze({ teacher: 4, student: 3 } as const);

/** Classes of the output: 0 background, 1 NCR/NET, 2 ED, 3 ET. */
export const NUM_CLASSES = 4;

/** The reference's channel-dropout rate. */
export const DEFAULT_DROPOUT_RATE = 0.2;

/** Every spatial extent must be a multiple of this (four 2x poolings). */
export const GENERATOR_SIZE_MULTIPLE = 16;

/** Options of {@link Generator}. */
export interface GeneratorOptions {
  /** Input channels: 4 for the teacher, 3 for the student ({@link GENERATOR_INPUT_CHANNELS}). */
  inputChannels: number;
  /** Base width k: the encoder has k, 2k, 4k, 8k channels, the bottleneck 16k. The paper's is 32. */
  k: number;
  /** @defaultValue 4 */
  classes?: number;
  /** Channel-dropout rate at block inputs. @defaultValue 0.2 */
  dropoutRate?: number;
  /** Seeds the initial weights (parameter `i` draws with `seed * 4096 + i`); random when omitted. */
  seed?: number;
}

/**
 * The three (encoder skip, decoder output) pairs the hierarchical discriminator takes, shallow
 * to deep: `[[d2, u3], [d3, u4], [d4, c5]]`. With input `[b, D, H, W, C]`: d2 is
 * `[b, D/2, H/2, W/2, 2k]` and u3 `[b, D/4, H/4, W/4, 2k]`; d3 `[b, D/4, ..., 4k]` and u4
 * `[b, D/8, ..., 4k]`; d4 `[b, D/8, ..., 8k]` and c5 `[b, D/16, ..., 8k]`.
 */
export type FeaturePairs = [
  [tf.Tensor5D, tf.Tensor5D],
  [tf.Tensor5D, tf.Tensor5D],
  [tf.Tensor5D, tf.Tensor5D],
];

/** What {@link Generator.apply} returns. The caller disposes these tensors. */
export interface GeneratorOutput {
  /** Raw class scores before softmax, `[batch, D, H, W, classes]`. */
  logits: tf.Tensor5D;
  /** The feature pairs for the discriminator. */
  features: FeaturePairs;
}

/**
 * Marks every tensor of a generator output to survive the enclosing `tf.tidy` (`tf.keep` on the
 * logits and the six features; `tf.keep` on the object itself keeps nothing). The distillation
 * stage uses it to keep the student's outputs from inside its optimizer step for the
 * discriminator step, where they are constants (tfjs has no tape outside that step). The caller
 * disposes them.
 */
export function keepGeneratorOutput(output: GeneratorOutput): GeneratorOutput {
  tf.keep(output.logits);
  for (const pair of output.features) for (const t of pair) tf.keep(t);
  return output;
}

/** Disposes every tensor of a generator output: the logits and the six features. */
export function disposeGeneratorOutput(output: GeneratorOutput): void {
  tf.dispose([output.logits, ...output.features.flat()]);
}

/** Options of one forward pass. */
export interface GeneratorApplyOptions {
  /** Training mode: channel dropout is on. Instance norm keeps no running statistics, so this
   * changes nothing else. @defaultValue false */
  training?: boolean;
  /** Keeps dropout on outside training mode: the reference runs the frozen teacher this way
   * during distillation (`teacher.train()` under `no_grad`). @defaultValue false */
  keepDropout?: boolean;
  /** Seeds the dropout masks of this pass (site `i` uses `seed * 16 + i`), so that a resumed run
   * draws the same masks; random when omitted. */
  seed?: number;
}

const minimumShape: [number, number, number] = [16, 16, 16];

/**
 * The generator's layer table for an input of `inputShape` = `[D, H, W]` (each a multiple of 16),
 * one row per step, with the parameters each owns.
 *
 * Blocks: conv_d1..conv_d4 (Down: [dropout], two units, max-pool 2), conv_c5 (Center: dropout,
 * units 8k -> 16k -> 8k), conv_u4..conv_u1 (Up: nearest upsampling of the deeper tensor to the
 * skip's size, dropout on both, conv(skip, no bias) + conv(upsampled, with bias) as the
 * reference writes it, which equals one convolution over concat(skip, upsampled): kernels
 * `unit1.conv.kernel_skip` and `unit1.conv.kernel_up`, each Kaiming-initialised with its own
 * fan-in; then instance norm, LeakyReLU and one more unit), conv_out (1x1x1 to the classes, with
 * bias). A unit is a 3x3x3 convolution (padding 1, bias), affine instance norm and LeakyReLU 0.01.
 *
 * Dropout is at every block's input except conv_d1's. The reference's rule is "p when the
 * block's input width is at least k", which is the same for every k above the number of input
 * channels (all presets); for the tiny widths of tests, hadnet keeps the rule's intent: no
 * dropout on the raw images.
 */
export function describeGenerator(
  options: GeneratorOptions,
  inputShape: readonly [number, number, number] = minimumShape,
): LayerRow[] {
  const { inputChannels: c, k } = options;
  const classes = options.classes ?? NUM_CLASSES;
  const p = options.dropoutRate ?? DEFAULT_DROPOUT_RATE;
  const at = (level: number, channels: number): number[] => [
    ...inputShape.map((n) => n / 2 ** level),
    channels,
  ];
  const rows: LayerRow[] = [];
  const unit = (name: string, cin: number, cout: number, level: number, parts?: [number, number]): void => {
    const conv = { inChannels: cin, outChannels: cout, kernel: 3, stride: 1, padding: 1, bias: true };
    const split = parts && {
      parts: [
        { name: 'skip', channels: parts[0] },
        { name: 'up', channels: parts[1] },
      ],
      fanIn: 'part' as const,
    };
    rows.push(convRow(`${name}.conv`, { ...conv, ...split, init: 'kaimingNormal' }, at(level, cout)));
    rows.push(normRow(`${name}.norm`, cout, true, at(level, cout)));
    rows.push(stepRow(`${name}.act`, 'leakyRelu', `slope ${GENERATOR_LEAKY_SLOPE}`, at(level, cout)));
  };
  const dropout = (name: string, level: number, channels: number): void => {
    rows.push(stepRow(name, 'dropout', `p=${p}, whole channels`, at(level, channels)));
  };

  // encoder: conv_d1..conv_d4, each pooled after its skip
  const widths = [c, k, 2 * k, 4 * k, 8 * k];
  for (let level = 0; level < 4; level++) {
    const name = `conv_d${level + 1}`;
    if (level > 0) dropout(`${name}.dropout`, level, widths[level]);
    unit(`${name}.unit1`, widths[level], widths[level + 1], level);
    unit(`${name}.unit2`, widths[level + 1], widths[level + 1], level);
    rows.push(stepRow(`${name}.pool`, 'maxPool3d', '2x2x2 s2', at(level + 1, widths[level + 1])));
  }

  // bottleneck
  dropout('conv_c5.dropout', 4, 8 * k);
  unit('conv_c5.unit1', 8 * k, 16 * k, 4);
  unit('conv_c5.unit2', 16 * k, 8 * k, 4);

  // decoder: [name, deeper width, skip width, middle width, output width, level]
  const ups: [string, number, number, number, number, number][] = [
    ['conv_u4', 8 * k, 8 * k, 8 * k, 4 * k, 3],
    ['conv_u3', 4 * k, 4 * k, 4 * k, 2 * k, 2],
    ['conv_u2', 2 * k, 2 * k, 2 * k, k, 1],
    ['conv_u1', k, k, k, k, 0],
  ];
  for (const [name, deep, skip, mid, out, level] of ups) {
    rows.push(stepRow(`${name}.upsample`, 'upsample', 'nearest x2', at(level, deep)));
    dropout(`${name}.dropout_skip`, level, skip);
    dropout(`${name}.dropout_up`, level, deep);
    unit(`${name}.unit1`, skip + deep, mid, level, [skip, deep]);
    unit(`${name}.unit2`, mid, out, level);
  }

  // head
  const head = { inChannels: k, outChannels: classes, kernel: 1, stride: 1, padding: 0, bias: true };
  rows.push(convRow('conv_out', { ...head, init: 'kaimingNormal' }, at(0, classes)));
  return rows;
}

/**
 * The HAD-Net generator. Build it, run {@link Generator.apply}, and {@link Generator.dispose} it
 * when done. Weights start Kaiming-normal with zero biases (the reference's `init_weights`);
 * instance-norm scales start at 1 and shifts at 0.
 *
 * Call `setupTrainingBackend()` first: it selects the backend and registers the gradients.
 *
 * @example
 * ```ts
 * const student = new Generator({ inputChannels: 3, k: 32 });
 * const { logits, features } = student.apply(images, { training: true }); // images [1,160,192,160,3]
 * ```
 */
export class Generator {
  /** The options, with defaults filled in. */
  readonly options: Required<Omit<GeneratorOptions, 'seed'>> & { seed?: number };
  /** The network's variables, named as in {@link describeGenerator}. */
  readonly parameters: ParameterSet;

  /**
   * @param options - width, input channels, classes, dropout, seed
   * @throws RangeError when `k`, `inputChannels` or `classes` is not a positive integer, or the
   *   dropout rate is outside [0, 1)
   */
  constructor(options: GeneratorOptions) {
    const { inputChannels, k } = options;
    const classes = options.classes ?? NUM_CLASSES;
    const dropoutRate = options.dropoutRate ?? DEFAULT_DROPOUT_RATE;
    for (const [name, value] of Object.entries({ inputChannels, k, classes })) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`Generator: options.${name} must be a positive integer; got ${value}`);
      }
    }
    if (!(dropoutRate >= 0 && dropoutRate < 1)) {
      throw new RangeError(`Generator: options.dropoutRate must be in [0, 1); got ${dropoutRate}`);
    }
    this.options = { inputChannels, k, classes, dropoutRate, seed: options.seed };
    this.parameters = new ParameterSet(tableParameters(describeGenerator(this.options)), {
      seed: options.seed,
      owner: 'Generator',
    });
  }

  /** Number of trainable values (16,488,324 for the paper's student, 16,489,188 for its teacher). */
  countParameters(): number {
    return this.parameters.count();
  }

  /** The variables, in table order, for an optimizer's `varList`. */
  trainableVariables(): tf.Variable[] {
    return this.parameters.variables();
  }

  /**
   * One forward pass, under `tf.tidy`: only the returned tensors survive.
   *
   * @param x - the images, `[batch, D, H, W, inputChannels]` float32 (NDHWC; D = k, H = j,
   *   W = i), each of D, H, W a multiple of 16
   * @param options - training mode, dropout for a distillation teacher, dropout seed
   * @returns logits `[batch, D, H, W, classes]` and the feature pairs `[[d2,u3],[d3,u4],[d4,c5]]`
   * @throws RangeError when `x` has another rank, channel count or an extent not a multiple of 16
   */
  apply(x: tf.Tensor5D, options: GeneratorApplyOptions = {}): GeneratorOutput {
    const { inputChannels } = this.options;
    if (x.rank !== 5 || x.shape[4] !== inputChannels) {
      throw new RangeError(
        `Generator.apply: x must be [batch, D, H, W, ${inputChannels}] (NDHWC); got [${x.shape.join(', ')}]`,
      );
    }
    const spatial = x.shape.slice(1, 4);
    if (!spatial.every((n) => n >= GENERATOR_SIZE_MULTIPLE && n % GENERATOR_SIZE_MULTIPLE === 0)) {
      throw new RangeError(
        `Generator.apply: D, H and W must be multiples of ${GENERATOR_SIZE_MULTIPLE}; got ` +
          `[${spatial.join(', ')}]`,
      );
    }
    if (x.dtype !== 'float32') {
      throw new RangeError(`Generator.apply: x must be float32; got ${x.dtype}`);
    }
    const active = (options.training ?? false) || (options.keepDropout ?? false);
    const rate = active ? this.options.dropoutRate : 0;
    let site = 0;
    const drop = (t: tf.Tensor5D): tf.Tensor5D => {
      const seed = options.seed === undefined ? undefined : options.seed * 16 + site;
      site += 1;
      return channelDropout3d(t, rate, seed);
    };

    return tf.tidy(() => {
      // encoder
      const skips: tf.Tensor5D[] = [];
      let h: tf.Tensor5D = x;
      for (let level = 0; level < 4; level++) {
        const name = `conv_d${level + 1}`;
        if (level > 0) h = drop(h);
        const skip = this.unit(this.unit(h, `${name}.unit1`), `${name}.unit2`);
        skips.push(skip);
        h = tf.maxPool3d(skip, 2, 2, 'valid');
      }

      // bottleneck
      const c5 = this.unit(this.unit(drop(h), 'conv_c5.unit1'), 'conv_c5.unit2');

      // decoder, deepest first
      const outputs: tf.Tensor5D[] = [];
      let up = c5;
      for (let level = 3; level >= 0; level--) {
        const name = `conv_u${level + 1}`;
        const skip = skips[level];
        const upsampled = upsampleNearest3d(up, [skip.shape[1], skip.shape[2], skip.shape[3]]);
        up = this.unit(this.unit([drop(skip), drop(upsampled)], `${name}.unit1`), `${name}.unit2`);
        outputs.push(up);
      }
      const [u4, u3] = outputs;

      // 1x1x1 head
      const logits = this.conv(up, 'conv_out');
      const features: FeaturePairs = [
        [skips[1], u3],
        [skips[2], u4],
        [skips[3], c5],
      ];
      return { logits, features };
    });
  }

  /** Makes the variables trainable or frozen (the teacher during distillation). */
  setTrainable(trainable: boolean): void {
    this.parameters.setTrainable(trainable);
  }

  /** Frees the variables. The generator must not be used afterwards. */
  dispose(): void {
    this.parameters.dispose();
  }

  /** A convolution (padding k/2, stride 1) over one input, or over the concatenation of two
   * (`kernel_skip`, `kernel_up`). */
  private conv(x: tf.Tensor5D | [tf.Tensor5D, tf.Tensor5D], name: string): tf.Tensor5D {
    const p = this.parameters;
    const inputs = Array.isArray(x) ? x : [x];
    const kernelNames = Array.isArray(x) ? [`${name}.kernel_skip`, `${name}.kernel_up`] : [`${name}.kernel`];
    const kernels = kernelNames.map((n) => p.get(n) as tf.Tensor as tf.Tensor5D);
    const bias = p.get(`${name}.bias`) as tf.Tensor as tf.Tensor1D;
    return conv3dOverParts(inputs, kernels, bias, 1, (kernels[0].shape[0] - 1) / 2);
  }

  private unit(x: tf.Tensor5D | [tf.Tensor5D, tf.Tensor5D], name: string): tf.Tensor5D {
    const gamma = this.parameters.get(`${name}.norm.gamma`) as tf.Tensor as tf.Tensor1D;
    const beta = this.parameters.get(`${name}.norm.beta`) as tf.Tensor as tf.Tensor1D;
    const normalised = instanceNorm3d(this.conv(x, `${name}.conv`), { gamma, beta });
    return tf.leakyRelu(normalised, GENERATOR_LEAKY_SLOPE);
  }
}
