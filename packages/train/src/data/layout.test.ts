import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchCaseFiles } from '@hadnet/core';
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

  it('follows case folders that are symbolic links, and skips dangling ones', async () => {
    const store = mkdtempSync(join(tmpdir(), 'hadnet-layout-store-'));
    touch(join(store, 'Brats18_X_1'), [
      'Brats18_X_1_flair.nii.gz',
      'Brats18_X_1_t1.nii.gz',
      'Brats18_X_1_seg.nii.gz',
    ]);
    const root = mkdtempSync(join(tmpdir(), 'hadnet-layout-links-'));
    symlinkSync(join(store, 'Brats18_X_1'), join(root, 'Brats18_X_1'));
    symlinkSync(join(store, 'gone'), join(root, 'gone'));
    const cases = await findCases(root);
    expect(cases.map((c) => [c.id, c.layout])).toEqual([['Brats18_X_1', 'brats2017']]);
    expect(cases[0].files.seg).toBe(join(root, 'Brats18_X_1', 'Brats18_X_1_seg.nii.gz'));
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

describe('one table of case-file names', () => {
  // By hand: [file name, the kind it names or undefined]. The label map is the trainer's only.
  const names: [string, string | undefined][] = [
    ['flair.nii.gz', 'flair'],
    ['t1.nii', 't1'],
    ['T1CE.NII.GZ', 't1ce'],
    ['t2.nii.gz', 't2'],
    ['seg.nii.gz', 'seg'],
    ['Brats18_X_1_flair.nii.gz', 'flair'],
    ['Brats18_X_1_T1.nii.gz', 't1'],
    ['other_t1ce.nii', 't1ce'],
    ['BraTS20_Training_001_t2.nii.gz', 't2'],
    ['Brats18_X_1_seg.nii.gz', 'seg'],
    ['BraTS-GLI-00000-000-t2f.nii.gz', 'flair'],
    ['BraTS-GLI-00000-000-t1n.nii', 't1'],
    ['BraTS-GLI-00000-000-T1C.nii.gz', 't1ce'],
    ['BraTS-GLI-00000-000-t2w.nii.gz', 't2'],
    ['BraTS-GLI-00000-000-seg.nii.gz', 'seg'],
    ['flair.nii.gz.part', undefined],
    ['t1.mgz', undefined],
    ['xt2.nii.gz', undefined],
    ['case-flair.nii.gz', undefined],
    ['case_t2f.nii.gz', undefined],
    ['case_t1gd.nii.gz', undefined],
    ['brainmask.nii.gz', undefined],
    ['README.md', undefined],
  ];

  /** What `hadnet segment --case-dir` takes from a folder holding only `name`. */
  const segmentReads = (name: string): string | undefined => {
    try {
      return Object.keys(matchCaseFiles([name], 'case'))[0];
    } catch {
      return undefined;
    }
  };
  /** What the trainer's findCases takes from a folder holding only `name`. */
  const trainerReads = (name: string): string | undefined =>
    Object.keys(matchCaseLayout('Brats18_X_1', [name])?.files ?? {})[0];

  for (const [name, kind] of names) {
    it(`${name}: both read ${kind ?? 'nothing'}`, () => {
      expect(trainerReads(name)).toBe(kind);
      expect(segmentReads(name)).toBe(kind === 'seg' ? undefined : kind);
    });
  }

  it('findCases and matchCaseFiles take the same files from the same folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hadnet-layout-'));
    const files = ['P-7_FLAIR.nii.gz', 'P-7_t1.nii', 'P-7_t2.nii.gz', 'P-7_seg.nii.gz', 'notes.txt'];
    touch(join(root, 'P-7'), files);
    const [found] = await findCases(root);
    expect(found.files).toEqual({
      flair: join(root, 'P-7', 'P-7_FLAIR.nii.gz'),
      t1: join(root, 'P-7', 'P-7_t1.nii'),
      t2: join(root, 'P-7', 'P-7_t2.nii.gz'),
      seg: join(root, 'P-7', 'P-7_seg.nii.gz'),
    });
    expect(matchCaseFiles(files, 'P-7')).toEqual({
      flair: 'P-7_FLAIR.nii.gz',
      t1: 'P-7_t1.nii',
      t2: 'P-7_t2.nii.gz',
    });
  });

  it('refuses two files for one kind, as --case-dir does', () => {
    expect(() => matchCaseLayout('c', ['t1.nii', 't1.nii.gz', 'flair.nii.gz'])).toThrow(
      expect.objectContaining({
        code: 'INVALID_RUN',
        message: "matchCaseLayout: case folder 'c' holds 2 files for t1: t1.nii, t1.nii.gz; keep one",
      }),
    );
    expect(() => matchCaseFiles(['t1.nii', 't1.nii.gz'], 'c')).toThrow(/two files for t1/);
  });
});
