/**
 * `hadnet segment`: segments one case and writes seg.nii.gz, the optional uncertainty and
 * probability maps, and report.json. Progress goes to stderr (a bar on a terminal, plain lines
 * otherwise); with `--json` stdout holds only the result object. Depends on @hadnet/core and
 * ../segment.
 */
import { readdir } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseCaseFileName, type SegmentProgress, type Sequence } from '@hadnet/core';
import { caseInputs } from '../cohort/case-inputs.js';
import { checkOutputFolder, OutputPathError } from '../io/output-path.js';
import { segment, segmentationFilesIn, writeSegmentation } from '../segment.js';
import { caseId } from './case-id.js';
import { parseArgs, segmentOptionsFromFlags } from './flags.js';
import { UsageError, type Command } from './run.js';

const usage = `Usage: hadnet segment --t1 F --t2 F --flair F [--t1ce F] --out DIR [options]
       hadnet segment --case-dir DIR --out DIR [options]

Segments a brain tumour (BraTS labels 1 NCR/NET, 2 oedema, 4 enhancing) from skull-stripped,
co-registered MRI, without the post-contrast T1. Research software: not for clinical decisions.

Inputs:
  --flair F, --t1 F, --t2 F, --t1ce F
                        NIfTI files (.nii, .nii.gz); the model's card says which it needs
  --case-dir DIR        find them in DIR: flair/t1/t1ce/t2.nii.gz, <case>_flair.nii.gz ...
                        (BraTS 2017-2021) or <case>-t2f/-t1n/-t1c/-t2w.nii.gz (BraTS 2023+)
  --case-id ID          the case id in report.json (default: the --case-dir folder's name, else
                        <case> of a FLAIR named <case>_flair/<case>-t2f.nii.gz, else the FLAIR's
                        folder for flair.nii.gz, else the FLAIR's name without .nii/.nii.gz)
Output:
  --out DIR             writes DIR/seg.nii.gz (uint8, on the FLAIR's grid) and DIR/report.json;
                        checked before segmenting: a DIR that already holds hadnet's outputs is
                        refused unless --overwrite is given
  --overwrite           replace an earlier run's outputs in DIR; those this run does not write
                        (unc_*, prob_*) and temporary files of a killed run are removed
  --uncertainty         also DIR/unc_whole.nii.gz, unc_core.nii.gz, unc_enhance.nii.gz (0-100)
  --save-probabilities  also DIR/prob_background, prob_ncr_net, prob_oedema, prob_enhancing.nii.gz
  --labels brats|brats2023
                        enhancing tumour written as 4 (brats, the default) or 3 (brats2023)
  --json                print the report as one JSON object on stdout, and nothing else
Model and device:
  --model M             an ONNX model exported by hadnet-train (default: the shipped model)
  --device auto|cuda|webgpu|cpu
                        where the model runs (default auto: CUDA, then WebGPU, then CPU)
  --overlap X           tile overlap in [0, 1) for models run in tiles (default 0.5)
  --tta                 test-time mirroring along the axes the model was trained to mirror
                        (left-right: 2 passes), probabilities averaged
  --strict              refuse inputs that do not look skull-stripped or co-registered
  --zero-non-finite     set NaN and infinite voxels to 0, with a warning in report.json
                        (default: refuse such a file)
  --                    end of options (nothing may follow: every input goes after its flag)`;

const VALUE_FLAGS = [
  '--flair',
  '--t1',
  '--t2',
  '--t1ce',
  '--case-dir',
  '--out',
  '--model',
  '--device',
  '--overlap',
  '--labels',
  '--case-id',
];
const SWITCHES = [
  '--tta',
  '--uncertainty',
  '--save-probabilities',
  '--json',
  '--strict',
  '--zero-non-finite',
  '--overwrite',
];

/** The inputs: from --case-dir (symbolic links included), then the single-file flags (which win). */
async function findInputs(flags: Map<string, string | true>): Promise<Partial<Record<Sequence, string>>> {
  const single: Partial<Record<Sequence, string>> = {};
  for (const sequence of ['flair', 't1', 't1ce', 't2'] as const) {
    const file = flags.get(`--${sequence}`) as string | undefined;
    if (file !== undefined) single[sequence] = file;
  }
  const caseDir = flags.get('--case-dir') as string | undefined;
  return caseInputs({ id: caseDir ?? 'case', dir: caseDir, inputs: single });
}

/**
 * Progress for the CLI: one redrawn bar on a terminal, plain lines (at most every 10 % of tiles)
 * otherwise.
 * @param stream - where to write (stderr); `isTTY` picks the bar
 */
