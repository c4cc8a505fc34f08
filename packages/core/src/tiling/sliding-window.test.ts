import { describe, expect, it } from 'vitest';
import type { SpatialShape } from './importance.js';
import { tileStarts } from './plan.js';
import { slidingWindowInference } from './sliding-window.js';
import type { TileInput } from './mirror.js';

// a deterministic input volume, [channels, depth, height, width]
function makeInput(channels: number, [nd, nh, nw]: SpatialShape): Float32Array {
  return Float32Array.from({ length: channels * nd * nh * nw }, (_, v) =>
    Math.fround(Math.sin(v * 0.37) * 5),
  );
}

// a voxel-wise network: two output channels per voxel from the two input channels
const voxelwise = (a: number, b: number): [number, number] => [
  Math.fround(2 * a - b),
  Math.fround(a * b + 1),
];

async function runVoxelwise(tiles: TileInput[]): Promise<Float32Array[]> {
  return tiles.map((tile) => {
    const n = tile.size[0] * tile.size[1] * tile.size[2];
    const out = new Float32Array(2 * n);
    for (let v = 0; v < n; v++) [out[v], out[n + v]] = voxelwise(tile.data![v], tile.data![n + v]);
    return out;
  });
}

function wholeVolumeResult(input: Float32Array, voxels: number): Float32Array {
  const out = new Float32Array(2 * voxels);
  for (let v = 0; v < voxels; v++) [out[v], out[voxels + v]] = voxelwise(input[v], input[voxels + v]);
  return out;
}

describe('tileStarts', () => {
  it('steps by roi·(1 - overlap) and shifts the last tile back inside', () => {
    expect(tileStarts(10, 4, 0.5)).toEqual([0, 2, 4, 6]);
    expect(tileStarts(11, 4, 0.5)).toEqual([0, 2, 4, 6, 7]);
    expect(tileStarts(11, 4, 0)).toEqual([0, 4, 7]);
    expect(tileStarts(12, 4, 0)).toEqual([0, 4, 8]);
    expect(tileStarts(9, 8, 0.25)).toEqual([0, 1]);
    expect(tileStarts(8, 8, 0.5)).toEqual([0]);
  });
});

