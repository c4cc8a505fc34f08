/**
 * `hadnet evaluate`: scores predicted label maps against reference ones (Dice, HD95, sensitivity,
 * specificity, volumes per region; QU-BraTS uncertainty scores when maps are given), for one case
 * or for every case two folders share. Depends on @hadnet/core's metrics, io/load and node:fs.
 */
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  evaluateSegmentation,
  evaluationsCsv,
  log,
  meanEvaluation,
  REGIONS,
  type Region,
  ModalityMismatchError,
  type LabelConvention,
  type SegmentationEvaluation,
  type UncertaintyScore,
  type Volume,
} from '@hadnet/core';
import { loadVolume } from '../io/load.js';
import { UsageError, type Command } from './run.js';

const USAGE = `Usage:
  hadnet evaluate --pred FILE --truth FILE [--labels brats|brats2023] [--mask FILE]
                  [--unc-whole FILE --unc-core FILE --unc-enhance FILE] [--csv FILE] [--json]
  hadnet evaluate --pred-dir DIR --truth-dir DIR [--labels brats|brats2023] [--csv FILE] [--json]

Scores predicted BraTS label maps against reference ones, per region (ET, TC, WT): Dice, 95 %
Hausdorff distance in mm, sensitivity, specificity and volumes in mL, as CONTRACTS.md defines them.

Options:
  --pred FILE, --truth FILE   one case: the predicted and the reference label map (same grid)
  --labels CONVENTION         label values of both maps: brats (1, 2, 4; default) or brats2023 (1, 2, 3)
  --mask FILE                 brain mask (non-zero = brain; a skull-stripped image will do) for
                              specificity and the uncertainty ratios; the whole grid otherwise
  --unc-whole/--unc-core/--unc-enhance FILE
                              QU-BraTS uncertainty maps (0-100) for WT, TC and ET: adds their areas
                              under the filtered Dice, FTP and FTN curves and the combined score
  --pred-dir DIR, --truth-dir DIR
                              every case found in both folders, as case folders <case>/seg.nii.gz or
                              files <case>*.nii.gz, matched by case id. A truth case folder holding
                              flair/t1/t1ce/t2.nii.gz gives the brain mask (their non-zero union); a
                              pred case folder holding unc_whole/unc_core/unc_enhance.nii.gz is
                              scored for uncertainty too. Prints every case and the means.
  --csv FILE                  also write one row per case (and the means) as CSV
  --json                      print one JSON object: { regions: { ET, TC, WT }, uncertainty? } for
                              one case; { cases: [...], mean, skipped } for folders`;

const VALUE_FLAGS = {
  '--pred': 'pred',
  '--truth': 'truth',
  '--labels': 'labels',
  '--mask': 'mask',
  '--unc-whole': 'uncWhole',
  '--unc-core': 'uncCore',
  '--unc-enhance': 'uncEnhance',
  '--pred-dir': 'predDir',
  '--truth-dir': 'truthDir',
  '--csv': 'csv',
} as const;
type Flag = (typeof VALUE_FLAGS)[keyof typeof VALUE_FLAGS];
type Args = Partial<Record<Flag, string>> & { json: boolean };

const UNCERTAINTY_FILES: Record<Region, string> = { WT: 'unc_whole', TC: 'unc_core', ET: 'unc_enhance' };
const SEQUENCE_FILES = ['flair', 't1', 't1ce', 't2'];

/** One case of a folder evaluation. */
interface CaseFiles {
  id: string;
  pred: string;
  truth: string;
  /** Sequences beside the truth, whose non-zero union is the brain mask. */
  sequences: string[];
  uncertainty?: Record<Region, string>;
}

