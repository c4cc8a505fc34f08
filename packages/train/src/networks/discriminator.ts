/**
 * HAD-Net's hierarchical discriminator (../shared/method/HADNET.md §2) and the AD-Net ablation:
 * a PatchGAN-style 3D network that scores a segmentation, given as logits together with the
 * student's images, and, at three scales, the generator's feature pairs. Tensors are NDHWC
 * (`[batch, depth, height, width, channels]`) with D = k, H = j, W = i.
 * May depend on: tfjs-core, ./ops, ./layers, ./parameters, ./generator (types and constants).
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv3dOverParts, DISCRIMINATOR_LEAKY_SLOPE, instanceNorm3d, upsampleNearest3d } from './ops.js';
import { convRow, normRow, stepRow, tableParameters, type ConvSettings, type LayerRow } from './layers.js';
import { ParameterSet } from './parameters.js';
import { GENERATOR_SIZE_MULTIPLE, NUM_CLASSES, type FeaturePairs } from './generator.js';

/** The smallest extent the discriminator takes: four stride-2 convolutions, then a 4x4x4 one. */
export const DISCRIMINATOR_MIN_SIZE = 32;

/** Options of {@link Discriminator}. */
export interface DiscriminatorOptions {
  /** The generator's base width k: the feature pairs have 2k, 4k and 8k channels each. */
  k: number;
  /** The discriminator's own base width: disc_1 has 4 x width channels, disc_4 32 x width.
   * @defaultValue `k` (the reference: 32 with k = 32) */
  width?: number;
  /** @defaultValue 4 */
  classes?: number;
  /** The student's images. @defaultValue 3 */
  imageChannels?: number;
  /** `true`: HAD-Net, the feature pairs are concatenated in at three scales. `false`: AD-Net,
   * the paper's ablation, which sees the logits and images only (the same layers with fewer
   * input channels; the reference repository has no AD-Net, so this reading is hadnet's).
   * @defaultValue true */
  hierarchical?: boolean;
  /** Seeds the initial weights (parameter `i` draws with `seed * 4096 + i`); random when omitted. */
  seed?: number;
}

interface Resolved {
  k: number;
  width: number;
  classes: number;
  imageChannels: number;
  hierarchical: boolean;
}

function resolve(options: DiscriminatorOptions): Resolved {
  const resolved = {
    k: options.k,
    width: options.width ?? options.k,
    classes: options.classes ?? NUM_CLASSES,
    imageChannels: options.imageChannels ?? 3,
    hierarchical: options.hierarchical ?? true,
  };
  for (const name of ['k', 'width', 'classes', 'imageChannels'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`Discriminator: options.${name} must be a positive integer; got ${value}`);
    }
  }
  return resolved;
}

/**
 * The discriminator's layer table for a generator input of `inputShape` = `[D, H, W]` (each at
 * least 32 and a multiple of 16).
 *
 * disc_1: 4x4x4 stride 2 padding 1, (classes + images) -> 4w, bias, LeakyReLU 0.2, no norm.
 * disc_2..disc_4: a 4x4x4 stride 2 padding 1 convolution with bias over concat(x, skip,
 * upsampled decoder output) (HAD-Net; AD-Net over x alone), instance norm without affine,
 * LeakyReLU 0.2; widths 8w, 16w, 32w. The concatenated convolution keeps one kernel per part
 * (`kernel_x`, `kernel_skip`, `kernel_up`, initialised with the whole fan-in, as one PyTorch
 * Conv3d over the concatenation): the same numbers and parameter count. disc_5: 4x4x4 stride 1 padding 1 -> 1, no bias, no activation. The output
 * is a patch map `[D/16 - 1, H/16 - 1, W/16 - 1, 1]` (9x11x9 at 160x192x160).
 */
