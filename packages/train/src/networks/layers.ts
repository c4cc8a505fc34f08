/**
 * Layer tables: one row per step of a network (convolution, normalisation, pooling, ...), with
 * its output shape and the parameters it owns. A network's variables are allocated from its
 * table's parameters, so the table, the parameter count and the model always agree.
 * May depend on: nothing but ./parameters.
 */
import { countParameters, type Initialiser, type ParameterSpec } from './parameters.js';

/** The kind of step a row stands for. */
export type LayerOp =
  'conv3d' | 'instanceNorm' | 'leakyRelu' | 'dropout' | 'maxPool3d' | 'upsample' | 'concat';

/** One row of a layer table. */
export interface LayerRow {
  /** Dot-separated: block, then unit or step (`conv_d2.unit1.conv`). */
  name: string;
  op: LayerOp;
  /** Settings in words: `3x3x3 s1 p1, 32->64, bias`, `p=0.2`, `affine`. */
  detail: string;
  /** `[depth, height, width, channels]` (NDHWC without the batch). */
  outputShape: number[];
  /** The parameters this step owns, empty for most. */
  parameters: ParameterSpec[];
}

/** Settings of a convolution row. */
export interface ConvSettings {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  bias: boolean;
  /** How the kernel starts; a bias starts at zero (`kaimingNormal`) or as the kernel does. */
  init: 'kaimingNormal' | 'torchDefault';
  /**
   * A convolution over a concatenation, kept as one kernel per concatenated part
   * (`kernel_<part>`, `[k, k, k, part channels, out]`, in concatenation order; the channels add
   * up to `inChannels`): the sum of the parts' convolutions equals the one over the
   * concatenation, and tfjs then never splits a gradient along channels (slow on its cpu
   * backend). Omitted: one `kernel` over all input channels.
   */
  parts?: { name: string; channels: number }[];
  /** Whether each part's kernel starts with its own fan-in (`'part'`: separate convolutions, as
   * the reference's Up block) or the whole input's (`'total'`: one convolution over the
   * concatenation, as its discriminator). @defaultValue `'total'` */
  fanIn?: 'part' | 'total';
}

/**
 * A convolution row and its kernel(s) (`[k, k, k, in, out]`) and optional bias (`[out]`).
 * @throws RangeError when the parts' channels do not add up to `inChannels`
 */
export function convRow(name: string, s: ConvSettings, outputShape: number[]): LayerRow {
  const parts = s.parts ?? [{ name: '', channels: s.inChannels }];
  const sum = parts.reduce((a, p) => a + p.channels, 0);
  if (sum !== s.inChannels) {
    throw new RangeError(`convRow: parts of '${name}' have ${sum} channels; expected ${s.inChannels}`);
  }
  const volume = s.kernel ** 3;
  const totalFanIn = s.inChannels * volume;
  const parameters: ParameterSpec[] = parts.map((p) => {
    const fanIn = s.fanIn === 'part' ? p.channels * volume : totalFanIn;
    return {
      name: p.name === '' ? `${name}.kernel` : `${name}.kernel_${p.name}`,
      shape: [s.kernel, s.kernel, s.kernel, p.channels, s.outChannels],
      init: { kind: s.init, fanIn } as Initialiser,
    };
  });
  if (s.bias) {
    const biasInit: Initialiser =
      s.init === 'kaimingNormal' ? { kind: 'zeros' } : { kind: 'torchDefault', fanIn: totalFanIn };
    parameters.push({ name: `${name}.bias`, shape: [s.outChannels], init: biasInit });
  }
  const k = `${s.kernel}x${s.kernel}x${s.kernel}`;
  const inputs = s.parts
    ? `(${s.parts.map((p) => `${p.name} ${p.channels}`).join(' + ')})`
    : `${s.inChannels}`;
  const detail = `${k} s${s.stride} p${s.padding}, ${inputs}->${s.outChannels}${s.bias ? ', bias' : ''}`;
  return { name, op: 'conv3d', detail, outputShape, parameters };
}

/** An instance-norm row; with `affine`, its `gamma` (ones) and `beta` (zeros), each `[channels]`. */
export function normRow(name: string, channels: number, affine: boolean, outputShape: number[]): LayerRow {
  const parameters: ParameterSpec[] = affine
    ? [
        { name: `${name}.gamma`, shape: [channels], init: { kind: 'ones' } },
        { name: `${name}.beta`, shape: [channels], init: { kind: 'zeros' } },
      ]
    : [];
  return {
    name,
    op: 'instanceNorm',
    detail: affine ? 'affine, eps 1e-5' : 'eps 1e-5',
    outputShape,
    parameters,
  };
}

/** A row without parameters. */
export function stepRow(name: string, op: LayerOp, detail: string, outputShape: number[]): LayerRow {
  return { name, op, detail, outputShape, parameters: [] };
}

/** Every parameter of a table, in row order. */
export function tableParameters(rows: readonly LayerRow[]): ParameterSpec[] {
  return rows.flatMap((r) => r.parameters);
}

/** Number of values a table's parameters hold. */
export function tableParameterCount(rows: readonly LayerRow[]): number {
  return countParameters(tableParameters(rows));
}

/**
 * The table as aligned text: name, op, settings, output shape `[D, H, W, C]`, parameters; then
 * a total line with thousands separators.
 */
export function formatLayerTable(title: string, rows: readonly LayerRow[]): string {
  const header = ['layer', 'op', 'settings', 'output [D,H,W,C]', 'parameters'];
  const body = rows.map((r) => [
    r.name,
    r.op,
    r.detail,
    `[${r.outputShape.join(',')}]`,
    withSeparators(countParameters(r.parameters)),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [
    title,
    line(header),
    rule,
    ...body.map(line),
    rule,
    `total parameters: ${withSeparators(tableParameterCount(rows))}`,
  ].join('\n');
}

/** 16488324 -> "16,488,324". */
export function withSeparators(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
