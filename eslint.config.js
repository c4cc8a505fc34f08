// Lint settings: typescript-eslint's recommended rules, plus the architecture rules of STYLE.md
// that a linter can check (core stays runtime-free; library code prints nothing).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'examples/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // @hadnet/core runs unchanged in Node and browsers: no file system, no Buffer, no runtimes.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'zlib', 'os'],
              message: 'core runs in browsers too: no Node modules.',
            },
            { group: ['onnxruntime-*', '@tensorflow/*'], message: 'core imports no runtime.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'core runs in browsers: use Uint8Array.' },
      ],
    },
  },
  {
    // Command-line entry points, tests and benchmarks may print.
    files: [
      '**/cli/**/*.ts',
      '**/cli.ts',
      '**/*.test.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      '**/scripts/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
);