export function describeDiscriminator(
  options: DiscriminatorOptions,
  inputShape: readonly [number, number, number] = [32, 32, 32],
): LayerRow[] {
  const { k, width: w, classes, imageChannels, hierarchical } = resolve(options);
  const at = (level: number, channels: number): number[] => [
    ...inputShape.map((n) => n / 2 ** level),
    channels,
  ];
  const conv = (inChannels: number, outChannels: number, stride: number, bias: boolean): ConvSettings => ({
    inChannels,
    outChannels,
    kernel: 4,
    stride,
    padding: 1,
    bias,
    init: 'torchDefault',
  });
  const rows: LayerRow[] = [];
  const input = classes + imageChannels;
  rows.push(stepRow('input', 'concat', '[logits, images]', at(0, input)));
  rows.push(convRow('disc_1.conv', conv(input, 4 * w, 2, true), at(1, 4 * w)));
  rows.push(stepRow('disc_1.act', 'leakyRelu', `slope ${DISCRIMINATOR_LEAKY_SLOPE}`, at(1, 4 * w)));

  // three scales; HAD-Net convolves concat(x, skip, upsampled decoder output) at each
  let channels = 4 * w;
  const pairs = [
    ['d2', 'u3'],
    ['d3', 'u4'],
    ['d4', 'c5'],
  ];
  for (let i = 0; i < 3; i++) {
    const level = i + 1;
    const name = `disc_${i + 2}`;
    const out = 8 * w * 2 ** i;
    const pairWidth = 2 ** level * k;
    let settings = conv(channels, out, 2, true);
    if (hierarchical) {
      const [skip, deep] = pairs[i];
      rows.push(
        stepRow(`${name}.${deep}_up`, 'upsample', `nearest x2 (${deep} to ${skip})`, at(level, pairWidth)),
      );
      const parts = [
        { name: 'x', channels },
        { name: 'skip', channels: pairWidth },
        { name: 'up', channels: pairWidth },
      ];
      settings = { ...conv(channels + 2 * pairWidth, out, 2, true), parts };
    }
    rows.push(convRow(`${name}.conv`, settings, at(level + 1, out)));
    rows.push(normRow(`${name}.norm`, out, false, at(level + 1, out)));
    rows.push(stepRow(`${name}.act`, 'leakyRelu', `slope ${DISCRIMINATOR_LEAKY_SLOPE}`, at(level + 1, out)));
    channels = out;
  }
  const patch = [...inputShape.map((n) => n / 16 - 1), 1];
  rows.push(convRow('disc_5.conv', conv(channels, 1, 1, false), patch));
  return rows;
}

/**
 * The HAD-Net discriminator (or AD-Net with `hierarchical: false`). Weights start as PyTorch's
 * Conv3d defaults (uniform on +-1/sqrt(fanIn)): the reference never re-initialises it.
 *
 * @example
 * ```ts
 * const d = new Discriminator({ k: 32 });
 * const scores = d.apply(logits, studentImages, features); // [1, 9, 11, 9, 1] at 160x192x160
 * ```
 */
export class Discriminator {
  /** The options, with defaults filled in. */
  readonly options: Readonly<Resolved>;
  /** The network's variables, named as in {@link describeDiscriminator}. */
  readonly parameters: ParameterSet;

  /**
   * @param options - generator width, own width, classes, image channels, HAD-Net or AD-Net, seed
   * @throws RangeError when a width or channel count is not a positive integer
   */
  constructor(options: DiscriminatorOptions) {
    this.options = Object.freeze(resolve(options));
    this.parameters = new ParameterSet(tableParameters(describeDiscriminator(this.options)), {
      seed: options.seed,
      owner: 'Discriminator',
    });
  }

  /** Number of trainable values (88,205,184 for the paper's HAD-Net discriminator). */
  countParameters(): number {
    return this.parameters.count();
  }

  /** The variables, in table order, for an optimizer's `varList`. */
  trainableVariables(): tf.Variable[] {
    return this.parameters.variables();
  }

