/**
 * WebGPU as hadnet uses it: an adapter actually obtained (`navigator.gpu` alone proves nothing),
 * its buffer limits, and whether a model's largest tensor fits them. Depends on nothing but the
 * ./activation-size type.
 */
import type { WidestActivation } from './activation-size.js';

/** The two limits a single large tensor runs into, in bytes. */
export interface WebGpuBufferLimits {
  /** `GPUSupportedLimits.maxStorageBufferBindingSize`: the largest buffer a shader can bind. */
  maxStorageBufferBindingSize: number;
  /** `GPUSupportedLimits.maxBufferSize`: the largest buffer that can be created. */
  maxBufferSize: number;
}

/** The part of `navigator.gpu` used here (structural, so that tests can pass their own). */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<{
    readonly limits: WebGpuBufferLimits;
    readonly info?: { vendor?: string; architecture?: string; description?: string };
  } | null>;
}

/** What looking for a WebGPU adapter found. */
export type WebGpuProbe =
  { available: true; limits: WebGpuBufferLimits; adapterName: string } | { available: false; reason: string };

/**
 * Looks for a WebGPU adapter: `gpu.requestAdapter()` must return one, not only exist.
 * @param gpu - `navigator.gpu`, or `undefined` where the browser has none
 * @returns the adapter's buffer limits and a name for messages, or why there is none
 * @example
 * ```ts
 * const probe = await probeWebGpu(navigator.gpu);
 * if (!probe.available) console.log(probe.reason);
 * ```
 */
export async function probeWebGpu(gpu: GpuLike | undefined): Promise<WebGpuProbe> {
  if (gpu === undefined || gpu === null || typeof gpu.requestAdapter !== 'function') {
    return { available: false, reason: 'this browser has no WebGPU (navigator.gpu is undefined)' };
  }
  let adapter: Awaited<ReturnType<GpuLike['requestAdapter']>>;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { available: false, reason: `navigator.gpu.requestAdapter() failed: ${message}` };
  }
  if (adapter === null || adapter === undefined) {
    return {
      available: false,
      reason:
        'navigator.gpu.requestAdapter() returned no adapter (no GPU that WebGPU can use, or WebGPU ' +
        'is disabled in this browser)',
    };
  }
  const info = adapter.info;
  const adapterName =
    [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unnamed';
  return {
    available: true,
    adapterName,
    limits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  };
}

/** What a model needs from one device for one call of the network. */
export interface ActivationNeed {
  /** The model's widest tensor. */
  widest: WidestActivation;
  /** Voxels of the grid the network sees in one call (a tile, or the whole padded volume). */
  voxels: number;
  /** `[depth, height, width]` of that grid, for messages. */
  grid: readonly [number, number, number];
  /** Tiles per call (`swBatchSize`), 1 for a whole volume. */
  batch: number;
}

/** Bytes of the widest tensor: `batch x channels x voxels x scale x 4` (float32). */
export function activationBytes(need: ActivationNeed): number {
  return Math.ceil(need.batch * need.widest.valuesPerVoxel * need.voxels) * 4;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * Whether a model's widest tensor fits an adapter's buffer limits.
 * @param need - what one network call needs (see {@link ActivationNeed})
 * @param limits - the adapter's limits
 * @returns `undefined` when it fits; otherwise why not, naming the limit, both sizes and the tensor
 * @example
 * ```ts
 * const why = webGpuMisfit(need, probe.limits);
 * if (why !== undefined) attempts.push({ device: 'webgpu', providers: ['webgpu'], reason: why });
 * ```
 */
export function webGpuMisfit(need: ActivationNeed, limits: WebGpuBufferLimits): string | undefined {
  const bytes = activationBytes(need);
  const over = (['maxStorageBufferBindingSize', 'maxBufferSize'] as const).filter(
    (key) => bytes > limits[key],
  );
  if (over.length === 0) return undefined;
  const { widest, grid, batch } = need;
  const resolution = widest.scale === 1 ? 'at full resolution' : `at ${widest.scale} of the grid's voxels`;
  return (
    `the model's largest tensor ('${widest.tensor}', ${widest.opType}: ${widest.channels} channels ${resolution} ` +
    `of [${grid.join(', ')}]${batch > 1 ? ` x ${batch} tiles` : ''}) takes ${mib(bytes)} as float32, more than ` +
    over.map((key) => `this adapter's ${key} of ${mib(limits[key])}`).join(' and ') +
    ' (the model runs on exactly the extent its card says; it is never resized to fit a device)'
  );
}
