/**
 * The part of running an onnxruntime session that onnxruntime-node and onnxruntime-web share:
 * check that a model has the exporter's tensors, and wrap a session as a {@link RuntimeSession}.
 * Typed structurally, so core imports neither runtime. Depends on this folder and core's errors.
 */
import { InvalidModelError } from '../errors.js';
import type { ConcreteDevice, DeviceAttempt } from './devices.js';
import { MODEL_INPUT, MODEL_PROBABILITIES, type RuntimeSession } from './runtime.js';

/** What hadnet reads of an onnxruntime output tensor (onnxruntime-common's `Tensor` fits). */
export interface OrtTensorLike {
  readonly dims: readonly number[];
  /** The values, downloaded from the device first where they live on one (WebGPU). */
  getData(): Promise<unknown>;
  dispose(): void;
}

/** What hadnet uses of an onnxruntime `InferenceSession`, in Node and in browsers. */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>, fetches: string[]): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/**
 * Checks that a session's model has the exporter's tensors: input `input`, output `probabilities`.
 * @param session - a started session
 * @param name - the model's name for the message
 * @throws InvalidModelError naming what is missing and what the model has instead
 */
function checkModelTensors(session: OrtSessionLike, name: string): void {
  const problems: string[] = [];
  if (!session.inputNames.includes(MODEL_INPUT)) {
    problems.push(`inputs [${session.inputNames.join(', ')}] lack '${MODEL_INPUT}'`);
  }
  if (!session.outputNames.includes(MODEL_PROBABILITIES)) {
    problems.push(`outputs [${session.outputNames.join(', ')}] lack '${MODEL_PROBABILITIES}'`);
  }
  if (problems.length > 0) {
    throw new InvalidModelError(
      `createSession: ${name} is not a hadnet segmentation model: its ${problems.join(' and its ')}`,
    );
  }
}

/**
 * Wraps an onnxruntime session as the {@link RuntimeSession} that `runSegmentation` drives, once
 * its model has the exporter's tensors ({@link checkModelTensors}); a session whose model does not
 * is released before the error is thrown.
 * @param session - a started session
 * @param name - the model's name for messages
 * @param makeInput - builds the runtime's float32 tensor `[batch, channels, depth, height, width]`
 * @param device - the device it runs on
 * @param attempts - the devices dropped before it, with their reasons
 * @throws InvalidModelError when the model lacks the `input` or `probabilities` tensor
 */
export async function ortRuntimeSession(
  session: OrtSessionLike,
  name: string,
  makeInput: (data: Float32Array, dims: number[]) => unknown,
  device: ConcreteDevice,
  attempts: DeviceAttempt[],
): Promise<RuntimeSession> {
  try {
    checkModelTensors(session, name);
  } catch (error) {
    await session.release();
    throw error;
  }
  return {
    device,
    attempts,
    async run(input, shape) {
      const feeds = { [MODEL_INPUT]: makeInput(input, [...shape]) };
      const output = (await session.run(feeds, [MODEL_PROBABILITIES]))[MODEL_PROBABILITIES];
      const dims = output.dims;
      if (dims.length !== 5 || dims[0] !== shape[0] || [2, 3, 4].some((a) => dims[a] !== shape[a])) {
        output.dispose();
        throw new InvalidModelError(
          `run: the model's '${MODEL_PROBABILITIES}' output has shape [${dims.join(', ')}] for an input of ` +
            `[${shape.join(', ')}]; expected [batch, classes, depth, height, width] of the same batch and size`,
        );
      }
      const data = (await output.getData()) as Float32Array;
      output.dispose();
      return data;
    },
    release: () => session.release(),
  };
}
