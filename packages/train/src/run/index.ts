/**
 * Run folders that lose nothing (../shared/CONTRACTS.md "Models and runs"): `config.json`,
 * `checkpoints/best/` and `checkpoints/last/` (weights, optimizer state, `state.json`),
 * `log.jsonl` and `curves.svg`, every write atomic; and loading a run's generator.
 * May depend on: node:fs, node:path, node:crypto, tfjs-core, `@hadnet/core`, ../networks,
 * ../data/random (types).
 */
export * from './atomic.js';
export * from './tensor-file.js';
export * from './config.js';
export * from './checkpoint.js';
export * from './log.js';
export * from './curves.js';
export * from './weights.js';
