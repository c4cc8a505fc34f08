/**
 * `hadnet evaluate`: scores predicted label maps against reference ones (Dice, HD95, sensitivity,
 * specificity, volumes per region; QU-BraTS uncertainty scores when maps are given), for one case
 * or for every truth case of a folder (evaluate-folders.ts). Depends on @hadnet/core's metrics,
 * ../io and the files beside it.
 */
import { evaluateSegmentation, evaluationsCsv, REGIONS, type LabelConvention } from '@hadnet/core';
import { writeTextAtomic } from '../cohort/write-atomic.js';
import { loadVolume } from '../io/load.js';
import { checkOutputFile, outputError } from '../io/output-path.js';
import { evaluateFolders } from './evaluate-folders.js';
import { byRegion, regionTable, uncertaintyTable } from './evaluate-format.js';
import { parseArgs } from './flags.js';
import { UsageError, type Command } from './run.js';

const USAGE = `Usage:
  hadnet evaluate --pred FILE --truth FILE [--labels brats|brats2023] [--mask FILE]
                  [--unc-whole FILE --unc-core FILE --unc-enhance FILE] [--csv FILE] [--json]
  hadnet evaluate --pred-dir DIR --truth-dir DIR [--labels brats|brats2023] [--skip-missing]
                  [--csv FILE] [--json]

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
                              every truth case, found as case folders <case>/seg.nii.gz or files
                              <case>*.nii.gz, with its prediction matched by case id. A truth case
                              folder holding flair/t1/t1ce/t2.nii.gz gives the brain mask (their
                              non-zero union); a pred case folder holding unc_whole/unc_core/
                              unc_enhance.nii.gz is scored for uncertainty too. Prints every case
                              and the means. A case whose prediction is missing or unusable is
                              listed with its reason and enters the mean with the worst scores
                              (Dice 0, HD95 the grid's diagonal, 373.13 mm on the BraTS grid), as
                              BraTS rankings count it; one whose truth is unusable is listed and
                              left out. Any such case makes the exit code 1, after the output.
  --skip-missing              truth cases without any prediction file are skipped (listed, not
                              scored), for a prediction folder that holds a subset on purpose
  --csv FILE                  also write one row per case (and the means) as CSV, with the columns
                              status (scored, penalised, excluded, mean) and error; FILE's folder
                              must exist
  --json                      print one JSON object: { regions: { ET, TC, WT }, uncertainty? } for
                              one case; { cases: [...], mean, skipped, failed, counts } for folders
  --                          end of options (nothing may follow: every file goes after its flag)`;

const VALUE_FLAGS = [
  '--pred',
  '--truth',
  '--labels',
  '--mask',
  '--unc-whole',
  '--unc-core',
  '--unc-enhance',
  '--pred-dir',
  '--truth-dir',
  '--csv',
];
const SWITCHES = ['--json', '--skip-missing'];

/** The flags, by what they hold. */
interface Args {
  pred?: string;
  truth?: string;
  labels?: string;
  mask?: string;
  uncWhole?: string;
  uncCore?: string;
  uncEnhance?: string;
  predDir?: string;
  truthDir?: string;
  csv?: string;
  json: boolean;
  skipMissing: boolean;
}

export const evaluateCommand: Command = {
  summary: 'score predicted label maps against reference ones (Dice, HD95, QU-BraTS)',
  usage: USAGE,
  async run(argv) {
    const args = readArgs(argv);
    const labelConvention = (args.labels ?? 'brats') as LabelConvention;
    if (args.csv !== undefined) await checkOutputFile('hadnet evaluate: --csv', args.csv);
    if (args.predDir !== undefined) {
      await evaluateFolders({
        predDir: args.predDir,
        truthDir: args.truthDir!,
        labelConvention,
        csv: args.csv,
        json: args.json,
        skipMissing: args.skipMissing,
      });
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
      const text = evaluationsCsv([{ case: args.pred!, result }]);
      await writeTextAtomic(args.csv, text).catch((error: unknown) => {
        throw outputError('hadnet evaluate', 'cannot write --csv', args.csv!, error);
      });
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
function readArgs(argv: string[]): Args {
  const { flags } = parseArgs(argv, {
    values: VALUE_FLAGS,
    switches: SWITCHES,
    strayHint: 'files go after their flag',
  });
  const value = (flag: string) => flags.get(flag) as string | undefined;
  const args: Args = {
    pred: value('--pred'),
    truth: value('--truth'),
    labels: value('--labels'),
    mask: value('--mask'),
    uncWhole: value('--unc-whole'),
    uncCore: value('--unc-core'),
    uncEnhance: value('--unc-enhance'),
    predDir: value('--pred-dir'),
    truthDir: value('--truth-dir'),
    csv: value('--csv'),
    json: flags.has('--json'),
    skipMissing: flags.has('--skip-missing'),
  };

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
  if (single && args.skipMissing) throw new UsageError('--skip-missing goes with --pred-dir/--truth-dir');
  if (unc !== 0 && unc !== 3) {
    throw new UsageError('give all three of --unc-whole, --unc-core, --unc-enhance, or none');
  }
  if (args.labels !== undefined && args.labels !== 'brats' && args.labels !== 'brats2023') {
    throw new UsageError(`--labels must be brats or brats2023; got '${args.labels}'`);
  }
  return args;
}
