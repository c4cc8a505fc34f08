import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from './manifest.js';
import { readManifest } from './read-manifest.js';

const csv = (text: string) =>
  parseManifest(text, { format: 'csv', base: '/data/cohort', source: 'cases.csv' });
const jsonl = (text: string) =>
  parseManifest(text, { format: 'jsonl', base: '/data/cohort', source: 'cases.jsonl' });

describe('parseManifest', () => {
  it('CSV: columns in any order and letter case, paths resolved against the base, empty cells absent', () => {
    const text =
      'T2,Case,FLAIR,t1,dir\n' +
      'b/t2.nii.gz,B,b/flair.nii.gz,/abs/t1.nii.gz,\n' +
      ',A,,,cases/A\n' +
      '"x,2.nii.gz",C,../up/f.nii.gz,,cases/C\n';
    expect(csv(text)).toEqual([
      {
        id: 'B',
        inputs: {
          flair: '/data/cohort/b/flair.nii.gz',
          t1: '/abs/t1.nii.gz',
          t2: '/data/cohort/b/t2.nii.gz',
        },
      },
      { id: 'A', dir: '/data/cohort/cases/A', inputs: {} },
      {
        id: 'C',
        dir: '/data/cohort/cases/C',
        inputs: { flair: '/data/up/f.nii.gz', t2: '/data/cohort/x,2.nii.gz' },
      },
    ]);
  });

  it('JSON lines: the same keys, blank lines skipped', () => {
    const text = '{"case":"A","dir":"A"}\n\n{"case":"B","flair":"B/f.nii.gz","t1ce":"/x/c.nii"}\r\n';
    expect(jsonl(text)).toEqual([
      { id: 'A', dir: '/data/cohort/A', inputs: {} },
      { id: 'B', inputs: { flair: '/data/cohort/B/f.nii.gz', t1ce: '/x/c.nii' } },
    ]);
  });

  // each refusal: the error code and a message that names the file, line and what is wrong
  const refusals: [string, () => unknown, RegExp][] = [
    [
      'an unknown column',
      () => csv('case,flair,t1c\nA,a,b\n'),
      /cases\.csv line 1: unknown column "t1c"; columns are case, dir, flair, t1, t1ce, t2/,
    ],
    [
      'a header without case',
      () => csv('dir,flair\nA,a\n'),
      /cases\.csv line 1: the header has no "case" column/,
    ],
    ['a column given twice', () => csv('case,flair,FLAIR\nA,a,b\n'), /column flair appears twice/],
    [
      'a row with more cells than columns',
      () => csv('case,dir\nA,a,b\n'),
      /cases\.csv line 2: 3 cells, but the header names 2 columns/,
    ],
    ['a case without inputs', () => csv('case,dir,flair\nA,,\n'), /cases\.csv line 2: case A has no inputs/],
    ['a row without an id', () => csv('case,dir\n,x\n'), /cases\.csv line 2: no case id/],
    [
      'an id given twice',
      () => csv('case,dir\nA,x\nB,y\nA,z\n'),
      /cases\.csv line 4: case A is already listed at cases\.csv line 2/,
    ],
    ['an id with a slash', () => csv('case,dir\na/b,x\n'), /case id "a\/b" cannot name an output folder/],
    [
      'an id starting with a dot',
      () => csv('case,dir\n.hidden,x\n'),
      /case id "\.hidden" cannot name an output folder/,
    ],
    [
      'a reserved id',
      () => csv('case,dir\ncohort.json,x\n'),
      /case id "cohort\.json" cannot name an output folder/,
    ],
    ['an empty CSV', () => csv(''), /cases\.csv is empty/],
    ['a CSV with only a header', () => csv('case,dir\n'), /cases\.csv lists no case/],
    [
      'a broken quote',
      () => csv('case,dir\n"A,x\n'),
      /^readManifest: cases\.csv line 2: a quoted field is never closed/,
    ],
    [
      'a line that is not JSON',
      () => jsonl('{"case":"A","dir":"a"}\n{case: B}\n'),
      /cases\.jsonl line 2: not JSON/,
    ],
    ['a JSON array', () => jsonl('["A"]\n'), /cases\.jsonl line 1: expected a JSON object/],
    ['an unknown key', () => jsonl('{"case":"A","flare":"a"}\n'), /cases\.jsonl line 1: unknown key "flare"/],
    [
      'a value that is not a string',
      () => jsonl('{"case":7,"dir":"a"}\n'),
      /cases\.jsonl line 1: "case" must be a string; got 7/,
    ],
  ];
  for (const [name, run, message] of refusals) {
    it(`refuses ${name}`, () => {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect((error as { code?: string })?.code).toBe('INVALID_MANIFEST');
      expect((error as Error).message).toMatch(message);
    });
  }
});

describe('readManifest', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-manifest-'));
    // a folder of case folders: two cases, a folder without images, a hidden folder, a loose file
    for (const [name, files] of [
      ['Brats18_B', ['Brats18_B_flair.nii.gz', 'Brats18_B_t1.nii.gz']],
      ['A-01', ['flair.nii', 'notes.txt']],
      ['docs', ['readme.md']],
      ['.cache', ['flair.nii.gz']],
    ] as const) {
      mkdirSync(join(folder, 'cases', name), { recursive: true });
      for (const f of files) writeFileSync(join(folder, 'cases', name, f), '');
    }
    writeFileSync(join(folder, 'cases', 'loose.nii.gz'), '');
    writeFileSync(join(folder, 'cases.csv'), 'case,dir\nX,cases/A-01\n');
    writeFileSync(join(folder, 'cases.ndjson'), '{"case":"Y","dir":"cases/Brats18_B"}\n');
    writeFileSync(join(folder, 'cases.txt'), 'case,dir\n');
    mkdirSync(join(folder, 'bad', 'a b'), { recursive: true });
    writeFileSync(join(folder, 'bad', 'a b', 't1.nii.gz'), '');
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('reads a folder of case folders: subfolders with NIfTI files, sorted, named after the folder', async () => {
    const manifest = await readManifest(join(folder, 'cases'));
    expect(manifest.format).toBe('folder');
    expect(manifest.cases).toEqual([
      { id: 'A-01', dir: join(folder, 'cases', 'A-01'), inputs: {} },
      { id: 'Brats18_B', dir: join(folder, 'cases', 'Brats18_B'), inputs: {} },
    ]);
  });

  it("reads CSV and JSON lines by their name, resolving paths against the file's folder", async () => {
    expect((await readManifest(join(folder, 'cases.csv'))).cases).toEqual([
      { id: 'X', dir: join(folder, 'cases', 'A-01'), inputs: {} },
    ]);
    const ndjson = await readManifest(join(folder, 'cases.ndjson'));
    expect(ndjson.format).toBe('jsonl');
    expect(ndjson.cases[0].dir).toBe(join(folder, 'cases', 'Brats18_B'));
  });

  it('refuses a file of another type, a case folder that cannot be an id, and a missing path', async () => {
    await expect(readManifest(join(folder, 'cases.txt'))).rejects.toThrow(
      /cases\.txt is neither CSV nor JSON lines: expected a name ending in \.csv, \.jsonl, \.ndjson/,
    );
    await expect(readManifest(join(folder, 'bad'))).rejects.toThrow(
      /case id "a b" cannot name an output folder/,
    );
    await expect(readManifest(join(folder, 'docs-missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