export const evaluateCommand: Command = {
  summary: 'score predicted label maps against reference ones (Dice, HD95, QU-BraTS)',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv);
    const labelConvention = (args.labels ?? 'brats') as LabelConvention;
    if (args.predDir !== undefined) {
      await evaluateFolders(args, labelConvention);
      return;
    }

    // one case: every file at once, then the metrics
    const uncFlags = { WT: args.uncWhole, TC: args.uncCore, ET: args.uncEnhance };
    const [pred, truth, brainMask, ...maps] = await Promise.all([
      loadVolume(args.pred!),
      loadVolume(args.truth!),
      args.mask === undefined ? undefined : loadVolume(args.mask),
      ...REGIONS.map((r) => (uncFlags[r] === undefined ? undefined : loadVolume(uncFlags[r]))),
    ]);
    const uncertainty = uncFlags.WT === undefined ? undefined : byRegion((r) => maps[REGIONS.indexOf(r)]!);
    const result = evaluateSegmentation({
      pred,
      truth,
      labelConvention,
      brainMask,
      uncertainty,
      names: { pred: args.pred, truth: args.truth, brainMask: args.mask, uncertainty: uncFlags },
    });
    if (args.csv !== undefined) {
      await writeAtomically(args.csv, evaluationsCsv([{ case: args.pred!, result }]));
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const lines = [
      `pred        ${args.pred}`,
      `truth       ${args.truth}`,
      `labels      ${labelConvention}`,
      `brain mask  ${args.mask ?? 'none (whole grid)'}`,
      '',
      ...regionTable(result),
    ];
    if (result.uncertainty) lines.push('', ...uncertaintyTable(result.uncertainty));
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};

/** Reads the flags; every usage error is found here, before any file is read. */
function parseArgs(argv: string[]): Args {
  const args: Args = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s, 2) : [argv[i]];
    if (flag === '--json' && inline === undefined) {
      args.json = true;
      continue;
    }
    const key = VALUE_FLAGS[flag as keyof typeof VALUE_FLAGS];
    if (key === undefined) {
      throw new UsageError(
        flag.startsWith('-')
          ? `unknown option ${flag}`
          : `unexpected argument '${flag}'; files go after their flag`,
      );
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`${flag} needs a value`);
    }
    if (args[key] !== undefined) throw new UsageError(`${flag} given twice`);
    args[key] = value;
  }

  const single = args.pred !== undefined || args.truth !== undefined;
  const folders = args.predDir !== undefined || args.truthDir !== undefined;
  const unc = [args.uncWhole, args.uncCore, args.uncEnhance].filter((f) => f !== undefined).length;
  if (single && folders) throw new UsageError('give --pred/--truth or --pred-dir/--truth-dir, not both');
  if (!single && !folders) throw new UsageError('missing --pred and --truth (or --pred-dir and --truth-dir)');
  if (single && (args.pred === undefined || args.truth === undefined)) {
    throw new UsageError(`missing ${args.pred === undefined ? '--pred' : '--truth'}`);
  }
  if (folders && (args.predDir === undefined || args.truthDir === undefined)) {
    throw new UsageError(`missing ${args.predDir === undefined ? '--pred-dir' : '--truth-dir'}`);
  }
  if (folders && (args.mask !== undefined || unc > 0)) {
    throw new UsageError(
      '--mask and --unc-* go with --pred/--truth; with folders, each case folder supplies its own',
    );
  }
  if (unc !== 0 && unc !== 3) {
    throw new UsageError('give all three of --unc-whole, --unc-core, --unc-enhance, or none');
  }
  if (args.labels !== undefined && args.labels !== 'brats' && args.labels !== 'brats2023') {
    throw new UsageError(`--labels must be brats or brats2023; got '${args.labels}'`);
  }
  return args;
}

