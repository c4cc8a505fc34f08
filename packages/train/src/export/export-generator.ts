/**
 * `exportGenerator`: a trained HAD-Net generator (teacher or student) as the bytes of an ONNX
 * model that onnxruntime-node (CPU, CUDA) and onnxruntime-web (WebGPU, wasm) run, with the
 * model card in its `metadata_props`.
 * May depend on: `@hadnet/core` (card, errors), ../networks, ./generator-graph, ./model-card,
 * ./onnx-builder.
 */
import { parseModelCard, type ModelCard } from '@hadnet/core';
import { Generator, GENERATOR_SIZE_MULTIPLE } from '../networks/generator.js';
import { addGeneratorNodes, GRAPH_TENSORS } from './generator-graph.js';
import { modelCardMetadata } from './model-card.js';
import { OnnxGraphBuilder } from './onnx-builder.js';

/** Options of {@link exportGenerator}. */
export interface ExportGeneratorOptions {
  /** The graph's name. @defaultValue `hadnet-<card role>` */
  graphName?: string;
  /** One line on where the weights come from (a run folder and checkpoint), kept in the model's
   * documentation. @defaultValue none */
  source?: string;
}

const SPATIAL = ['depth', 'height', 'width'] as const;

/**
 * Writes `model` as an ONNX model (IR 8, opset 17): its weights as initializers, its
 * deterministic forward pass in NCDHW, and `card` in `metadata_props`.
 *
 * The graph:
 * - input `input`: `[batch, channels, depth, height, width]` float32 (NCDHW), channels in
 *   `card.sequences`' order, D = k, H = j, W = i of the RAS-ordered NIfTI grid (tfjs' NDHWC input
 *   transposed, nothing else); batch and spatial axes dynamic, each spatial extent a multiple
 *   of 16;
 * - outputs `logits` (`[batch, classes, depth, height, width]`, before softmax) and
 *   `probabilities` (softmax over the classes);
 * - operators: Conv (3D), LeakyRelu, MaxPool (3D), Resize (nearest), Concat, Softmax, and
 *   instance normalisation as ReduceMean, Sub, Mul, Add, Sqrt and Div (`ALLOWED_OPERATORS`; not
 *   ONNX's InstanceNormalization, whose onnxruntime kernels round too coarsely: see
 *   `addGeneratorNodes`); no ConvTranspose, no Identity.
 *
 * Dropout is left out: the graph is the network with dropout off, one deterministic pass.
 * Uncertainty does not come from Monte Carlo dropout: `segment()` computes it from the softmax
 * (entropy, and the spread over mirrored passes where asked), which every runtime has. A Monte
 * Carlo graph would need random and masking operators (RandomUniformLike, Less, Mul), and those
 * have not been shown to run on all four targets (onnxruntime-node CPU and CUDA, onnxruntime-web
 * WebGPU and wasm).
 *
 * Instance normalisation makes the outputs depend on the extent the network sees; the card's
 * `inputMode` (and `roiSize` for tiles) says how `segment()` must run it.
 *
 * @param model - the generator; its weights are read as they are now
 * @param card - the model card; its `sequences` must be as many as the generator's input channels
 *   and its `classes` its output classes; `padMultiple` a multiple of 16 (and `roiSize`, for
 *   tiles, multiples of `padMultiple`)
 * @param options - graph name, provenance line
 * @returns the model's bytes (about 4 bytes per parameter: 66 MB for the `paper` preset)
 * @throws TypeError when `model` is not a Generator
 * @throws InvalidModelError when the card is malformed (the message of `parseModelCard`)
 * @throws RangeError when the card does not fit the generator
 * @example
 * ```ts
 * const bytes = exportGenerator(student, card);
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export function exportGenerator(
  model: Generator,
  card: ModelCard,
  options: ExportGeneratorOptions = {},
): Uint8Array {
  if (!(model instanceof Generator)) {
    throw new TypeError(`exportGenerator: model must be a Generator; got ${String(model)}`);
  }

  // the card, written and read back as segment() will read it
  const metadata = modelCardMetadata(card);
  const parsed = parseModelCard(metadata);
  const { inputChannels, classes } = model.options;
  const multiple = GENERATOR_SIZE_MULTIPLE;
  if (parsed.sequences.length !== inputChannels) {
    throw new RangeError(
      `exportGenerator: card.sequences lists ${parsed.sequences.length} sequences ` +
        `(${parsed.sequences.join(', ')}); the generator takes ${inputChannels} input channels`,
    );
  }
  if (parsed.classes !== classes) {
    throw new RangeError(
      `exportGenerator: card.classes is ${parsed.classes}; the generator has ${classes} classes`,
    );
  }
  if (parsed.padMultiple % multiple !== 0) {
    throw new RangeError(
      `exportGenerator: card.padMultiple must be a multiple of ${multiple} (the generator pools 4 times); ` +
        `got ${parsed.padMultiple}`,
    );
  }

  // the graph
  const graph = new OnnxGraphBuilder();
  graph.input({
    name: GRAPH_TENSORS.input,
    shape: ['batch', inputChannels, ...SPATIAL],
    docString:
      `[batch, channels, depth, height, width] float32 (NCDHW); channels ${JSON.stringify(parsed.sequences)}; ` +
      `D = k, H = j, W = i of the RAS-ordered grid; D, H, W multiples of ${multiple}`,
  });
  addGeneratorNodes(graph, model);
  const outputShape = ['batch', classes, ...SPATIAL];
  const role = parsed.role;
  return graph.encode(
    {
      name: options.graphName ?? `hadnet-${role}`,
      docString:
        `HAD-Net ${role} generator (k = ${model.options.k}), deterministic: dropout off. ` +
        'Uncertainty comes from the softmax in segment(), not from Monte Carlo dropout.',
      outputs: [
        {
          name: GRAPH_TENSORS.logits,
          shape: outputShape,
          docString: '[batch, classes, depth, height, width] float32: class scores before softmax',
        },
        {
          name: GRAPH_TENSORS.probabilities,
          shape: outputShape,
          docString: '[batch, classes, depth, height, width] float32: softmax over the classes (axis 1)',
        },
      ],
    },
    {
      producerName: 'hadnet',
      producerVersion: parsed.codeVersion,
      docString: ['hadnet model: research software, not for clinical decisions.', options.source ?? '']
        .filter((line) => line !== '')
        .join('\n'),
      metadata,
    },
  );
}
