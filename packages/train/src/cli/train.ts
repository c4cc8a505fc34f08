/**
 * The training commands: `hadnet-train pretrain-teacher|pretrain-student --data DIR --split FILE
 * --out RUN_DIR [...]` and `hadnet-train distill --teacher RUN_DIR --student RUN_DIR --data DIR
 * --split FILE --out RUN_DIR [...]`. Progress on stderr, a summary line per epoch, the run's
 * result at the end. With `--resume`, options not given come from the run's config.json.
 * May depend on: node:fs, node:path, `@hadnet/core` (types), ../backend, ../data, ../run,
 * ../stages, ./args, ./progress, ./run.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { STUDENT_SEQUENCES, TEACHER_SEQUENCES, type LabelConvention, type Sequence } from '@hadnet/core';
import { setupTrainingBackend, type TrainingBackend } from '../backend.js';
import { findCases } from '../data/layout.js';
import { diskCaseSource } from '../data/load.js';
import { readSplitFile } from '../data/split.js';
import type { CaseSource } from '../data/training-case.js';
import type { Preset } from '../networks/presets.js';
import { readRunConfig, runPaths, type RunConfig } from '../run/config.js';
import { distill } from '../stages/distill.js';
import type {
  DistillHyperparameters,
  PretrainHyperparameters,
  StageData,
  StageResult,
} from '../stages/options.js';
import { pretrainStudent, pretrainTeacher } from '../stages/pretrain.js';
import {
  classWeightsOption,
  numberOption,
  parseOptions,
  presetOption,
  required,
  type ParsedOptions,
} from './args.js';
import { progressCallbacks } from './progress.js';
import { UsageError, type CliIo, type Command } from './run.js';

const common = `  --data DIR          a BraTS-layout folder (<case>/flair.nii.gz ..., BraTS 2017-2021 or 2023+ names)
  --split FILE        a split file { train, val, test } (see 'hadnet-train split'); test cases are never read
  --out RUN_DIR       the run folder: config.json, checkpoints/best|last, log.jsonl, curves.svg
  --epochs N          epochs to train to (default: the reference's, EPOCHS)
  --seed S            seeds weights, data order, augmentation and dropout (default 0)
  --batch-size N      cases per step (default 1, the reference's)
  --resume            continue RUN_DIR from its last checkpoint, exactly; options not given come
                      from its config.json, and those given must agree with it (--epochs may rise)
  --labels CONV       label convention of the seg files: brats (ET = 4) or brats2023 (ET = 3)
                      (default: brats2023 for the 2023+ file names, else brats)
  --backend NAME      auto (default), tensorflow-gpu, tensorflow or cpu
  --json              print the result as one JSON object on stdout (summaries go to stderr)`;

const pretrainUsage = (
  stage: string,
  channels: string,
): string => `Usage: hadnet-train ${stage} --data DIR --split FILE --out RUN_DIR [--preset NAME] [--epochs N] [--resume] [--seed S] [options]

Pre-trains the ${stage === 'pretrain-teacher' ? 'teacher' : 'student'} on ${channels}: class-weighted cross-entropy (weights decaying
0.98 per epoch), AdamW (lr 2e-4, betas 0.9/0.999, eps 1e-8, weight decay 1e-5), flip and random affine
augmentation, validation Dice after every epoch, the best checkpoint by mean(WT, TC, ET).

Options:
  --preset NAME       paper, small (default) or tiny, or a .json file { k, discriminatorWidth, inputShape, spacingMm, dropoutRate }
${common.replace('EPOCHS', '400')}
  --lr X              learning rate (default 2e-4)
  --weight-decay X    AdamW's decoupled weight decay (default 1e-5)
  --class-weights W   the first epoch's class weights: background,NCR/NET,ED,ET (default
                      the reference's 1,59.4507,23.319,71.8481)
  --class-weight-decay X  per-epoch factor of the class weights (default 0.98)
  --no-augment        no flip and affine augmentation`;

const distillUsage = `Usage: hadnet-train distill --teacher RUN_DIR --student RUN_DIR --data DIR --split FILE --out RUN_DIR [--epochs N] [--resume] [--seed S] [options]

Distils the pre-trained teacher into the pre-trained student (HAD-Net): the teacher frozen with
dropout on, the whole student trained on CE + 0.2 MSE(D(student), 1) with fixed class weights,
the hierarchical discriminator stepped only while its accuracy is at most 0.8, Adam betas
0.5/0.999; the preset is the student run's.

Options:
  --teacher RUN_DIR   a pretrain-teacher run
  --student RUN_DIR   a pretrain-student run (the student starts from its weights)
  --checkpoint NAME   which checkpoint of both: best (default) or last
${common.replace('EPOCHS', '800')}
  --lr X              the student's learning rate (default 2e-4)
  --class-weights W   fixed class weights: background,NCR/NET,ED,ET (default the reference's,
                      1,59.4507,23.319,71.8481)
  --disc-lr X         the discriminator's learning rate (default 2e-4)
  --lambda X          weight of the adversarial term (default 0.2)
  --disc-threshold X  step the discriminator only while its accuracy is at most X (default 0.8)
  --adnet             the AD-Net ablation discriminator (no feature inputs)
  --no-teacher-dropout  run the teacher without dropout (the reference keeps it on)`;

const commonOptions = {
  data: { type: 'string' },
  split: { type: 'string' },
  out: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  'batch-size': { type: 'string' },
  resume: { type: 'boolean' },
  labels: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  lr: { type: 'string' },
  'class-weights': { type: 'string' },
} as const;

type CommonValues = ParsedOptions<typeof commonOptions>;

const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'cpu'];
const CONVENTIONS: LabelConvention[] = ['brats', 'brats2023'];

/** What the commands share once the options are read. */
interface Prepared {
  out: string;
  saved?: RunConfig;
  epochs?: number;
  seed?: number;
  batchSize?: number;
  data: StageData;
}

