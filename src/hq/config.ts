/**
 * The collector's own small configuration file (`missedcall hq --config hq.yaml`), built with
 * the box's field builders so its messages read the same: the key path, the value found (a
 * secret hidden) and what is expected, every problem at once.
 *
 * ```yaml
 * broker:
 *   url: mqtts://hq.example.org:8883
 *   username: collector
 *   password: "…"
 *   ca: /etc/missedcall-hq/ca.pem
 *   clientId: hq-collector-1     # set: a persistent session (the broker keeps its messages)
 * topicPrefix: missedcall
 * group: collectors              # collectors in one group share the boxes' batches
 * database: ./hq.db              # or postgres://user@host/db
 * ```
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

import { parseDocument } from 'yaml';
import { z } from 'zod';

import { expected, oneOf, section, text, wholeNumber } from '../config/fields.js';
import { ConfigError, formatPath, HIDDEN, isSecretPath, redact, showValue, type ConfigIssue } from '../config/issues.js';
import { LOG_LEVELS } from '../config/schema.js';
import { DEFAULT_LIMITS, DEFAULT_TOPIC_PREFIX, TOPIC_PREFIX_PATTERN } from '../sync/protocol.js';

const URL_PHRASE = 'a broker address starting with mqtt:// or mqtts://, such as mqtts://hq.example.org:8883';

const brokerSection = section(
  {
    url: text(URL_PHRASE, { acceptNumbers: false }).superRefine((url, ctx) => {
      if (/^mqtts?:\/\/[^/\s]+/.test(url)) return;
      ctx.addIssue({ code: 'custom', message: expected(URL_PHRASE), input: url });
    }),
    username: text('the collector\'s user name on the broker').optional(),
    password: text('the collector\'s password on the broker').optional(),
    ca: text('a file path such as /etc/missedcall-hq/ca.pem', { acceptNumbers: false }).optional(),
    cert: text('a file path such as /etc/missedcall-hq/collector.crt', { acceptNumbers: false }).optional(),
    key: text('a file path such as /etc/missedcall-hq/collector.key', { acceptNumbers: false }).optional(),
    clientId: text('an MQTT client id unique to this collector, such as hq-collector-1').optional(),
    keepaliveSeconds: wholeNumber(10, 1200, 'a whole number of seconds from 10 to 1200, such as 30').default(30),
    reconnectMinSeconds: wholeNumber(1, 600, 'a whole number of seconds from 1 to 600, such as 1').default(1),
    reconnectMaxSeconds: wholeNumber(1, 3600, 'a whole number of seconds from 1 to 3600, such as 60').default(60),
  },
  'a "broker:" section with at least "url: mqtt://host:1883"',
);

const limitsSection = section(
  {
    maxMessageBytes: wholeNumber(1024, 256 * 1024 * 1024, 'a whole number of bytes from 1024 to 268435456').default(DEFAULT_LIMITS.maxMessageBytes),
    maxInflatedBytes: wholeNumber(1024, 1024 * 1024 * 1024, 'a whole number of bytes from 1024 to 1073741824').default(DEFAULT_LIMITS.maxInflatedBytes),
    maxRecords: wholeNumber(1, 1_000_000, 'a whole number of records from 1 to 1000000').default(DEFAULT_LIMITS.maxRecords),
  },
  'a "limits:" section with keys such as "maxRecords: 10000"',
).prefault({});

const POSTGRES = /^postgres(ql)?:\/\//;

/** The collector's configuration schema. */
export const hqConfigSchema = section(
  {
    broker: brokerSection,
    topicPrefix: text('topic levels of letters, digits, "_" and "-" separated by "/", such as missedcall')
      .superRefine((prefix, ctx) => {
        if (!TOPIC_PREFIX_PATTERN.test(prefix)) ctx.addIssue({ code: 'custom', message: expected('topic levels of letters, digits, "_" and "-", such as missedcall'), input: prefix });
      })
      .default(DEFAULT_TOPIC_PREFIX),
    group: text('a shared-subscription group name of letters, digits, "_" and "-", such as collectors')
      .superRefine((group, ctx) => {
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(group)) ctx.addIssue({ code: 'custom', message: expected('a group name of letters, digits, "_" and "-", such as collectors'), input: group });
      })
      .default('collectors'),
    database: text('an SQLite file path such as ./hq.db, or postgres://user@host/database').default('./hq.db'),
    databaseSchema: text('a PostgreSQL schema name of lowercase letters, digits and "_", such as public')
      .superRefine((schema, ctx) => {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) ctx.addIssue({ code: 'custom', message: expected('a schema name of lowercase letters, digits and "_", such as public'), input: schema });
      })
      .default('public'),
    limits: limitsSection,
    log: section({ level: oneOf(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`).default('info') }, 'a "log:" section such as "level: info"').prefault({}),
  },
  'settings written as "key: value" lines, starting with "broker:"',
);

export type HqConfig = z.output<typeof hqConfigSchema>;

/** True when `database` names a PostgreSQL server rather than an SQLite file. */
export function isPostgres(database: string): boolean {
  return POSTGRES.test(database);
}

/**
 * Validates collector settings already parsed (tests build them as objects).
 *
 * @param baseDir relative SQLite paths are taken from here (the config file's folder).
 * @throws ConfigError listing every problem.
 */
export function validateHqConfig(data: unknown, sourceName: string, baseDir: string): HqConfig {
  const result = hqConfigSchema.safeParse(data);
  if (!result.success) {
    throw new ConfigError(sourceName, result.error.issues.flatMap((issue) => toIssues(issue, data)));
  }
  const config = result.data;
  if (!isPostgres(config.database) && !isAbsolute(config.database)) config.database = resolve(baseDir, config.database);
  return config;
}

/** Reads and validates `hq.yaml`. @throws ConfigError */
export function loadHqConfig(file: string): HqConfig {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read ${resolve(file)}: ${(err as Error).message}` }], { cause: err });
  }
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => ({ path: '', message: `not valid YAML (${e.code}) near offset ${e.pos[0]}` })));
  }
  return validateHqConfig(doc.toJS({ maxAliasCount: 100 }) as unknown, file, dirname(resolve(file)));
}

/** A database address may hold a password (postgres://user:secret@host/db). */
function hideDatabase(path: readonly PropertyKey[], value: unknown): unknown {
  return path[0] === 'database' && typeof value === 'string' && value.includes('@') ? HIDDEN : redact(value, path);
}

function toIssues(issue: z.core.$ZodIssue, data: unknown): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((name) => ({ path: formatPath([...issue.path, name]), message: 'unknown key' }));
  }
  let current: unknown = data;
  let present = true;
  for (const segment of issue.path) {
    if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<PropertyKey, unknown>)[segment];
    } else {
      present = false;
      break;
    }
  }
  const shown = isSecretPath(issue.path) ? HIDDEN : hideDatabase(issue.path, current);
  return [
    {
      path: formatPath(issue.path),
      message: present ? `${issue.message}, got ${shown === HIDDEN ? HIDDEN : showValue(shown)}` : `missing; ${issue.message}`,
      ...(present ? { value: shown } : {}),
    },
  ];
}
