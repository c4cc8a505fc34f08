/**
 * Helpers for the reader tests: the shipped fixtures, their known voxels, and a logger that
 * collects warnings.
 */
import { readFileSync } from 'node:fs';
import { setLogger } from '../src/logger.js';

/** The bytes of a file in packages/core/test/fixtures. */
export const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** low_res.nii.gz: 7x5x3 uint8 whose voxels alternate 1, 0, 1, … (numpy). */
export const ALTERNATING = Uint8Array.from({ length: 105 }, (_, n) => (n % 2 === 0 ? 1 : 0));

/** Collects log.warn messages from now on; reset with `setLogger(null, 'silent')`. */
export function captureWarnings(): string[] {
  const warnings: string[] = [];
  const drop = () => {};
  setLogger({ debug: drop, info: drop, warn: (m) => warnings.push(m), error: drop }, 'warn');
  return warnings;
}
