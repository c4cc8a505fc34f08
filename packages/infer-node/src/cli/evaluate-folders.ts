/**
 * `hadnet evaluate --pred-dir DIR --truth-dir DIR`: scores every truth case, one at a time. A case
 * whose prediction is missing, unreadable or unusable does not stop the others: it is listed with
 * its reason and, as in the BraTS challenge ranking, enters the mean with the worst scores (Dice 0,
 * HD95 the grid's diagonal, sensitivity and specificity 0); a case whose reference cannot be read
 * is listed and left out of the mean. Everything is printed (and the CSV written) before the
 * command fails with EVALUATION_INCOMPLETE. See docs/cli.md. Depends on @hadnet/core's metrics,
 * ../io and the files beside it.
 */
import {
  evaluateSegmentation,
  evaluationsCsv,
  gridDiagonalMm,
  HadnetError,
  log,
  meanEvaluation,
  ModalityMismatchError,
  REGIONS,
  type LabelConvention,
  type Region,
  type RegionMetrics,
  type SegmentationEvaluation,
  type Volume,
} from '@hadnet/core';
import { writeTextAtomic } from '../cohort/write-atomic.js';
import { loadVolume } from '../io/load.js';
import { outputError } from '../io/output-path.js';
import { listCases, matchCases, type TruthCase } from './evaluate-cases.js';
import {
  byRegion,
  caseTableHeader,
  caseTableRow,
  fixed,
  progress,
  uncertaintyTable,
} from './evaluate-format.js';
import { errorCode } from './run.js';

/** What `hadnet evaluate` with folders needs from its flags. */
export interface FolderEvaluationArgs {
  predDir: string;
  truthDir: string;
  labelConvention: LabelConvention;
  /** Where to write the CSV (checked by the caller before any case is read). */
  csv?: string;
  json: boolean;
  /** Truth cases without any prediction are skipped instead of scored as misses. */
  skipMissing: boolean;
}

/** A scored case, as the JSON's `cases` lists it. */
interface ScoredCase extends SegmentationEvaluation {
  case: string;
  pred: string;
  truth: string;
  brainMask: 'sequences' | 'none';
}

/**
 * A case that could not be scored, as the JSON's `failed` lists it: `penalised` cases (the
 * prediction is missing, unreadable or unusable) carry the worst scores they entered the mean
 * with; the others (the reference is unusable) are left out of the mean.
 */
interface FailedCase {
  case: string;
  pred: string | null;
  truth: string;
  /** `MISSING_PREDICTION`, `AMBIGUOUS_PREDICTION`, or the error's code (`ENOENT`, `INVALID_VOLUME`, ...). */
  code: string;
  reason: string;
  penalised: boolean;
  regions?: Record<Region, RegionMetrics>;
}

/**
 * Folders in which some truth cases could not be scored. The scores of the others were printed
 * (and the CSV written) first. Code `EVALUATION_INCOMPLETE`.
 */
export class EvaluationIncompleteError extends HadnetError {
  constructor(message: string) {
    super('EVALUATION_INCOMPLETE', message);
    this.name = 'EvaluationIncompleteError';
  }
}

/** A truth case without a prediction to score, with the code of why. */
class UnmatchedPrediction extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Scores every truth case of the folders, prints the cases and the mean (and writes the CSV).
 * @throws RangeError when no truth case has a prediction (nothing to score; likely the wrong folders)
 * @throws EvaluationIncompleteError after printing, when any case failed
 */
