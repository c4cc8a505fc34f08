import { describe, expect, it } from 'vitest';
import { CASE_FILE_NAMES, matchCaseFiles, parseCaseFileName } from './case-files.js';

describe('matchCaseFiles', () => {
  const conventions: [string, string[], Record<string, string>][] = [
    [
      'plain names',
      ['flair.nii.gz', 't1.nii.gz', 't1ce.nii.gz', 't2.nii.gz', 'seg.nii.gz'],
      { flair: 'flair.nii.gz', t1: 't1.nii.gz', t1ce: 't1ce.nii.gz', t2: 't2.nii.gz' },
    ],
    [
      'BraTS 2017-2021',
      [
        'Brats18_X_1_flair.nii.gz',
        'Brats18_X_1_t1.nii.gz',
        'Brats18_X_1_t1ce.nii.gz',
        'Brats18_X_1_t2.nii',
        'Brats18_X_1_seg.nii.gz',
      ],
      {
        flair: 'Brats18_X_1_flair.nii.gz',
        t1: 'Brats18_X_1_t1.nii.gz',
        t1ce: 'Brats18_X_1_t1ce.nii.gz',
        t2: 'Brats18_X_1_t2.nii',
      },
    ],
    [
      'BraTS 2023+',
      [
        'BraTS-GLI-00000-000-t2f.nii.gz',
        'BraTS-GLI-00000-000-t1n.nii.gz',
        'BraTS-GLI-00000-000-t1c.nii.gz',
        'BraTS-GLI-00000-000-t2w.nii.gz',
        'BraTS-GLI-00000-000-seg.nii.gz',
      ],
      {
        flair: 'BraTS-GLI-00000-000-t2f.nii.gz',
        t1: 'BraTS-GLI-00000-000-t1n.nii.gz',
        t1ce: 'BraTS-GLI-00000-000-t1c.nii.gz',
        t2: 'BraTS-GLI-00000-000-t2w.nii.gz',
      },
    ],
    [
      'capitals, no T1ce',
      ['CASE_FLAIR.NII.GZ', 'CASE_T1.nii.gz', 'CASE_T2.nii.gz', 'notes.txt'],
      { flair: 'CASE_FLAIR.NII.GZ', t1: 'CASE_T1.nii.gz', t2: 'CASE_T2.nii.gz' },
    ],
  ];
  for (const [name, files, expected] of conventions) {
    it(`finds ${name}`, () => expect(matchCaseFiles(files, 'case')).toEqual(expected));
  }

  it('refuses a folder with nothing it knows, listing the conventions and the files', () => {
    expect(() => matchCaseFiles(['a.txt', 'seg.nii.gz'], 'cases/x')).toThrow(
      expect.objectContaining({
        code: 'MODALITY_MISMATCH',
        message: expect.stringMatching(
          /^matchCaseFiles: no sequence found in cases\/x: .*BraTS 2023\+\); it holds a\.txt, seg\.nii\.gz$/,
        ),
      }),
    );
  });

  it('refuses two files for one sequence', () => {
    expect(() => matchCaseFiles(['t1.nii.gz', 'x_t1.nii'], 'c')).toThrow(
      /c holds two files for t1: t1\.nii\.gz and x_t1\.nii/,
    );
  });
});

describe('parseCaseFileName', () => {
  // written out by hand, one row per name: [file name, kind, layout]
  const known: [string, string, string][] = [
    ['flair.nii.gz', 'flair', 'hadnet'],
    ['T1.nii', 't1', 'hadnet'],
    ['t1ce.nii.gz', 't1ce', 'hadnet'],
    ['t2.NII.GZ', 't2', 'hadnet'],
    ['seg.nii.gz', 'seg', 'hadnet'],
    ['Brats18_X_1_flair.nii.gz', 'flair', 'brats2017'],
    ['Brats18_X_1_t1.nii', 't1', 'brats2017'],
    ['Brats18_X_1_T1CE.nii.gz', 't1ce', 'brats2017'],
    ['BraTS20_Training_001_t2.nii.gz', 't2', 'brats2017'],
    ['BraTS2021_00000_seg.nii.gz', 'seg', 'brats2017'],
    ['BraTS-GLI-00000-000-t2f.nii.gz', 'flair', 'brats2023'],
    ['BraTS-GLI-00000-000-t1n.nii.gz', 't1', 'brats2023'],
    ['BraTS-GLI-00000-000-t1c.nii', 't1ce', 'brats2023'],
    ['BraTS-MEN-00000-000-T2W.nii.gz', 't2', 'brats2023'],
    ['BraTS-GLI-00000-000-seg.nii.gz', 'seg', 'brats2023'],
  ];
  for (const [name, kind, layout] of known) {
    it(`reads ${name} as ${kind} (${layout})`, () =>
      expect(parseCaseFileName(name)).toEqual({ kind, layout }));
  }

  const unknown = [
    'flair',
    'flair.nii.gz.bak',
    't1.txt',
    'notes.txt',
    'xflair.nii.gz',
    'case-flair.nii.gz',
    'case_t2f.nii.gz',
    'case_t1c.nii.gz',
    'case-t1.nii.gz',
    'case_t1gd.nii.gz',
    'mask.nii.gz',
    'seg_t1.json',
  ];
  for (const name of unknown) {
    it(`ignores ${name}`, () => expect(parseCaseFileName(name)).toBeUndefined());
  }

  it('holds fifteen distinct entries, and no name of one entry reads as another', () => {
    const entries = Object.entries(CASE_FILE_NAMES).flatMap(([layout, byKind]) =>
      Object.values(byKind).map((entry) => ({ whole: layout === 'hadnet', entry })),
    );
    expect(entries).toHaveLength(15);
    expect(new Set(entries.map((e) => e.entry)).size).toBe(15);
    for (const a of entries) {
      const stem = a.whole ? a.entry : `case${a.entry}`;
      const readers = entries.filter((b) => (b.whole ? stem === b.entry : stem.endsWith(b.entry)));
      expect(readers.map((b) => b.entry)).toEqual([a.entry]);
    }
  });
});
