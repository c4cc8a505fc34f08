/**
 * WebGPU adapter probing with stand-ins for navigator.gpu, and the buffer-limit check with sizes
 * worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { activationBytes, probeWebGpu, webGpuMisfit, type ActivationNeed, type GpuLike } from './webgpu.js';

const GiB = 2 ** 30;
const limits = { maxStorageBufferBindingSize: GiB, maxBufferSize: 2 * GiB };

function need(channels: number, scale: number, grid: [number, number, number], batch = 1): ActivationNeed {
  return {
    widest: { tensor: 'u1', opType: 'Concat', channels, scale, valuesPerVoxel: channels * scale },
    voxels: grid[0] * grid[1] * grid[2],
    grid,
    batch,
  };
}

describe('probeWebGpu', () => {
  it('reports no WebGPU without navigator.gpu', async () => {
    expect(await probeWebGpu(undefined)).toEqual({
      available: false,
      reason: 'this browser has no WebGPU (navigator.gpu is undefined)',
    });
  });

  it('needs an adapter actually obtained, not only navigator.gpu', async () => {
    const none: GpuLike = { requestAdapter: async () => null };
    const probe = await probeWebGpu(none);
    expect(probe.available).toBe(false);
    expect(!probe.available && probe.reason).toMatch(
      /^navigator\.gpu\.requestAdapter\(\) returned no adapter/,
    );
    const failing: GpuLike = {
      requestAdapter: async () => {
        throw new Error('GPU process crashed');
      },
    };
    expect(await probeWebGpu(failing)).toEqual({
      available: false,
      reason: 'navigator.gpu.requestAdapter() failed: GPU process crashed',
    });
  });

  it('returns the adapter buffer limits and a name', async () => {
    const gpu: GpuLike = {
      requestAdapter: async () => ({
        limits: { ...limits, maxBindGroups: 4 } as typeof limits,
        info: { vendor: 'google', architecture: 'swiftshader', description: '' },
      }),
    };
    expect(await probeWebGpu(gpu)).toEqual({ available: true, adapterName: 'google swiftshader', limits });
  });
});

describe('webGpuMisfit', () => {
  it('counts batch x channels x voxels x scale x 4 bytes', () => {
    // 64 channels at full resolution of 128^3, batch 2: 2 * 64 * 2097152 * 4 = 1 GiB exactly
    expect(activationBytes(need(64, 1, [128, 128, 128], 2))).toBe(GiB);
  });

  it('lets through a tensor of exactly the limit, and names the limit one byte-step over it', () => {
    expect(webGpuMisfit(need(64, 1, [128, 128, 128], 2), limits)).toBeUndefined();
    // 65 channels: 2 * 65 * 2097152 * 4 = 1040 MiB, over the 1024 MiB binding limit but not the 2 GiB buffer limit
    const why = webGpuMisfit(need(65, 1, [128, 128, 128], 2), limits);
    expect(why).toBe(
      "the model's largest tensor ('u1', Concat: 65 channels at full resolution of [128, 128, 128] x 2 tiles) " +
        "takes 1040.0 MiB as float32, more than this adapter's maxStorageBufferBindingSize of 1024.0 MiB " +
        '(the model runs on exactly the extent its card says; it is never resized to fit a device)',
    );
  });

  it('names both limits when the tensor is over both, for a whole BraTS grid at 32 channels', () => {
    // 32 x 160 x 192 x 160 x 4 bytes = 600 MiB... times 4 for 128 channels = 2400 MiB, over 1 and 2 GiB
    const why = webGpuMisfit(need(128, 1, [160, 192, 160]), limits)!;
    expect(why).toContain('takes 2400.0 MiB');
    expect(why).toContain(
      "maxStorageBufferBindingSize of 1024.0 MiB and this adapter's maxBufferSize of 2048.0 MiB",
    );
    expect(why).not.toContain('tiles');
  });
});
