/**
 * @hadnet/infer-web's WebGPU path in real Chromium, on its software adapter (SwiftShader): a crop
 * of the example case runs end to end on WebGPU and gives the labels WebAssembly gives (and
 * infer-node); a model whose largest tensor is larger than the adapter's buffers is refused on
 * WebGPU with the limit named, and under 'auto' falls back to WebAssembly saying why. Times here
 * are no speed figure. Skipped where Debian's Chromium is absent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti, writeNifti, type Vec3, type Volume } from '@hadnet/core';
import { segment } from '@hadnet/infer-node';
import { flairThresholdModel } from '../helpers/onnx-model.js';
import { chromiumMissing, launchChromium, outsideOrigin, type TestBrowser } from './helpers/chromium.js';
import { cropVolume } from './helpers/crop.js';
import { buildDemo } from './helpers/demo-build.js';
import { identicalShare, labelCounts, REGION_LABELS, regionDice } from './helpers/labels.js';
import { startServer, type TestServer } from './helpers/server.js';
import { wideModel } from './helpers/wide-model.js';

const example = fileURLToPath(new URL('../../examples/Brats18_TCIA03_265_1/', import.meta.url));
if (chromiumMissing !== undefined) console.log(`web-webgpu: skipped, ${chromiumMissing}`);

/** What the page's `hadnetDemo.segment` call gives back, or its error. */
interface PageRun {
  device?: string;
  attempts?: { device: string; reason: string }[];
  warnings?: string[];
  networkShape?: number[];
  labels?: number[];
  error?: { name: string; code?: string; message: string };
}

/** Runs segment() in the demo page's worker on the served crop. */
function runInPage(page: Page, model: string, device: string): Promise<PageRun> {
  return page.evaluate(
    async ({ model, device }) => {
      const url = (path: string) => new URL(path, location.href);
      try {
        const r = await window.hadnetDemo!.segment(
          { flair: url('crop/flair.nii.gz'), t1: url('crop/t1.nii.gz'), t2: url('crop/t2.nii.gz') },
          { model: url(model), device: device as 'auto' },
        );
        return {
          device: r.device,
          attempts: r.deviceAttempts.map((a) => ({ device: a.device, reason: a.reason })),
          warnings: r.warnings,
          networkShape: [...r.inference.networkShape],
          labels: Array.from(r.labels.data),
        };
      } catch (error) {
        const e = error as Error & { code?: string };
        return { error: { name: e.name, code: e.code, message: e.message } };
      }
    },
    { model, device },
  );
}

describe.skipIf(chromiumMissing !== undefined)('WebGPU on Chromium software adapter', () => {
  let out: string;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let crop: Record<'flair' | 't1' | 't2', Volume>;
  let webgpu: PageRun;

  beforeAll(async () => {
    // a 64 x 64 x 48 crop around the enhancing tumour of the reference segmentation
    const truth = readNifti(new Uint8Array(readFileSync(join(example, 'seg.nii.gz'))));
    const [nx, ny] = truth.shape;
    const sum = [0, 0, 0];
    let count = 0;
    truth.data.forEach((label, v) => {
      if (label !== 4) return;
      count++;
      [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))].forEach((c, a) => (sum[a] += c));
    });
    const size: Vec3 = [64, 64, 48];
    const start = sum.map((s, a) =>
      Math.min(Math.max(0, Math.round(s / count - size[a] / 2)), truth.shape[a] - size[a]),
    ) as Vec3;
    const read = (s: string) => readNifti(new Uint8Array(readFileSync(join(example, `${s}.nii.gz`))));
    crop = {
      flair: cropVolume(read('flair'), start, size),
      t1: cropVolume(read('t1'), start, size),
      t2: cropVolume(read('t2'), start, size),
    };

    out = mkdtempSync(join(tmpdir(), 'hadnet-web-webgpu-'));
    await buildDemo(out);
    server = await startServer(out);
    for (const s of ['flair', 't1', 't2'] as const) server.put(`crop/${s}.nii.gz`, writeNifti(crop[s]));
    server.put('models/test-student.onnx', flairThresholdModel());
    browser = await launchChromium(server.origin, { webgpu: true });
    page = await browser.context.newPage();
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => window.hadnetDemo !== undefined);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('runs a crop end to end on WebGPU and agrees with WebAssembly and infer-node', async () => {
    let started = Date.now();
    webgpu = await runInPage(page, 'models/test-student.onnx', 'webgpu');
    console.log(`web-webgpu: WebGPU (software) run ${(Date.now() - started) / 1000} s`);
    expect(webgpu.error).toBeUndefined();
    expect(webgpu.device).toBe('webgpu');
    expect(webgpu.attempts).toEqual([]);
    started = Date.now();
    const wasm = await runInPage(page, 'models/test-student.onnx', 'wasm');
    console.log(`web-webgpu: wasm run ${(Date.now() - started) / 1000} s`);
    expect(wasm.device).toBe('wasm');

    const fromNode = await segment(crop, { model: flairThresholdModel(), device: 'cpu' });
    const counts = labelCounts(fromNode.labels.data);
    for (const label of [1, 2, 4]) expect(counts.get(label) ?? 0).toBeGreaterThan(100);
    for (const [name, other] of [
      ['wasm', wasm.labels!],
      ['infer-node', Array.from(fromNode.labels.data)],
    ] as const) {
      const share = identicalShare(webgpu.labels!, other);
      console.log(`web-webgpu: WebGPU against ${name}: ${(100 * share).toFixed(4)} % identical voxels`);
      expect(share).toBeGreaterThanOrEqual(0.9999);
      for (const labels of Object.values(REGION_LABELS)) {
        expect(regionDice(webgpu.labels!, other, labels)).toBeGreaterThanOrEqual(0.999);
      }
    }
  }, 300_000);

  it('refuses WebGPU for a model larger than the adapter buffers, naming the limit, and falls back under auto', async () => {
    const adapter = await page.evaluate(async () => {
      const a = await (navigator as Navigator & { gpu: GPU }).gpu.requestAdapter();
      return { binding: a!.limits.maxStorageBufferBindingSize, buffer: a!.limits.maxBufferSize };
    });
    // widest tensor just over the smaller limit on the crop's network grid, as preprocess made it
    const voxels = webgpu.networkShape!.reduce((a, b) => a * b, 1);
    const limit = Math.min(adapter.binding, adapter.buffer);
    const width = Math.floor(limit / (4 * voxels)) + 1;
    server.put('models/wide.onnx', wideModel(width));
    server.put('models/wider.onnx', wideModel(4 * width));

    const refused = await runInPage(page, 'models/wider.onnx', 'webgpu');
    expect(refused.error?.code).toBe('UNSUPPORTED_DEVICE');
    expect(refused.error?.name).toBe('UnsupportedDeviceError');
    expect(refused.error?.message).toMatch(/maxStorageBufferBindingSize of [\d.]+ MiB/);
    expect(refused.error?.message).toContain(`'wide', Conv: ${4 * width} channels`);

    const fallback = await runInPage(page, 'models/wide.onnx', 'auto');
    expect(fallback.error).toBeUndefined();
    expect(fallback.device).toBe('wasm');
    expect(fallback.attempts).toHaveLength(1);
    expect(fallback.attempts![0].device).toBe('webgpu');
    expect(fallback.attempts![0].reason).toContain('maxStorageBufferBindingSize');
    expect(fallback.warnings!.some((w) => w.startsWith('device webgpu could not start'))).toBe(true);

    expect(outsideOrigin(browser.requests, server.origin)).toEqual([]);
  }, 300_000);
});
