/**
 * setupTrainingBackend and the fast kernels: on the cpu backend they are enabled by default and
 * logged, `fastKernels: false` keeps every stock kernel, and without the native addon the
 * plain-JS kernels still apply while the reason for the stock convolutions is logged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setLogger } from '@hadnet/core';
import { setupTrainingBackend } from '../backend.js';
import { disableFastKernels, enableFastKernels, fastKernelsEnabled } from './register.js';

const withoutNode = (specifier: string): Promise<unknown> =>
  specifier.startsWith('@tensorflow/tfjs-node')
    ? Promise.reject(
        Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' }),
      )
    : import(specifier);

afterAll(() => {
  disableFastKernels();
  setLogger(null);
});

describe('setupTrainingBackend with fast kernels', () => {
  it('enables them on cpu by default and says so in the log', async () => {
    const lines: string[] = [];
    const collect = (level: string) => (m: string) => lines.push(`${level}: ${m}`);
    setLogger(
      { debug: collect('debug'), info: collect('info'), warn: collect('warn'), error: collect('error') },
      'info',
    );
    const info = await setupTrainingBackend({ importModule: withoutNode });
    expect(info.backend).toBe('cpu');
    expect(fastKernelsEnabled()).toBe(true);
    expect(info.fastKernels?.kernels).toEqual(
      expect.arrayContaining(['Multiply', 'SplitV', 'MaxPool3DGrad']),
    );
    expect(lines.some((l) => /^info: training backend: hadnet fast kernels for .*Multiply/.test(l))).toBe(
      true,
    );
    if (info.fastKernels?.nativePath) {
      expect(info.fastKernels.kernels).toEqual(expect.arrayContaining(['Conv3D', 'Conv3DBackpropFilterV2']));
      expect(lines.some((l) => l.startsWith('warn: training runs on the slow'))).toBe(false);
    } else {
      expect(lines.some((l) => /^warn: training backend: stock cpu kernels kept: Conv3D/.test(l))).toBe(true);
    }
  });

  it('keeps every stock kernel with fastKernels: false', async () => {
    const info = await setupTrainingBackend({ importModule: withoutNode, fastKernels: false });
    expect(info.fastKernels).toBeUndefined();
    expect(fastKernelsEnabled()).toBe(false);
  });

  it('falls back to stock convolutions, with the reason, where the addon is missing', () => {
    disableFastKernels();
    const stockConv = tf.getKernel('Conv3D', 'cpu');
    const info = enableFastKernels({ nativePath: '/nonexistent/hadnet_kernels.node' });
    expect(info.nativePath).toBeUndefined();
    expect(info.kernels).toContain('Multiply');
    expect(info.kernels).not.toContain('Conv3D');
    expect(info.skipped).toEqual([
      expect.stringMatching(
        /^Conv3D, its gradients and BatchMatMul: the native kernels are not built \(no \/nonexistent/,
      ),
    ]);
    expect(tf.getKernel('Conv3D', 'cpu')).toBe(stockConv);
    disableFastKernels();
  });
});
