/**
 * Between a network's tfjs variables and the named arrays a checkpoint stores, and the loading
 * of a run's generator: what distillation does with its teacher and student, and what the ONNX
 * exporter does with a trained model.
 * May depend on: tfjs-core, `@hadnet/core` (errors), ../networks, ./checkpoint, ./config,
 * ./tensor-file (types).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidRunError } from '@hadnet/core';
import { Generator } from '../networks/generator.js';
import type { ParameterSet } from '../networks/parameters.js';
import { loadCheckpoint, type CheckpointName, type CheckpointState } from './checkpoint.js';
import { readRunConfig, type RunConfig } from './config.js';
import type { NamedArray } from './tensor-file.js';

/** Copies a network's variables out, in table order (tfjs layout: kernels `[kd, kh, kw, in, out]`). */
export function parameterArrays(parameters: ParameterSet): NamedArray[] {
  return parameters.names().map((name) => {
    const v = parameters.get(name);
    return { name, shape: [...v.shape], data: v.dataSync().slice() as Float32Array };
  });
}

/**
 * Sets a network's variables from stored arrays: every parameter must be there with its shape,
 * and nothing else.
 * @param where - names the source in errors (a checkpoint folder)
 * @throws InvalidRunError naming missing, unexpected or misshapen arrays
 */
export function assignParameters(
  parameters: ParameterSet,
  arrays: readonly NamedArray[],
  where: string,
): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  const names = parameters.names();
  const missing = names.filter((n) => !byName.has(n));
  const extra = arrays.map((a) => a.name).filter((n) => !parameters.has(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new InvalidRunError(
      `assignParameters: ${where} does not fit the network: ` +
        [
          missing.length > 0
            ? `missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`
            : '',
          extra.length > 0
            ? `unexpected ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''}`
            : '',
        ]
          .filter(Boolean)
          .join('; '),
    );
  }
  for (const name of names) {
    const v = parameters.get(name);
    const a = byName.get(name)!;
    if (a.shape.length !== v.shape.length || a.shape.some((n, i) => n !== v.shape[i])) {
      throw new InvalidRunError(
        `assignParameters: ${where}: '${name}' is [${a.shape.join(', ')}]; the network needs [${v.shape.join(', ')}]`,
      );
    }
  }
  for (const name of names) {
    const a = byName.get(name)!;
    tf.tidy(() => parameters.get(name).assign(tf.tensor(a.data, a.shape, 'float32')));
  }
}

/** What {@link loadRunGenerator} returns. The caller disposes the generator. */
export interface LoadedGenerator {
  generator: Generator;
  config: RunConfig;
  state: CheckpointState;
}

/**
 * Builds a run's generator and loads a checkpoint's weights into it. The generator's input
 * channels are `config.sequences` (in that order), its width and dropout rate the run's preset's.
 * Call `setupTrainingBackend()` first.
 *
 * @param runDir - a run folder
 * @param options - `checkpoint`: `'best'` (the default) or `'last'`
 * @returns the generator, the run's config and the checkpoint's state (epoch, validation Dice)
 * @throws InvalidRunError when the folder is not a run, lacks the checkpoint, or its weights do
 *   not fit the config's network
 * @example
 * ```ts
 * const { generator, config } = await loadRunGenerator('runs/student', { checkpoint: 'best' });
 * const { logits } = generator.apply(images); // images [1, D, H, W, config.sequences.length]
 * ```
 */
export async function loadRunGenerator(
  runDir: string,
  options: { checkpoint?: CheckpointName } = {},
): Promise<LoadedGenerator> {
  const name = options.checkpoint ?? 'best';
  const config = await readRunConfig(runDir);
  const checkpoint = await loadCheckpoint(runDir, name, { optimizers: false });
  const arrays = checkpoint.networks.generator;
  if (arrays === undefined)
    throw new InvalidRunError(`loadRunGenerator: the '${name}' checkpoint of ${runDir} holds no generator`);
  const generator = new Generator({
    inputChannels: config.sequences.length,
    k: config.preset.k,
    dropoutRate: config.preset.dropoutRate,
  });
  try {
    assignParameters(generator.parameters, arrays, `${runDir} checkpoint '${name}'`);
  } catch (error) {
    generator.dispose();
    throw error;
  }
  return { generator, config, state: checkpoint.state };
}