  /**
   * Scores one segmentation, under `tf.tidy`. The reference shows the discriminator the
   * **student's** images for both the real (teacher) and the fake (student) pass, and raw
   * logits, not probabilities.
   *
   * @param logits - `[batch, D, H, W, classes]` (NDHWC), D, H, W at least 32 and multiples of 16
   * @param images - the student's images, `[batch, D, H, W, imageChannels]`
   * @param features - the generator's `[[d2,u3],[d3,u4],[d4,c5]]`; required for HAD-Net,
   *   ignored by AD-Net
   * @returns raw patch scores `[batch, D/16 - 1, H/16 - 1, W/16 - 1, 1]` (LSGAN targets 1 / 0)
   * @throws RangeError when a shape does not fit, naming the argument, what was expected and
   *   what came
   */
  apply(logits: tf.Tensor5D, images: tf.Tensor5D, features?: FeaturePairs): tf.Tensor5D {
    const { k, classes, imageChannels, hierarchical } = this.options;
    const [b, d, h, w] = logits.shape;
    const spatial = [d, h, w];
    const expect = (what: string, t: tf.Tensor, shape: number[]): void => {
      if (t.rank !== 5 || t.shape.some((n, i) => n !== shape[i])) {
        throw new RangeError(
          `Discriminator.apply: ${what} must be [${shape.join(', ')}] (NDHWC); got [${t.shape.join(', ')}]`,
        );
      }
    };
    expect('logits', logits, [b, d, h, w, classes]);
    if (!spatial.every((n) => n >= DISCRIMINATOR_MIN_SIZE && n % GENERATOR_SIZE_MULTIPLE === 0)) {
      throw new RangeError(
        `Discriminator.apply: D, H and W must be at least ${DISCRIMINATOR_MIN_SIZE} and multiples of ` +
          `${GENERATOR_SIZE_MULTIPLE}; got [${spatial.join(', ')}]`,
      );
    }
    expect('images', images, [b, d, h, w, imageChannels]);
    if (hierarchical) {
      if (!features) {
        throw new RangeError('Discriminator.apply: features are required by the hierarchical discriminator');
      }
      const names = [
        ['d2', 'u3'],
        ['d3', 'u4'],
        ['d4', 'c5'],
      ];
      features.forEach(([skip, deep], i) => {
        const level = i + 1;
        const width = 2 ** level * k;
        expect(`features[${i}][0] (${names[i][0]})`, skip, [b, ...spatial.map((n) => n / 2 ** level), width]);
        expect(`features[${i}][1] (${names[i][1]})`, deep, [
          b,
          ...spatial.map((n) => n / 2 ** (level + 1)),
          width,
        ]);
      });
    }

    return tf.tidy(() => {
      let x = this.conv([tf.concat([logits, images], 4) as tf.Tensor5D], 'disc_1.conv', 2);
      x = tf.leakyRelu(x, DISCRIMINATOR_LEAKY_SLOPE);
      for (let i = 0; i < 3; i++) {
        const name = `disc_${i + 2}.conv`;
        let parts = [x];
        if (hierarchical && features) {
          const [skip, deep] = features[i];
          parts = [x, skip, upsampleNearest3d(deep, [skip.shape[1], skip.shape[2], skip.shape[3]])];
        }
        x = tf.leakyRelu(instanceNorm3d(this.conv(parts, name, 2)), DISCRIMINATOR_LEAKY_SLOPE);
      }
      return this.conv([x], 'disc_5.conv', 1);
    });
  }

  /** Makes the variables trainable or frozen. */
  setTrainable(trainable: boolean): void {
    this.parameters.setTrainable(trainable);
  }

  /** Frees the variables. The discriminator must not be used afterwards. */
  dispose(): void {
    this.parameters.dispose();
  }

  /** A 4x4x4 convolution with padding 1 over the concatenation of `inputs`, one kernel each. */
  private conv(inputs: tf.Tensor5D[], name: string, stride: number): tf.Tensor5D {
    const p = this.parameters;
    const kernelNames =
      inputs.length === 1 ? [`${name}.kernel`] : ['x', 'skip', 'up'].map((n) => `${name}.kernel_${n}`);
    const kernels = kernelNames.map((n) => p.get(n) as tf.Tensor as tf.Tensor5D);
    const bias = p.has(`${name}.bias`) ? (p.get(`${name}.bias`) as tf.Tensor as tf.Tensor1D) : undefined;
    return conv3dOverParts(inputs, kernels, bias, stride, 1);
  }
}
