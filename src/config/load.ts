/**
 * Reading the configuration: file → YAML → schema → `Config`, or a `ConfigError` that lists
 * every problem with its key path, the value found and what is expected.
 *
 * `parseConfig` is pure (text in, config out) so tests and configuration pushed from HQ use
 * the same path as the file; `loadConfig` adds the file system: reading the file, and checks
 * that need the devices (a modem port that is not there yet is only a warning, because a
 * modem may be plugged in after the box starts).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type ErrorCode, type YAMLError } from 'yaml';
import type { z } from 'zod';

import { configKeyTree, keyAt, listConfigKeys, type ConfigKey } from './keys.js';
import {
  ConfigError,
  formatPath,
  HIDDEN,
  isRecord,
  isSecretPath,
  nearestKey,
  redact,
  showValue,
  type ConfigIssue,
} from './issues.js';
import { configSchema, type Config } from './schema.js';

export { ConfigError, type ConfigIssue } from './issues.js';
export { exampleConfig } from './example.js';
export type { Config, ModemConfig } from './schema.js';

/** What `parseConfig` returns. */
export interface ParsedConfig {
  /** The validated configuration, defaults applied, `database` absolute. */
  config: Config;
  /** Things worth telling the person that do not stop the box, one line each, file name first. */
  warnings: string[];
}

/** What `loadConfig` returns. */
export interface LoadedConfig extends ParsedConfig {
  /** The absolute path of the file that was read. */
  path: string;
}

/** Where a key sits in the file, for "(line 12)". */
interface Location {
  line: number;
  /** The key itself is absent; `line` is the section it should be in. */
  lineIsSection: boolean;
}

type Locate = (path: readonly PropertyKey[]) => Location | undefined;

const noLocation: Locate = () => undefined;

/**
 * Reads and validates a configuration file. Relative paths inside it (`database`) are taken
 * from the file's folder, so the service and a shell in another folder open the same files.
 *
 * @param file the path as the person gave it; it also names the file in every message.
 * @throws ConfigError when the file is missing, unreadable, not YAML or not valid.
 */
export function loadConfig(file: string): LoadedConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: unreadableMessage(err, path) }], { cause: err });
  }
  const parsed = parseWithLocations(text, file, dirname(path));
  const warnings = [...parsed.warnings, ...checkDevices(parsed.config, file, parsed.locate)];
  return { config: parsed.config, path, warnings };
}

/**
 * Parses and validates configuration text (YAML, so JSON works too). Pure: touches no files.
 *
 * @param text the file's contents.
 * @param sourceName names the text at the start of every message, such as `config.yaml`.
 * @param baseDir the folder relative paths are taken from (the config file's folder).
 * @throws ConfigError listing every problem found.
 */
export function parseConfig(text: string, sourceName: string, baseDir: string): ParsedConfig {
  const { config, warnings } = parseWithLocations(text, sourceName, baseDir);
  return { config, warnings };
}

/**
 * Validates configuration that is already data (for example built by `missedcall demo`, or
 * decoded from an HQ message). Same rules and messages as `parseConfig`, without line numbers.
 *
 * @throws ConfigError listing every problem found.
 */
export function validateConfig(data: unknown, sourceName: string, baseDir: string): ParsedConfig {
  return validate(data, sourceName, baseDir, noLocation);
}

function parseWithLocations(
  text: string,
  sourceName: string,
  baseDir: string,
): ParsedConfig & { locate: Locate } {
  const lineCounter = new LineCounter();
  // A byte-order mark from a Windows editor is not part of the first key.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // prettyErrors off: its messages quote the surrounding lines, which may hold a password.
  const doc = parseDocument(source, { prettyErrors: false, lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      sourceName,
      doc.errors.map((error) => yamlIssue(error, lineCounter)),
    );
  }
  const warnings = doc.warnings.map((warning) => {
    const { line, col } = lineCounter.linePos(warning.pos[0]);
    return `${sourceName}: line ${line}, column ${col}: ${warning.message}`;
  });

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Unresolved aliases and alias bombs surface here rather than as parse errors.
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(sourceName, [{ path: '', message: `the file could not be read as YAML: ${reason}` }], {
      cause: err,
    });
  }

  const locate = locator(doc, lineCounter);
  if (data === null || data === undefined) {
    throw new ConfigError(sourceName, [
      {
        path: '',
        message:
          'the file has no settings; expected at least "box:" with an id and "modems:" with a port (start from the example in docs/CONFIG.md)',
      },
    ]);
  }
  if (!isRecord(data)) {
    throw new ConfigError(sourceName, [
      {
        path: '',
        message: `expected settings written as "key: value" lines, starting with "box:" and "modems:", got ${showValue(data)}`,
        value: redact(data),
        ...lineOf(locate([])),
      },
    ]);
  }
  const parsed = validate(data, sourceName, baseDir, locate);
  return { config: parsed.config, warnings: [...warnings, ...parsed.warnings], locate };
}

