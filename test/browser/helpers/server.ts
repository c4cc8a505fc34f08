/**
 * A small static server for the browser tests: serves a folder (the built demo) and extra files
 * from memory on 127.0.0.1, with the COOP/COEP headers that wasm threads need, and records every
 * request it answers.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/** A running server. */
export interface TestServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Every path requested, in order. */
  requests: string[];
  /** Adds or replaces a file served from memory at `path` (no leading slash). */
  put(path: string, bytes: Uint8Array): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.gz': 'application/gzip',
};

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Serves `root` (and files put in memory) on 127.0.0.1 at a free port. */
export async function startServer(root: string): Promise<TestServer> {
  const memory = new Map<string, Uint8Array>();
  const requests: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    requests.push(path);
    let relative = path.replace(/^\/+/, '');
    if (relative === '' || relative.endsWith('/')) relative += 'index.html';
    let body = memory.get(relative);
    if (body === undefined) {
      const file = normalize(join(root, relative));
      if (file.startsWith(root + sep) && (await stat(file).catch(() => undefined))?.isFile()) {
        body = await readFile(file);
      }
    }
    if (body === undefined) {
      response.writeHead(404, { ...ISOLATION, 'Content-Type': 'text/plain' });
      response.end(`no ${path}`);
      return;
    }
    const type = TYPES[extname(relative)] ?? 'application/octet-stream';
    response.writeHead(200, { ...ISOLATION, 'Content-Type': type, 'Cache-Control': 'no-store' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    put: (path, bytes) => memory.set(path, bytes),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
