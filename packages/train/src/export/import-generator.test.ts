/**
 * importGenerator against exportGenerator: a generator with every weight random is exported and
 * read back into a fresh generator, which must hold the very same tfjs weights and give the very
 * same logits; damaged models are refused with messages that name the initializer.
 */
import * as tf from '@tensorflow/tfjs-core';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomGenerator, testCard } from '../../test/export-fixtures.js';
import type { Generator } from '../networks/generator.js';
import { exportGenerator } from './export-generator.js';
import { importGenerator } from './import-generator.js';

const { onnx } = onnxProto;

/** The logits of `model` on `images` (NDHWC), as a plain array. */
function logitsOf(model: Generator, images: tf.Tensor5D): Float32Array {
  return tf.tidy(() => {
    const { logits, features } = model.apply(images);
    tf.dispose(features.flat());
    return logits.dataSync() as Float32Array;
  });
}

/** The exported bytes with the graph's initializers changed by `edit`. */
function edited(bytes: Uint8Array, edit: (initializers: onnxProto.onnx.ITensorProto[]) => void): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  edit(model.graph!.initializer!);
  return onnx.ModelProto.encode(model).finish();
}

const networks: {
  role: 'student' | 'teacher';
  k: number;
  seed: number;
  shape: [number, number, number, number, number];
}[] = [
  { role: 'student', k: 3, seed: 5, shape: [1, 16, 32, 16, 3] },
  { role: 'teacher', k: 2, seed: 6, shape: [2, 16, 16, 16, 4] },
];

describe.each(networks)('importGenerator on an exported $role (k = $k)', ({ role, k, seed, shape }) => {
  let original: Generator;
  let imported: Generator;
  let bytes: Uint8Array;

  beforeAll(async () => {
    original = await randomGenerator({ role, k, seed });
    bytes = exportGenerator(original, testCard(role));
    imported = importGenerator(bytes, { name: `${role}.onnx` });
  });
  afterAll(() => {
    original?.dispose();
    imported?.dispose();
  });

  it('builds the same network: width, input channels, classes, parameter names', () => {
    expect(imported.options).toMatchObject({ k, inputChannels: shape[4], classes: 4 });
    expect(imported.parameters.names()).toEqual(original.parameters.names());
  });

  it('gives back every tfjs weight exactly, in the tfjs layout', () => {
    for (const name of original.parameters.names()) {
      const want = original.parameters.get(name);
      const got = imported.parameters.get(name);
      expect(got.shape, name).toEqual(want.shape);
      expect(got.dataSync(), name).toEqual(want.dataSync());
    }
    // the joined decoder kernels were split back: skip and up differ from each other
    const skip = imported.parameters.get('conv_u1.unit1.conv.kernel_skip');
    expect(skip.shape).toEqual([3, 3, 3, k, k]);
  });

  it('gives exactly the logits of the generator that was exported', () => {
    const images = tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor5D;
    const want = logitsOf(original, images);
    const got = logitsOf(imported, images);
    images.dispose();
    expect(want.length).toBe((shape[0] * shape[1] * shape[2] * shape[3] * 4) as number);
    expect(Math.max(...Array.from(want, Math.abs))).toBeGreaterThan(0.1);
    expect(got).toEqual(want);
  });
});

describe('importGenerator on both instance-norm layouts', () => {
  it('reads scales and shifts stored [channels] (InstanceNormalization) and [channels, 1, 1, 1] alike', async () => {
    const model = await randomGenerator({ role: 'student', k: 2, seed: 7 });
    const bytes = exportGenerator(model, testCard('student'));
    // the other layout than the exporter's: [channels] <-> [channels, 1, 1, 1], no epsilon constant
    const other = edited(bytes, (initializers) => {
      for (const t of initializers) {
        if (!/\.norm\.(gamma|beta)$/.test(t.name!)) continue;
        const channels = Number(t.dims![0]);
        t.dims = t.dims!.length === 1 ? [channels, 1, 1, 1] : [channels];
      }
      const at = initializers.findIndex((t) => t.name === 'norm.epsilon');
      if (at >= 0) initializers.splice(at, 1);
    });
    for (const variant of [bytes, other]) {
      const imported = importGenerator(variant);
      for (const name of model.parameters.names()) {
        expect(imported.parameters.get(name).dataSync(), name).toEqual(model.parameters.get(name).dataSync());
      }
      imported.dispose();
    }
    model.dispose();
  });
});

