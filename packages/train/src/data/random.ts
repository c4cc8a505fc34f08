/**
 * A seeded pseudo-random stream whose whole state is four 32-bit words, so that a run folder can
 * save it and a resumed run draws exactly what an uninterrupted one would have drawn
 * (xoshiro128**, seeded by splitmix32). Also the hash that turns (seed, salt, step) into the
 * seeds of tfjs' random ops (dropout masks, initial weights).
 * May depend on: nothing.
 */

/** The state of a {@link Random}: four unsigned 32-bit words, JSON-serialisable. */
export type RandomState = [number, number, number, number];

/** One step of splitmix32: returns the next word and advances `box[0]`. */
function splitmix32(box: [number]): number {
  box[0] = (box[0] + 0x9e3779b9) >>> 0;
  let z = box[0];
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/**
 * A deterministic stream of uniform numbers. Equal seeds give equal streams on every platform
 * (integer arithmetic only).
 *
 * @example
 * ```ts
 * const rng = new Random(7);
 * rng.next(); // in [0, 1)
 * const saved = rng.state();
 * const again = Random.fromState(saved); // continues where rng is
 * ```
 */
export class Random {
  private s: RandomState;

  /**
   * @param seed - any integer (taken modulo 2^32)
   * @throws RangeError when `seed` is not an integer
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Random: seed must be an integer; got ${seed}`);
    }
    const box: [number] = [seed >>> 0];
    this.s = [splitmix32(box), splitmix32(box), splitmix32(box), splitmix32(box)];
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /**
   * A stream that continues from a saved state.
   * @throws RangeError when `state` is not four unsigned 32-bit integers, not all zero
   */
  static fromState(state: readonly number[]): Random {
    if (
      !Array.isArray(state) ||
      state.length !== 4 ||
      !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) ||
      state.every((w) => w === 0)
    ) {
      throw new RangeError(
        `Random.fromState: state must be four unsigned 32-bit integers, not all zero; got ${JSON.stringify(state)}`,
      );
    }
    const rng = new Random(0);
    rng.s = [...state] as RandomState;
    return rng;
  }

  /** A copy of the current state (see {@link Random.fromState}). */
  state(): RandomState {
    return [...this.s] as RandomState;
  }

  /** The next unsigned 32-bit word. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform number in [0, 1) (32 bits of resolution). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform number in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniform integer in [0, n). @throws RangeError unless n is a positive integer */
  integer(n: number): number {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`Random.integer: n must be a positive integer; got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A shuffled copy of `items` (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/**
 * A 32-bit seed for one use of randomness, from the run's seed, a salt naming the use
 * (`'student-dropout'`) and a counter (the step): equal inputs give equal seeds, different inputs
 * practically never collide. tfjs' seeded random ops take it.
 * @returns an unsigned 32-bit integer
 */
export function deriveSeed(seed: number, salt: string, counter = 0): number {
  let h = 0x811c9dc5;
  const mix = (word: number): void => {
    h = Math.imul(h ^ (word >>> 0), 0x01000193) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
  };
  mix(seed >>> 0);
  mix(Math.floor(seed / 4294967296));
  for (let i = 0; i < salt.length; i++) mix(salt.charCodeAt(i));
  mix(counter >>> 0);
  mix(Math.floor(counter / 4294967296));
  return splitmix32([h]);
}
