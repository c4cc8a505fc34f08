import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCases, matchCaseLayout, missingFiles } from './layout.js';

function touch(dir: string, names: string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const n of names) writeFileSync(join(dir, n), '');
}

describe('matchCaseLayout', () => {
  it('recognises the three naming schemes', () => {
    expect(
      matchCaseLayout('c', ['t1.nii.gz', 't1ce.nii.gz', 't2.nii.gz', 'flair.nii.gz', 'seg.nii.gz']),
    ).toEqual({
      layout: 'hadnet',
      files: {
        flair: 'flair.nii.gz',
        t1: 't1.nii.gz',
        t1ce: 't1ce.nii.gz',
        t2: 't2.nii.gz',
        seg: 'seg.nii.gz',
      },
    });
    const b17 = ['B_1_t1.nii.gz', 'B_1_t1ce.nii.gz', 'B_1_t2.nii.gz', 'B_1_flair.nii.gz', 'B_1_seg.nii.gz'];
    expect(matchCaseLayout('B_1', b17)?.layout).toBe('brats2017');
    const b23 = [
      'X-00-t1n.nii.gz',
      'X-00-t1c.nii.gz',
      'X-00-t2w.nii.gz',
      'X-00-t2f.nii.gz',
      'X-00-seg.nii.gz',
    ];
    expect(matchCaseLayout('X-00', b23)).toEqual({
      layout: 'brats2023',
      files: {
        flair: 'X-00-t2f.nii.gz',
        t1: 'X-00-t1n.nii.gz',
        t1ce: 'X-00-t1c.nii.gz',
        t2: 'X-00-t2w.nii.gz',
        seg: 'X-00-seg.nii.gz',
      },
    });
    expect(matchCaseLayout('c', ['t1.nii', 'flair.nii'])?.files).toEqual({
      t1: 't1.nii',
      flair: 'flair.nii',
    });
    expect(matchCaseLayout('c', ['README.md'])).toBeUndefined();
  });
});

describe('findCases', () => {
  it('finds cases of every layout, in group folders too, sorted, ignoring other files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-layout-'));
    touch(join(root, 'b_case'), ['t1.nii.gz', 't1ce.nii.gz', 't2.nii.gz', 'flair.nii.gz', 'seg.nii.gz']);
    touch(join(root, 'HGG', 'Brats19_A_1'), [
      'Brats19_A_1_t1.nii.gz',
      'Brats19_A_1_flair.nii.gz',
      'Brats19_A_1_seg.nii.gz',
    ]);
    touch(join(root, 'a-23'), ['a-23-t1n.nii.gz', 'a-23-t2f.nii.gz', 'a-23-t2w.nii.gz', 'a-23-seg.nii.gz']);
    touch(join(root, '.hidden'), ['t1.nii.gz']);
    touch(root, ['README.md', 'manifest.json']);
    const cases = await findCases(root);
    expect(cases.map((c) => [c.id, c.layout, c.labelConvention])).toEqual([
      ['Brats19_A_1', 'brats2017', 'brats'],
      ['a-23', 'brats2023', 'brats2023'],
      ['b_case', 'hadnet', 'brats'],
    ]);
    expect(cases[0].files.flair).toBe(join(root, 'HGG', 'Brats19_A_1', 'Brats19_A_1_flair.nii.gz'));
    expect(missingFiles(cases[0], ['flair', 't1', 't1ce', 't2', 'seg'])).toEqual(['t1ce', 't2']);
    expect(missingFiles(cases[1], ['flair', 't1', 't2', 'seg'])).toEqual([]);
  });

  it('refuses a folder without cases, a missing folder and repeated ids', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-layout-'));
    touch(root, ['README.md']);
    await expect(findCases(root)).rejects.toThrow(/holds no case folder/);
    await expect(findCases(join(root, 'absent'))).rejects.toThrow(
      /cannot read the folder .*absent \(ENOENT\)/,
    );
    touch(join(root, 'HGG', 'c1'), ['flair.nii.gz']);
    touch(join(root, 'LGG', 'c1'), ['flair.nii.gz']);
    await expect(findCases(root)).rejects.toThrow(/case id 'c1' appears twice/);
  });
});
