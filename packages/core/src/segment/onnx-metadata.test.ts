import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { convModel, studentCard } from '../../../../test/helpers/onnx-model.js';
import { parseModelCard } from './model-card.js';
import { readOnnxMetadata } from './onnx-metadata.js';

const { onnx } = onnxProto;

describe('readOnnxMetadata', () => {
  it('reads the metadata_props that onnx-proto wrote, around the graph and its weights', () => {
    const card = studentCard();
    expect(
      readOnnxMetadata(convModel({ weights: [[1], [2], [3], [4]], bias: [0, 0, 0, 0], metadata: card })),
    ).toEqual(card);
  });

  it('decodes UTF-8 and long values (multi-byte lengths), and keeps a repeated key’s last value', () => {
    const long = 'x'.repeat(70_000);
    const bytes = onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 8,
        graph: { name: 'empty' },
        metadataProps: [
          { key: 'hadnet.training', value: JSON.stringify({ data: 'Gliome – Ødem, 1 mm³' }) },
          { key: 'long', value: long },
          { key: 'twice', value: 'first' },
          { key: 'twice', value: 'second' },
        ],
      }),
    ).finish();
    expect(readOnnxMetadata(bytes)).toEqual({
      'hadnet.training': '{"data":"Gliome – Ødem, 1 mm³"}',
      long,
      twice: 'second',
    });
  });

  it('gives an empty object for a model without metadata', () => {
    const bytes = onnx.ModelProto.encode(
      onnx.ModelProto.create({ irVersion: 8, graph: { name: 'g' } }),
    ).finish();
    expect(readOnnxMetadata(bytes)).toEqual({});
  });

  it('refuses bytes that are not an ONNX model, naming the source', () => {
    const gzip = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03);
    expect(() => readOnnxMetadata(gzip, 'flair.nii.gz')).toThrow(
      expect.objectContaining({
        code: 'INVALID_MODEL',
        message: expect.stringMatching(/^readOnnxMetadata: flair\.nii\.gz \(10 bytes\) is not an ONNX model/),
      }),
    );
    const html = new TextEncoder().encode('<!doctype html><title>404</title>');
    expect(() => readOnnxMetadata(html)).toThrow(/is not an ONNX model/);
    const model = convModel({ weights: [[1], [2], [3], [4]], bias: [0, 0, 0, 0] });
    expect(() => readOnnxMetadata(model.subarray(0, model.length - 20), 'm.onnx')).toThrow(
      /m\.onnx \(\d+ bytes\) is not an ONNX model: .*past the end|ends inside/,
    );
    const noGraph = onnx.ModelProto.encode(
      onnx.ModelProto.create({ irVersion: 8, producerName: 'x' }),
    ).finish();
    expect(() => readOnnxMetadata(noGraph)).toThrow(/no graph field in its ModelProto/);
    expect(() => readOnnxMetadata(new Uint8Array(0))).toThrow(/no ir_version field/);
  });

  it('refuses every truncation of a model, wherever the cut falls, before any runtime sees it', () => {
    const model = convModel({ weights: [[1], [2], [3], [4]], bias: [0, 0, 0, 0] });
    const accepted: number[] = [];
    for (let length = 0; length < model.length; length++) {
      try {
        parseModelCard(readOnnxMetadata(model.subarray(0, length), 'cut.onnx'));
        accepted.push(length);
      } catch (error) {
        if ((error as { code?: string }).code !== 'INVALID_MODEL') throw error;
      }
    }
    // a cut inside a field runs past the end; one between fields leaves the graph or card incomplete
    expect(accepted).toEqual([]);
  });
});
