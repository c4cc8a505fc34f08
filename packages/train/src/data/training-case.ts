/**
 * One case ready for training: its images on the network grid (NDHWC), its class map and brain
 * mask there, and, for validation, its class map on the original grid with the record that maps
 * predictions back. Also the in-memory source of cases that stages read.
 * May depend on: `@hadnet/core` (types, errors).
 */
import { ModalityMismatchError, type PreprocessRecord, type Sequence } from '@hadnet/core';

/** A case on the network grid. Arrays are indexed `[d][h][w]` with w fastest (D = k, H = j, W = i). */
export interface TrainingCase {
  /** The case id. */
  id: string;
  /** `[D, H, W]` of the network grid (the preset's input shape). */
  shape: [number, number, number];
  /** The channels of `images`, in order (all the sequences the case has, teacher order). */
  channels: Sequence[];
  /** `[D, H, W, C]` (NDHWC without the batch), normalised as the preset says. */
  images: Float32Array;
  /** Class index per voxel, `[D, H, W]`: 0 background, 1 NCR/NET, 2 ED, 3 ET. */
  labels: Uint8Array;
  /** Brain mask, `[D, H, W]`, 1 inside. */
  mask: Uint8Array;
  /**
   * For validation on the original grid: the class map there (the label file's voxel order) and
   * `preprocess`'s record, which takes a prediction back. Absent: validation scores on the
   * network grid.
   */
  original?: { classes: Uint8Array; record: PreprocessRecord };
}

/** Where a stage gets its cases: ids, and a loader that may read, preprocess and cache. */
export interface CaseSource {
  /** The case ids, in the split's order. */
  readonly ids: readonly string[];
  /** The case `id` (one of `ids`). */
  load(id: string): Promise<TrainingCase>;
}

/**
 * A source over cases already in memory (tests, notebooks).
 * @throws RangeError when two cases share an id
 */
export function memoryCaseSource(cases: readonly TrainingCase[]): CaseSource {
  const byId = new Map<string, TrainingCase>();
  for (const c of cases) {
    if (byId.has(c.id)) throw new RangeError(`memoryCaseSource: the id '${c.id}' is used twice`);
    byId.set(c.id, c);
  }
  return {
    ids: cases.map((c) => c.id),
    async load(id) {
      const c = byId.get(id);
      if (!c) throw new RangeError(`memoryCaseSource: no case '${id}'; have ${[...byId.keys()].join(', ')}`);
      return c;
    },
  };
}

/**
 * The images of `c` with only `channels`, in that order: `[D, H, W, channels.length]`.
 * @throws ModalityMismatchError naming the sequences the case lacks
 */
export function selectChannels(c: TrainingCase, channels: readonly Sequence[]): Float32Array {
  const index = channels.map((s) => c.channels.indexOf(s));
  const missing = channels.filter((_, i) => index[i] < 0);
  if (missing.length > 0) {
    throw new ModalityMismatchError(
      `selectChannels: case ${c.id} has ${c.channels.join(', ')}; the network needs ${channels.join(', ')} ` +
        `(missing ${missing.join(', ')})`,
    );
  }
  const from = c.channels.length;
  const to = channels.length;
  if (from === to && index.every((k, i) => k === i)) return c.images;
  const voxels = c.images.length / from;
  const out = new Float32Array(voxels * to);
  for (let v = 0; v < voxels; v++)
    for (let j = 0; j < to; j++) out[v * to + j] = c.images[v * from + index[j]];
  return out;
}
