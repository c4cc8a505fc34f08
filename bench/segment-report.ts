/**
 * What the segment() benchmark reports: one row per case, model and path (measured, skipped or
 * failed), the per-model summary of ../shared/CONTRACTS.md (`segment: { ortCpuMs, tfjsCpuMs,
 * ratio, peakRssMb, model }` plus the wasm and fast-kernel figures), and the Markdown tables.
 */
import type { BenchModel, PathMeasurement, SegmentPath } from './segment-options.js';

/** One path's outcome. */
export interface PathRow {
  case: string;
  model: BenchModel;
  /** The model file, or null where there is none. */
  modelFile: string | null;
  path: SegmentPath;
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped, or the error it failed with. */
  reason?: string;
  /** Wall time of the child process, start to exit (module loading included), ms. */
  processMs?: number;
  /** WebAssembly threads (ort-wasm only). */
  threads?: number;
  measurement?: PathMeasurement;
}

/** The CONTRACTS.md summary of one model, extended; null where a path did not run. */
export interface SegmentSummary {
  /** The model: file name, and what it is. */
  model: string;
  /** segment() file to file on onnxruntime-node's CPU provider: report.json's `timingsMs.total`. */
  ortCpuMs: number | null;
  /** The same on tfjs-cpu with stock kernels. */
  tfjsCpuMs: number | null;
  /** tfjsCpuMs / ortCpuMs. */
  ratio: number | null;
  /** Peak resident memory of the ort-cpu process, MiB. */
  peakRssMb: number | null;
  /** The device ort-cpu ran on. */
  device: string | null;
  /** The same on tfjs-cpu with hadnet's fast kernels, and its ratio to ort-cpu. */
  tfjsFastMs: number | null;
  fastRatio: number | null;
  /** The same on onnxruntime-web's wasm backend in Node, and its ratio to ort-cpu. */
  ortWasmMs: number | null;
  wasmRatio: number | null;
  /** The same on onnxruntime-node's CUDA provider, where it started, and its peak resident memory. */
  ortCudaMs: number | null;
  cudaPeakRssMb: number | null;
  /** The same figures for the network alone (`timingsMs.infer`): reading, preprocessing and writing
   * cost every path alike, so these ratios say more about the runtimes. */
  infer: {
    ortCpuMs: number | null;
    tfjsCpuMs: number | null;
    tfjsFastMs: number | null;
    ortWasmMs: number | null;
    ortCudaMs: number | null;
    ratio: number | null;
    fastRatio: number | null;
    wasmRatio: number | null;
  };
}

const total = (row: PathRow | undefined): number | null => row?.measurement?.timingsMs.total ?? null;
const inferMs = (row: PathRow | undefined): number | null => row?.measurement?.timingsMs.infer ?? null;
const divide = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : a / b;

/**
 * The summary of one case and model from its rows.
 * @param rows - every row; those of `caseId` and `model` are used
 * @param modelName - what to call the model
 */
export function summarise(
  rows: readonly PathRow[],
  caseId: string,
  model: BenchModel,
  modelName: string,
): SegmentSummary {
  const of = (path: SegmentPath) =>
    rows.find((r) => r.case === caseId && r.model === model && r.path === path && r.status === 'ok');
  const ort = of('ort-cpu');
  const tfjs = total(of('tfjs-cpu'));
  const fast = total(of('tfjs-fast'));
  const wasm = total(of('ort-wasm'));
  const cuda = of('ort-cuda');
  const network = {
    ortCpuMs: inferMs(ort),
    tfjsCpuMs: inferMs(of('tfjs-cpu')),
    tfjsFastMs: inferMs(of('tfjs-fast')),
    ortWasmMs: inferMs(of('ort-wasm')),
    ortCudaMs: inferMs(cuda),
  };
  return {
    model: modelName,
    ortCpuMs: total(ort),
    tfjsCpuMs: tfjs,
    ratio: divide(tfjs, total(ort)),
    peakRssMb: ort?.measurement?.peakRssMb ?? null,
    device: ort?.measurement?.device ?? null,
    tfjsFastMs: fast,
    fastRatio: divide(fast, total(ort)),
    ortWasmMs: wasm,
    wasmRatio: divide(wasm, total(ort)),
    ortCudaMs: total(cuda),
    cudaPeakRssMb: cuda?.measurement?.peakRssMb ?? null,
    infer: {
      ...network,
      ratio: divide(network.tfjsCpuMs, network.ortCpuMs),
      fastRatio: divide(network.tfjsFastMs, network.ortCpuMs),
      wasmRatio: divide(network.ortWasmMs, network.ortCpuMs),
    },
  };
}

