/**
 * Builds fuzz case number `index` of a run from the run's seed alone: which seed file, which
 * mutations, how the bytes are delivered (plain, re-gzipped, split into gzip members, cut short),
 * and which oracle judges the result. Deterministic: the same seed and index give the same bytes.
 */
import { gzipSync as fflateGzip } from 'fflate';
import { gzipSync as zlibGzip } from 'node:zlib';
import type { Seed, SeedBytes, Tier } from './corpus.js';
import { detectLayout, extentOf, DEFAULT_LAYOUT, type Extent, type Layout } from './layout.js';
import { flipBytes, mutateHeader } from './mutate.js';
import { Prng } from './prng.js';
import { swapFileOrder } from './swap.js';

/**
 * How a case is judged, beyond the invariant every case must keep (a valid Volume, or a typed
 * error naming readNifti):
 * - `invariant`: nothing more (the header was mutated: any outcome is possible).
 * - `same-as-seed`: the content was not changed, only cut short, damaged in its gzip wrapping, or
 *   padded: the read gives the seed's own volume or a typed error. With `strict`, it gives exactly
 *   the seed's outcome (its volume, or an error with the same code); with `mustThrow`, an error.
 * - `gzip-equivalent`: the same inflated bytes were also given plain (`plain`): both reads agree.
 */
export type Oracle =
  | { kind: 'invariant' }
  | { kind: 'same-as-seed'; strict: boolean; mustThrow: boolean }
  | { kind: 'gzip-equivalent'; plain: Uint8Array };

/** One generated case: the readNifti arguments, what was done, and its oracle. */
export interface FuzzCase {
  index: number;
  seed: Seed;
  /** What was done, in order: mutations, then delivery. */
  steps: string[];
  bytes: Uint8Array;
  imageBytes?: Uint8Array;
  frame?: number;
  oracle: Oracle;
}

type Kind = 'header' | 'flip' | 'raw-cut' | 'gzip-cut' | 'gzip-flip' | 'swap' | 'members' | 'trailing';

const KIND_WEIGHTS: Readonly<Record<Kind, number>> = {
  header: 36,
  flip: 14,
  'raw-cut': 10,
  'gzip-cut': 10,
  'gzip-flip': 7,
  swap: 8,
  members: 9,
  trailing: 6,
};
const TIER_WEIGHTS: Readonly<Record<Tier, number>> = { small: 92, medium: 7, large: 1 };
/** Inflated files up to this size are gzipped whole; larger ones as a fresh head plus a cached tail. */
const WHOLE_BYTES = 1 << 17;
/** The head of a larger file that is gzipped anew for each case. */
const HEAD_BYTES = 1 << 16;
const tails = new WeakMap<Uint8Array, Uint8Array>();

/** Case `index` of the run seeded with `runSeed`, over `seeds`. */
export function makeCase(seeds: readonly Seed[], runSeed: number, index: number): FuzzCase {
  const rng = Prng.forCase(runSeed, index);
  const tiers = (['small', 'medium', 'large'] as const).filter((t) => seeds.some((s) => s.tier === t));
  const tier = rng.weighted(tiers, (t) => TIER_WEIGHTS[t]);
  const seed = rng.pick(seeds.filter((s) => s.tier === tier));
  const kind = rng.weighted(Object.keys(KIND_WEIGHTS) as Kind[], (k) => KIND_WEIGHTS[k]);
  const bytes = seed.load();
  const built = new Builder(seed, bytes, rng);
  built.steps.push(`${kind} case`);
  BUILDERS[kind](built);
  return { index, seed, ...built.result() };
}

/** The state a case is built in. */
class Builder {
  readonly steps: string[] = [];
  readonly layout: Layout;
  /** The seed's own extent (`null` when its header is not well formed). */
  readonly extent: Extent | null;
  main: Uint8Array;
  image: Uint8Array | undefined;
  frame: number | undefined;
  oracle: Oracle = { kind: 'invariant' };

