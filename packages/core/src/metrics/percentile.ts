/**
 * Percentiles with linear interpolation between order statistics: numpy's default
 * (`method='linear'`, Hyndman and Fan's definition 7). Depends on nothing.
 */

/**
 * The q-th percentile of values already sorted in ascending order.
 *
 * With n values, the rank is `h = (n - 1) · q / 100`; the result is
 * `sorted[⌊h⌋] + (h - ⌊h⌋) · (sorted[⌊h⌋ + 1] - sorted[⌊h⌋])`, as numpy's `percentile` by default.
 *
 * @param sorted - ascending, finite or `Infinity`, at least one value
 * @param q - percentile in [0, 100]
 * @example
 * percentileOfSorted([1, 2, 3, 4, 5], 95); // h = 3.8: 4 + 0.8 · (5 - 4) = 4.8
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentileOfSorted: q must be in [0, 100]; got ${q}`);
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentileOfSorted: sorted holds no value; need at least one');
  const h = ((n - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  return t === 0 || a === b ? a : a + t * (b - a);
}

/**
 * The q-th percentile of any values (copied and sorted; the input is left as it is). See
 * {@link percentileOfSorted} for the definition.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return percentileOfSorted(sorted, q);
}