/** Reads the options every training command shares, the saved config when resuming, and the cases. */
async function prepare(
  values: CommonValues,
  io: CliIo,
  sequences: readonly Sequence[],
  preset: (saved: RunConfig | undefined) => Pick<Preset, 'spacingMm' | 'inputShape'>,
): Promise<Prepared & { sink: ReturnType<typeof sinkFor> }> {
  const out = required(values.out, '--out', 'RUN_DIR');
  const saved = values.resume && existsSync(runPaths(out).config) ? await readRunConfig(out) : undefined;
  // a resumed run reads its data folder and split file from config.json unless they are given
  const dataDir = required(values.data ?? saved?.data.dir, '--data', 'DIR');
  const splitFile = required(values.split ?? saved?.data.split, '--split', 'FILE');
  const epochs = numberOption(values.epochs, '--epochs', 'integer', 1);
  const seed = numberOption(values.seed, '--seed', 'integer', 0);
  const batchSize = numberOption(values['batch-size'], '--batch-size', 'integer', 1);
  const backend = values.backend ?? 'auto';
  if (!BACKENDS.includes(backend))
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}; got '${backend}'`);
  const labels = values.labels as LabelConvention | undefined;
  if (labels !== undefined && !CONVENTIONS.includes(labels)) {
    throw new UsageError(`--labels must be one of ${CONVENTIONS.join(', ')}; got '${labels}'`);
  }
  const sink = sinkFor(io, values.json === true);

  // the cases and the split, then the backend
  const cases = await findCases(dataDir);
  const split = await readSplitFile(splitFile, { knownIds: cases.map((c) => c.id) });
  const grid = preset(saved);
  const chosen = await setupTrainingBackend({ backend: backend as 'auto' | TrainingBackend });
  const fast = chosen.fastKernels
    ? `, hadnet's fast kernels for ${chosen.fastKernels.kernels.join(', ')}`
    : '';
  sink.progress(`training backend: ${chosen.backend} (${chosen.packageName}${fast})\n`);

  // training cases are prepared on first use; validation ones keep their original grid for Dice
  const options = { preset: grid, sequences, labelConvention: labels };
  const announce = (source: CaseSource, kind: string): CaseSource => {
    const seen = new Set<string>();
    return {
      ids: source.ids,
      load(id) {
        if (!seen.has(id)) {
          seen.add(id);
          sink.progress(`preparing ${kind} case ${id} (${seen.size}/${source.ids.length})\n`);
        }
        return source.load(id);
      },
    };
  };
  const data: StageData = {
    train: announce(diskCaseSource(cases, split.train, options), 'training'),
    val: announce(diskCaseSource(cases, split.val, { ...options, keepOriginal: true }), 'validation'),
    description: { dir: resolve(dataDir), split: resolve(splitFile), test: split.test },
  };
  return {
    out,
    saved,
    epochs: epochs ?? saved?.epochs,
    seed: seed ?? saved?.seed,
    batchSize: batchSize ?? saved?.batchSize,
    data,
    sink,
  };
}

