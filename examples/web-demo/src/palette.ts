/**
 * Colours of the segmentation overlay: the common BraTS palette (ITK-SNAP's default label
 * colours), 1 NCR/NET red, 2 ED green, ET yellow (label 4 in the `'brats'` convention, 3 in
 * `'brats2023'`). The uncertainty overlay uses niivue's `cool` map (cyan to magenta), which has no
 * yellow, so the two never look alike.
 */
import type { LabelConvention } from '@hadnet/infer-web';

/** An RGB colour, 0-255. */
export type Rgb = readonly [number, number, number];

/** NCR/NET. */
export const NCR_COLOUR: Rgb = [255, 0, 0];
/** ED (oedema). */
export const ED_COLOUR: Rgb = [0, 255, 0];
/** ET (enhancing tumour). */
export const ET_COLOUR: Rgb = [255, 255, 0];

/** niivue's colormap for label volumes (`R`, `G`, `B`, `A`, `I` arrays, one entry per label value). */
export interface LabelColormap {
  R: number[];
  G: number[];
  B: number[];
  A: number[];
  I: number[];
  labels: string[];
}

/** The label colormap for a convention: 0 transparent, then NCR/NET, ED and ET at their values. */
export function labelColormap(convention: LabelConvention): LabelColormap {
  const entries: [number, Rgb, string][] = [
    [1, NCR_COLOUR, 'NCR/NET'],
    [2, ED_COLOUR, 'ED'],
    [convention === 'brats2023' ? 3 : 4, ET_COLOUR, 'ET'],
  ];
  const map: LabelColormap = { R: [0], G: [0], B: [0], A: [0], I: [0], labels: ['background'] };
  for (const [value, [r, g, b], label] of entries) {
    map.R.push(r);
    map.G.push(g);
    map.B.push(b);
    map.A.push(255);
    map.I.push(value);
    map.labels.push(label);
  }
  return map;
}

/** CSS for a colour. */
export const css = ([r, g, b]: Rgb) => `rgb(${r}, ${g}, ${b})`;