  constructor(
    readonly seed: Seed,
    readonly bytes: SeedBytes,
    readonly rng: Prng,
  ) {
    this.layout = detectLayout(bytes.main.raw) ?? DEFAULT_LAYOUT;
    const header = bytes.main.raw;
    this.extent = header.length >= this.layout.headerBytes ? extentOf(header, this.layout, seed.pair) : null;
    this.main = bytes.main.stored;
    this.image = bytes.image?.stored;
  }

  /** For a `.hdr` without its `.img`: sometimes random bytes in its place (mutated cases only). */
  maybeRandomImage(): void {
    if (this.seed.pair && this.image === undefined && this.rng.chance(0.5)) {
      this.image = randomBytes(this.rng, this.rng.int(0, 4096));
      this.steps.push(`a random .img of ${this.image.length} bytes`);
    }
  }

  /** Chooses options.frame: one that exists for content-preserving cases, 0 (mostly) for mutated ones. */
  chooseFrame(preserving: boolean): void {
    const frames = this.extent?.frames ?? 1;
    if (frames > 1)
      this.frame = preserving ? this.rng.pick([0, frames - 1]) : this.rng.chance(0.8) ? 0 : undefined;
    else this.frame = this.rng.chance(0.15) ? 0 : undefined;
  }

  /** A copy of the inflated `.nii` (or `.hdr`). */
  rawCopy(): Uint8Array {
    return this.bytes.main.raw.slice();
  }

  /** Where the voxels of the seed start (the header size plus extender when the header is broken). */
  voxOffset(): number {
    return this.extent?.voxOffset ?? this.layout.headerBytes + 4;
  }

  /**
   * Gzips inflated bytes of which only `[0, dirtyEnd)` differ from the seed's `original`, as one
   * member or as several split at `cuts`. Bytes past {@link WHOLE_BYTES} are not compressed anew:
   * the first {@link HEAD_BYTES} are, and a cached member of the unchanged rest follows them
   * (`null` when the changes reach past the head).
   */
  gzip(raw: Uint8Array, dirtyEnd: number, original: Uint8Array, cuts: number[] = []): Uint8Array | null {
    if (raw.length <= WHOLE_BYTES) return this.gzipMembers(raw, cuts);
    if (dirtyEnd > HEAD_BYTES || raw.length !== original.length) return null;
    let tail = tails.get(original);
    if (tail === undefined) {
      tail = new Uint8Array(zlibGzip(original.subarray(HEAD_BYTES), { level: 1 }));
      tails.set(original, tail);
    }
    const head = this.gzipMembers(
      raw.subarray(0, HEAD_BYTES),
      cuts.filter((at) => at < HEAD_BYTES),
    );
    this.steps.push(`then a member of bytes ${HEAD_BYTES} to the end`);
    return concat([head, tail]);
  }

  /** `raw` as gzip members split at `cuts` (one member when there are none). */
  gzipMembers(raw: Uint8Array, cuts: number[]): Uint8Array {
    const edges = [0, ...[...cuts].sort((x, y) => x - y), raw.length];
    if (edges.length > 2)
      this.steps.push(`${edges.length - 1} gzip members split at ${edges.slice(1, -1).join(', ')}:`);
    return concat(edges.slice(1).map((end, k) => this.gzipWhole(raw.subarray(edges[k], end))));
  }

