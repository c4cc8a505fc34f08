/**
 * A small seeded pseudo-random generator for the NIfTI fuzzer (mulberry32: 32-bit state, fast,
 * good enough for choosing mutations). Every case draws from its own generator, seeded from the
 * run's seed and the case number, so one case can be replayed without running those before it.
 */

/** Deterministic random numbers from a 32-bit seed. */
export class Prng {
  private state: number;

  /** @param seed - any 32-bit integer; the same seed gives the same sequence */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The generator of case `index` in the run seeded with `runSeed`. */
  static forCase(runSeed: number, index: number): Prng {
    return new Prng(mix(mix(runSeed >>> 0) ^ Math.imul(index + 1, 0x9e3779b1)));
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** A whole number from `lo` to `hi`, both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** One element, chosen with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    const total = items.reduce((sum, item) => sum + weight(item), 0);
    let r = this.next() * total;
    for (const item of items) {
      r -= weight(item);
      if (r < 0) return item;
    }
    return items[items.length - 1];
  }
}

/** A 32-bit integer hash (murmur3's finaliser), to spread seeds. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
