/**
 * The demo's settings in one place: where the default model comes from and where the page serves
 * it, the example case, and onnxruntime-web's files. The vite config reads this file too, so a
 * trained model dropped at `DEFAULT_MODEL.source` is in the next build with no other change.
 */

/** The default model: copied at build time from `source` (relative to this demo's folder) to `url`. */
export const DEFAULT_MODEL = Object.freeze({
  /** Where the build finds it: the default model of `@hadnet/infer-node` (`hadnet segment`'s). */
  source: '../../packages/infer-node/models/hadnet-student.onnx',
  /** Where the page fetches it, relative to the page. */
  url: 'models/hadnet-student.onnx',
});

/** The shipped example case (BraTS 2018, without its post-contrast T1), copied into the build. */
export const EXAMPLE_CASE = Object.freeze({
  /** Its folder, relative to this demo's folder. */
  source: '../Brats18_TCIA03_265_1',
  /** Where the page fetches it, relative to the page. */
  url: 'example/',
  /** Its name. */
  name: 'Brats18_TCIA03_265_1',
  /** The sequences the student model takes, by file name. */
  files: Object.freeze({ flair: 'flair.nii.gz', t1: 't1.nii.gz', t2: 't2.nii.gz' }),
});

/** Where the page serves onnxruntime-web's wasm files (`ORT_WASM_FILES`), relative to the page. */
export const ORT_FOLDER = 'ort/';
