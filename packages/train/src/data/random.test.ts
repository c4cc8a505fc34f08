import { describe, expect, it } from 'vitest';
import { deriveSeed, Random } from './random.js';

describe('Random (xoshiro128**)', () => {
  it('from state [1, 2, 3, 4] gives the reference sequence of xoshiro128**', () => {
    // worked out by an independent Python implementation of Blackman and Vigna's C reference
    const rng = Random.fromState([1, 2, 3, 4]);
    expect([1, 2, 3, 4, 5].map(() => rng.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883]);
    expect(rng.state()).toEqual([15224335, 29364750, 272377353, 1125134346]);
  });

  it('a saved state continues the stream exactly', () => {
    const a = new Random(42);
    for (let i = 0; i < 17; i++) a.next();
    const b = Random.fromState(a.state());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(Array.from({ length: 50 }, () => a.next()));
  });

  it('equal seeds give equal streams, different seeds different ones', () => {
    const draw = (seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('uniform numbers stay in range and average about the middle', () => {
    const r = new Random(3);
    const xs = Array.from({ length: 20000 }, () => r.uniform(-2, 6));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...xs)).toBeLessThan(6);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 2)).toBeLessThan(0.1); // sd of the mean: 8/sqrt(12*20000) = 0.016
  });

  it('shuffle returns a permutation and leaves its input alone', () => {
    const items = Array.from({ length: 30 }, (_, i) => i);
    const shuffled = new Random(5).shuffle(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect(items[0]).toBe(0);
  });

  it('refuses bad seeds and states', () => {
    expect(() => new Random(1.5)).toThrow(/Random: seed must be an integer; got 1.5/);
    expect(() => Random.fromState([0, 0, 0, 0])).toThrow(/not all zero/);
    expect(() => Random.fromState([1, 2, 3])).toThrow(/four unsigned 32-bit integers/);
  });
});

describe('deriveSeed', () => {
  it('is a function of seed, salt and counter, and separates them', () => {
    expect(deriveSeed(1, 'student-dropout', 5)).toBe(deriveSeed(1, 'student-dropout', 5));
    const seeds = new Set<number>();
    for (const seed of [0, 1, 2]) {
      for (const salt of ['teacher-dropout', 'student-dropout', 'generator']) {
        for (let counter = 0; counter < 100; counter++) seeds.add(deriveSeed(seed, salt, counter));
      }
    }
    expect(seeds.size).toBe(900);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});