export async function evaluateFolders(args: FolderEvaluationArgs): Promise<void> {
  const [preds, truths] = await Promise.all([
    listCases(args.predDir, 'pred'),
    listCases(args.truthDir, 'truth'),
  ]);
  const { cases, unusedPreds } = matchCases(preds, truths);
  if (!cases.some((c) => c.pred !== undefined)) {
    throw new RangeError(
      `hadnet evaluate: no case found in both --pred-dir ${args.predDir} and --truth-dir ${args.truthDir}; ` +
        'expected case folders <case>/seg.nii.gz or files <case>*.nii.gz with matching case ids',
    );
  }
  const isMissing = (c: TruthCase) => c.unmatched?.code === 'MISSING_PREDICTION';
  const skipped = {
    pred: unusedPreds,
    truth: args.skipMissing ? cases.filter(isMissing).map((c) => c.id) : [],
  };
  for (const [side, ids] of Object.entries(skipped)) {
    if (ids.length > 0) {
      log.warn(
        `evaluate: ${ids.length} case(s) only in the ${side} folder, skipped: ${ids.slice(0, 5).join(', ')}`,
      );
    }
  }
  const toScore = args.skipMissing ? cases.filter((c) => !isMissing(c)) : cases;

  // one case at a time, so that memory holds one case
  const scored: ScoredCase[] = [];
  const failed: FailedCase[] = [];
  const order: (ScoredCase | FailedCase)[] = [];
  for (const [n, entry] of toScore.entries()) {
    progress(n, toScore.length, entry.id);
    const outcome = await scoreCase(entry, args.labelConvention);
    if ('failure' in outcome) {
      failed.push(outcome.failure);
      order.push(outcome.failure);
      log.warn(`evaluate: ${entry.id}: ${outcome.failure.code}: ${outcome.failure.reason}`);
    } else {
      scored.push(outcome.scored);
      order.push(outcome.scored);
    }
  }
  progress(toScore.length, toScore.length, 'done');

  // the mean over scored and penalised cases
  const entering = order.filter(entersMean).map(asEvaluation);
  const mean = entering.length > 0 ? meanEvaluation(entering) : null;
  const penalised = failed.filter((f) => f.penalised).length;
  const counts = { scored: scored.length, penalised, excluded: failed.length - penalised };

  if (args.csv !== undefined) await writeCsv(args.csv, order, mean);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ cases: scored, mean, skipped, failed, counts })}\n`);
  } else {
    process.stdout.write(`${table(order, mean, counts, args.csv).join('\n')}\n`);
  }
  if (failed.length > 0) {
    throw new EvaluationIncompleteError(
      `hadnet evaluate: ${failed.length} of ${toScore.length} truth cases could not be scored ` +
        `(${failed.map((f) => `${f.case}: ${f.code}`).join(', ')}); ${penalised} scored as misses in the ` +
        `mean, ${counts.excluded} left out of it; the other cases' scores are printed`,
    );
  }
}

/** Scores one truth case, or says why it could not be scored. */
async function scoreCase(
  entry: TruthCase,
  labelConvention: LabelConvention,
): Promise<{ scored: ScoredCase } | { failure: FailedCase }> {
  const base = { case: entry.id, pred: entry.pred?.file ?? null, truth: entry.truth.file };

  // the reference side: its failures leave the case out of the mean
  let truth: Volume;
  let brainMask: Volume | undefined;
  try {
    if (entry.truth.problem !== undefined)
      throw new UnmatchedPrediction('AMBIGUOUS_TRUTH', entry.truth.problem);
    truth = await loadVolume(entry.truth.file);
    brainMask = await unionMask(entry.truth.sequences, truth, entry.truth.file);
  } catch (error) {
    return { failure: { ...base, ...describe(error), penalised: false } };
  }
  const names = {
    truth: entry.truth.file,
    brainMask: `non-zero union of ${entry.truth.sequences.join(', ')}`,
  };

  // the prediction side: its failures enter the mean with the worst scores
  try {
    if (entry.unmatched !== undefined) {
      throw new UnmatchedPrediction(entry.unmatched.code, entry.unmatched.reason);
    }
    const files = entry.pred!;
    if (files.problem !== undefined) throw new UnmatchedPrediction('AMBIGUOUS_PREDICTION', files.problem);
    const pred = await loadVolume(files.file);
    const uncertainty = files.uncertainty ? await loadUncertainty(files.uncertainty) : undefined;
    const result = evaluateSegmentation({
      pred,
      truth,
      labelConvention,
      brainMask,
      uncertainty,
      names: { ...names, pred: files.file, uncertainty: files.uncertainty },
    });
    const scored: ScoredCase = {
      ...base,
      pred: files.file,
      brainMask: brainMask ? 'sequences' : 'none',
      ...result,
    };
    return { scored };
  } catch (error) {
    const failure = describe(error);
    // the reference's own labels may be what failed: check it alone before blaming the prediction
    let penalty: Record<Region, RegionMetrics>;
    try {
      penalty = worstScores(truth, brainMask, labelConvention, names);
    } catch (truthError) {
      return { failure: { ...base, ...describe(truthError), penalised: false } };
    }
    return { failure: { ...base, ...failure, penalised: true, regions: penalty } };
  }
}

/** The code and reason of an error, on one line. */
function describe(error: unknown): { code: string; reason: string } {
  if (error instanceof UnmatchedPrediction) return { code: error.code, reason: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: errorCode(error), reason: message.replace(/\n/g, ' ') };
}

/**
 * The scores a case without a usable prediction enters the mean with, in every region: Dice 0,
 * HD95 the diagonal of the truth's grid in mm (373.13 on the BraTS grid, the value CONTRACTS.md
 * gives when one mask is empty), sensitivity 0, specificity 0; predicted volume 0, the truth's
 * volume as measured. Evaluating an empty prediction first checks the truth's labels and grid.
 */