  /** `raw` as one gzip member, by fflate or node:zlib, at a random level. */
  gzipWhole(raw: Uint8Array): Uint8Array {
    const level = this.rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const);
    if (this.rng.chance(0.6)) {
      const filename = this.rng.chance(0.3) ? 'x.nii' : undefined;
      this.steps.push(
        `gzip ${raw.length} bytes, level ${level} (fflate${filename ? ', with a file name' : ''})`,
      );
      return fflateGzip(raw, { level, mtime: this.rng.int(0, 2 ** 31 - 1) * 1000, filename });
    }
    this.steps.push(`gzip ${raw.length} bytes, level ${level} (node:zlib)`);
    return new Uint8Array(zlibGzip(raw, { level }));
  }

  /** Sets the `.nii` (or `.hdr`) to mutated inflated bytes, plain or gzipped. */
  deliver(raw: Uint8Array, dirtyEnd: number): void {
    const gz = this.rng.chance(0.5) ? this.gzip(raw, dirtyEnd, this.bytes.main.raw) : null;
    if (gz === null) this.steps.push('delivered plain');
    this.main = gz ?? raw;
    if (gz !== null && this.seed.tier === 'small' && this.rng.chance(0.4)) {
      this.oracle = { kind: 'gzip-equivalent', plain: raw };
    }
  }

  result(): Omit<FuzzCase, 'index' | 'seed'> {
    return {
      steps: this.steps,
      bytes: this.main,
      ...(this.image !== undefined ? { imageBytes: this.image } : {}),
      ...(this.frame !== undefined ? { frame: this.frame } : {}),
      oracle: this.oracle,
    };
  }
}