describe('slidingWindowInference', () => {
  const roiSize: SpatialShape = [4, 6, 5];
  const shapes: Record<string, SpatialShape> = {
    'a multiple of the tile': [8, 12, 10],
    'not a multiple of the tile': [9, 13, 7],
  };
  for (const [name, shape] of Object.entries(shapes)) {
    for (const overlap of [0, 0.25, 0.5]) {
      for (const blending of ['gaussian', 'constant'] as const) {
        it(`gives the whole-volume result exactly, ${name}, overlap ${overlap}, ${blending}`, async () => {
          const voxels = shape[0] * shape[1] * shape[2];
          const input = makeInput(2, shape);
          const result = await slidingWindowInference({
            inputShape: shape,
            input: { data: input, channels: 2 },
            roiSize,
            overlap,
            blending,
            swBatchSize: 2,
            runTile: runVoxelwise,
          });
          expect(result.shape).toEqual([1, 2, ...shape]);
          expect(result.tiles.length).toBeGreaterThan(1);
          for (const tile of result.tiles) {
            for (let a = 0; a < 3; a++) {
              expect(tile.start[a]).toBeGreaterThanOrEqual(0);
              expect(tile.start[a] + tile.size[a]).toBeLessThanOrEqual(shape[a]);
            }
          }
          expect(result.data).toEqual(wholeVolumeResult(input, voxels));
        });
      }
    }
  }

  it("gives a single pass's output on a volume that fits in one tile, in both modes", async () => {
    const shape: SpatialShape = [3, 4, 5];
    const input = makeInput(2, shape);
    const expected = wholeVolumeResult(input, 60);
    const tiled = await slidingWindowInference({
      inputShape: shape,
      input: { data: input, channels: 2 },
      roiSize: shape,
      runTile: runVoxelwise,
    });
    const whole = await slidingWindowInference({
      inputShape: shape,
      input: { data: input, channels: 2 },
      mode: 'whole',
      runTile: runVoxelwise,
    });
    expect(tiled.tiles).toHaveLength(1);
    expect(tiled.data).toEqual(expected);
    expect(whole.data).toEqual(expected);
  });

  for (const blending of ['gaussian', 'constant'] as const) {
    it(`blends per-tile constants by the ${blending} weights`, async () => {
      const shape: SpatialShape = [9, 11, 10];
      const roi: SpatialShape = [5, 6, 4];
      const sigmaScale = 0.125;
      const seen: TileInput[] = [];
      const constantOf = (index: number) => 10 + 7 * index;
      const result = await slidingWindowInference({
        inputShape: shape,
        roiSize: roi,
        overlap: 0.5,
        blending,
        runTile: async (tiles) => {
          seen.push(...tiles);
          return tiles.map((t) => new Float32Array(roi[0] * roi[1] * roi[2]).fill(constantOf(t.index)));
        },
      });

      // independent weights: one 3D Gaussian exp(-½ Σ ((x - centre) / σ)²), floored at its corner
      // value or 1e-3, whichever is larger
      const centre = roi.map((n) => (n - 1) / 2);
      const sigma = roi.map((n) => n * sigmaScale);
      const gauss = (p: number[]) =>
        Math.exp(-0.5 * p.reduce((s, x, a) => s + ((x - centre[a]) / sigma[a]) ** 2, 0));
      const floor = Math.max(gauss([0, 0, 0]), 1e-3);
      const weight = (p: number[]) => (blending === 'constant' ? 1 : Math.max(gauss(p), floor));

      const samples = [
        [0, 0, 0],
        [4, 5, 5],
        [8, 10, 9],
        [2, 7, 3],
        [6, 3, 8],
        [5, 5, 4],
      ];
      let mixed = 0;
      for (const [d, h, w] of samples) {
        let num = 0;
        let den = 0;
        let covering = 0;
        for (const tile of seen) {
          const p = [d - tile.start[0], h - tile.start[1], w - tile.start[2]];
          if (p.some((x, a) => x < 0 || x >= roi[a])) continue;
          num += weight(p) * constantOf(tile.index);
          den += weight(p);
          covering++;
        }
        if (covering > 1) mixed++;
        const got = result.data[(d * shape[1] + h) * shape[2] + w];
        expect(got).toBeCloseTo(num / den, 4);
      }
      expect(mixed).toBeGreaterThan(3);
    });
  }

  it('mirrors tiles and averages the outputs flipped back', async () => {
    // a network that outputs each voxel's depth inside the tile: mirroring along depth averages
    // d and (size - 1 - d), a constant (size - 1) / 2; without mirroring the depth shows through
    const shape: SpatialShape = [6, 4, 4];
    const roi: SpatialShape = [6, 4, 4];
    const runDepth = async (tiles: TileInput[]) =>
      tiles.map(() => Float32Array.from({ length: 96 }, (_, v) => Math.floor(v / 16)));
    const input = { data: Float32Array.from({ length: 96 }, () => 0), channels: 1 };
    const plain = await slidingWindowInference({ inputShape: shape, roiSize: roi, input, runTile: runDepth });
    expect(plain.data[0]).toBe(0);
    expect(plain.data[5 * 16]).toBe(5);
    const mirrored = await slidingWindowInference({
      inputShape: shape,
      roiSize: roi,
      input,
      mirrorAxes: ['depth', 'width'],
      runTile: runDepth,
    });
    expect(Array.from(new Set(mirrored.data))).toEqual([2.5]);

    // a voxel-wise network is unchanged by mirroring
    const inputShape: SpatialShape = [5, 6, 7];
    const data = makeInput(2, inputShape);
    const voxelResult = await slidingWindowInference({
      inputShape,
      input: { data, channels: 2 },
      roiSize: [4, 4, 4],
      mirrorAxes: ['depth', 'height', 'width'],
      runTile: runVoxelwise,
    });
    expect(voxelResult.data).toEqual(wholeVolumeResult(data, 210));
  });

  it('takes one batched array per call and reports progress', async () => {
    const shape: SpatialShape = [4, 4, 8];
    const progress: string[] = [];
    const batches: number[] = [];
    const result = await slidingWindowInference({
      inputShape: shape,
      roiSize: [4, 4, 2],
      overlap: 0,
      swBatchSize: 3,
      runTile: async (tiles) => {
        batches.push(tiles.length);
        const out = new Float32Array(tiles.length * 32);
        tiles.forEach((t, b) => out.fill(t.start[2], b * 32, (b + 1) * 32));
        return out;
      },
      onProgress: ({ done, total }) => progress.push(`${done}/${total}`),
    });
    expect(batches).toEqual([3, 1]);
    expect(progress).toEqual(['3/4', '4/4']);
    // width w lies in the tile starting at 2·floor(w / 2)
    expect(Array.from(result.data.subarray(0, 8))).toEqual([0, 0, 2, 2, 4, 4, 6, 6]);
  });

  it('refuses tiles larger than the volume and outputs of the wrong size', async () => {
    const runTile = async () => [new Float32Array(8)];
    await expect(
      slidingWindowInference({ inputShape: [4, 4, 4], roiSize: [4, 5, 4], runTile }),
    ).rejects.toThrow(/roiSize \[4, 5, 4\] is larger than the input \[4, 4, 4\] along height/);
    await expect(
      slidingWindowInference({ inputShape: [4, 4, 4], roiSize: [2, 2, 2], overlap: 1, runTile }),
    ).rejects.toThrow(/overlap must be in \[0, 1\); got 1/);
    await expect(
      slidingWindowInference({ inputShape: [4, 4, 4], roiSize: [4, 4, 4], runTile }),
    ).rejects.toThrow(/expected 1 outputs of outChannels x 64 values/);
  });
});