function validate(data: unknown, sourceName: string, baseDir: string, locate: Locate): ParsedConfig {
  const warnings: string[] = [];
  const withoutBlanks = dropBlankOptionalKeys(data, configKeyTree(), [], (path, key) => {
    const what = key.kind === 'section'
      ? 'so its defaults are used'
      : key.hasDefault
        ? `so the default ${showValue(key.defaultValue)} is used`
        : 'so it is left out';
    const at = locate(path);
    warnings.push(`${sourceName}: ${formatPath(path)}: has no value, ${what}${at === undefined ? '' : ` (line ${at.line})`}`);
  });

  const result = configSchema.safeParse(withoutBlanks);
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue) => toConfigIssues(issue, data, locate));
    throw new ConfigError(sourceName, sortByLine(issues));
  }
  const config = result.data;
  const root = resolve(baseDir);
  config.database = isAbsolute(config.database) ? config.database : resolve(root, config.database);
  const table = config.volunteers.pincodeTable;
  if (table !== undefined && !isAbsolute(table)) config.volunteers.pincodeTable = resolve(root, table);
  return { config, warnings };
}

/**
 * `name:` with nothing after it reads to a person as "not set", so a blank optional key falls
 * back to its default (with a warning) instead of failing as "expected text, got nothing".
 * Required keys stay blank and fail with a message saying so.
 */
function dropBlankOptionalKeys(
  value: unknown,
  key: ConfigKey,
  path: readonly PropertyKey[],
  onDropped: (path: PropertyKey[], key: ConfigKey) => void,
): unknown {
  const inSection = (record: Record<string, unknown>, at: readonly PropertyKey[]): Record<string, unknown> => {
    const kept: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(record)) {
      const childKey = key.children.get(name);
      if (childKey !== undefined && child === null && !childKey.required) {
        onDropped([...at, name], childKey);
        continue;
      }
      kept[name] = childKey === undefined ? child : dropBlankOptionalKeys(child, childKey, [...at, name], onDropped);
    }
    return kept;
  };
  if (key.kind === 'section' && isRecord(value)) return inSection(value, path);
  if (key.kind === 'list' && key.children.size > 0 && Array.isArray(value)) {
    return value.map((item: unknown, index) => (isRecord(item) ? inSection(item, [...path, index]) : item));
  }
  return value;
}

/** What is in the raw data at a path, telling "absent" apart from "present but empty". */
function rawAt(data: unknown, path: readonly PropertyKey[]): { present: boolean; value: unknown } {
  let current: unknown = data;
  for (const segment of path) {
    if (typeof segment === 'number' && Array.isArray(current) && segment < current.length) {
      current = current[segment];
    } else if (typeof segment === 'string' && isRecord(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return { present: false, value: undefined };
    }
  }
  return { present: true, value: current };
}

function toConfigIssues(issue: z.core.$ZodIssue, data: unknown, locate: Locate): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((name) => {
      const path = [...issue.path, name];
      return {
        path: formatPath(path),
        message: unknownKeyMessage(issue.path, name),
        value: redact(rawAt(data, path).value, path),
        ...lineOf(locate(path)),
      };
    });
  }

  const { present, value } = rawAt(data, issue.path);
  const params: Record<string, unknown> = issue.code === 'custom' ? (issue.params ?? {}) : {};
  const secret = isSecretPath(issue.path);
  let message: string;
  if (present) {
    message = `${issue.message}, got ${secret ? HIDDEN : showValue(value)}`;
  } else if (params.effectiveValue !== undefined) {
    message = `${issue.message}, got ${secret ? HIDDEN : showValue(params.effectiveValue)} (the default)`;
  } else {
    message = `missing; ${issue.message}`;
  }
  // Hints are computed from the value, so a secret's hint would leak it.
  if (typeof params.hint === 'string' && !secret) message += `; ${params.hint}`;

  const out: ConfigIssue = { path: formatPath(issue.path), message, ...lineOf(locate(issue.path)) };
  if (present) out.value = redact(value, issue.path);
  return [out];
}