function worstScores(
  truth: Volume,
  brainMask: Volume | undefined,
  labelConvention: LabelConvention,
  names: { truth: string; brainMask: string },
): Record<Region, RegionMetrics> {
  const empty: Volume = { ...truth, data: new Uint8Array(truth.data.length) };
  const { regions } = evaluateSegmentation({ pred: empty, truth, labelConvention, brainMask, names });
  const diagonal = gridDiagonalMm({ shape: truth.shape, spacing: truth.spacing });
  return byRegion((r) => ({
    dice: 0,
    hd95: diagonal,
    sensitivity: 0,
    specificity: 0,
    volumeMl: { pred: 0, truth: regions[r].volumeMl.truth },
  }));
}

/** Whether a case enters the mean: scored, or penalised for its prediction. */
const entersMean = (c: ScoredCase | FailedCase): boolean => !('penalised' in c) || c.penalised;

/** A scored or penalised case as an evaluation, for the mean and the CSV. */
function asEvaluation(c: ScoredCase | FailedCase): SegmentationEvaluation {
  return 'penalised' in c
    ? { regions: c.regions! }
    : { regions: c.regions, ...(c.uncertainty ? { uncertainty: c.uncertainty } : {}) };
}

/** The three uncertainty maps of a prediction. */
async function loadUncertainty(files: Record<Region, string>): Promise<Record<Region, Volume>> {
  const volumes = await Promise.all(REGIONS.map((r) => loadVolume(files[r])));
  return byRegion((r) => volumes[REGIONS.indexOf(r)]);
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

/**
 * The CSV: core's columns (see `evaluationsCsv`), then `status` (`scored`, `penalised`,
 * `excluded` or `mean`) and `error` (`CODE: reason` of a failed case). Excluded cases have empty
 * metric cells.
 */
async function writeCsv(
  path: string,
  order: readonly (ScoredCase | FailedCase)[],
  mean: SegmentationEvaluation | null,
): Promise<void> {
  const rows = order.filter(entersMean).map((c) => ({ case: c.case, result: asEvaluation(c) }));
  if (mean !== null) rows.push({ case: 'mean', result: mean });
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  // core's CSV needs one evaluation for its header: borrow a row's when every case was excluded
  const [header, ...lines] = evaluationsCsv(rows.length > 0 ? rows : [placeholder()])
    .trimEnd()
    .split('\n');
  const cells = header.split(',').length - 1;
  const status = (c: ScoredCase | FailedCase) =>
    'penalised' in c
      ? `${c.penalised ? 'penalised' : 'excluded'},${quote(`${c.code}: ${c.reason}`)}`
      : 'scored,';
  const out = [`${header},status,error`];
  let next = 0;
  for (const c of order) {
    if (entersMean(c)) out.push(`${lines[next++]},${status(c)}`);
    else out.push(`${quote(c.case)}${','.repeat(cells)},${status(c)}`);
  }
  if (mean !== null) out.push(`${lines[next]},mean,`);
  try {
    await writeTextAtomic(path, `${out.join('\n')}\n`);
  } catch (error) {
    throw outputError('hadnet evaluate', 'cannot write --csv', path, error);
  }
}

/** An all-zero evaluation, only for the CSV header when no case has numbers. */
function placeholder(): { case: string; result: SegmentationEvaluation } {
  const zero = { dice: 0, hd95: 0, sensitivity: 0, specificity: 0, volumeMl: { pred: 0, truth: 0 } };
  return { case: '', result: { regions: byRegion(() => zero) } };
}

/** The folder table: every case in order, the mean, then the failures with their reasons. */
function table(
  order: readonly (ScoredCase | FailedCase)[],
  mean: SegmentationEvaluation | null,
  counts: { scored: number; penalised: number; excluded: number },
  csv: string | undefined,
): string[] {
  const lines = [caseTableHeader()];
  for (const c of order) {
    if (!('penalised' in c)) lines.push(caseTableRow(c.case, c));
    else if (c.penalised)
      lines.push(caseTableRow(c.case, asEvaluation(c), `failed (${c.code}): worst scores`));
    else lines.push(`${c.case.padEnd(28)}failed (${c.code}): left out of the mean`);
  }
  const over = counts.scored + counts.penalised;
  if (mean !== null) {
    const label = counts.penalised > 0 ? `mean of ${over} (${counts.penalised} misses)` : `mean of ${over}`;
    lines.push(caseTableRow(label, mean));
  }
  if (mean?.uncertainty) {
    lines.push('', 'mean uncertainty scores (QU-BraTS)', ...uncertaintyTable(mean.uncertainty));
  }
  const failed = order.filter((c): c is FailedCase => 'penalised' in c);
  if (failed.length > 0) {
    lines.push('', 'failed cases');
    for (const f of failed) {
      const scoring = f.penalised
        ? `scored Dice 0, HD95 ${fixed(f.regions!.ET.hd95, 2)} mm`
        : 'left out of the mean';
      lines.push(`  ${f.case}: ${f.code}: ${f.reason}; ${scoring}`);
    }
  }
  if (csv !== undefined) lines.push('', `CSV written to ${csv}`);
  return lines;
}