function sinkFor(io: CliIo, json: boolean) {
  return {
    progress: (text: string) => io.stderr(text),
    summary: (text: string) => (json ? io.stderr(text) : io.stdout(text)),
    tty: io.stderrIsTTY === true,
  };
}

/** The last lines: where the run is and how it went; or one JSON object. */
function report(result: StageResult, io: CliIo, json: boolean): void {
  const paths = runPaths(result.runDir);
  const last = result.log[result.log.length - 1];
  if (json) {
    io.stdout(
      `${JSON.stringify({
        run: resolve(result.runDir),
        stage: result.stage,
        epochs: result.epochs,
        steps: result.steps,
        best: result.best,
        last: last ? { epoch: last.epoch, losses: last.losses, validation: last.validation } : null,
        log: resolve(paths.log),
        curves: resolve(paths.curves),
      })}\n`,
    );
    return;
  }
  const best = result.best
    ? `best epoch ${result.best.epoch}: mean Dice ${result.best.score.toFixed(3)} (WT ${result.best.dice.WT.toFixed(3)}, ` +
      `TC ${result.best.dice.TC.toFixed(3)}, ET ${result.best.dice.ET.toFixed(3)})`
    : 'no epoch trained';
  io.stdout(`${result.stage}: ${result.epochs} epochs, ${result.steps} steps in ${result.runDir}; ${best}\n`);
  io.stdout(`log ${paths.log}, curves ${paths.curves}, checkpoints ${paths.checkpoints}\n`);
}

function pretrainCommand(stage: 'pretrain-teacher' | 'pretrain-student'): Command {
  const teacher = stage === 'pretrain-teacher';
  const sequences = teacher ? TEACHER_SEQUENCES : STUDENT_SEQUENCES;
  return {
    summary: `pre-train the ${teacher ? 'teacher (flair, t1ce, t1, t2)' : 'student (flair, t1, t2)'}`,
    usage: pretrainUsage(stage, sequences.join(', ')),
    async run(argv, io) {
      const values = parseOptions(argv, {
        ...commonOptions,
        preset: { type: 'string' },
        'weight-decay': { type: 'string' },
        'class-weight-decay': { type: 'string' },
        'no-augment': { type: 'boolean' },
      });
      const flags: Partial<PretrainHyperparameters> = {};
      const lr = numberOption(values.lr, '--lr', 'number', 0);
      const weightDecay = numberOption(values['weight-decay'], '--weight-decay', 'number', 0);
      const decay = numberOption(values['class-weight-decay'], '--class-weight-decay', 'number', 0);
      if (lr !== undefined) flags.learningRate = lr;
      if (weightDecay !== undefined) flags.weightDecay = weightDecay;
      if (decay !== undefined) flags.classWeightDecay = decay;
      const weights = classWeightsOption(values['class-weights']);
      if (weights !== undefined) flags.classWeights = weights;
      if (values['no-augment']) flags.augmentation = null;
      const given = values.preset === undefined ? undefined : presetOption(values.preset);

      // the preset: given, else the resumed run's, else small
      let preset: Preset | undefined;
      const prepared = await prepare(values, io, sequences, (saved) => {
        preset = given ?? (saved?.preset as Preset | undefined) ?? presetOption('small');
        return preset;
      });
      const train = teacher ? pretrainTeacher : pretrainStudent;
      const result = await train({
        runDir: prepared.out,
        preset: preset!,
        data: prepared.data,
        epochs: prepared.epochs,
        seed: prepared.seed,
        batchSize: prepared.batchSize,
        resume: values.resume === true,
        hyperparameters: {
          ...(prepared.saved?.hyperparameters as Partial<PretrainHyperparameters>),
          ...flags,
        },
        callbacks: progressCallbacks(prepared.sink),
      });
      report(result, io, values.json === true);
    },
  };
}

