/**
 * Network class indices (0 background, 1 NCR/NET, 2 ED, 3 ET) to BraTS label values and back, in
 * both label conventions. Depends only on core's contracts and errors.
 */
import type { LabelConvention } from '../contracts.js';
import { InvalidVolumeError } from '../errors.js';

/** Network class indices, as the reference trains them. */
export const CLASS_BACKGROUND = 0;
/** Necrotic and non-enhancing tumour core (NCR/NET), BraTS label 1. */
export const CLASS_NECROSIS = 1;
/** Peritumoural oedema (ED), BraTS label 2. */
export const CLASS_OEDEMA = 2;
/** Enhancing tumour (ET), BraTS label 4 (`'brats'`) or 3 (`'brats2023'`). */
export const CLASS_ENHANCING = 3;

/** The BraTS label value written for each class index 0..3, per convention. */
export const LABEL_VALUES: Readonly<Record<LabelConvention, readonly number[]>> = Object.freeze({
  brats: Object.freeze([0, 1, 2, 4]),
  brats2023: Object.freeze([0, 1, 2, 3]),
});

const CONVENTIONS = Object.keys(LABEL_VALUES) as LabelConvention[];

/** Any array of voxel values: a typed array or a plain array. */
export type LabelArray = ArrayLike<number>;

function checkConvention(fn: string, convention: LabelConvention): readonly number[] {
  const values = LABEL_VALUES[convention];
  if (values === undefined) {
    throw new RangeError(
      `${fn}: convention must be one of ${CONVENTIONS.map((c) => `'${c}'`).join(', ')}; got ${String(convention)}`,
    );
  }
  return values;
}

/**
 * Maps network class indices to BraTS label values.
 *
 * Voxel order is kept: `labels[v]` is the label of `classes[v]`, whatever the grid layout.
 * @param classes - class index per voxel, each 0 (background), 1 (NCR/NET), 2 (ED) or 3 (ET)
 * @param convention - `'brats'` writes ET as 4, `'brats2023'` as 3
 * @returns a new `Uint8Array` of label values 0, 1, 2 and 4 (or 3)
 * @throws InvalidVolumeError naming the first voxel whose value is not a class index
 * @example
 * ```ts
 * classesToLabels(Uint8Array.of(0, 1, 2, 3), 'brats'); // Uint8Array [0, 1, 2, 4]
 * ```
 */
export function classesToLabels(classes: LabelArray, convention: LabelConvention = 'brats'): Uint8Array {
  const values = checkConvention('classesToLabels', convention);
  const out = new Uint8Array(classes.length);
  for (let v = 0; v < classes.length; v++) {
    const c = classes[v];
    const label = values[c];
    if (label === undefined || !Number.isInteger(c)) {
      throw new InvalidVolumeError(
        `classesToLabels: voxel ${v} holds ${c}; expected a class index 0 (background), ` +
          `1 (NCR/NET), 2 (ED) or 3 (ET)`,
      );
    }
    out[v] = label;
  }
  return out;
}

/**
 * Maps BraTS label values to network class indices.
 * @param labels - BraTS label per voxel: 0, 1, 2 and 4 for `'brats'`; 0, 1, 2 and 3 for `'brats2023'`
 * @param convention - the convention the labels were written in
 * @returns a new `Uint8Array` of class indices 0..3
 * @throws InvalidVolumeError naming the first voxel whose value the convention does not know (and
 *   the other convention, when the value belongs to it)
 * @example
 * ```ts
 * labelsToClasses(Uint8Array.of(0, 4, 2), 'brats'); // Uint8Array [0, 3, 2]
 * ```
 */
export function labelsToClasses(labels: LabelArray, convention: LabelConvention = 'brats'): Uint8Array {
  const values = checkConvention('labelsToClasses', convention);

  // a lookup from label value (0..255) to class index; 255 marks an unknown label
  const lookup = new Uint8Array(256).fill(255);
  values.forEach((label, c) => (lookup[label] = c));
  const out = new Uint8Array(labels.length);
  for (let v = 0; v < labels.length; v++) {
    const label = labels[v];
    const c = Number.isInteger(label) && label >= 0 && label < 256 ? lookup[label] : 255;
    if (c === 255) throw unknownLabel(v, label, convention);
    out[v] = c;
  }
  return out;
}

function unknownLabel(voxel: number, label: number, convention: LabelConvention): InvalidVolumeError {
  const expected = LABEL_VALUES[convention].join(', ');
  const other = CONVENTIONS.find((c) => c !== convention && LABEL_VALUES[c].includes(label));
  const hint = other === undefined ? '' : `; ${label} is a label of '${other}': pass that convention`;
  return new InvalidVolumeError(
    `labelsToClasses: voxel ${voxel} holds label ${label}; the '${convention}' convention uses ${expected}${hint}`,
  );
}
