/**
 * The training stages: `pretrainTeacher`, `pretrainStudent` and `distill`, their steps, the
 * PyTorch-exact Adam/AdamW, validation, and the epoch loop with its run folder.
 * May depend on: tfjs-core, `@hadnet/core`, ../backend, ../losses, ../data, ../networks, ../run.
 */
export * from './options.js';
export * from './optimizer.js';
export * from './batch.js';
export * from './steps.js';
export * from './validate.js';
export * from './loop.js';
export * from './pretrain.js';
export * from './distill.js';
