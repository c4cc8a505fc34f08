/**
 * @hadnet/infer-web in real Chromium, through the demo page: the shipped example case on the
 * WebAssembly backend gives infer-node's label map on the same model (the FLAIR-threshold test
 * model of test/helpers), no request leaves the page's origin, and a screenshot shows the
 * enhancing tumour in the overlay's ET colour. Skipped where Debian's Chromium is absent.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti } from '@hadnet/core';
import { segment, type SegmentationResult } from '@hadnet/infer-node';
import { flairThresholdModel } from '../helpers/onnx-model.js';
import { chromiumMissing, launchChromium, outsideOrigin, type TestBrowser } from './helpers/chromium.js';
import { buildDemo } from './helpers/demo-build.js';
import { identicalShare, labelCounts, REGION_LABELS, regionDice } from './helpers/labels.js';
import { decodePng, type Pixels } from './helpers/png.js';
import { countBlended } from './helpers/screenshot.js';
import { startServer, type TestServer } from './helpers/server.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const example = join(repo, 'examples', 'Brats18_TCIA03_265_1');
const screenshots = join(repo, 'tmp', 'browser-tests');
if (chromiumMissing !== undefined) console.log(`web-segment: skipped, ${chromiumMissing}`);

/** The overlay's ET colour and opacity, as examples/web-demo/src/palette.ts and viewer.ts state them. */
const ET_YELLOW = [255, 255, 0] as const;
const LABEL_OPACITY = 0.7;

/** Pixels that are not black: the FLAIR drawn on the viewer's black background. */
function litPixels(pixels: Pixels): number {
  let lit = 0;
  for (let p = 0; p < pixels.width * pixels.height; p++)
    if (pixels.rgba[p * 4] + pixels.rgba[p * 4 + 1] > 60) lit++;
  return lit;
}

describe.skipIf(chromiumMissing !== undefined)('the demo page on WebAssembly, in Chromium', () => {
  let out: string;
  let server: TestServer;
  let browser: TestBrowser;
  let fromNode: SegmentationResult;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'hadnet-web-demo-'));
    await buildDemo(out);
    server = await startServer(out);
    server.put('models/test-student.onnx', flairThresholdModel());
    const files = { flair: '', t1: '', t2: '' };
    for (const s of ['flair', 't1', 't2'] as const) files[s] = join(example, `${s}.nii.gz`);
    fromNode = await segment(files, { model: flairThresholdModel(), device: 'cpu' });
    browser = await launchChromium(server.origin);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('segments the example case on wasm with the labels infer-node gives, from its own origin only', async () => {
    const page = await browser.context.newPage();
    const t0 = Date.now();
    const lap = (what: string) =>
      console.log(`web-segment: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await page.goto(`${server.origin}/?model=models/test-student.onnx&device=wasm`);

    // control: the FLAIR alone, chosen with the file picker and drawn in grey, has no ET colour anywhere
    await page.setInputFiles('#flair-file', join(example, 'flair.nii.gz'));
    let before = decodePng(await page.locator('#viewer').screenshot());
    for (let tries = 0; litPixels(before) < 10_000 && tries < 60; tries++) {
      await page.waitForTimeout(1000);
      before = decodePng(await page.locator('#viewer').screenshot());
    }
    expect(litPixels(before)).toBeGreaterThanOrEqual(10_000);
    expect(countBlended(before, ET_YELLOW, LABEL_OPACITY)).toBe(0);

    // one click on the example case runs it
    lap('control');
    await page.click('#example');
    await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', {
      timeout: 180_000,
    });
    lap('done');
    expect(await page.textContent('#status')).toMatch(/^done in [\d.]+ s on wasm$/);
    expect(await page.textContent('#device-ran')).toBe('wasm');

    // seg.nii.gz from the save button, against infer-node's labels
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    expect(download.suggestedFilename()).toBe('seg.nii.gz');
    const seg = readNifti(new Uint8Array(readFileSync((await download.path())!)));
    expect(seg.shape).toEqual(fromNode.labels.shape);
    expect(seg.affine).toEqual(fromNode.labels.affine);
    lap('downloaded');
    const share = identicalShare(seg.data, fromNode.labels.data);
    const dice = Object.fromEntries(
      Object.entries(REGION_LABELS).map(([region, labels]) => [
        region,
        regionDice(seg.data, fromNode.labels.data, labels),
      ]),
    );
    console.log(`web-segment: identical voxels ${(100 * share).toFixed(4)} %, Dice ${JSON.stringify(dice)}`);
    expect(share).toBeGreaterThanOrEqual(0.9999);
    for (const region of ['ET', 'TC', 'WT']) expect(dice[region]).toBeGreaterThanOrEqual(0.999);
    // every label is present, so the comparison is not between two empty maps
    const counts = labelCounts(fromNode.labels.data);
    for (const label of [1, 2, 4]) expect(counts.get(label) ?? 0).toBeGreaterThan(1000);

    // the region volumes the page shows are infer-node's
    for (const region of ['ET', 'TC', 'WT'] as const) {
      expect(await page.textContent(`#volume-${region}`)).toBe(fromNode.volumesMl[region].toFixed(2));
    }

    // a screenshot with the enhancing tumour in the overlay's ET colour
    await page.waitForTimeout(2000);
    mkdirSync(screenshots, { recursive: true });
    const shot = join(screenshots, 'demo-wasm.png');
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(shot, png);
    console.log(`web-segment: screenshot ${shot}`);
    lap('screenshot');
    const yellow = countBlended(decodePng(png), ET_YELLOW, LABEL_OPACITY);
    console.log(`web-segment: ${yellow} ET-coloured pixels`);
    expect(yellow).toBeGreaterThan(50);

    // no request left the origin; the recorder saw the worker's own requests (the wasm file)
    expect(outsideOrigin(browser.requests, server.origin)).toEqual([]);
    expect(browser.requests.some((url) => url.endsWith('/ort/ort-wasm-simd-threaded.asyncify.wasm'))).toBe(
      true,
    );
    expect(server.requests).toContain('/example/t2.nii.gz');
    await page.close();
  }, 300_000);
});
