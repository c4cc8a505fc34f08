import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('splits plain fields, skips blank lines and numbers rows by their first line', () => {
    expect(parseCsv('case,flair\nA,a.nii.gz\n\nB,b.nii.gz', 'm.csv')).toEqual([
      { fields: ['case', 'flair'], line: 1 },
      { fields: ['A', 'a.nii.gz'], line: 2 },
      { fields: ['B', 'b.nii.gz'], line: 4 },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF endings and a BOM', () => {
    const text = '\uFEFFcase,dir\r\n"x, y","say ""hi""\nthere"\r\nz,\r\n';
    expect(parseCsv(text, 'm.csv')).toEqual([
      { fields: ['case', 'dir'], line: 1 },
      { fields: ['x, y', 'say "hi"\nthere'], line: 2 },
      { fields: ['z', ''], line: 4 },
    ]);
  });

  it('refuses an unclosed quote and text after a closing quote, naming the file and line', () => {
    expect(() => parseCsv('case\n"abc\n', 'm.csv')).toThrow(
      /^parseCsv: m\.csv line 2: a quoted field is never closed$/,
    );
    expect(() => parseCsv('case\n"a"b\n', 'm.csv')).toThrow(
      /m\.csv line 2: text after a closing quote \("b"\)/,
    );
  });
});

describe('csvField', () => {
  it('quotes only what needs it, and parseCsv reads back what it wrote', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(2.5)).toBe('2.5');
    expect(csvField(undefined)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    const values = ['a,b', 'say "x"', 'two\nlines', '', 'end'];
    expect(parseCsv(values.map(csvField).join(','), 't')[0].fields).toEqual(values);
  });
});
