/**
 * The built `hadnet-train` bin end to end: exit codes and output of `summary`. Needs
 * `npm run build` first (`npm test` does it); skips with a reason where dist/ is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const built = existsSync(bin);
if (!built) console.log(`skipping the hadnet-train bin tests: ${bin} is not built (run npm run build)`);

const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe.skipIf(!built)('hadnet-train bin', () => {
  it('summary --json: one JSON object on stdout, exit 0', () => {
    const result = run('summary', '--preset', 'paper', '--json');
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.generator.parameters).toBe(16_488_324);
    expect(json.discriminator.parameters).toBe(88_205_184);
  });

  it('a usage error exits 2 with the reason on stderr', () => {
    const result = run('summary', '--preset', 'huge');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^hadnet-train summary: unknown preset 'huge'; valid presets: paper, small, tiny/,
    );
  });
});
