/**
 * Reading query parameters and form fields. A bad value is a 400 whose message names the
 * parameter and what it should be, never a 500 (the error handler turns `statusCode` into
 * the answer, as a page or as JSON).
 */
import { AppError, ErrorCodes } from '../errors.js';

/** Maximum page size of any list. */
export const MAX_PAGE = 500;

/** A 400 error with a message for the person who sent the request. */
export function badRequest(message: string): AppError & { statusCode: number } {
  return Object.assign(new AppError(ErrorCodes.BAD_REQUEST, message), { statusCode: 400 });
}

/** A query parameter as text; a repeated parameter (`?a=1&a=2`) is not accepted. */
export function queryText(raw: unknown, name = 'a query parameter'): string {
  if (typeof raw === 'string') return raw;
  throw badRequest(`${name} was given more than once or is not text`);
}

/** `?limit=` → 1..500, default 50; anything else is a 400 naming the value. */
export function parseLimit(raw: unknown, fallback = 50): number {
  if (raw === undefined || raw === '') return fallback;
  const s = queryText(raw, 'limit');
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > MAX_PAGE) {
    throw badRequest(`limit must be a whole number from 1 to ${MAX_PAGE}, got "${s.slice(0, 40)}"`);
  }
  return Number(s);
}

/**
 * An optional text parameter: undefined when absent or empty, else checked against
 * `pattern` (a 400 saying `expected` otherwise).
 */
export function optionalParam(raw: unknown, name: string, pattern: RegExp, expected: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const s = queryText(raw, name);
  if (!pattern.test(s)) throw badRequest(`${name} must be ${expected}, got "${s.slice(0, 40)}"`);
  return s;
}

/** One of a fixed list of words, or the fallback when absent. */
export function oneOfParam<const T extends string>(raw: unknown, name: string, values: readonly T[], fallback: T): T {
  if (raw === undefined || raw === '') return fallback;
  const s = queryText(raw, name);
  if ((values as readonly string[]).includes(s)) return s as T;
  throw badRequest(`${name} must be one of ${values.join(', ')}, got "${s.slice(0, 40)}"`);
}

/** The id format of calls and of cursors handed out by lists. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
