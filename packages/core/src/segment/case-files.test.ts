import { describe, expect, it } from 'vitest';
import { matchCaseFiles } from './case-files.js';

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
