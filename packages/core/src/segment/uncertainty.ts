/**
 * Per-region uncertainty maps (QU-BraTS: whole tumour, tumour core, enhancing tumour, each 0 to
 * 100) from class probabilities. Depends on the class constants only.
 *
 * The source is the binary entropy of each region's probability. Why this one:
 * - Monte Carlo dropout, the other common source, needs random operators (Dropout in training
 *   mode, RandomUniform) inside the exported graph; issue 5 allows them only once a test shows
 *   that onnxruntime-node, WebGPU, wasm and CUDA all run them, which no exporter has shown yet.
 * - The variance across test-time mirrorings is only defined when `tta` runs (2 or more passes); the
 *   entropy is defined for every run, costs nothing, and with `tta` it is the entropy of the
 *   mirrored mean, so disagreement between mirrorings raises it as well.
 * - A region is a binary question (inside or not), which is how QU-BraTS scores each map, so the
 *   region's probability (the sum of its classes' probabilities) and its binary entropy in bits
 *   (0 when certain, 1 at p = 0.5) scaled by 100 fill the 0-100 range exactly.
 */
import { CLASS_ENHANCING, CLASS_NECROSIS, CLASS_OEDEMA } from '../labels/convention.js';

/** Binary entropy in bits, 0 at p = 0 or 1 and 1 at p = 0.5; p is clamped to [0, 1]. */
export function binaryEntropy(p: number): number {
  const q = Math.min(Math.max(p, 0), 1);
  if (q === 0 || q === 1) return 0;
  return -(q * Math.log2(q) + (1 - q) * Math.log2(1 - q));
}

/**
 * The three region uncertainty maps from class probabilities.
 * @param probabilities - `[classes, ...voxels]` (channel-major, e.g. NCDHW without the batch), with
 *   classes 0 background, 1 NCR/NET, 2 ED, 3 ET
 * @param classes - the number of classes, at least 4
 * @param mask - the brain mask, one value per voxel (non-zero inside): outside it every map is 0,
 *   as there is no image there to be unsure about and QU-BraTS scores inside the brain only
 * @returns `[3, ...voxels]` float32 in [0, 100], channels in the order whole tumour (NCR/NET + ED +
 *   ET), tumour core (NCR/NET + ET), enhancing tumour (ET)
 * @throws RangeError when `probabilities` does not hold `classes` channels, or the mask another
 *   number of voxels
 * @example
 * ```ts
 * const maps = regionUncertainty(probabilities, 4); // maps[v] is WT's uncertainty at voxel v
 * ```
 */
export function regionUncertainty(
  probabilities: Float32Array,
  classes: number,
  mask?: Uint8Array,
): Float32Array {
  if (!(Number.isInteger(classes) && classes >= 4) || probabilities.length % classes !== 0) {
    throw new RangeError(
      `regionUncertainty: probabilities hold ${probabilities.length} values, not a whole number of ` +
        `voxels for ${classes} classes (at least 4: background, NCR/NET, ED, ET)`,
    );
  }
  const voxels = probabilities.length / classes;
  if (mask !== undefined && mask.length !== voxels) {
    throw new RangeError(
      `regionUncertainty: the mask holds ${mask.length} voxels; the probabilities ${voxels}`,
    );
  }
  const out = new Float32Array(3 * voxels);
  const necrosis = CLASS_NECROSIS * voxels;
  const oedema = CLASS_OEDEMA * voxels;
  const enhancing = CLASS_ENHANCING * voxels;
  for (let v = 0; v < voxels; v++) {
    if (mask !== undefined && mask[v] === 0) continue;
    const et = probabilities[enhancing + v];
    const tc = probabilities[necrosis + v] + et;
    out[v] = 100 * binaryEntropy(tc + probabilities[oedema + v]);
    out[voxels + v] = 100 * binaryEntropy(tc);
    out[2 * voxels + v] = 100 * binaryEntropy(et);
  }
  return out;
}
