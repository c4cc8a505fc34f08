/**
 * Cohorts: sharded, resumable batch segmentation for Kubernetes Indexed Jobs, Slurm job arrays or
 * a plain loop. Manifests, shards, the per-case output protocol, the runner and the summary.
 * Depends on node:fs, @hadnet/core and ../segment.
 */
export * from './errors.js';
export * from './manifest.js';
export * from './read-manifest.js';
export * from './shard.js';
export * from './case-inputs.js';
export * from './case-output.js';
export * from './summary.js';
export * from './run.js';