/** Evaluates every case the two folders share, then prints the cases and their means. */
async function evaluateFolders(args: Args, labelConvention: LabelConvention): Promise<void> {
  const { cases, skipped } = await matchCases(args.predDir!, args.truthDir!);
  if (cases.length === 0) {
    throw new RangeError(
      `hadnet evaluate: no case found in both --pred-dir ${args.predDir} and --truth-dir ${args.truthDir}; ` +
        'expected case folders <case>/seg.nii.gz or files <case>*.nii.gz with matching case ids',
    );
  }
  for (const [side, ids] of Object.entries(skipped)) {
    if (ids.length > 0) {
      log.warn(
        `evaluate: ${ids.length} case(s) only in the ${side} folder, skipped: ${ids.slice(0, 5).join(', ')}`,
      );
    }
  }

  // one case at a time, so that memory holds one case
  const rows: { id: string; files: CaseFiles; brainMask: string; result: SegmentationEvaluation }[] = [];
  for (const [n, files] of cases.entries()) {
    progress(n, cases.length, files.id);
    const [pred, truth] = await Promise.all([loadVolume(files.pred), loadVolume(files.truth)]);
    const brainMask = await unionMask(files.sequences, truth, files.truth);
    const uncertainty = files.uncertainty
      ? await loadByRegion((r) => loadVolume(files.uncertainty![r]))
      : undefined;
    const result = evaluateSegmentation({
      pred,
      truth,
      labelConvention,
      brainMask,
      uncertainty,
      names: {
        pred: files.pred,
        truth: files.truth,
        brainMask: `non-zero union of ${files.sequences.join(', ')}`,
        uncertainty: files.uncertainty,
      },
    });
    rows.push({ id: files.id, files, brainMask: brainMask ? 'sequences' : 'none', result });
  }
  progress(cases.length, cases.length, 'done');

  const mean = meanEvaluation(rows.map((r) => r.result));
  if (args.csv !== undefined) {
    const csvRows = [...rows.map((r) => ({ case: r.id, result: r.result })), { case: 'mean', result: mean }];
    await writeAtomically(args.csv, evaluationsCsv(csvRows));
  }
  if (args.json) {
    const out = rows.map(({ id, files, brainMask, result }) => ({
      case: id,
      pred: files.pred,
      truth: files.truth,
      brainMask,
      ...result,
    }));
    process.stdout.write(`${JSON.stringify({ cases: out, mean, skipped })}\n`);
    return;
  }
  const header =
    `${'case'.padEnd(28)}${REGIONS.map((r) => `Dice ${r}`.padStart(9)).join('')}` +
    REGIONS.map((r) => `HD95 ${r}`.padStart(9)).join('');
  const line = (id: string, r: SegmentationEvaluation) =>
    `${id.padEnd(28)}${REGIONS.map((g) => fixed(r.regions[g].dice, 4).padStart(9)).join('')}` +
    REGIONS.map((g) => fixed(r.regions[g].hd95, 2).padStart(9)).join('');
  const lines = [header, ...rows.map((r) => line(r.id, r.result)), line(`mean of ${rows.length}`, mean)];
  if (mean.uncertainty) {
    lines.push('', 'mean uncertainty scores (QU-BraTS)', ...uncertaintyTable(mean.uncertainty));
  }
  if (args.csv !== undefined) lines.push('', `CSV written to ${args.csv}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A case in one folder: its id, its label map and what lies beside it. */
interface Candidate {
  id: string;
  file: string;
  sequences: string[];
  uncertainty?: Record<Region, string>;
}

/** A folder's candidate cases: case folders holding seg.nii(.gz), and .nii(.gz) files. */
async function listCases(dir: string, side: 'pred' | 'truth'): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const exists = async (path: string) => (await stat(path).catch(() => undefined))?.isFile() ?? false;
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await stat(path);
    if (info.isDirectory()) {
      const seg = ['seg.nii.gz', 'seg.nii'].map((f) => join(path, f));
      const file = (await exists(seg[0])) ? seg[0] : (await exists(seg[1])) ? seg[1] : undefined;
      if (file === undefined) continue;
      const sequences: string[] = [];
      if (side === 'truth') {
        for (const s of SEQUENCE_FILES)
          if (await exists(join(path, `${s}.nii.gz`))) sequences.push(join(path, `${s}.nii.gz`));
      }
      const unc = byRegion((r) => join(path, `${UNCERTAINTY_FILES[r]}.nii.gz`));
      const withUnc =
        side === 'pred' && (await Promise.all(REGIONS.map((r) => exists(unc[r])))).every(Boolean);
      out.push({ id: name, file, sequences, uncertainty: withUnc ? unc : undefined });
    } else if (info.isFile() && /\.nii(\.gz)?$/.test(name)) {
      out.push({ id: name.replace(/\.nii(\.gz)?$/, ''), file: path, sequences: [] });
    }
  }
  return out;
}

/**
 * Pairs the two folders' cases by id: equal ids, or one id followed by `_`, `-` or `.` and more
 * (`Brats18_X_1` matches `Brats18_X_1_seg.nii.gz`, not `Brats18_X_10.nii.gz`). The case is named
 * by the shorter id.
 */
async function matchCases(predDir: string, truthDir: string) {
  const [preds, truths] = await Promise.all([listCases(predDir, 'pred'), listCases(truthDir, 'truth')]);
  const related = (a: string, b: string) =>
    a === b || a.startsWith(`${b}_`) || a.startsWith(`${b}-`) || a.startsWith(`${b}.`);
  const cases: CaseFiles[] = [];
  const usedPreds = new Set<string>();
  for (const t of truths) {
    const exact = preds.filter((p) => p.id === t.id);
    const found = exact.length > 0 ? exact : preds.filter((p) => related(p.id, t.id) || related(t.id, p.id));
    if (found.length === 0) continue;
    if (found.length > 1) {
      throw new RangeError(
        `hadnet evaluate: truth case ${t.id} matches ${found.length} predictions (${found.map((p) => p.file).join(', ')}); rename them apart`,
      );
    }
    const p = found[0];
    if (usedPreds.has(p.file)) {
      throw new RangeError(
        `hadnet evaluate: prediction ${p.file} matches more than one truth case; rename them apart`,
      );
    }
    usedPreds.add(p.file);
    const id = p.id.length < t.id.length ? p.id : t.id;
    cases.push({ id, pred: p.file, truth: t.file, sequences: t.sequences, uncertainty: p.uncertainty });
  }
  const matchedTruths = new Set(cases.map((c) => c.truth));
  return {
    cases,
    skipped: {
      pred: preds.filter((p) => !usedPreds.has(p.file)).map((p) => p.id),
      truth: truths.filter((t) => !matchedTruths.has(t.file)).map((t) => t.id),
    },
  };
}

/** The non-zero union of the sequences, on the truth's grid; undefined without sequences. */
async function unionMask(files: string[], truth: Volume, truthFile: string): Promise<Volume | undefined> {
  if (files.length === 0) return undefined;
  const mask = new Uint8Array(truth.data.length);
  for (const file of files) {
    const image = await loadVolume(file);
    const sameAffine = image.affine.every((row, r) =>
      row.every((x, c) => Math.abs(x - truth.affine[r][c]) <= 1e-3),
    );
    if (image.data.length !== mask.length || image.shape.join() !== truth.shape.join() || !sameAffine) {
      throw new ModalityMismatchError(
        `hadnet evaluate: ${file} (for the brain mask) and ${truthFile} are on different grids: ` +
          `shape [${image.shape.join(', ')}] vs [${truth.shape.join(', ')}]${sameAffine ? '' : ', affines differ'}`,
      );
    }
    for (let v = 0; v < mask.length; v++) if (image.data[v] !== 0) mask[v] = 1;
  }
  return { data: mask, shape: truth.shape, spacing: truth.spacing, affine: truth.affine };
}

/** Writes text under a temporary name, then renames it into place. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function regionTable(result: SegmentationEvaluation): string[] {
  const head = ['region', 'Dice', 'HD95 mm', 'sensitivity', 'specificity', 'pred mL', 'truth mL'];
  const rows = REGIONS.map((r) => {
    const m = result.regions[r];
    return [
      r,
      fixed(m.dice, 4),
      fixed(m.hd95, 2),
      fixed(m.sensitivity, 4),
      fixed(m.specificity, 4),
      fixed(m.volumeMl.pred, 2),
      fixed(m.volumeMl.truth, 2),
    ];
  });
  return [head, ...rows].map((cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(8) : c.padStart(13))).join(''),
  );
}

function uncertaintyTable(scores: Partial<Record<Region, UncertaintyScore>>): string[] {
  const head = ['region', 'AUC Dice', 'AUC FTP', 'AUC FTN', 'score'];
  const rows = REGIONS.filter((r) => scores[r]).map((r) => {
    const u = scores[r]!;
    return [r, fixed(u.aucDice, 4), fixed(u.aucFtp, 4), fixed(u.aucFtn, 4), fixed(u.score, 4)];
  });
  return [head, ...rows].map((cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(8) : c.padStart(11))).join(''),
  );
}

/** Progress on stderr: a bar on a terminal, plain lines otherwise. */
function progress(done: number, total: number, label: string): void {
  if (process.stderr.isTTY) {
    const width = 24;
    const filled = Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${label.padEnd(30)}`,
    );
    if (done === total) process.stderr.write('\n');
  } else if (done < total) {
    process.stderr.write(`hadnet: evaluate: case ${done + 1}/${total} ${label}\n`);
  }
}

const fixed = (x: number, digits: number) => x.toFixed(digits);

function byRegion<T>(f: (region: Region) => T): Record<Region, T> {
  return { ET: f('ET'), TC: f('TC'), WT: f('WT') };
}

async function loadByRegion(f: (region: Region) => Promise<Volume>): Promise<Record<Region, Volume>> {
  const volumes = await Promise.all(REGIONS.map(f));
  return byRegion((r) => volumes[REGIONS.indexOf(r)]);
}
