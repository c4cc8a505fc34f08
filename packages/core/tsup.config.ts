import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // nifti-reader-js ships ESM only: bundle it so that the CommonJS build can be required.
  noExternal: ['nifti-reader-js'],
});
