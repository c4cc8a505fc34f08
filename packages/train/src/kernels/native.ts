/**
 * Loads hadnet's native training kernels (packages/train/native, built by `npm run build` with the
 * system C compiler and OpenBLAS). Loading is lazy and memoised; where the addon was not built it
 * reports why instead of failing. May depend on: Node's `module`, `fs`, `url`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The addon's functions (native/addon.c, conv3d.c, matmul.c). */
export interface NativeKernels {
  /**
   * One 3D convolution pass on NDHWC tensors and `[kd, kh, kw, inChannels, outChannels]` filters.
   * `kind` 0: `out` = y from (`p` = x, `q` = w); 1: `out` = dx from (`p` = dy, `q` = w); 2: `out` = dw
   * from (`p` = x, `q` = dy). `geometry` holds batch, inDepth, inHeight, inWidth, inChannels,
   * filterDepth, filterHeight, filterWidth, outChannels, outDepth, outHeight, outWidth, the three
   * strides and the front, top and left padding, in that order.
   */
  conv3d(kind: 0 | 1 | 2, out: Float32Array, p: Float32Array, q: Float32Array, geometry: Int32Array): void;
  /**
   * `out[i] = op(a[i]) . op(b[i])`, row-major, for `geometry` = batchA, batchB, m, k, n,
   * transposeA, transposeB (0 or 1); op(a) is m x k, op(b) k x n, a batch of 1 is shared.
   */
  matmul(out: Float32Array, a: Float32Array, b: Float32Array, geometry: Int32Array): void;
  /** Sets the number of threads OpenBLAS uses. */
  setThreads(threads: number): void;
}

/** The addon, or why there is none. */
export type NativeLoad = { kernels: NativeKernels; path: string } | { kernels: undefined; reason: string };

/** The environment variable that points at another build of the addon. */
export const NATIVE_KERNELS_ENV = 'HADNET_NATIVE_KERNELS';

const ADDON = 'native/build/hadnet_kernels.node';
let loaded: NativeLoad | undefined;

/** Where the addon may be: beside the sources (src/kernels) or beside the bundle (dist). */
function candidates(): string[] {
  const fromEnv = process.env[NATIVE_KERNELS_ENV];
  if (fromEnv) return [fromEnv];
  // import.meta.url is empty in the CommonJS bundle, where __filename serves
  const base = import.meta.url ? import.meta.url : pathToFileURL(__filename).href;
  return [`../../${ADDON}`, `../${ADDON}`].map((relative) => fileURLToPath(new URL(relative, base)));
}

/**
 * Loads the native kernels, once per process from the default places.
 * @param path - load this file instead (not memoised); the default looks at
 *   `$HADNET_NATIVE_KERNELS`, then `native/build/hadnet_kernels.node` of the package
 * @returns the addon and its path, or `kernels: undefined` with the reason it could not load
 */
export function loadNativeKernels(path?: string): NativeLoad {
  if (path !== undefined) return loadFrom([path]);
  loaded ??= loadFrom(candidates());
  return loaded;
}

function loadFrom(paths: string[]): NativeLoad {
  const path = paths.find((p) => existsSync(p));
  if (!path) {
    return {
      kernels: undefined,
      reason: `the native kernels are not built (no ${paths.join(' or ')}; run npm run build -w @hadnet/train with gcc and libopenblas-dev installed)`,
    };
  }
  try {
    const kernels = createRequire(pathToFileURL(path).href)(path) as NativeKernels;
    return { kernels, path };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return { kernels: undefined, reason: `loading ${path} failed: ${message}` };
  }
}
