/**
 * Validation after an epoch: the generator in evaluation mode (no dropout) on each validation
 * case's whole network grid, the argmax class map taken back to the case's original grid, and
 * region Dice from `@hadnet/core` in the BraTS form (1 when both masks are empty; the reference's
 * training code adds 1 to numerator and denominator instead). The score that selects the best
 * checkpoint is mean(WT, TC, ET), averaged over cases.
 * May depend on: tfjs-core, `@hadnet/core` (metrics, labels, restore), ../data, ../networks,
 * ../run (types).
 */
import * as tf from '@tensorflow/tfjs-core';
import { dice, REGIONS, regionMask, restoreToOriginal, type Sequence } from '@hadnet/core';
import { selectChannels, type CaseSource, type TrainingCase } from '../data/training-case.js';
import type { Generator } from '../networks/generator.js';
import type { RegionDice } from '../run/checkpoint.js';

/** What {@link validateGenerator} returns. */
export interface ValidationResult {
  /** Dice per region and their mean, averaged over the cases. */
  dice: RegionDice;
  /** Each case's. */
  perCase: { id: string; dice: RegionDice }[];
}

/** The argmax class map of one case on the network grid, `[D, H, W]`. */
export function predictClasses(
  generator: Generator,
  c: TrainingCase,
  channels: readonly Sequence[],
): Uint8Array {
  const [d, h, w] = c.shape;
  const images = selectChannels(c, channels);
  const classes = tf.tidy(() => {
    const x = tf.tensor5d(images, [1, d, h, w, channels.length]);
    return tf.argMax(generator.apply(x, { training: false }).logits, 4);
  });
  const out = Uint8Array.from(classes.dataSync());
  classes.dispose();
  return out;
}

/** Dice of each region and their mean for a predicted and a true class map. */
export function regionDice(pred: ArrayLike<number>, truth: ArrayLike<number>): RegionDice {
  const out = { mean: 0 } as RegionDice;
  for (const r of REGIONS) out[r] = dice(regionMask(pred, r), regionMask(truth, r));
  out.mean = (out.WT + out.TC + out.ET) / 3;
  return out;
}

/**
 * Scores a generator on validation cases. A case with `original` is scored on its original grid
 * (the prediction restored with nearest-neighbour resampling), one without on the network grid.
 * @param generator - in any mode; it runs without dropout
 * @param cases - the validation cases
 * @param channels - the generator's input channels, in order
 */
export async function validateGenerator(
  generator: Generator,
  cases: CaseSource,
  channels: readonly Sequence[],
): Promise<ValidationResult> {
  const perCase: ValidationResult['perCase'] = [];
  for (const id of cases.ids) {
    const c = await cases.load(id);
    const classes = predictClasses(generator, c, channels);
    if (c.original) {
      const [restored] = restoreToOriginal(classes, c.original.record, {
        channels: 1,
        interpolation: 'nearest',
      });
      perCase.push({ id, dice: regionDice(restored.data, c.original.classes) });
    } else {
      perCase.push({ id, dice: regionDice(classes, c.labels) });
    }
  }
  const mean = { mean: 0 } as RegionDice;
  for (const key of [...REGIONS, 'mean'] as const) {
    mean[key] = perCase.length === 0 ? 0 : perCase.reduce((s, p) => s + p.dice[key], 0) / perCase.length;
  }
  return { dice: mean, perCase };
}
