/**
 * Comma-separated values as RFC 4180 writes them: fields in double quotes may hold commas, quotes
 * (doubled) and line breaks; lines end in LF or CRLF. Used for cohort manifests and summaries.
 * No dependencies.
 */

/** One parsed row: its fields and the line it starts on (1-based, for messages). */
export interface CsvRow {
  fields: string[];
  line: number;
}

/**
 * Splits CSV text into rows of fields. A leading byte-order mark is dropped; blank lines are
 * skipped.
 * @param text - the file's text
 * @param source - the file's name, for messages
 * @throws RangeError for a quote that is never closed, or text after a closing quote
 * @example
 * ```ts
 * parseCsv('case,flair\n"a, b",x.nii.gz\n', 'cases.csv');
 * // [{ fields: ['case', 'flair'], line: 1 }, { fields: ['a, b', 'x.nii.gz'], line: 2 }]
 * ```
 */
export function parseCsv(text: string, source: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let at = 0;
  while (at < body.length) {
    // one row: fields up to an unquoted line break
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (body[at] === '"') {
        at++;
        for (;;) {
          if (at >= body.length) {
            throw new RangeError(`parseCsv: ${source} line ${start}: a quoted field is never closed`);
          }
          const c = body[at++];
          if (c === '"') {
            if (body[at] !== '"') break;
            at++;
          } else if (c === '\n') {
            line++;
          }
          field += c;
        }
        if (at < body.length && !',\r\n'.includes(body[at])) {
          throw new RangeError(
            `parseCsv: ${source} line ${line}: text after a closing quote (${JSON.stringify(body[at])}); ` +
              'quote the whole field and double the quotes inside it',
          );
        }
      } else {
        while (at < body.length && !',\r\n'.includes(body[at])) field += body[at++];
      }
      fields.push(field);
      if (body[at] !== ',') break;
      at++;
    }
    if (body[at] === '\r') at++;
    if (body[at] === '\n') at++;
    line++;
    if (!(fields.length === 1 && fields[0].trim() === '')) rows.push({ fields, line: start });
  }
  return rows;
}

/**
 * One field as CSV writes it: quoted when it holds a comma, a quote or a line break (inner quotes
 * doubled), as it is otherwise.
 * @param value - the text; numbers are written with `String`, `undefined` and `null` as empty
 */
export function csvField(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
