/**
 * Configuration pushed from HQ, validated "with the same schema as the file": the pushed keys
 * are laid over the box's own file configuration and the result goes through `validateConfig`,
 * the loader's own path, so a pushed value gets exactly the checks (ranges, cross-key rules)
 * and the messages a typo in the file would. Only keys listed as pushable may be pushed; the
 * box's identity, database, modems and broker are never HQ's to change.
 *
 * A push replaces the previous push as a whole (it is not cumulative), so the effective
 * configuration is always "the file + the last accepted push". Pure: no I/O.
 */
import { dirname } from 'node:path';

import { ConfigError, validateConfig, type Config, type ConfigIssue } from '../config/load.js';
import { isRecord } from '../config/issues.js';
import { stableJson } from '../store/sync-log.js';

/** The source name in messages about a pushed configuration. */
export const PUSH_SOURCE = 'config from HQ';

/**
 * Keys that are never configuration: merging `__proto__` (an own key after JSON.parse) into an
 * object would reach `Object.prototype` and change every object in the process.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Every leaf key path of a nested object: `{ log: { level: 'x' } }` → `['log.level']`. Lists are leaves. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (!isRecord(value)) return prefix === '' ? [] : [prefix];
  const entries = Object.entries(value);
  if (entries.length === 0) return prefix === '' ? [] : [prefix];
  return entries.flatMap(([key, child]) => leafPaths(child, prefix === '' ? key : `${prefix}.${key}`));
}

/** True when `path` is a pushable key or lies inside a pushable section. */
export function isPushable(path: string, pushable: readonly string[]): boolean {
  return pushable.some((p) => path === p || path.startsWith(`${p}.`));
}

/** The leaf paths whose values differ between two configurations (sorted). */
export function changedPaths(before: unknown, after: unknown): string[] {
  const paths = new Set([...leafPaths(before), ...leafPaths(after)]);
  // Key order inside lists of sections may differ after re-validation; it is not a change.
  return [...paths].filter((p) => stableJson(valueAt(before, p)) !== stableJson(valueAt(after, p))).sort();
}

/**
 * The file configuration with a push laid over it, validated.
 *
 * @param file the box's configuration as loaded from its file (without any earlier push).
 * @param push nested keys as in the YAML file, such as `{ log: { level: 'debug' } }`.
 * @param pushable key paths (or section paths) HQ may set.
 * @throws ConfigError listing every problem: keys HQ may not set, and the schema's own issues.
 */
export function validatePush(file: Config, push: Record<string, unknown>, pushable: readonly string[]): Config {
  const paths = leafPaths(push);
  const forbidden: ConfigIssue[] = paths
    .filter((path) => path.split('.').some((key) => FORBIDDEN_KEYS.has(key)))
    .map((path) => ({ path, message: 'is not a configuration key' }));
  if (forbidden.length > 0) throw new ConfigError(PUSH_SOURCE, forbidden);
  const refused: ConfigIssue[] = paths
    .filter((path) => !isPushable(path, pushable))
    .map((path) => ({
      path,
      message: `cannot be set from headquarters; the keys HQ may set are ${pushable.length > 0 ? pushable.join(', ') : '(none)'}`,
    }));
  if (refused.length > 0) throw new ConfigError(PUSH_SOURCE, refused);
  const merged = merge(structuredClone(file), push);
  // `database` in a loaded config is already absolute, so the base folder changes nothing.
  return validateConfig(merged, PUSH_SOURCE, dirname(file.database)).config;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(over)) {
    // validatePush refuses these already; never follow one, whoever calls this.
    if (FORBIDDEN_KEYS.has(key)) continue;
    const current = Object.hasOwn(base, key) ? base[key] : undefined;
    base[key] = isRecord(value) && isRecord(current) ? merge(current, value) : value;
  }
  return base;
}

function valueAt(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}
