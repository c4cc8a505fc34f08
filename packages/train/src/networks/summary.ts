/**
 * The layer tables and parameter counts of a preset's networks, computed from their
 * descriptions alone: nothing is allocated and no backend is needed.
 * May depend on: ./generator, ./discriminator, ./layers, ./presets.
 */
import { describeDiscriminator } from './discriminator.js';
import { describeGenerator, GENERATOR_INPUT_CHANNELS } from './generator.js';
import { tableParameterCount, type LayerRow } from './layers.js';
import type { Preset } from './presets.js';

/** Which generator: the teacher (4 inputs) or the student (3). */
export type GeneratorRole = keyof typeof GENERATOR_INPUT_CHANNELS;

/** One network's part of {@link NetworkSummary}. */
export interface NetworkTable {
  /** Number of trainable values. */
  parameters: number;
  /** One row per step, at the preset's input shape. */
  layers: LayerRow[];
}

/** What `hadnet-train summary --json` prints (the contract's keys, and more). */
export interface NetworkSummary {
  preset: string;
  role: GeneratorRole;
  /** `[D, H, W]`, the whole-volume input. */
  inputShape: [number, number, number];
  generator: NetworkTable & { inputChannels: number; k: number };
  discriminator: NetworkTable & { hierarchical: boolean; width: number; outputShape: number[] };
}

/**
 * The generator's and the discriminator's tables at a preset's input shape.
 * @param preset - from `getPreset`
 * @param options - `role` (@defaultValue `'student'`), `hierarchical`: HAD-Net (`true`, the
 *   default) or AD-Net
 */
export function summarizeNetworks(
  preset: Readonly<Preset>,
  options: { role?: GeneratorRole; hierarchical?: boolean } = {},
): NetworkSummary {
  const role = options.role ?? 'student';
  const hierarchical = options.hierarchical ?? true;
  const inputShape = [...preset.inputShape] as [number, number, number];
  const inputChannels = GENERATOR_INPUT_CHANNELS[role];
  const generatorRows = describeGenerator(
    { inputChannels, k: preset.k, dropoutRate: preset.dropoutRate },
    inputShape,
  );
  const discriminatorRows = describeDiscriminator(
    { k: preset.k, width: preset.discriminatorWidth, hierarchical },
    inputShape,
  );
  return {
    preset: preset.name,
    role,
    inputShape,
    generator: {
      parameters: tableParameterCount(generatorRows),
      inputChannels,
      k: preset.k,
      layers: generatorRows,
    },
    discriminator: {
      parameters: tableParameterCount(discriminatorRows),
      hierarchical,
      width: preset.discriminatorWidth,
      outputShape: discriminatorRows[discriminatorRows.length - 1].outputShape,
      layers: discriminatorRows,
    },
  };
}
