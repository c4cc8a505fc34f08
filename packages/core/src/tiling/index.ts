/**
 * Tiling: the sliding-window planner, blending weights and test-time mirroring. Runtime-free:
 * the network comes in as an async callback. Depends on nothing outside this folder.
 */
export * from './importance.js';
export * from './plan.js';
export * from './mirror.js';
export * from './sliding-window.js';
