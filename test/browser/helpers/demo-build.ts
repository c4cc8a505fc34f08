/**
 * Builds the demo page (examples/web-demo) with its own vite config into a folder, for the
 * browser tests to serve.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const demo = fileURLToPath(new URL('../../../examples/web-demo/', import.meta.url));

/** Builds the demo into `outDir`. */
export async function buildDemo(outDir: string): Promise<void> {
  await build({
    configFile: `${demo}vite.config.ts`,
    root: demo,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}
