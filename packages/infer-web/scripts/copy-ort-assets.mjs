// Copies onnxruntime-web's wasm files that the `onnxruntime-web/webgpu` entry loads at run time into
// dist/assets/, so that pages serve them from their own origin (configureWebRuntime's wasmPaths).
// The list is ORT_WASM_FILES of src/runtime/ort-files.ts, read from its text.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const target = join(here, '..', 'dist', 'assets');

const declared = readFileSync(join(here, '..', 'src', 'runtime', 'ort-files.ts'), 'utf8');
const FILES = [...declared.matchAll(/'(ort-wasm[^']+)'/g)].map((match) => match[1]);
if (FILES.length === 0) throw new Error('copy-ort-assets: no file names found in src/runtime/ort-files.ts');
mkdirSync(target, { recursive: true });
for (const file of FILES) copyFileSync(require.resolve(`onnxruntime-web/${file}`), join(target, file));
