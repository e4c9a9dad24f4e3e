/**
 * The shared tokenizer for AT information lines (`+XXX: a,"b,c",,d`).
 *
 * Every parser in this folder goes through here so that the same vendor quirks are handled
 * once: no space after the colon (SIM800 `+CLIP:"123",129`, Huawei `^RSSI:17`), lower-case
 * prefixes, blanks around fields (Alcatel X220D `+CGREG: 2,1, 81ED, 1A9CEB`), trailing blanks,
 * empty fields and commas inside quoted strings (operator and phonebook names).
 *
 * The 27.007 string syntax has no escape for `"`, so a quote always ends a string; anything
 * between a closing quote and the next comma makes the line malformed.
 */

/** One parameter of an AT information line, as the modem printed it. */
export interface Param {
  /** The text without the surrounding quotes. Quoted text is kept byte for byte; unquoted text is trimmed. */
  value: string;
  /** True when the modem printed the value in double quotes (a string, even if it looks like a number). */
  quoted: boolean;
}

const BLANK = /[ \t]/;

/**
 * Split a comma-separated parameter list.
 *
 * `''` gives `[]`; `','` gives two empty fields. Returns `null` for text no modem should print
 * (an unterminated string, text glued to a closing quote, a quote inside an unquoted field), so
 * callers never act on half a line.
 */
export function splitParams(s: string): Param[] | null {
  const params: Param[] = [];
  const text = s.trim();
  if (text === '') return params;
  let i = 0;
  for (;;) {
    while (i < text.length && BLANK.test(text.charAt(i))) i++;
    if (text.charAt(i) === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return null;
      params.push({ value: text.slice(i + 1, close), quoted: true });
      i = close + 1;
      while (i < text.length && BLANK.test(text.charAt(i))) i++;
      if (i >= text.length) return params;
      if (text.charAt(i) !== ',') return null;
      i++;
      continue;
    }
    const comma = text.indexOf(',', i);
    const end = comma < 0 ? text.length : comma;
    const value = text.slice(i, end).trim();
    if (value.includes('"')) return null;
    params.push({ value, quoted: false });
    if (comma < 0) return params;
    i = comma + 1;
  }
}

/**
 * The text after `prefix:` when `line` is that response, else `null`.
 *
 * The prefix match is case-insensitive and blanks are allowed before and after the colon; the
 * colon itself is required, so `+CREG` never matches `+CREGX: 1` and `+CLIP` never matches a
 * bare `+CLIP` echo. `prefix` may be given with or without its colon.
 */
export function matchPrefix(line: string, prefix: string): string | null {
  const want = prefix.trim().replace(/:$/, '').toUpperCase();
  const text = line.trim();
  if (want === '' || text.slice(0, want.length).toUpperCase() !== want) return null;
  let i = want.length;
  while (i < text.length && BLANK.test(text.charAt(i))) i++;
  if (text.charAt(i) !== ':') return null;
  return text.slice(i + 1).trim();
}

/**
 * The parameters of `line` when it starts with `prefix:` (see {@link matchPrefix}), else `null`.
 * Also `null` when the parameter list is malformed (see {@link splitParams}).
 */
export function prefixedParams(line: string, prefix: string): Param[] | null {
  const rest = matchPrefix(line, prefix);
  return rest === null ? null : splitParams(rest);
}

// Nine digits keeps every value a safe integer; no AT numeric field is that long.
const DECIMAL = /^\d{1,9}$/;

/**
 * A required decimal field. `undefined` when absent, empty or not a plain non-negative
 * integer. Quoted digits are accepted: a few firmwares quote numbers, and the parsers that
 * care about quoting (registration) look at `quoted` themselves.
 */
export function intParam(p: Param | undefined): number | undefined {
  if (p === undefined || !DECIMAL.test(p.value)) return undefined;
  return Number(p.value);
}

/**
 * An optional decimal field: `null` when absent or empty, the number when it is one, and
 * `undefined` when it holds anything else, which callers treat as a malformed line.
 */
export function optionalIntParam(p: Param | undefined): number | null | undefined {
  if (p === undefined || p.value === '') return null;
  return intParam(p);
}

/** An optional text field: `null` when absent or empty, else the value. */
export function optionalTextParam(p: Param | undefined): string | null {
  if (p === undefined || p.value === '') return null;
  return p.value;
}
