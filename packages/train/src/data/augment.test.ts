import { describe, expect, it } from 'vitest';
import { affineMatrix, applyAugmentation, drawAugmentation, REFERENCE_AUGMENTATION } from './augment.js';
import { Random } from './random.js';

const [nd, nh, nw, nc] = [6, 7, 8, 2];
const at = (d: number, h: number, w: number) => (d * nh + h) * nw + w;

/** Channel 0 = 2w + 3h - d + 1, channel 1 = w - h + 2d (linear); labels w mod 4; mask all ones. */
function rampCase() {
  const images = new Float32Array(nd * nh * nw * nc);
  const labels = new Uint8Array(nd * nh * nw);
  const mask = new Uint8Array(nd * nh * nw).fill(1);
  for (let d = 0; d < nd; d++)
    for (let h = 0; h < nh; h++)
      for (let w = 0; w < nw; w++) {
        images[at(d, h, w) * nc] = 2 * w + 3 * h - d + 1;
        images[at(d, h, w) * nc + 1] = w - h + 2 * d;
        labels[at(d, h, w)] = w % 4;
      }
  return { shape: [nd, nh, nw] as [number, number, number], images, labels, mask };
}

describe('applyAugmentation', () => {
  it('returns the arrays themselves when nothing is drawn', () => {
    const c = rampCase();
    const out = applyAugmentation(c, { flip: false });
    expect(out.images).toBe(c.images);
    expect(out.labels).toBe(c.labels);
  });

  it('flips left-right: W reversed, D and H kept', () => {
    const c = rampCase();
    const out = applyAugmentation(c, { flip: true });
    for (let d = 0; d < nd; d++)
      for (let h = 0; h < nh; h++)
        for (let w = 0; w < nw; w++) {
          const src = at(d, h, nw - 1 - w);
          expect(out.labels[at(d, h, w)]).toBe(c.labels[src]);
          expect(out.images[at(d, h, w) * nc]).toBe(c.images[src * nc]);
          expect(out.images[at(d, h, w) * nc + 1]).toBe(c.images[src * nc + 1]);
        }
  });

  it('scales about the centre: trilinear is exact on a linear image, labels take the nearest voxel', () => {
    const c = rampCase();
    const scale: [number, number, number] = [1.04, 0.97, 1.02]; // x (W), y (H), z (D)
    const out = applyAugmentation(c, {
      flip: false,
      affine: { rotation: [0, 0, 0], shear: [0, 0, 0, 0, 0, 0], scale },
    });
    const centre = [(nw - 1) / 2, (nh - 1) / 2, (nd - 1) / 2];
    let checked = 0;
    for (let d = 0; d < nd; d++)
      for (let h = 0; h < nh; h++)
        for (let w = 0; w < nw; w++) {
          const [x, y, z] = [w, h, d].map((p, a) => centre[a] + scale[a] * (p - centre[a]));
          const inside = x >= 0 && x <= nw - 1 && y >= 0 && y <= nh - 1 && z >= 0 && z <= nd - 1;
          if (!inside) continue;
          checked++;
          expect(out.images[at(d, h, w) * nc]).toBeCloseTo(2 * x + 3 * y - z + 1, 4);
          expect(out.images[at(d, h, w) * nc + 1]).toBeCloseTo(x - y + 2 * z, 4);
          expect(out.labels[at(d, h, w)]).toBe(Math.round(x) % 4);
        }
    expect(checked).toBeGreaterThan(150); // of 336: the scaled-up axes reach outside near their ends
  });

  it('multiplies the images by the transformed mask and fills zeros outside the grid', () => {
    const c = rampCase();
    c.mask[at(2, 3, 1)] = 0; // a hole at w = 1 lands at w = 6 after the flip
    const out = applyAugmentation(c, { flip: true });
    expect(out.mask[at(2, 3, 6)]).toBe(0);
    expect([out.images[at(2, 3, 6) * nc], out.images[at(2, 3, 6) * nc + 1]]).toEqual([0, 0]);
    expect(out.images[at(2, 3, 5) * nc]).not.toBe(0);

    // scaled up 2x about the centre, the corners sample outside the grid: zero images, labels, mask
    const big = applyAugmentation(rampCase(), {
      flip: false,
      affine: { rotation: [0, 0, 0], shear: [0, 0, 0, 0, 0, 0], scale: [2, 2, 2] },
    });
    expect([big.images[0], big.labels[0], big.mask[0]]).toEqual([0, 0, 0]);
  });
});

describe('affineMatrix', () => {
  it('composes R_z R_y R_x, shear and scale', () => {
    const none = {
      rotation: [0, 0, 0] as [number, number, number],
      shear: [0, 0, 0, 0, 0, 0],
      scale: [1, 1, 1] as [number, number, number],
    };
    const rz = affineMatrix({ ...none, rotation: [0, 0, Math.PI / 2] });
    [0, -1, 0, 1, 0, 0, 0, 0, 1].forEach((v, i) => expect(rz[i]).toBeCloseTo(v, 12));
    const rx = affineMatrix({ ...none, rotation: [Math.PI / 2, 0, 0] });
    [1, 0, 0, 0, 0, -1, 0, 1, 0].forEach((v, i) => expect(rx[i]).toBeCloseTo(v, 12));
    expect(affineMatrix({ ...none, shear: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] })).toEqual([
      1, 0.1, 0.2, 0.3, 1, 0.4, 0.5, 0.6, 1,
    ]);
    // shear then scale: column j of the shear times scale j
    expect(affineMatrix({ ...none, shear: [0.1, 0, 0, 0, 0, 0], scale: [2, 3, 4] })).toEqual([
      2, 0.30000000000000004, 0, 0, 3, 0, 0, 0, 4,
    ]);
  });
});

describe('drawAugmentation', () => {
  it('flips half the time, transforms 80% of the time, within the reference ranges, reproducibly', () => {
    const rng = new Random(11);
    const draws = Array.from({ length: 4000 }, () => drawAugmentation(rng));
    const flips = draws.filter((d) => d.flip).length / draws.length;
    const affines = draws.filter((d) => d.affine).length / draws.length;
    expect(Math.abs(flips - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(affines - 0.8)).toBeLessThan(0.03);
    const r = (REFERENCE_AUGMENTATION.rotationDegrees * Math.PI) / 180;
    for (const d of draws) {
      if (!d.affine) continue;
      for (const a of d.affine.rotation) expect(Math.abs(a)).toBeLessThanOrEqual(r);
      for (const s of d.affine.shear) expect(Math.abs(s)).toBeLessThanOrEqual(0.04);
      for (const s of d.affine.scale) expect(Math.abs(s - 1)).toBeLessThanOrEqual(0.04);
    }
    const again = new Random(11);
    expect(Array.from({ length: 50 }, () => drawAugmentation(again))).toEqual(draws.slice(0, 50));
  });
});
