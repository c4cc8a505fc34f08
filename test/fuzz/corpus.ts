/**
 * The fuzzer's seed files: the reader fixtures in packages/core/test/fixtures (always there, so a
 * fresh clone fuzzes something), the NIfTI zoo and two BraTS volumes from ../shared/data beside the
 * clone (skipped, with the reason noted, where absent). Files are read and inflated only when a
 * case first picks them (node:zlib, independent of the reader's own gzip code), and only a few
 * large ones are kept in memory at a time.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The repository root, from this file's place in it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** `../shared/data` beside the repository. */
export const SHARED_DATA = join(REPO_ROOT, '..', 'shared', 'data');
const FIXTURES = join(REPO_ROOT, 'packages', 'core', 'test', 'fixtures');
const ZOO = join(SHARED_DATA, 'nifti-zoo');
const BRATS = join(SHARED_DATA, 'brats-sample');

/** The two BraTS volumes fuzzed: an int16 FLAIR and a uint8 label map. */
export const BRATS_SEEDS = ['Brats18_2013_20_1/flair.nii.gz', 'Brats18_CBICA_ALU_1/seg.nii.gz'];
/** The zoo's 48 orientation files hold the same grid; four of them are enough. */
const ORIENTATIONS_KEPT = new Set(['RAS.nii.gz', 'LPS.nii.gz', 'PIL.nii.gz', 'SRA.nii.gz']);

/** Size classes, by inflated bytes: what a case on the seed costs. */
export type Tier = 'small' | 'medium' | 'large';

/** One file as stored and as inflated. */
export interface SeedFile {
  /** The bytes on disk. */
  stored: Uint8Array;
  /** The same bytes inflated (equal to `stored` when not gzip). */
  raw: Uint8Array;
  gzipped: boolean;
}

/** A `.nii`, or a `.hdr` with the `.img` beside it (when there is one). */
export interface SeedBytes {
  main: SeedFile;
  image?: SeedFile;
}

/** A seed: its name for messages, its cost class, and its bytes on demand. */
export interface Seed {
  /** `fixtures/low_res.nii.gz`, `zoo/niivue/hippo.nii.gz`, `brats/Brats18_2013_20_1/flair.nii.gz`. */
  name: string;
  /** True for a `.hdr` (with or without its `.img`). */
  pair: boolean;
  tier: Tier;
  /** Inflated bytes (of the `.hdr` and `.img` together, for a pair), from the gzip trailer. */
  inflatedBytes: number;
  load(): SeedBytes;
}

/** The seeds found, and why some sources were left out. */
export interface Corpus {
  seeds: Seed[];
  notes: string[];
}

const SMALL_BYTES = 512 * 1024;
const MEDIUM_BYTES = 4 * 1024 * 1024;
/** How many large seeds stay inflated in memory at once (about 200 MB when all are kept). */
const LARGE_KEPT = 16;

/** Finds the seed files. Reads only their sizes; bytes come when a seed is first loaded. */
export function loadCorpus(): Corpus {
  const notes: string[] = [];
  const kept: Seed[] = [];
  const cache = new LargeCache(LARGE_KEPT);
  const add = (folder: string, prefix: string, paths: string[]) => {
    for (const path of paths) kept.push(...seedsIn(folder, prefix, path, cache));
  };

  add(FIXTURES, 'fixtures', listFiles(FIXTURES));
  if (existsSync(ZOO)) {
    const zoo = listFiles(ZOO).filter(
      (path) => !path.includes('nifti_space') || ORIENTATIONS_KEPT.has(basename(path)),
    );
    add(ZOO, 'zoo', zoo);
  } else {
    notes.push(`nifti-zoo absent (${ZOO}): fuzzing the reader fixtures without it`);
  }
  const brats = BRATS_SEEDS.map((path) => join(BRATS, path)).filter((path) => existsSync(path));
  if (brats.length < BRATS_SEEDS.length) {
    notes.push(`BraTS sample absent or incomplete (${BRATS}): fuzzing ${brats.length} BraTS volumes`);
  }
  add(BRATS, 'brats', brats);
  return { seeds: kept, notes };
}

/** Every file under `folder`, sorted, skipping documentation and manifests. */
function listFiles(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (!/\.(md|json|txt)$/i.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** The seed a file makes: none for an `.img` (it belongs to its `.hdr`), a pair for a `.hdr`. */
function seedsIn(folder: string, prefix: string, path: string, cache: LargeCache): Seed[] {
  if (/\.img(\.gz)?$/.test(path)) return [];
  const name = `${prefix}/${relative(folder, path)}`;
  const pair = /\.hdr(\.gz)?$/.test(path);
  const imagePath = pair ? findImage(path) : undefined;
  const size = inflatedSize(path) + (imagePath ? inflatedSize(imagePath) : 0);
  const tier: Tier = size <= SMALL_BYTES ? 'small' : size <= MEDIUM_BYTES ? 'medium' : 'large';
  const read = (): SeedBytes => ({
    main: readSeedFile(path),
    ...(imagePath ? { image: readSeedFile(imagePath) } : {}),
  });
  let bytes: SeedBytes | undefined;
  const load = tier === 'large' ? () => cache.get(name, read) : () => (bytes ??= read());
  return [{ name, pair, tier, inflatedBytes: size, load }];
}

/** The `.img` or `.img.gz` beside a `.hdr` or `.hdr.gz`. */
function findImage(hdrPath: string): string | undefined {
  const stem = join(dirname(hdrPath), basename(hdrPath).replace(/\.hdr(\.gz)?$/, ''));
  return [`${stem}.img`, `${stem}.img.gz`].find((path) => existsSync(path));
}

function readSeedFile(path: string): SeedFile {
  const stored = new Uint8Array(readFileSync(path));
  const gzipped = stored[0] === 0x1f && stored[1] === 0x8b;
  return { stored, raw: gzipped ? new Uint8Array(gunzipSync(stored)) : stored, gzipped };
}

/** Inflated size: the gzip trailer's ISIZE (the last member's, enough to classify), or the file size. */
function inflatedSize(path: string): number {
  const size = statSync(path).size;
  if (!path.endsWith('.gz') || size < 18) return size;
  const tail = new Uint8Array(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, 4, size - 4);
  } finally {
    closeSync(fd);
  }
  return new DataView(tail.buffer).getUint32(0, true);
}

/** Keeps the most recently used few large seeds inflated. */
class LargeCache {
  private readonly entries = new Map<string, SeedBytes>();

  constructor(private readonly capacity: number) {}

  get(name: string, read: () => SeedBytes): SeedBytes {
    const hit = this.entries.get(name);
    if (hit !== undefined) {
      this.entries.delete(name);
      this.entries.set(name, hit);
      return hit;
    }
    const bytes = read();
    this.entries.set(name, bytes);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return bytes;
  }
}
