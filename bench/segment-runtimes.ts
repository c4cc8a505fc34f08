/**
 * The two extra runtimes the segment() benchmark times beside onnxruntime-node, each a `Runtime`
 * of `@hadnet/core` that reads files as Node's runtime does, so that `runSegmentation` runs the
 * very steps `segment()` runs and only the network differs:
 * - onnxruntime-web's WebAssembly backend, in Node, on the same ONNX graph;
 * - tfjs' `cpu` backend, on the same network with the model's weights read back into a
 *   `Generator` (`importGenerator`), with hadnet's fast kernels off (stock) or on (fast).
 * Used by bench/segment-path.ts only.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { noDeviceStarted, ortRuntimeSession, type Runtime, type RuntimeSession } from '@hadnet/core';
import { nodeRuntime } from '../packages/infer-node/src/index.js';
import {
  disableFastKernels,
  enableFastKernels,
  importGenerator,
  setupTrainingBackend,
} from '../packages/train/src/index.js';

/**
 * onnxruntime-web's wasm backend in Node, with `threads` WebAssembly threads (worker threads).
 * @param threads - 1 runs on the calling thread
 */
export function wasmRuntime(threads: number): Runtime {
  return {
    name: 'onnxruntime-web (wasm, in Node)',
    devices: ['wasm'],
    loadModel: nodeRuntime.loadModel,
    loadVolume: nodeRuntime.loadVolume,
    async createSession(model, devices, name = 'the model'): Promise<RuntimeSession> {
      const ort = await import('onnxruntime-web');
      // the wasm files beside onnxruntime-web's own module, never fetched from elsewhere
      const folder = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
      ort.env.wasm.wasmPaths = `${pathToFileURL(join(folder, '/')).href}`;
      ort.env.wasm.numThreads = threads;
      ort.env.logLevel = 'fatal';
      let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
      try {
        session = await ort.InferenceSession.create(model, {
          executionProviders: ['wasm'],
          graphOptimizationLevel: 'all',
        });
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        throw noDeviceStarted('createSession', [
          { device: devices[0] ?? 'wasm', providers: ['wasm'], reason },
        ]);
      }
      return ortRuntimeSession(
        session,
        name,
        (data, dims) => new ort.Tensor('float32', data, dims),
        'wasm',
        [],
      );
    },
  };
}

/**
 * The network in tfjs on the `cpu` backend, with the ONNX model's weights.
 * @param fast - hadnet's fast kernels on (native convolutions, fused element-wise kernels) or off
 */
export function tfjsRuntime(fast: boolean): Runtime {
  return {
    name: `tfjs-cpu (${fast ? 'fast' : 'stock'} kernels)`,
    devices: ['cpu'],
    loadModel: nodeRuntime.loadModel,
    loadVolume: nodeRuntime.loadVolume,
    async createSession(model, _devices, name = 'the model'): Promise<RuntimeSession> {
      await setupTrainingBackend({ backend: 'cpu' });
      if (fast) {
        const info = enableFastKernels();
        for (const reason of info.skipped) process.stderr.write(`  fast kernels: skipped ${reason}\n`);
      } else {
        disableFastKernels();
      }
      const generator = importGenerator(model, { name });
      return {
        device: 'cpu',
        attempts: [],
        // [batch, channels, D, H, W] in, NDHWC through the network, probabilities back in NCDHW
        async run(input, shape) {
          const probabilities = tf.tidy(() => {
            const x = tf.transpose(tf.tensor5d(input, [...shape]), [0, 2, 3, 4, 1]) as tf.Tensor5D;
            const { logits, features } = generator.apply(x);
            tf.dispose(features.flat());
            return tf.transpose(tf.softmax(logits), [0, 4, 1, 2, 3]);
          });
          const data = (await probabilities.data()) as Float32Array;
          probabilities.dispose();
          return data;
        },
        async release() {
          generator.dispose();
        },
      };
    },
  };
}
