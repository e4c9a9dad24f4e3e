/**
 * CSV as RFC 4180 writes it and as spreadsheets save it: fields separated by commas, quoted
 * with `"` when they contain a comma, quote or line break (a quote doubled inside), lines
 * ended by CRLF or LF, an optional UTF-8 byte-order mark at the start.
 */

/** Parse a whole CSV text into rows of fields. A blank line is skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  const start = text.startsWith('\ufeff') ? 1 : 0;
  const endRow = (): void => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '' && !fieldStarted)) rows.push(row);
    row = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = start; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"') {
        if (text.charAt(i + 1) === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text.charAt(i + 1) === '\n') i++;
      endRow();
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (field !== '' || row.length > 0 || fieldStarted) endRow();
  return rows;
}

/** Opens every CSV the box writes (UTF-8 byte-order mark), so Excel reads Hindi names correctly. */
export const CSV_BOM = '\uFEFF';

const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * One field for a CSV file that people open in a spreadsheet, quoted when needed. A field that
 * starts like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a `'` in front, so a name such as
 * `=HYPERLINK(…)` shows as text instead of running (OWASP "CSV injection"); plain numbers,
 * `+919812345678` included, are left as they are. Used by the CLI export and the status page's
 * downloads alike.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line, CRLF-terminated (as Excel writes them). */
export function csvLine(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
