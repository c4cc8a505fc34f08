/**
 * The stages' hyper-parameters, defaulting to the reference's (../shared/method/HADNET.md §3-§4),
 * and the options and events every stage shares.
 * May depend on: ../losses, ../data (types), ../networks (types), ../run (types).
 */
import {
  CLASS_WEIGHT_DECAY,
  DISCRIMINATOR_ACCURACY_THRESHOLD,
  ADVERSARIAL_LAMBDA,
  REFERENCE_CLASS_WEIGHTS,
} from '../losses.js';
import { REFERENCE_AUGMENTATION, type AugmentationSettings } from '../data/augment.js';
import type { CaseSource } from '../data/training-case.js';
import type { Preset } from '../networks/presets.js';
import type { RegionDice } from '../run/checkpoint.js';
import type { StageName } from '../run/config.js';
import type { LogEntry } from '../run/log.js';

/** Pre-training (teacher and student alike). */
export interface PretrainHyperparameters {
  /** AdamW. @defaultValue 2e-4 */
  learningRate: number;
  /** @defaultValue 0.9 */
  beta1: number;
  /** @defaultValue 0.999 */
  beta2: number;
  /** @defaultValue 1e-8 */
  epsilon: number;
  /** AdamW's decoupled weight decay. @defaultValue 1e-5 */
  weightDecay: number;
  /** Class weights of epoch 1 for [background, NCR/NET, ED, ET]. @defaultValue the reference's */
  classWeights: number[];
  /** Epoch e's weights are `max(w * decay^(e-1), 1)`. @defaultValue 0.98 */
  classWeightDecay: number;
  /** Flip and random affine; null for none. @defaultValue the reference's */
  augmentation: AugmentationSettings | null;
}

/** The reference's pre-training settings (`Teacher_Pretraining.py`, `Student_Pretraining.py`). */
export const PRETRAIN_DEFAULTS: Readonly<PretrainHyperparameters> = Object.freeze({
  learningRate: 2e-4,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 1e-5,
  classWeights: [...REFERENCE_CLASS_WEIGHTS],
  classWeightDecay: CLASS_WEIGHT_DECAY,
  augmentation: { ...REFERENCE_AUGMENTATION },
});

/** Distillation (HAD-Net). */
export interface DistillHyperparameters {
  /** The student's Adam. @defaultValue 2e-4 */
  learningRate: number;
  /** The discriminator's Adam. @defaultValue 2e-4 */
  discriminatorLearningRate: number;
  /** Both optimizers'. @defaultValue 0.5 */
  beta1: number;
  /** @defaultValue 0.999 */
  beta2: number;
  /** @defaultValue 1e-8 */
  epsilon: number;
  /** Weight of the adversarial term. @defaultValue 0.2 */
  lambda: number;
  /** The discriminator steps only while its accuracy is at most this. @defaultValue 0.8 */
  discriminatorThreshold: number;
  /** Fixed class weights. @defaultValue the reference's, undecayed */
  classWeights: number[];
  /** Run the frozen teacher with dropout on (the reference's `teacher.train()`). @defaultValue true */
  teacherDropout: boolean;
  /** HAD-Net's hierarchical discriminator (true) or AD-Net's (false). @defaultValue true */
  hierarchical: boolean;
}

/** The reference's distillation settings (`HAD_Net.py`). */
export const DISTILL_DEFAULTS: Readonly<DistillHyperparameters> = Object.freeze({
  learningRate: 2e-4,
  discriminatorLearningRate: 2e-4,
  beta1: 0.5,
  beta2: 0.999,
  epsilon: 1e-8,
  lambda: ADVERSARIAL_LAMBDA,
  discriminatorThreshold: DISCRIMINATOR_ACCURACY_THRESHOLD,
  classWeights: [...REFERENCE_CLASS_WEIGHTS],
  teacherDropout: true,
  hierarchical: true,
});

/** The reference's epochs: 400 per pre-training, 800 for distillation. */
export const REFERENCE_EPOCHS: Readonly<Record<StageName, number>> = Object.freeze({
  'pretrain-teacher': 400,
  'pretrain-student': 400,
  distill: 800,
});

/** Cases of a stage. Test cases are not given to a stage at all. */
export interface StageData {
  train: CaseSource;
  val: CaseSource;
  /** Recorded in `config.json`: the data folder, the split file, the test ids. */
  description?: { dir?: string; split?: string; test?: string[] };
}

/** Sent before an epoch's first step. */
export interface EpochStartEvent {
  stage: StageName;
  /** From 1. */
  epoch: number;
  epochs: number;
  /** Batches this epoch. */
  batches: number;
}

/** Sent after each step. */
export interface BatchEndEvent extends EpochStartEvent {
  /** From 1, within the epoch. */
  batch: number;
  /** Steps taken in the run. */
  step: number;
  /** This step's losses (see `LogEntry.losses`). */
  losses: Record<string, number>;
  /** Wall time of this step (loading, augmentation, forward, backward, update), in seconds. */
  seconds: number;
  /** Distillation: whether the gate let the discriminator step. */
  discriminatorUpdated?: boolean;
}

/** Sent after each epoch, once its log line and checkpoints are written. */
export interface EpochEndEvent {
  stage: StageName;
  epoch: number;
  epochs: number;
  /** The epoch's log line. */
  entry: LogEntry;
  /** The best validation so far. */
  best: { epoch: number; score: number; dice: RegionDice };
}

/** Training callbacks. They may be async; the stage waits for them. */
export interface StageCallbacks {
  onEpochStart?(event: EpochStartEvent): void | Promise<void>;
  onBatchEnd?(event: BatchEndEvent): void | Promise<void>;
  onEpochEnd?(event: EpochEndEvent): void | Promise<void>;
}

/** Options every stage takes. */
export interface StageOptions {
  /** The run folder (created when missing). */
  runDir: string;
  data: StageData;
  /** Epochs to train to (a resumed run continues up to it). @defaultValue the reference's */
  epochs?: number;
  /** Seeds the initial weights, data order, augmentation and dropout. @defaultValue 0 */
  seed?: number;
  /** Cases per step. @defaultValue 1 (the reference's) */
  batchSize?: number;
  /**
   * Continue the run in `runDir` from its last checkpoint, exactly as if it had not stopped.
   * Without it, a folder that already holds a run is refused. @defaultValue false
   */
  resume?: boolean;
  callbacks?: StageCallbacks;
}

/** What a stage returns. */
export interface StageResult {
  runDir: string;
  stage: StageName;
  /** Epochs completed. */
  epochs: number;
  /** Steps taken. */
  steps: number;
  /** The best validation: epoch, score and Dice; null when no epoch ran. */
  best: { epoch: number; score: number; dice: RegionDice } | null;
  /** The log, every epoch. */
  log: LogEntry[];
}

/** Options of the pre-training stages. */
export interface PretrainOptions extends StageOptions {
  /** The network and grid settings (`getPreset('small')`, or custom ones for tests). */
  preset: Readonly<Preset>;
  hyperparameters?: Partial<PretrainHyperparameters>;
}

/** Options of the distillation stage. */
export interface DistillOptions extends StageOptions {
  /** The pre-trained teacher's run folder. */
  teacherRun: string;
  /** The pre-trained student's run folder: the student starts from its weights. */
  studentRun: string;
  /** Which checkpoint of each. @defaultValue `'best'` */
  checkpoint?: 'best' | 'last';
  hyperparameters?: Partial<DistillHyperparameters>;
}
