/**
 * Names shared by every package, as ../shared/CONTRACTS.md pins them: sequences, devices,
 * label conventions and the kinds of input a runtime takes.
 */
import type { Volume } from './volume.js';

/** MRI sequences hadnet knows. `t1ce` is the post-contrast T1 that the student never needs. */
export type Sequence = 'flair' | 't1' | 't1ce' | 't2';

/** Every sequence name, in a fixed order. */
export const SEQUENCES: readonly Sequence[] = Object.freeze(['flair', 't1', 't1ce', 't2']);

/** Channel order of the teacher network (the reference's: sorted file names). */
export const TEACHER_SEQUENCES: readonly Sequence[] = Object.freeze(['flair', 't1ce', 't1', 't2']);

/** Channel order of the student network: the teacher's without `t1ce`. */
export const STUDENT_SEQUENCES: readonly Sequence[] = Object.freeze(['flair', 't1', 't2']);

/**
 * Where a model runs. Node serves `'cuda' | 'webgpu' | 'cpu'`, browsers `'webgpu' | 'wasm'`;
 * `'auto'` tries the runtime's devices in that order.
 */
export type Device = 'auto' | 'cuda' | 'webgpu' | 'wasm' | 'cpu';

/** `'brats'` writes ET as 4 (BraTS 2017-2021, the default); `'brats2023'` writes ET as 3. */
export type LabelConvention = 'brats' | 'brats2023';

/**
 * One input volume: a path or URL (Node: a path; browsers: a URL), raw file bytes, a Blob or File
 * (browsers), or an already-read {@link Volume}.
 */
export type VolumeSource = string | URL | ArrayBuffer | Uint8Array | Blob | Volume;