/** `modem` → did you mean "modems"; `port` at the top → did you mean "http.port" (indentation). */
function unknownKeyMessage(parentPath: readonly PropertyKey[], name: string): string {
  const allowed = [...(keyAt(parentPath)?.children.keys() ?? [])];
  const near = nearestKey(name, allowed);
  if (near !== undefined) return `unknown key; did you mean "${near}"?`;

  const elsewhere = listConfigKeys()
    .filter((key) => key.name.toLowerCase() === name.toLowerCase())
    .map((key) => `"${key.path}"`);
  if (elsewhere.length > 0) {
    return `unknown key here; did you mean ${elsewhere.join(' or ')}? (check how far the line is indented)`;
  }
  if (allowed.length === 0) return 'unknown key';
  return `unknown key; the keys allowed here are ${allowed.join(', ')}`;
}

function lineOf(location: Location | undefined): Pick<ConfigIssue, 'line' | 'lineIsSection'> {
  if (location === undefined) return {};
  return location.lineIsSection ? { line: location.line, lineIsSection: true } : { line: location.line };
}

/** Issues in the order a person reads the file; those without a line keep their order, last. */
function sortByLine(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.index - b.index)
    .map(({ issue }) => issue);
}

/** Finds the line of a key path in the parsed document (the key's line, for `key: value`). */
function locator(doc: Document, lineCounter: LineCounter): Locate {
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  return (path) => {
    let node: unknown = doc.contents;
    let line: number | undefined;
    for (const segment of path) {
      let next: unknown;
      let nextLine: number | undefined;
      if (isMap(node)) {
        const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment));
        if (pair !== undefined) {
          next = pair.value;
          nextLine = lineAt(isScalar(pair.key) ? pair.key.range?.[0] : undefined);
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
        nextLine = isScalar(next) || isMap(next) || isSeq(next) ? lineAt(next.range?.[0]) : undefined;
      }
      if (nextLine === undefined) return line === undefined ? undefined : { line, lineIsSection: true };
      node = next;
      line = nextLine;
    }
    if (line === undefined) {
      const rootLine = isMap(node) || isSeq(node) || isScalar(node) ? lineAt(node.range?.[0]) : undefined;
      return rootLine === undefined ? undefined : { line: rootLine, lineIsSection: false };
    }
    return { line, lineIsSection: false };
  };
}

/** Extra words for the YAML mistakes people actually make. */
const YAML_HINTS: Partial<Record<ErrorCode, string>> = {
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  DUPLICATE_KEY: 'this key is written twice in the same section; keep only one',
  BAD_INDENT: 'check how far this line and the one before it are indented',
  MISSING_CHAR: 'check this line and the one before it for a missing quote, bracket, "-" or ":"',
  BLOCK_AS_IMPLICIT_KEY: 'put each "key: value" on its own line',
  MULTILINE_IMPLICIT_KEY: 'a key and its ":" must be on one line',
  MULTIPLE_DOCS: 'the file must hold one set of settings; remove the extra "---" line',
};

function yamlIssue(error: YAMLError, lineCounter: LineCounter): ConfigIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const hint = YAML_HINTS[error.code];
  const reason = error.message.replace(/; please use YAML\.parseAllDocuments\(\)$/, '');
  return {
    path: '',
    message: `not valid YAML: ${reason}${hint === undefined ? '' : ` (${hint})`}`,
    line,
    column: col,
  };
}

function unreadableMessage(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `file not found: ${path}. To try the box with simulated modems, run "missedcall demo"; to set up a real box, create this file from the example in docs/CONFIG.md.`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read ${path}: permission denied; the user the box runs as must be allowed to read it`;
    case 'EISDIR':
      return `${path} is a folder; expected the configuration file itself, such as ${resolve(path, 'config.yaml')}`;
    default:
      return `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * Checks that need the devices: a port that is not there is a warning (modems get plugged in
 * late, and the pool keeps trying), but two entries that are the same device (a by-id symlink
 * and its ttyUSB name) are an error, as both lines would fight over one modem.
 */
function checkDevices(config: Config, sourceName: string, locate: Locate): string[] {
  const warnings: string[] = [];
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  config.modems.forEach((modem, index) => {
    const path = ['modems', index, 'port'];
    let device: string;
    try {
      device = realpathSync(modem.port);
    } catch {
      const at = locate(path);
      warnings.push(
        `${sourceName}: ${formatPath(path)}: ${modem.port} does not exist at the moment (is the modem plugged in?)${at === undefined ? '' : ` (line ${at.line})`}`,
      );
      return;
    }
    const first = seen.get(device);
    if (first === undefined) {
      seen.set(device, index);
      return;
    }
    issues.push({
      path: formatPath(path),
      message: `expected each modem to have its own port, but this is the same device (${device}) as modems[${first}].port, got ${showValue(modem.port)}`,
      value: modem.port,
      ...lineOf(locate(path)),
    });
  });
  if (issues.length > 0) throw new ConfigError(sourceName, issues);
  return warnings;
}
