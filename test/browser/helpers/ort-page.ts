/**
 * Runs an ONNX model with onnxruntime-web inside a Chromium page, on one execution provider, and
 * returns its logits with onnxruntime's own record of where it placed the nodes. The page loads
 * onnxruntime-web's module from the test server (which serves `node_modules/onnxruntime-web/dist`
 * at its root), as `@hadnet/infer-web` does: one thread, graph optimisation `'all'`.
 */
import type { Page } from 'playwright-core';
import { parsePlacements, type Placement } from './placements.js';

/** What {@link runInPage} needs: files on the page's origin, and the provider to run on. */
export interface PageModelRun {
  /** onnxruntime-web's module, e.g. `ort.webgpu.min.mjs` (what `onnxruntime-web/webgpu` resolves to). */
  bundle: string;
  /** The `.onnx` file's path on the server. */
  model: string;
  /** The input's raw float32 bytes' path on the server (`[batch, channels, depth, height, width]`). */
  input: string;
  /** The input's dims. */
  shape: readonly number[];
  /** The only execution provider the session is given: `'webgpu'` or `'wasm'`. */
  executionProvider: 'webgpu' | 'wasm';
  /**
   * WebGPU only: nodes onnxruntime must put on its CPU provider instead (its `forceCpuNodeNames`
   * option), for a control run whose placement is known to be mixed.
   */
  forceCpuNodeNames?: readonly string[];
  /** Only create the session (placements are logged then), without running it. @defaultValue false */
  createOnly?: boolean;
}

/** The logits and what onnxruntime logged about the session. */
export interface PageModelResult {
  /** The `logits` output, `[batch, classes, depth, height, width]` (empty with `createOnly`). */
  logits: Float32Array;
  dims: number[];
  /** Where onnxruntime put the nodes, from its verbose log. */
  placements: Placement[];
  /** Milliseconds to create the session, and to run it once. */
  createMs: number;
  runMs: number;
}

/**
 * Runs `run.model` once on `run.input` in `page` with onnxruntime-web's verbose log switched on
 * (it goes to the page's console, which is recorded for the duration of the call).
 * @throws Error with the page's error message when onnxruntime-web fails in the page
 */
export async function runInPage(page: Page, run: PageModelRun): Promise<PageModelResult> {
  const lines: string[] = [];
  const record = (message: { text(): string }) => lines.push(message.text());
  page.on('console', record);
  try {
    const result = await page.evaluate(
      async ({ bundle, model, input, shape, executionProvider, forceCpuNodeNames, createOnly }) => {
        try {
          // a dynamic import that TypeScript leaves alone, of a module the page's origin serves
          const load = (0, eval)('(url) => import(url)') as (
            url: string,
          ) => Promise<typeof import('onnxruntime-web')>;
          const ort = await load(new URL(bundle, location.href).href);
          ort.env.wasm.wasmPaths = new URL('./', location.href).href;
          ort.env.wasm.numThreads = 1;
          ort.env.logLevel = 'verbose';
          const bytes = new Uint8Array(await (await fetch(model)).arrayBuffer());
          const data = new Float32Array(await (await fetch(input)).arrayBuffer());
          const started = performance.now();
          const provider =
            forceCpuNodeNames.length === 0
              ? executionProvider
              : { name: 'webgpu' as const, forceCpuNodeNames };
          const session = await ort.InferenceSession.create(bytes, {
            executionProviders: [provider],
            graphOptimizationLevel: 'all',
            logSeverityLevel: 0,
            logVerbosityLevel: 0,
          });
          const created = performance.now();
          if (createOnly) {
            await session.release();
            return { values: [], dims: [], createMs: created - started, runMs: 0 };
          }
          const outputs = await session.run({ input: new ort.Tensor('float32', data, shape) });
          const ran = performance.now();
          const logits = outputs.logits;
          const values = Array.from(logits.data as Float32Array);
          await session.release();
          return { values, dims: [...logits.dims], createMs: created - started, runMs: ran - created };
        } catch (error) {
          return { error: String((error as Error).stack ?? error) };
        }
      },
      {
        ...run,
        shape: [...run.shape],
        forceCpuNodeNames: [...(run.forceCpuNodeNames ?? [])],
        createOnly: run.createOnly === true,
      },
    );
    if ('error' in result) throw new Error(`runInPage (${run.executionProvider}): ${result.error}`);
    return {
      logits: Float32Array.from(result.values),
      dims: result.dims,
      placements: parsePlacements(lines),
      createMs: result.createMs,
      runMs: result.runMs,
    };
  } finally {
    page.off('console', record);
  }
}
