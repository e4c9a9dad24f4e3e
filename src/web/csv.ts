/**
 * CSV for spreadsheets (RFC 4180, CRLF line ends, UTF-8 with a byte-order mark so Excel
 * reads Hindi names correctly). A field a volunteer typed that starts like a formula
 * (`=`, `+`, `-`, `@`) is prefixed with `'`, so opening the export cannot run anything;
 * plain numbers (including `+919812345678`) are left as they are.
 */
export const CSV_BOM = '\uFEFF';

const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** One field. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line, CRLF-terminated. */
export function csvLine(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
