import * as tf from '@tensorflow/tfjs-core';
import { setLogger } from '@hadnet/core';
import { afterEach, describe, expect, it } from 'vitest';
import { assertTrainingBackend, setupTrainingBackend } from './backend.js';

const notInstalled = (name: string): Error =>
  Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });

/** Loads what exists here; the two tfjs-node packages are reported as not installed. */
const withoutNode = (specifier: string): Promise<unknown> =>
  specifier.startsWith('@tensorflow/tfjs-node') ? Promise.reject(notInstalled(specifier)) : import(specifier);

afterEach(() => setLogger(null, 'silent'));

describe('setupTrainingBackend', () => {
  it('falls back to cpu, saying why tensorflow-gpu and tensorflow were dropped, in the log too', async () => {
    const lines: string[] = [];
    const collect = (level: string) => (m: string) => lines.push(`${level}: ${m}`);
    setLogger(
      { debug: collect('debug'), info: collect('info'), warn: collect('warn'), error: collect('error') },
      'info',
    );
    const info = await setupTrainingBackend({ importModule: withoutNode, fastKernels: false });
    expect(info.backend).toBe('cpu');
    expect(info.tfjsBackend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(info.dropped).toEqual([
      {
        backend: 'tensorflow-gpu',
        packageName: '@tensorflow/tfjs-node-gpu',
        reason: '@tensorflow/tfjs-node-gpu is not installed (it is an optional peer dependency)',
      },
      {
        backend: 'tensorflow',
        packageName: '@tensorflow/tfjs-node',
        reason: '@tensorflow/tfjs-node is not installed (it is an optional peer dependency)',
      },
    ]);
    expect(lines[0]).toBe("info: training backend: cpu (@tensorflow/tfjs-backend-cpu, tfjs backend 'cpu')");
    expect(lines.filter((l) => l.startsWith('info: training backend: dropped'))).toHaveLength(2);
    expect(
      lines.some((l) => /^warn: training runs on the slow pure-JS cpu backend.*tensorflow-gpu: /.test(l)),
    ).toBe(true);
  });

  it('drops a tfjs-node that loads but registers its backend with another copy of tfjs-core', async () => {
    const loadsButRegistersNothing = (specifier: string): Promise<unknown> =>
      specifier === '@tensorflow/tfjs-node' ? Promise.resolve({}) : withoutNode(specifier);
    const info = await setupTrainingBackend({ importModule: loadsButRegistersNothing });
    expect(info.backend).toBe('cpu');
    expect(info.dropped[1].reason).toMatch(
      /^@tensorflow\/tfjs-node loaded but registered no 'tensorflow' backend with this copy of @tensorflow\/tfjs-core \(4\.22\.0\)/,
    );
  });

  it('on this machine, auto ends on cpu (tfjs-node cannot be installed here)', async () => {
    const info = await setupTrainingBackend();
    expect(info.backend).toBe('cpu');
    expect(info.dropped.map((d) => d.backend)).toEqual(['tensorflow-gpu', 'tensorflow']);
    // memoised: a second call shares the first selection
    expect(await setupTrainingBackend()).toBe(info);
  });

  it('names every attempt when the one backend asked for cannot start', async () => {
    await expect(
      setupTrainingBackend({ backend: 'tensorflow', importModule: withoutNode }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_DEVICE',
      message:
        "setupTrainingBackend: no training backend could start for 'tensorflow'; tried tensorflow " +
        '(@tensorflow/tfjs-node): @tensorflow/tfjs-node is not installed (it is an optional peer dependency)',
    });
  });

  it('refuses wasm, which computes wrong 3D gradients', async () => {
    await expect(setupTrainingBackend({ backend: 'wasm' as 'cpu' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_DEVICE',
      message: expect.stringMatching(
        /options.backend must be one of auto, tensorflow-gpu, tensorflow, cpu; got 'wasm' \(the wasm backend computes wrong 3D gradients/,
      ),
    });
  });
});

describe('assertTrainingBackend', () => {
  it('passes on cpu and refuses a backend training does not use', async () => {
    await setupTrainingBackend({ backend: 'cpu' });
    expect(() => assertTrainingBackend()).not.toThrow();
    // a stand-in named 'wasm': a fresh cpu backend instance (removing it disposes only that one)
    const cpuFactory = tf.findBackendFactory('cpu') as () => tf.KernelBackend;
    tf.registerBackend('wasm', () => cpuFactory(), 0);
    await tf.setBackend('wasm');
    try {
      expect(() => assertTrainingBackend()).toThrow(
        /tfjs runs on 'wasm', which training does not use.*wrong 3D gradients/,
      );
    } finally {
      await tf.setBackend('cpu');
      tf.removeBackend('wasm');
    }
    expect(tf.sum(tf.ones([3])).dataSync()[0]).toBe(3);
  });
});