describe('importGenerator refuses', () => {
  let bytes: Uint8Array;

  beforeAll(async () => {
    const model = await randomGenerator({ role: 'student', k: 2, seed: 9 });
    bytes = exportGenerator(model, testCard('student'));
    model.dispose();
  });

  it('bytes that are not an ONNX model, and a model without weights', () => {
    expect(() => importGenerator(Uint8Array.of(8, 1, 2, 3), { name: 'broken.onnx' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_MODEL',
        message: expect.stringMatching(/^importGenerator: broken\.onnx is not an ONNX model: /),
      }),
    );
    const empty = edited(bytes, (initializers) => initializers.splice(0));
    expect(() => importGenerator(empty)).toThrow(
      "importGenerator: the model holds no graph initializers; expected a hadnet generator's weights",
    );
    expect(() => importGenerator([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('a graph that lacks a weight, holds one too many, or shapes one otherwise', () => {
    const lacking = edited(bytes, (initializers) => {
      const at = initializers.findIndex((t) => t.name === 'conv_d2.unit1.norm.gamma');
      initializers.splice(at, 1);
    });
    expect(() => importGenerator(lacking, { name: 'm.onnx' })).toThrow(
      "importGenerator: m.onnx is not a hadnet generator graph: it lacks the initializer 'conv_d2.unit1.norm.gamma'",
    );
    const extra = edited(bytes, (initializers) => {
      initializers.push({ ...initializers.find((t) => t.name === 'conv_out.bias')!, name: 'conv_out.scale' });
    });
    expect(() => importGenerator(extra, { name: 'm.onnx' })).toThrow(
      'importGenerator: m.onnx: 1 initializer(s) are not weights of a hadnet generator (k = 2): conv_out.scale',
    );
    const reshaped = edited(bytes, (initializers) => {
      const bias = initializers.find((t) => t.name === 'conv_c5.unit1.conv.bias')!;
      bias.dims = [1, 32];
    });
    expect(() => importGenerator(reshaped, { name: 'm.onnx' })).toThrow(
      "importGenerator: m.onnx: 'conv_c5.unit1.conv.bias' comes out as [1, 32]; the generator (k = 2, 3 inputs, 4 classes) needs [32]",
    );
  });

  it('a graph constant that differs from what the generator computes with', () => {
    // a wrong epsilon, in place of the exporter's or added where it writes none
    const epsilon = edited(bytes, (initializers) => {
      const kept = initializers.filter((t) => t.name !== 'norm.epsilon');
      initializers.splice(0, initializers.length, ...kept, {
        name: 'norm.epsilon',
        dataType: onnx.TensorProto.DataType.FLOAT,
        dims: [],
        rawData: new Uint8Array(Float32Array.of(1e-3).buffer),
      });
    });
    const scales = edited(bytes, (initializers) => {
      initializers.find((t) => t.name === 'upsample.scales')!.rawData = new Uint8Array(
        Float32Array.of(1, 1, 3, 3, 3).buffer,
      );
    });
    expect(() => importGenerator(scales)).toThrow(
      "importGenerator: the model: the constant 'upsample.scales' is [1, 1, 3, 3, 3]; the generator computes with [1, 1, 2, 2, 2]",
    );
    expect(() => importGenerator(epsilon)).toThrow(
      /^importGenerator: the model: the constant 'norm\.epsilon' is \[0\.00100000\d*\]; the generator computes with \[0\.0000099999\d*\]$/,
    );
  });

  it('weights that are not float32', () => {
    const doubles = edited(bytes, (initializers) => {
      initializers.find((t) => t.name === 'conv_out.bias')!.dataType = onnx.TensorProto.DataType.DOUBLE;
    });
    expect(() => importGenerator(doubles)).toThrow(
      "importGenerator: the model: initializer 'conv_out.bias' has ONNX data type 11; expected FLOAT (1)",
    );
  });
});
