/**
 * Configuration problems in words for the person editing the file: the key path, what was
 * found and what is expected, one problem per line, every problem at once. Secret values are
 * never repeated, because these lines end up in the journal and on screenshots.
 */
import { AppError, ErrorCodes } from '../errors.js';

/** One problem found in a configuration file. */
export interface ConfigIssue {
  /** The key as a person would point at it: `modems[1].port`; empty for the file as a whole. */
  path: string;
  /** What is wrong, without the file name, key path or line (those are added around it). */
  message: string;
  /** The value found, secrets replaced by `(hidden)`; absent when the key was not given. */
  value?: unknown;
  /** 1-based line of the key (or of the syntax error) in the file, when known. */
  line?: number;
  /** 1-based column, for syntax errors. */
  column?: number;
  /** True when `line` is that of the enclosing section, because the key itself is missing. */
  lineIsSection?: boolean;
}

/** Shown instead of a secret value. */
export const HIDDEN = '(hidden)';

/** Keys whose values are never shown (the same names the logger redacts). */
const SECRET_KEYS = new Set(['password', 'passwordhash', 'key']);

/**
 * True when a key of this name holds a secret, or may: besides the exact names, anything that
 * mentions a password, secret or token, and near-misses such as `pasword` (an unknown key is
 * still the person's secret, typed wrongly).
 */
export function isSecretKey(name: PropertyKey): boolean {
  if (typeof name !== 'string') return false;
  const lower = name.toLowerCase();
  if (SECRET_KEYS.has(lower) || /password|passwd|secret|token/.test(lower)) return true;
  return editDistance(lower, 'password') <= 2 || editDistance(lower, 'passwordhash') <= 2;
}

/** True when any key along the path is a secret (a value inside a secret is secret too). */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some(isSecretKey);
}

/** A copy of a value safe to keep on an error: secret keys' values replaced, at any depth. */
export function redact(value: unknown, path: readonly PropertyKey[] = []): unknown {
  if (isSecretPath(path)) return HIDDEN;
  if (Array.isArray(value)) return value.map((item, index) => redact(item, [...path, index]));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, [...path, k])]));
  }
  return value;
}

/** A plain mapping as parsed from YAML. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_SHOWN_TEXT = 60;

/**
 * A value as a person would recognise it in their file: text in quotes (so spaces show),
 * numbers bare, and lists and sections described rather than dumped.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'nothing (the value is empty)';
  if (typeof value === 'string') {
    if (value === HIDDEN) return HIDDEN;
    const shown = value.length > MAX_SHOWN_TEXT ? `${value.slice(0, MAX_SHOWN_TEXT)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    return value.length === 0 ? 'an empty list' : `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty section' : `a section with ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  // YAML only yields the kinds above; anything else came from code calling validateConfig.
  return `a value of type ${typeof value}`;
}

/** `['modems', 1, 'port']` → `modems[1].port`; odd key names are quoted: `box["my id"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const name = String(segment);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) out += out === '' ? name : `.${name}`;
      else out += `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}

/** One line of a ConfigError message. */
export function formatIssue(source: string, issue: ConfigIssue): string {
  if (issue.path === '') {
    const where =
      issue.line === undefined ? '' : `line ${issue.line}${issue.column === undefined ? '' : `, column ${issue.column}`}: `;
    return `${source}: ${where}${issue.message}`;
  }
  const where =
    issue.line === undefined ? '' : issue.lineIsSection === true ? ` (in the section at line ${issue.line})` : ` (line ${issue.line})`;
  return `${source}: ${issue.path}: ${issue.message}${where}`;
}

/**
 * The configuration is unusable. `message` lists every problem, one per line, fit to print as
 * it is for a person who is not a programmer (the CLI prints it and exits with code 2);
 * `issues` has the same problems as data, for tests and for reporting a pushed config to HQ.
 */
export class ConfigError extends AppError {
  /** Every problem found, in file order as far as validation allows. */
  readonly issues: ConfigIssue[];
  /** The file name (or other source name) the problems are in. */
  readonly source: string;

  constructor(source: string, issues: ConfigIssue[], options: { cause?: unknown } = {}) {
    super(ErrorCodes.CONFIG_INVALID, issues.map((issue) => formatIssue(source, issue)).join('\n'), {
      cause: options.cause,
      // Values stay out of the log context: the message already shows them, secrets hidden.
      context: { source, problems: issues.length },
    });
    this.name = 'ConfigError';
    this.source = source;
    this.issues = issues;
  }
}

/**
 * Edit distance with adjacent swaps counting as one edit (optimal string alignment), since
 * `baudRtae` is as likely a typo as `baudRat`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row !== undefined) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known key a mistyped one most likely meant, or undefined when none is close. Case is
 * ignored (`Modems`), a known key that starts with the typed one counts (`baud` → `baudRate`),
 * and otherwise up to one edit per three letters (at most three) is allowed.
 */
export function nearestKey(typed: string, known: Iterable<string>): string | undefined {
  const lower = typed.toLowerCase();
  const allowed = Math.min(3, Math.max(1, Math.floor(lower.length / 3)));
  let best: { key: string; score: number } | undefined;
  for (const key of known) {
    const candidate = key.toLowerCase();
    let score = editDistance(lower, candidate);
    if (score > allowed && lower.length >= 3 && candidate.startsWith(lower)) score = allowed;
    if (score <= allowed && (best === undefined || score < best.score)) best = { key, score };
  }
  return best?.key;
}
