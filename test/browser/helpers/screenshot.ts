/**
 * Finding the overlay's colours in a screenshot: pixels whose colour is an overlay colour blended
 * over grey anatomy at the overlay's opacity, as niivue draws it.
 */
import type { Pixels } from './png.js';

/**
 * Counts pixels that look like `colour` drawn at `opacity` over some grey g:
 * `opacity x colour + (1 - opacity) x g` on every channel, for one g in 0..255, within `tolerance`.
 */
export function countBlended(
  pixels: Pixels,
  colour: readonly [number, number, number],
  opacity: number,
  tolerance = 12,
): number {
  let count = 0;
  for (let p = 0; p < pixels.width * pixels.height; p++) {
    const rgb = [0, 1, 2].map((c) => pixels.rgba[p * 4 + c]);
    // the grey that best explains the pixel, then the distance to the blend with it
    const greys = rgb.map((value, c) => (value - opacity * colour[c]) / (1 - opacity));
    const g = Math.min(255, Math.max(0, greys.reduce((s, x) => s + x, 0) / 3));
    if (rgb.every((value, c) => Math.abs(value - (opacity * colour[c] + (1 - opacity) * g)) <= tolerance))
      count++;
  }
  return count;
}
