/**
 * Building blocks for configuration keys.
 *
 * Every builder takes the phrase a person needs to fix the value ("a whole number from 1 to
 * 65535, such as 8080") and uses it as the message of *every* issue that key can raise, so the
 * error for a wrong type and the error for an out-of-range number read the same. The loader
 * appends ", got <value>" (and hides secrets), so messages here never contain the value.
 *
 * Coercions are deliberately few: only forms a non-technical person would consider the same
 * value (a number written as text, surrounding spaces, upper/lower case for fixed words).
 */
import { z } from 'zod';

/** The "expected …" message used for every issue of one key. */
export function expected(phrase: string): string {
  return `expected ${phrase}`;
}

/** `"8080"` or `" 8080 "` → 8080; anything else is passed on for the schema to judge. */
function numberFromText(value: unknown): unknown {
  if (typeof value === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return value;
}

/** Text keys: trims, and accepts a bare number (`campaign: 2024`) as its text. */
function textFromScalar(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return value;
}

function trimText(value: unknown): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

/** Fixed words: case and surrounding spaces do not matter (`INFO` is `info`). */
function lowerCaseWord(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

/** A whole number in `[min, max]`; the number may be written as text. */
export function wholeNumber(min: number, max: number, phrase: string) {
  const error = expected(phrase);
  return z.preprocess(
    numberFromText,
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  );
}

/** One of a fixed list of words, compared without regard to case. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, phrase: string) {
  return z.preprocess(lowerCaseWord, z.enum(values, { error: expected(phrase) }));
}

/** One of a fixed list of numbers (baud rates); the number may be written as text. */
export function oneOfNumbers<const T extends readonly [number, ...number[]]>(values: T, phrase: string) {
  return z.preprocess(numberFromText, z.literal(values, { error: expected(phrase) }));
}

/**
 * Non-empty text, trimmed. `acceptNumbers: false` for keys where a number is surely a mistake
 * (a serial port written as `42`), so the person is told rather than the number passed on.
 */
export function text(phrase: string, options: { acceptNumbers?: boolean } = {}) {
  const error = expected(phrase);
  const { acceptNumbers = true } = options;
  return z.preprocess(
    acceptNumbers ? textFromScalar : trimText,
    z.string({ error }).min(1, { error }),
  );
}

/**
 * A section (mapping) whose keys are all known: an unknown key is an error, because a typo
 * (`modem:` for `modems:`) silently ignored is the commonest way a box ends up misconfigured.
 */
export function section<T extends z.ZodRawShape>(shape: T, phrase: string) {
  return z.strictObject(shape, { error: expected(phrase) });
}

/** Extra, optional parts of a custom issue that the loader knows how to show. */
export interface IssueParams {
  /** Said after the value: `…, got "ttyUSB2"; did you mean "/dev/ttyUSB2"?` */
  hint?: string;
  /** The value to show when the key is absent but a default caused the problem. */
  effectiveValue?: unknown;
}