const BUILDERS: Readonly<Record<Kind, (b: Builder) => void>> = {
  header(b) {
    b.chooseFrame(false);
    b.maybeRandomImage();
    const raw = b.rawCopy();
    b.steps.push(
      ...mutateHeader({ bytes: raw, layout: b.layout, rng: b.rng }, b.rng.pick([1, 1, 1, 2, 2, 3])),
    );
    b.deliver(raw, b.layout.headerBytes + 12);
  },

  flip(b) {
    b.chooseFrame(false);
    b.maybeRandomImage();
    const raw = b.rawCopy();
    const end = b.rng.chance(0.7) ? Math.min(raw.length, b.voxOffset() + 64) : raw.length;
    b.steps.push(flipBytes(raw, b.rng, b.rng.int(1, 8), 0, end));
    b.deliver(raw, end);
  },

  'raw-cut'(b) {
    b.chooseFrame(true);
    const cutImage = b.bytes.image !== undefined && b.rng.chance(0.5);
    const raw = cutImage ? b.bytes.image!.raw : b.bytes.main.raw;
    const vox = b.voxOffset();
    const needed = b.extent === null ? raw.length : vox + ((b.frame ?? 0) + 1) * b.extent.frameBytes;
    const h = b.layout.headerBytes;
    const marks = cutImage
      ? [0, 1, vox - 1, vox, needed - 1]
      : [0, 3, 4, h - 1, h, h + 3, vox - 1, vox, needed - 1];
    const at = clamp(b.rng.chance(0.5) ? b.rng.pick(marks) : b.rng.int(0, raw.length - 1), 0, raw.length - 1);
    const cut = raw.subarray(0, at);
    b.steps.push(`${cutImage ? '.img' : 'file'} cut to ${at} of ${raw.length} inflated bytes`);
    const wrapped = cut.length <= WHOLE_BYTES && b.rng.chance(0.3) ? b.gzipWhole(cut) : cut;
    if (cutImage) b.image = wrapped;
    else b.main = wrapped;
    const short = cutImage ? at < needed : at < (b.seed.pair ? h : needed);
    b.oracle = { kind: 'same-as-seed', strict: false, mustThrow: b.extent !== null && short };
  },

  'gzip-cut'(b) {
    b.chooseFrame(true);
    const { gz, onImage } = gzipSource(b);
    const at = b.rng.pick([b.rng.int(0, gz.length - 1), gz.length - b.rng.int(1, 8), b.rng.int(0, 17)]);
    const cut = gz.subarray(0, clamp(at, 0, gz.length - 1));
    b.steps.push(`gzip stream cut to ${cut.length} of ${gz.length} bytes`);
    if (onImage) b.image = cut;
    else b.main = cut;
    b.oracle = { kind: 'same-as-seed', strict: false, mustThrow: cut.length < 18 };
  },

  'gzip-flip'(b) {
    b.chooseFrame(true);
    const { gz, onImage } = gzipSource(b);
    const damaged = gz.slice();
    const region = b.rng.pick(['header', 'body', 'trailer'] as const);
    const [from, to] =
      region === 'header' ? [0, 10] : region === 'trailer' ? [gz.length - 8, gz.length] : [10, gz.length - 8];
    b.steps.push(`gzip ${region}: ${flipBytes(damaged, b.rng, b.rng.int(1, 3), Math.max(0, from), to)}`);
    if (onImage) b.image = damaged;
    else b.main = damaged;
    // Every member's CRC-32 covers what it gives, so damage shows as an error or changes nothing.
    b.oracle = { kind: 'same-as-seed', strict: false, mustThrow: false };
  },

  swap(b) {
    b.chooseFrame(true);
    const layout = detectLayout(b.bytes.main.raw);
    if (layout === null || b.extent === null || (b.seed.pair && b.bytes.image === undefined)) {
      BUILDERS.header(b);
      return;
    }
    const swapped = swapFileOrder(b.bytes.main.raw, layout, b.voxOffset(), b.bytes.image?.raw);
    b.steps.push(`whole file byte-swapped to ${layout.littleEndian ? 'big' : 'little'}-endian`);
    b.main =
      swapped.header.length <= WHOLE_BYTES && b.rng.chance(0.4)
        ? b.gzipWhole(swapped.header)
        : swapped.header;
    if (swapped.image) b.image = swapped.image;
    b.oracle = { kind: 'same-as-seed', strict: true, mustThrow: false };
  },

  members(b) {
    b.chooseFrame(true);
    const onImage = b.bytes.image !== undefined && b.rng.chance(0.5);
    const raw = onImage ? b.bytes.image!.raw : b.bytes.main.raw;
    const cuts = Array.from({ length: b.rng.int(1, 3) }, () =>
      b.rng.int(0, Math.min(raw.length, HEAD_BYTES)),
    );
    const gz = b.gzip(raw, 0, raw, cuts)!;
    if (onImage) b.steps.push('(the .img)');
    if (onImage) b.image = gz;
    else b.main = gz;
    b.oracle = { kind: 'same-as-seed', strict: true, mustThrow: false };
  },

  trailing(b) {
    b.chooseFrame(true);
    const { gz, onImage } = gzipSource(b);
    const what = b.rng.pick(['zeros', 'random', 'member', 'magic', 'plain'] as const);
    const extra =
      what === 'zeros'
        ? new Uint8Array(b.rng.int(1, 64))
        : what === 'member'
          ? fflateGzip(randomBytes(b.rng, b.rng.int(0, 100)), { mtime: 0 })
          : what === 'magic'
            ? concat([new Uint8Array([0x1f, 0x8b]), randomBytes(b.rng, b.rng.int(0, 20))])
            : randomBytes(b.rng, b.rng.int(1, 100));
    const base = what === 'plain' ? (onImage ? b.bytes.image!.raw : b.bytes.main.raw) : gz;
    b.steps.push(
      `${extra.length} ${what === 'plain' ? 'random bytes after the plain file' : `bytes (${what}) after the gzip data`}`,
    );
    const padded = concat([base, extra]);
    if (onImage) b.image = padded;
    else b.main = padded;
    // Zero padding after gzip, and anything after a plain file's voxels, is documented as ignored.
    b.oracle = { kind: 'same-as-seed', strict: what === 'zeros' || what === 'plain', mustThrow: false };
  },
};

/** A gzip stream of the seed's `.nii` (or `.img`, for a pair): as stored when gzipped, else made here. */
function gzipSource(b: Builder): { gz: Uint8Array; onImage: boolean } {
  const onImage = b.bytes.image !== undefined && b.rng.chance(0.7);
  const file = onImage ? b.bytes.image! : b.bytes.main;
  if (file.gzipped) {
    b.steps.push(`the stored ${onImage ? '.img' : 'file'} gzip`);
    return { gz: file.stored, onImage };
  }
  const gz = b.gzip(file.raw, 0, file.raw)!;
  return { gz, onImage };
}

function randomBytes(rng: Prng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let k = 0; k < length; k++) out[k] = rng.int(0, 255);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
