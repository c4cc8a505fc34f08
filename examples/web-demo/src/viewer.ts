/**
 * The niivue view: the FLAIR in grey, the uncertainty map (niivue's `cool`, 1-100) and the label
 * map (./palette) overlaid on it, in axial, coronal and sagittal slices through a chosen point.
 */
import { Niivue, NVImage, SHOW_RENDER } from '@niivue/niivue';
import { labelColormap } from './palette.js';
import type { LabelConvention, Volume } from '@hadnet/infer-web';

/** Overlay opacities: strong enough to read the labels, light enough to see the anatomy. */
const LABEL_OPACITY = 0.7;
const UNCERTAINTY_OPACITY = 0.6;

/** A niivue view on one canvas. */
export class Viewer {
  private readonly nv = new Niivue({
    backColor: [0, 0, 0, 1],
    crosshairColor: [0.2, 0.6, 1, 1],
    dragAndDropEnabled: false,
    // three slices without the 3D rendering, which costs seconds per frame without a GPU
    multiplanarShowRender: SHOW_RENDER.NEVER,
    loadingText: 'choose or drop FLAIR, T1 and T2, or open the example case',
  });
  private ready: Promise<unknown>;
  private uncertainty: NVImage | undefined;

  constructor(canvas: HTMLCanvasElement) {
    this.ready = this.nv
      .attachToCanvas(canvas)
      .then(() => this.nv.setSliceType(this.nv.sliceTypeMultiplanar));
  }

  /** Shows one image alone (the FLAIR), in grey. */
  async showImage(bytes: Uint8Array, name: string): Promise<void> {
    await this.ready;
    this.clear();
    const image = await NVImage.loadFromUrl({ url: copyOf(bytes), name, colormap: 'gray' });
    this.nv.addVolume(image);
  }

  /**
   * Adds the uncertainty map and then the label map over the image.
   * @param labels - the label map as `.nii` bytes (plain: niivue need not inflate it)
   * @param uncertainty - one uncertainty map as `.nii` bytes (uint8 0-100)
   * @param convention - the labels' convention, for the ET colour's value
   */
  async showSegmentation(
    labels: Uint8Array,
    uncertainty: Uint8Array,
    convention: LabelConvention,
  ): Promise<void> {
    await this.ready;
    while (this.nv.volumes.length > 1) this.nv.removeVolume(this.nv.volumes[this.nv.volumes.length - 1]);
    this.uncertainty = await NVImage.loadFromUrl({
      url: copyOf(uncertainty),
      name: 'uncertainty.nii',
      colormap: 'cool',
      opacity: UNCERTAINTY_OPACITY,
      cal_min: 1,
      cal_max: 100,
    });
    this.nv.addVolume(this.uncertainty);
    const seg = await NVImage.loadFromUrl({ url: copyOf(labels), name: 'seg.nii', opacity: LABEL_OPACITY });
    seg.setColormapLabel(labelColormap(convention));
    this.nv.addVolume(seg);
    this.nv.updateGLVolume();
  }

  /** Shows or hides the uncertainty overlay. */
  setUncertaintyVisible(visible: boolean): void {
    if (this.uncertainty === undefined) return;
    this.nv.setOpacity(this.nv.volumes.indexOf(this.uncertainty), visible ? UNCERTAINTY_OPACITY : 0);
  }

  /** Moves the crosshair (and so the three slices) to a point in world millimetres. */
  centreOn(mm: [number, number, number]): void {
    this.nv.scene.crosshairPos = this.nv.mm2frac(mm);
    this.nv.drawScene();
  }

  private clear(): void {
    while (this.nv.volumes.length > 0) this.nv.removeVolume(this.nv.volumes[0]);
  }
}

/**
 * Where to look at one label: the voxel with that value nearest to the label's centroid (so the
 * three slices through it all cut the label), in world millimetres; undefined when there is none.
 */
export function labelFocusMm(volume: Volume, value: number): [number, number, number] | undefined {
  const [nx, ny, nz] = volume.shape;
  const { data } = volume;

  // the label's voxels and their centroid
  let count = 0;
  let si = 0;
  let sj = 0;
  let sk = 0;
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        if (data[v] !== value) continue;
        count++;
        si += i;
        sj += j;
        sk += k;
      }
    }
  }
  if (count === 0) return undefined;
  const [ci, cj, ck] = [si / count, sj / count, sk / count];

  // the label's voxel nearest to it
  let best: [number, number, number] = [0, 0, 0];
  let bestDistance = Infinity;
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        if (data[v] !== value) continue;
        const distance = (i - ci) ** 2 + (j - cj) ** 2 + (k - ck) ** 2;
        if (distance < bestDistance) [best, bestDistance] = [[i, j, k], distance];
      }
    }
  }
  const a = volume.affine;
  const [i, j, k] = best;
  return [0, 1, 2].map((r) => a[r][0] * i + a[r][1] * j + a[r][2] * k + a[r][3]) as [number, number, number];
}

/** A standalone ArrayBuffer holding the bytes (niivue keeps what it is given). */
function copyOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}