/** The `pretrain-teacher` command. */
export const pretrainTeacherCommand = pretrainCommand('pretrain-teacher');

/** The `pretrain-student` command. */
export const pretrainStudentCommand = pretrainCommand('pretrain-student');

/** The `distill` command. */
export const distillCommand: Command = {
  summary: 'distil the teacher into the student (HAD-Net)',
  usage: distillUsage,
  async run(argv, io) {
    const values = parseOptions(argv, {
      ...commonOptions,
      teacher: { type: 'string' },
      student: { type: 'string' },
      checkpoint: { type: 'string' },
      'disc-lr': { type: 'string' },
      lambda: { type: 'string' },
      'disc-threshold': { type: 'string' },
      adnet: { type: 'boolean' },
      'no-teacher-dropout': { type: 'boolean' },
    });
    const teacherRun = required(values.teacher, '--teacher', 'RUN_DIR');
    const studentRun = required(values.student, '--student', 'RUN_DIR');
    const checkpoint = values.checkpoint ?? 'best';
    if (checkpoint !== 'best' && checkpoint !== 'last') {
      throw new UsageError(`--checkpoint must be best or last; got '${checkpoint}'`);
    }
    const flags: Partial<DistillHyperparameters> = {};
    const numbers: [string | undefined, string, keyof DistillHyperparameters, number][] = [
      [values.lr, '--lr', 'learningRate', 0],
      [values['disc-lr'], '--disc-lr', 'discriminatorLearningRate', 0],
      [values.lambda, '--lambda', 'lambda', 0],
      [values['disc-threshold'], '--disc-threshold', 'discriminatorThreshold', -Infinity],
    ];
    for (const [value, flag, key, min] of numbers) {
      const n = numberOption(value, flag, 'number', min);
      if (n !== undefined) (flags as Record<string, unknown>)[key] = n;
    }
    const weights = classWeightsOption(values['class-weights']);
    if (weights !== undefined) flags.classWeights = weights;
    if (values.adnet) flags.hierarchical = false;
    if (values['no-teacher-dropout']) flags.teacherDropout = false;

    // the grid is the student run's
    const studentConfig = await readRunConfig(studentRun);
    const prepared = await prepare(values, io, TEACHER_SEQUENCES, () => studentConfig.preset);
    const result = await distill({
      runDir: prepared.out,
      teacherRun,
      studentRun,
      checkpoint,
      data: prepared.data,
      epochs: prepared.epochs,
      seed: prepared.seed,
      batchSize: prepared.batchSize,
      resume: values.resume === true,
      hyperparameters: { ...(prepared.saved?.hyperparameters as Partial<DistillHyperparameters>), ...flags },
      callbacks: progressCallbacks(prepared.sink),
    });
    report(result, io, values.json === true);
  },
};
