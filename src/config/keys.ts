/**
 * The key tree of the configuration schema, read from the zod schema itself so that it cannot
 * drift: the loader uses it to suggest the key a typo meant and to let blank optional keys fall
 * back to their defaults; the docs test uses it to check docs/CONFIG.md names every key.
 */
import { z } from 'zod';

import { configSchema } from './schema.js';

/** One key of the configuration file. */
export interface ConfigKey {
  /** The key's own name, such as `port`. */
  readonly name: string;
  /** Where it lives, list items written as `[]`: `modems[].port`, `http.port`, `box`. */
  readonly path: string;
  /** The `.describe()` sentence. */
  readonly description: string | undefined;
  /** True when leaving the key out is an error. */
  readonly required: boolean;
  /** True when the schema fills in a value if the key is left out. */
  readonly hasDefault: boolean;
  /** The default when it is a plain value (sections default to all their own defaults). */
  readonly defaultValue: unknown;
  /** `section`: a mapping of keys; `list`: a list (of sections or values); `value`: anything else. */
  readonly kind: 'section' | 'list' | 'value';
  /** Keys inside a section, or inside each item of a list of sections. */
  readonly children: ReadonlyMap<string, ConfigKey>;
}

interface Unwrapped {
  core: z.ZodType;
  description: string | undefined;
  required: boolean;
  hasDefault: boolean;
  defaultValue: unknown;
}

/**
 * Looks through the wrappers our builders use (default, prefault, optional, preprocess,
 * transform) to the schema that says what shape the value has, collecting what the wrappers
 * tell us on the way. The outermost description wins, as it is the one `.describe()` set last.
 */
function unwrap(schema: z.ZodType): Unwrapped {
  const found: Unwrapped = {
    core: schema,
    description: undefined,
    required: true,
    hasDefault: false,
    defaultValue: undefined,
  };
  let current: z.ZodType = schema;
  for (;;) {
    found.description ??= current.description;
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
      found.required = false;
      found.hasDefault = true;
      found.defaultValue = current.def.defaultValue;
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      found.required = false;
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      // preprocess(fn, schema) is pipe(transform, schema); schema.transform(fn) is pipe(schema, transform).
      current = (current.def.out instanceof z.ZodTransform ? current.def.in : current.def.out) as z.ZodType;
    } else {
      break;
    }
  }
  found.core = current;
  return found;
}

function keyFrom(name: string, path: string, schema: z.ZodType): ConfigKey {
  const info = unwrap(schema);
  let kind: ConfigKey['kind'] = 'value';
  let children = new Map<string, ConfigKey>();
  if (info.core instanceof z.ZodObject) {
    kind = 'section';
    children = childrenOf(info.core, path);
  } else if (info.core instanceof z.ZodArray) {
    kind = 'list';
    const element = unwrap(info.core.element as z.ZodType).core;
    if (element instanceof z.ZodObject) children = childrenOf(element, `${path}[]`);
  }
  return {
    name,
    path,
    description: info.description,
    required: info.required,
    hasDefault: info.hasDefault,
    // A section's default is `{}` filled in by its keys; only plain values are worth showing.
    defaultValue: kind === 'value' ? info.defaultValue : undefined,
    kind,
    children,
  };
}

function childrenOf(object: z.ZodObject, parentPath: string): Map<string, ConfigKey> {
  const children = new Map<string, ConfigKey>();
  for (const [name, schema] of Object.entries(object.shape)) {
    const path = parentPath === '' ? name : `${parentPath}.${name}`;
    children.set(name, keyFrom(name, path, schema as z.ZodType));
  }
  return children;
}

let cachedRoot: ConfigKey | undefined;

/** The root of the key tree: the file itself, a section whose children are the top-level keys. */
export function configKeyTree(): ConfigKey {
  cachedRoot ??= keyFrom('', '', configSchema);
  return cachedRoot;
}

/** Every key, parents before their children, in schema order: `box`, `box.id`, …, `modems[].port`, … */
export function listConfigKeys(): ConfigKey[] {
  const out: ConfigKey[] = [];
  const visit = (key: ConfigKey): void => {
    for (const child of key.children.values()) {
      out.push(child);
      visit(child);
    }
  };
  visit(configKeyTree());
  return out;
}

/**
 * The key at a concrete path (`['modems', 1, 'port']`), or undefined when the path leaves the
 * schema. List indexes step into the list's item.
 */
export function keyAt(path: readonly PropertyKey[]): ConfigKey | undefined {
  let key: ConfigKey | undefined = configKeyTree();
  for (const segment of path) {
    if (key === undefined) return undefined;
    if (typeof segment === 'number') {
      if (key.kind !== 'list') return undefined;
      continue; // a list's children are its items' keys
    }
    key = key.children.get(String(segment));
  }
  return key;
}
