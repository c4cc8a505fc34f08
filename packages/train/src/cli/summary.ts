/**
 * `hadnet-train summary --preset NAME [--role student|teacher] [--adnet] [--json]`: the
 * generator's and the discriminator's layer tables and parameter counts, from their
 * descriptions (nothing is allocated, no backend is loaded).
 * May depend on: ../networks, node:util.
 */
import { parseArgs } from 'node:util';
import { formatLayerTable, withSeparators, type LayerRow } from '../networks/layers.js';
import { countParameters } from '../networks/parameters.js';
import { getPreset, PRESET_NAMES, PRESETS } from '../networks/presets.js';
import { summarizeNetworks, type GeneratorRole } from '../networks/summary.js';
import { UsageError, type Command } from './run.js';

const usage = `Usage: hadnet-train summary --preset NAME [--role student|teacher] [--adnet] [--json]

Prints the generator's and the discriminator's layer tables and parameter counts.

Options:
  --preset NAME   ${PRESET_NAMES.map((n) => `${n} (${PRESETS[n].description})`).join('\n                  ')}
  --role ROLE     student (3 inputs: flair, t1, t2; the default) or teacher (4: flair, t1ce, t1, t2)
  --adnet         the AD-Net ablation discriminator (no feature inputs) instead of HAD-Net's
  --json          one JSON object on stdout: { generator: { parameters, ... }, discriminator: { parameters, ... } }`;

const roles: readonly GeneratorRole[] = ['student', 'teacher'];

function jsonRows(rows: LayerRow[]): object[] {
  return rows.map((r) => ({
    name: r.name,
    op: r.op,
    detail: r.detail,
    outputShape: r.outputShape,
    parameters: countParameters(r.parameters),
  }));
}

/** The `summary` command. */
export const summaryCommand: Command = {
  summary: "print the networks' layer tables and parameter counts for a preset",
  usage,
  async run(argv, io) {
    let values: { preset?: string; role?: string; adnet?: boolean; json?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          preset: { type: 'string' },
          role: { type: 'string' },
          adnet: { type: 'boolean' },
          json: { type: 'boolean' },
        },
        allowPositionals: false,
        strict: true,
      }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (values.preset === undefined) {
      throw new UsageError(`--preset is required; one of ${PRESET_NAMES.join(', ')}`);
    }
    if (!(PRESET_NAMES as readonly string[]).includes(values.preset)) {
      throw new UsageError(`unknown preset '${values.preset}'; valid presets: ${PRESET_NAMES.join(', ')}`);
    }
    const role = values.role ?? 'student';
    if (!(roles as readonly string[]).includes(role)) {
      throw new UsageError(`--role must be one of ${roles.join(', ')}; got '${role}'`);
    }

    const preset = getPreset(values.preset);
    const summary = summarizeNetworks(preset, { role: role as GeneratorRole, hierarchical: !values.adnet });
    if (values.json) {
      const json = {
        ...summary,
        generator: { ...summary.generator, layers: jsonRows(summary.generator.layers) },
        discriminator: { ...summary.discriminator, layers: jsonRows(summary.discriminator.layers) },
      };
      io.stdout(`${JSON.stringify(json)}\n`);
      return;
    }
    const shape = summary.inputShape.join('x');
    const discName = summary.discriminator.hierarchical ? 'HAD-Net discriminator' : 'AD-Net discriminator';
    io.stdout(
      [
        `preset ${preset.name}: ${preset.description}`,
        `input [D,H,W] = ${shape} at ${preset.spacingMm.join('x')} mm; tensors NDHWC (D = k, H = j, W = i)`,
        '',
        formatLayerTable(
          `${role} generator (${summary.generator.inputChannels} inputs, k = ${preset.k})`,
          summary.generator.layers,
        ),
        '',
        formatLayerTable(`${discName} (width ${summary.discriminator.width})`, summary.discriminator.layers),
        '',
        `generator: ${withSeparators(summary.generator.parameters)} parameters`,
        `discriminator: ${withSeparators(summary.discriminator.parameters)} parameters, patch output ` +
          `[${summary.discriminator.outputShape.join(',')}]`,
        '',
      ].join('\n'),
    );
  },
};
