import { describe, expect, it } from 'vitest';
import { getPreset, PRESET_NAMES } from './presets.js';
import { describeDiscriminator } from './discriminator.js';

describe('presets', () => {
  it('paper is the reference: k = 32 at 1 mm, 160x192x160', () => {
    const paper = getPreset('paper');
    expect([paper.k, paper.discriminatorWidth, paper.dropoutRate]).toEqual([32, 32, 0.2]);
    expect(paper.inputShape).toEqual([160, 192, 160]);
    expect(paper.spacingMm).toEqual([1, 1, 1]);
  });

  it.each(PRESET_NAMES)('%s: extents the networks take, holding a 140x170x140 mm brain', (name) => {
    const preset = getPreset(name);
    const [d, h, w] = preset.inputShape;
    for (const n of preset.inputShape) {
      expect(n % 16).toBe(0);
      expect(n).toBeGreaterThanOrEqual(32);
    }
    // D = k (superior), H = j (anterior), W = i (right); spacing is [x, y, z]
    const [sx, sy, sz] = preset.spacingMm;
    expect(w * sx).toBeGreaterThanOrEqual(140);
    expect(h * sy).toBeGreaterThanOrEqual(170);
    expect(d * sz).toBeGreaterThanOrEqual(140);
    expect(() =>
      describeDiscriminator({ k: preset.k, width: preset.discriminatorWidth }, preset.inputShape),
    ).not.toThrow();
  });

  it('refuses an unknown name, listing the valid ones', () => {
    expect(() => getPreset('huge')).toThrow(
      "getPreset: unknown preset 'huge'; valid presets: paper, small, tiny",
    );
  });
});