const seconds = (ms: number | undefined | null): string => (ms == null ? '' : (ms / 1000).toFixed(2));
const times = (ratio: number | null): string => (ratio === null ? '' : `${ratio.toFixed(2)}x`);

/** The rows as a Markdown table: stage times in seconds, peak memory in MiB. */
export function pathTable(rows: readonly PathRow[]): string {
  const head =
    '| case | model | path | device | tiles | load s | preprocess s | infer s | postprocess s | write s | ' +
    'total s | CPU s | peak RSS MiB | note |';
  const lines = [
    head,
    `|${head
      .split('|')
      .slice(1, -1)
      .map(() => ' --- ')
      .join('|')}|`,
  ];
  for (const row of rows) {
    const m = row.measurement;
    const t = m?.timingsMs;
    const note =
      row.status === 'ok'
        ? [
            row.threads === undefined ? '' : `${row.threads} threads`,
            m!.warnings.length > 0 ? 'warnings' : '',
          ]
            .filter(Boolean)
            .join('; ')
        : `${row.status}: ${row.reason ?? ''}`;
    const cells = [
      row.case,
      row.model,
      row.path,
      m?.device ?? '',
      m === undefined ? '' : String(m.tiles),
      seconds(t?.load),
      seconds(t?.preprocess),
      seconds(t?.infer),
      seconds(t?.postprocess),
      seconds(t?.write),
      seconds(t?.total),
      seconds(m?.cpuMs),
      m === undefined ? '' : m.peakRssMb.toFixed(0),
      note.replace(/\|/g, '/'),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The ratios to ort-cpu per model, as a Markdown table: of the totals, and of the network alone. */
export function ratioTable(summaries: Readonly<Record<string, SegmentSummary>>): string {
  const lines = [
    '| model | ort-cpu s: total (infer) | tfjs-cpu / ort-cpu: total (infer) | tfjs-fast / ort-cpu: total (infer) | ' +
      'ort-wasm / ort-cpu: total (infer) | ort-cuda s: total (infer) |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const pair = (a: number | null, b: number | null, format: (n: number | null) => string) =>
    a === null && b === null ? 'n/a' : `${format(a) || 'n/a'} (${format(b) || 'n/a'})`;
  for (const [name, s] of Object.entries(summaries)) {
    const cells = [
      `${name} (${s.model})`,
      pair(s.ortCpuMs, s.infer.ortCpuMs, seconds),
      pair(s.ratio, s.infer.ratio, times),
      pair(s.fastRatio, s.infer.fastRatio, times),
      pair(s.wasmRatio, s.infer.wasmRatio, times),
      pair(s.ortCudaMs, s.infer.ortCudaMs, seconds),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** One case of bench/train-step.ts's JSON (`cases`), as far as the table reads it. */
export interface TrainCase {
  name: string;
  stock?: { ms: number; cpuMs: number };
  fast?: { ms: number; cpuMs: number };
  ratio?: number;
  ratioCpu?: number;
}

/** bench/train-step.ts's cases as a Markdown table: wall and CPU seconds per step, and ratios. */
export function trainTable(cases: readonly TrainCase[]): string {
  const lines = [
    '| case | stock s (CPU s) | fast s (CPU s) | ratio (wall) | ratio (CPU) |',
    '| --- | --- | --- | --- | --- |',
  ];
  const step = (r?: { ms: number; cpuMs: number }) =>
    r === undefined ? 'n/a' : `${seconds(r.ms)} (${seconds(r.cpuMs)})`;
  for (const c of cases) {
    lines.push(
      `| ${c.name} | ${step(c.stock)} | ${step(c.fast)} | ${times(c.ratio ?? null) || 'n/a'} | ${times(c.ratioCpu ?? null) || 'n/a'} |`,
    );
  }
  return lines.join('\n');
}