export function progressReporter(
  stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>,
): (progress: SegmentProgress) => void {
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  return (progress) => {
    if (progress.status === 'infer') {
      const { tilesDone, tilesTotal } = progress;
      if (tty) {
        const width = 30;
        const filled = Math.round((width * tilesDone) / tilesTotal);
        stream.write(
          `\rhadnet: infer [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${tilesDone}/${tilesTotal} tiles`,
        );
        if (tilesDone === tilesTotal) stream.write('\n');
        return;
      }
      const tenth = Math.floor((10 * tilesDone) / tilesTotal);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`hadnet: infer ${tilesDone}/${tilesTotal} tiles\n`);
      return;
    }
    if (progress.status === 'done') {
      stream.write(
        `hadnet: segmented on ${progress.device} in ${(progress.timingsMs.total / 1000).toFixed(1)} s; writing\n`,
      );
      return;
    }
    stream.write(`hadnet: ${progress.status}\n`);
  };
}

export const segmentCommand: Command = {
  summary: 'segment a case: seg.nii.gz, uncertainty maps and report.json',
  usage,
  async run(argv) {
    // arguments: inputs, output folder, options
    const { flags } = parseArgs(argv, {
      values: VALUE_FLAGS,
      switches: SWITCHES,
      strayHint: 'files go after --flair, --t1, ...',
    });
    const out = flags.get('--out') as string | undefined;
    if (out === undefined) throw new UsageError('missing --out DIR');
    if (!['--case-dir', '--flair', '--t1', '--t2', '--t1ce'].some((f) => flags.has(f))) {
      throw new UsageError(
        'no input: give --case-dir DIR, or --flair, --t1 and --t2 (and --t1ce for a teacher model)',
      );
    }
    const id = flags.get('--case-id') as string | undefined;
    if (id !== undefined && (id.trim() === '' || [...id].some((c) => c.charCodeAt(0) < 32))) {
      throw new UsageError(
        `--case-id must be a non-empty name without control characters; got ${JSON.stringify(id)}`,
      );
    }
    const options = segmentOptionsFromFlags(flags);
    const json = flags.has('--json');

    // the output folder, before any work: not a file, not a case folder with its own label map
    // (seg.nii.gz beside <case>_seg.nii.gz would be mistaken for the reference), and no earlier
    // outputs unless --overwrite
    const state = await checkOutputFolder('hadnet segment: --out', out);
    if (state === 'folder') {
      const references = (await readdir(out)).filter(
        (f) => f !== 'seg.nii.gz' && parseCaseFileName(f)?.kind === 'seg',
      );
      if (references.length > 0) {
        throw new OutputPathError(
          'EEXIST',
          out,
          `hadnet segment: --out ${out} holds a label map, ${references.join(', ')}: a case folder; ` +
            'write the outputs to another folder',
        );
      }
    }
    if (state === 'folder' && !flags.has('--overwrite')) {
      const { outputs } = await segmentationFilesIn(out);
      if (outputs.length > 0) {
        throw new OutputPathError(
          'EEXIST',
          out,
          `hadnet segment: --out ${out} already holds ${outputs.join(', ')} from an earlier run; ` +
            'pass --overwrite to replace them, or choose another folder',
        );
      }
    }
    const inputs = await findInputs(flags);

    // segment, then write every file at once
    const result = await segment(inputs, { ...options, onProgress: progressReporter(process.stderr) });
    const caseDir = flags.get('--case-dir') as string | undefined;
    const { files, report } = await writeSegmentation(result, out, {
      case: caseId({ caseId: id, caseDir, inputs }),
    });
    if (json) {
      process.stdout.write(`${JSON.stringify({ ...report, files })}\n`);
      return;
    }
    const { ET, TC, WT } = report.volumesMl;
    process.stdout.write(
      `case        ${report.case}\n` +
        `device      ${report.device}${result.deviceAttempts.length > 0 ? ` (dropped: ${result.deviceAttempts.map((a) => a.device).join(', ')})` : ''}\n` +
        `model       ${report.model.file} (${report.model.role})\n` +
        `volumes     ET ${ET.toFixed(2)} mL, TC ${TC.toFixed(2)} mL, WT ${WT.toFixed(2)} mL\n` +
        `time        ${(report.timingsMs.total / 1000).toFixed(1)} s\n` +
        `written     ${files.map((f) => basename(f)).join(', ')} in ${resolve(out)}\n`,
    );
  },
};
