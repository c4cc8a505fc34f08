/**
 * The hadnet demo page: FLAIR, T1 and T2 from file pickers, a drop or the shipped example case;
 * segment() in a web worker (WebGPU, else WebAssembly); niivue with the labels and an uncertainty
 * map overlaid; the device that ran, region volumes, and seg.nii.gz to save. Nothing leaves the
 * page's origin.
 *
 * URL parameters, for links and automated tests: `model` (a model URL instead of the default),
 * `device` (`auto`, `webgpu` or `wasm`), `example` (another case folder holding flair.nii.gz,
 * t1.nii.gz and t2.nii.gz).
 */
import {
  matchCaseFiles,
  SegmentWorker,
  writeNifti,
  type Device,
  type SegmentationResult,
  type SegmentProgress,
} from '@hadnet/infer-web';
import { DEFAULT_MODEL, EXAMPLE_CASE, ORT_FOLDER } from './config.js';
import { css, ED_COLOUR, ET_COLOUR, NCR_COLOUR, type Rgb } from './palette.js';
import { labelFocusMm, Viewer } from './viewer.js';

type Input = 'flair' | 't1' | 't2';
type Source = File | URL;
const INPUTS: readonly Input[] = ['flair', 't1', 't2'];
const UNCERTAINTY = { WT: 'wholeTumour', TC: 'tumourCore', ET: 'enhancingTumour' } as const;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const page = new URL('.', location.href);
const worker = new Worker(new URL('./segment.worker.ts', import.meta.url), { type: 'module' });
const segmenter = new SegmentWorker(worker, { wasmPaths: new URL(ORT_FOLDER, page).href });
const viewer = new Viewer($<HTMLCanvasElement>('viewer'));

const inputs: Partial<Record<Input, Source>> = {};
let model: Source = new URL(params.get('model') ?? DEFAULT_MODEL.url, page);
let result: SegmentationResult | undefined;
let segBytes: Uint8Array | undefined;
/** The label map as plain `.nii` bytes, for the viewer. */
let segPlain: Uint8Array | undefined;

// the legend, in the overlay's own colours
const legend: [Rgb, string][] = [
  [NCR_COLOUR, 'NCR/NET (1)'],
  [ED_COLOUR, 'ED (2)'],
  [ET_COLOUR, 'ET (4; 3 in BraTS 2023)'],
];
$('legend').innerHTML = legend
  .map(([colour, name]) => `<span><i style="background:${css(colour)}"></i>${name}</span>`)
  .join('');
const device = params.get('device');
if (device === 'auto' || device === 'webgpu' || device === 'wasm')
  $<HTMLSelectElement>('device').value = device;

/** Shows a message in the status line; `state` is for automated tests (data-state). */
function status(text: string, state: 'idle' | 'running' | 'done' | 'error'): void {
  const line = $('status');
  line.textContent = text;
  line.dataset.state = state;
}

function showInputs(): void {
  for (const input of INPUTS) {
    const source = inputs[input];
    $(`${input}-name`).textContent =
      source === undefined ? 'none' : source instanceof URL ? source.pathname.split('/').pop()! : source.name;
  }
  $<HTMLButtonElement>('run').disabled = INPUTS.some((input) => inputs[input] === undefined);
}

