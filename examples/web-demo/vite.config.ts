/**
 * Builds the demo page with vite: the page and its web worker from the packages' TypeScript
 * sources, plus the files it serves itself (onnxruntime-web's wasm files, the example case, the
 * default model when there is one), so that the page makes no request outside its own origin.
 * `vite preview` serves it on 127.0.0.1 with the COOP/COEP headers that wasm threads need.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { ORT_WASM_FILES } from '../../packages/infer-web/src/runtime/ort-files.js';
import { DEFAULT_MODEL, EXAMPLE_CASE, ORT_FOLDER } from './src/config.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const webPackage = createRequire(here('../../packages/infer-web/package.json'));

/** Cross-origin isolation: lets onnxruntime-web use WebAssembly threads (SharedArrayBuffer). */
export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** The files the page serves beside its bundle: output path -> file on disk. */
function servedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of ORT_WASM_FILES)
    files.set(`${ORT_FOLDER}${file}`, webPackage.resolve(`onnxruntime-web/${file}`));
  for (const file of Object.values(EXAMPLE_CASE.files)) {
    files.set(`${EXAMPLE_CASE.url}${file}`, here(`${EXAMPLE_CASE.source}/${file}`));
  }
  const model = here(DEFAULT_MODEL.source);
  if (existsSync(model)) files.set(DEFAULT_MODEL.url, model);
  return files;
}

const TYPES: Record<string, string> = { '.wasm': 'application/wasm', '.mjs': 'text/javascript' };

/** Emits the served files into the build, and serves them in `vite dev`. */
function hadnetFiles(): Plugin {
  return {
    name: 'hadnet-files',
    generateBundle() {
      for (const [fileName, path] of servedFiles()) {
        this.emitFile({ type: 'asset', fileName, source: readFileSync(path) });
      }
    },
    configureServer(server) {
      const files = servedFiles();
      server.middlewares.use((request: IncomingMessage, response: ServerResponse, next: () => void) => {
        const path = files.get(decodeURIComponent((request.url ?? '').split('?')[0].replace(/^\//, '')));
        if (path === undefined) return next();
        const type = Object.entries(TYPES).find(([extension]) => path.endsWith(extension))?.[1];
        response.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': type ?? 'application/octet-stream' });
        response.end(readFileSync(path));
      });
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: './',
  resolve: {
    // the packages' sources, as the tests use them; onnxruntime-web's entry that loads its wasm
    // code from wasmPaths instead of bundling a second copy
    alias: {
      '@hadnet/core': here('../../packages/core/src/index.ts'),
      '@hadnet/infer-web': here('../../packages/infer-web/src/index.ts'),
    },
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
  plugins: [hadnetFiles()],
  server: { host: '127.0.0.1', headers: { ...ISOLATION_HEADERS } },
  preview: { host: '127.0.0.1', port: 5173, headers: { ...ISOLATION_HEADERS } },
});
