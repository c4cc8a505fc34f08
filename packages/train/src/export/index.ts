/**
 * ONNX export of the HAD-Net generator: the graph (NCDHW, only operators every target runs), its
 * weights as initializers, the model card in `metadata_props`, and the export of a trained run.
 * May depend on: onnx-proto, tfjs-core (reading weights), ../networks, ../run, `@hadnet/core`,
 * node:path (export-run.ts only).
 */
export * from './export-generator.js';
export * from './export-run.js';
export * from './generator-graph.js';
export * from './instance-norm-nodes.js';
export * from './layout.js';
export * from './model-card.js';
export * from './onnx-builder.js';
export * from './import-generator.js';
