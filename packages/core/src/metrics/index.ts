/**
 * Metrics: Dice, HD95, sensitivity, specificity and volumes per BraTS region, and QU-BraTS
 * uncertainty scoring, as CONTRACTS.md "Metrics" defines them. Runtime-free: core types only.
 * Geometry helpers (bounding boxes, crops, the one-grid check) stay private to this folder.
 */
export {
  confusionCounts,
  dice,
  diceFromCounts,
  sensitivityFromCounts,
  specificityFromCounts,
  type ConfusionCounts,
} from './overlap.js';
export { squaredDistanceTransform } from './edt.js';
export { surfaceVoxels } from './surface.js';
export { percentile, percentileOfSorted } from './percentile.js';
export {
  gridDiagonalMm,
  hausdorffDistance,
  pooledSurfaceDistances,
  type HausdorffOptions,
  type VoxelGrid,
} from './hausdorff.js';
export {
  QU_BRATS_EPSILON,
  areaUnderCurve,
  scoreUncertainty,
  uncertaintyCurves,
  uncertaintyThresholds,
  type UncertaintyCurves,
  type UncertaintyScore,
  type UncertaintyScoringOptions,
} from './uncertainty.js';
export {
  evaluateSegmentation,
  type EvaluateSegmentationOptions,
  type RegionMetrics,
  type SegmentationEvaluation,
} from './evaluate.js';
export { evaluationsCsv, meanEvaluation } from './summary.js';
