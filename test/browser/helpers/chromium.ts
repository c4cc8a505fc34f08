/**
 * Debian's Chromium driven by playwright-core for the browser tests: headless, with the flags
 * that keep it from dialling out, a fresh profile each time, and a record of every request any
 * page or worker of it makes (requests to another origin are recorded and then refused).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether the tests can run here; the reason when they cannot. */
export const chromiumMissing = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is absent (install Debian's chromium package: apt-get install chromium)`;

/** Without the background-networking flags Chromium keeps dialling out. */
export const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium's software WebGPU adapter (SwiftShader). */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** A running Chromium. */
export interface TestBrowser {
  context: BrowserContext;
  /** Every URL requested by any page or worker, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Starts Chromium headless with {@link QUIET_FLAGS} (and {@link WEBGPU_FLAGS} when asked) on a
 * fresh `--user-data-dir`. Requests outside `origin` are recorded, then aborted.
 */
export async function launchChromium(
  origin: string,
  options: { webgpu?: boolean } = {},
): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'hadnet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...QUIET_FLAGS, ...(options.webgpu === true ? WEBGPU_FLAGS : [])],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  await context.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith(`${origin}/`) ? route.continue() : route.abort('blockedbyclient');
  });
  return {
    context,
    requests,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The requests that left `origin` (`blob:` and `data:` URLs of the page itself stay inside). */
export function outsideOrigin(requests: readonly string[], origin: string): string[] {
  return requests.filter((url) => {
    if (url.startsWith('data:')) return false;
    const inner = url.startsWith('blob:') ? url.slice(5) : url;
    return new URL(inner).origin !== origin;
  });
}