async function bytesOf(source: Source): Promise<Uint8Array> {
  if (source instanceof URL) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`GET ${source.href} answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  return new Uint8Array(await source.arrayBuffer());
}

async function showFlair(): Promise<void> {
  if (inputs.flair === undefined) return;
  await viewer.showImage(await bytesOf(inputs.flair), 'flair.nii.gz');
}

/** Files from a picker or a drop, matched to sequences by name (flair, t1, t2, BraTS suffixes). */
function assign(files: File[]): void {
  const byName = new Map(files.map((file) => [file.name, file]));
  const matched = matchCaseFiles([...byName.keys()], 'the dropped files');
  for (const input of INPUTS) {
    const name = matched[input];
    if (name !== undefined) inputs[input] = byName.get(name)!;
  }
  showInputs();
  void showFlair();
}

function progressText(progress: SegmentProgress): [string, number] {
  switch (progress.status) {
    case 'load':
      return ['loading the model and the images', 0.05];
    case 'preprocess':
      return ['preprocessing', 0.15];
    case 'infer':
      return [
        `running the network: ${progress.tilesDone} of ${progress.tilesTotal}`,
        0.2 + (0.65 * progress.tilesDone) / Math.max(1, progress.tilesTotal),
      ];
    case 'postprocess':
      return ['back to the input grid', 0.9];
    case 'done':
      return [`done in ${(progress.timingsMs.total / 1000).toFixed(1)} s on ${progress.device}`, 1];
  }
}

async function showUncertainty(): Promise<void> {
  if (result?.uncertainty === undefined || segPlain === undefined) return;
  const region = $<HTMLSelectElement>('unc-region').value as keyof typeof UNCERTAINTY;
  const map = writeNifti(result.uncertainty[UNCERTAINTY[region]], { datatype: 'uint8', gzip: false });
  await viewer.showSegmentation(segPlain, map, result.labelConvention);
  viewer.setUncertaintyVisible($<HTMLInputElement>('unc-visible').checked);
  const focus = labelFocusMm(result.labels, result.labelConvention === 'brats2023' ? 3 : 4);
  if (focus !== undefined) viewer.centreOn(focus);
}

function showResult(r: SegmentationResult): void {
  $('device-ran').textContent = r.device;
  $('device-dropped').textContent =
    r.deviceAttempts.length === 0
      ? ''
      : r.deviceAttempts.map((a) => `${a.device} dropped: ${a.reason}`).join('; ');
  for (const region of ['ET', 'TC', 'WT'] as const)
    $(`volume-${region}`).textContent = r.volumesMl[region].toFixed(2);
  $('warnings').textContent = r.warnings.join(' ');
  $<HTMLButtonElement>('save').disabled = false;
}

async function run(): Promise<void> {
  const bar = $<HTMLProgressElement>('progress');
  $<HTMLButtonElement>('run').disabled = true;
  $<HTMLButtonElement>('save').disabled = true;
  status('starting', 'running');
  bar.value = 0;
  try {
    await showFlair();
    const r = await segmenter.segment(
      { flair: inputs.flair!, t1: inputs.t1!, t2: inputs.t2! },
      {
        model: model instanceof File ? new Uint8Array(await model.arrayBuffer()) : model,
        device: $<HTMLSelectElement>('device').value as Device,
        uncertainty: true,
        onProgress: (progress) => {
          const [text, fraction] = progressText(progress);
          bar.value = fraction;
          status(text, 'running');
        },
      },
    );
    result = r;
    segBytes = writeNifti(r.labels, { datatype: 'uint8' });
    segPlain = writeNifti(r.labels, { datatype: 'uint8', gzip: false });
    showResult(r);
    await showUncertainty();
    window.hadnetDemo!.lastResult = r;
    status(`done in ${(r.timingsMs.total / 1000).toFixed(1)} s on ${r.device}`, 'done');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missingModel = code === 'EFETCH' && model instanceof URL && model.href.endsWith(DEFAULT_MODEL.url);
    status(
      missingModel
        ? `This build has no default model (${DEFAULT_MODEL.url}): choose a model file (.onnx) exported by hadnet-train.`
        : `${code === undefined ? '' : `${code}: `}${(error as Error).message}`,
      'error',
    );
  } finally {
    showInputs();
  }
}

function save(): void {
  if (segBytes === undefined) return;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([segBytes.slice()], { type: 'application/gzip' }));
  link.download = 'seg.nii.gz';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// inputs: one picker per sequence, a drop anywhere on the inputs panel, or the example case
for (const input of INPUTS) {
  $<HTMLInputElement>(`${input}-file`).addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    inputs[input] = file;
    showInputs();
    if (input === 'flair') void showFlair();
  });
}
const drop = $('inputs');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  try {
    assign([...(event.dataTransfer?.files ?? [])]);
  } catch (error) {
    status((error as Error).message, 'error');
  }
});
$('example').addEventListener('click', () => {
  const folder = new URL(params.get('example') ?? EXAMPLE_CASE.url, page);
  for (const input of INPUTS) inputs[input] = new URL(EXAMPLE_CASE.files[input], folder);
  showInputs();
  void run();
});
$<HTMLInputElement>('model-file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file === undefined) return;
  model = file;
  $('model-name').textContent = file.name;
});
$('run').addEventListener('click', () => void run());
$('save').addEventListener('click', save);
$('unc-region').addEventListener('change', () => void showUncertainty());
$<HTMLInputElement>('unc-visible').addEventListener('change', (event) =>
  viewer.setUncertaintyVisible((event.target as HTMLInputElement).checked),
);
$('model-name').textContent = (model as URL).pathname.split('/').pop()!;
showInputs();
status('idle', 'idle');

/** For scripts and automated tests: the worker's segment() and the last result. */
declare global {
  interface Window {
    hadnetDemo?: { segment: SegmentWorker['segment']; lastResult?: SegmentationResult };
  }
}
window.hadnetDemo = { segment: (i, o) => segmenter.segment(i, o) };
