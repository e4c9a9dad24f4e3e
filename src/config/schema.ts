/**
 * The configuration schema: every key the box understands, its default, and what a person
 * must write. This file is the one place to add a section: write it with the builders from
 * `fields.ts` (so its errors read like the others), give every key a `.describe()` sentence
 * that names the default, add one line to `configSchema`, and document it in docs/CONFIG.md
 * (a test fails until you do).
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

import { expected, oneOf, oneOfNumbers, section, text, wholeNumber, type IssueParams } from './fields.js';

/** Baud rates a USB modem's serial port may be set to. */
export const BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600] as const;
/** Modem vendor profiles; `auto` reads the manufacturer (AT+CGMI) and picks one. */
export const MODEM_PROFILES = ['auto', 'generic', 'simcom', 'quectel', 'huawei'] as const;
/** Log levels, quietest last (pino's names). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Where the database goes when the file does not say; relative to the config file. */
export const DEFAULT_DATABASE = './data/missedcall.db';

/** A box id: used in MQTT topics and in every record, so only characters safe everywhere. */
const BOX_ID_PATTERN = /^[a-z0-9-]{1,64}$/;

const BOX_ID_PHRASE =
  'a box id of 1 to 64 characters using only lowercase letters a-z, digits 0-9 and dashes (-), such as varanasi-01';

/** `Varanasi 01` → `varanasi-01`: offered as a hint, never applied silently (HQ knows boxes by id). */
function suggestBoxId(id: string): string | undefined {
  const slug = id
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug !== '' && slug !== id ? slug : undefined;
}

const boxSection = section(
  {
    id: text(BOX_ID_PHRASE)
      .superRefine((id, ctx) => {
        if (BOX_ID_PATTERN.test(id)) return;
        const suggestion = suggestBoxId(id);
        const params: IssueParams = suggestion === undefined ? {} : { hint: `try "${suggestion}"` };
        ctx.addIssue({ code: 'custom', message: expected(BOX_ID_PHRASE), input: id, params });
      })
      .describe(
        'Required. This box\'s id, unique across all districts: 1 to 64 lowercase letters, digits and dashes, such as varanasi-01. It is part of every MQTT topic and every record sent to headquarters, so do not change it once the box is in use.',
      ),
    name: text('a name for people to read, such as Varanasi district office')
      .optional()
      .describe('Optional. A name shown to people on the status page, such as "Varanasi district office". No default.'),
  },
  'a "box:" section with at least an id, such as "id: varanasi-01" on the next line, indented',
).describe('Required. Who this box is.');

const COUNTRY_PHRASE = 'a two-letter country code that phone numbers can be read for, such as IN for India';

const country = z
  .preprocess(
    (value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase() : value),
    z.string({ error: expected(COUNTRY_PHRASE) }).transform((code, ctx): CountryCode => {
      if (isSupportedCountry(code)) return code;
      ctx.addIssue({ code: 'custom', message: expected(COUNTRY_PHRASE), input: code });
      return z.NEVER;
    }),
  )
  .default('IN')
  .describe(
    'Optional. The country callers are assumed to be in when the network sends a number without the international prefix: a two-letter code such as IN. Default: IN.',
  );

const DATABASE_PHRASE = 'a file path for the database, such as ./data/missedcall.db';

const database = text(DATABASE_PHRASE)
  .superRefine((file, ctx) => {
    // Nothing between here and SQLite expands "~"; it would become a folder literally named "~".
    if (file.startsWith('~')) {
      ctx.addIssue({
        code: 'custom',
        message: expected('a path without "~" (it is not expanded); write the full path, such as /home/pi/data/missedcall.db'),
        input: file,
      });
    } else if (file.endsWith('/')) {
      ctx.addIssue({
        code: 'custom',
        message: expected('a file, not a folder, such as ./data/missedcall.db'),
        input: file,
      });
    }
  })
  .default(DEFAULT_DATABASE)
  .describe(
    `Optional. Where the box keeps its records (an SQLite file). A relative path is taken from the folder this config file is in, so the service and a shell open the same file. Default: ${DEFAULT_DATABASE}.`,
  );

const PORT_PHRASE = 'a serial device path such as /dev/ttyUSB2';

const modemSection = section(
  {
    port: text(PORT_PHRASE, { acceptNumbers: false })
      .superRefine((port, ctx) => {
        // The service's working directory is not the shell's, so a relative port would open
        // a different file (or none) depending on how the box was started.
        if (port.startsWith('/')) return;
        const bare = port.replace(/^dev\//, '');
        const hint = /^(tty|serial\/)/.test(bare)
          ? `did you mean "/dev/${bare}"?`
          : 'a device path starts with "/"';
        const params: IssueParams = { hint };
        ctx.addIssue({ code: 'custom', message: expected(PORT_PHRASE), input: port, params });
      })
      .describe(
        'Required. The serial device of the modem, such as /dev/ttyUSB2 or a stable name under /dev/serial/by-id/ (a symlink, including one to a pseudo-terminal, is fine). Each modem needs its own port.',
      ),
    label: text('a short name for this line, such as line-1')
      .optional()
      .describe(
        'Optional. A short name for this line shown to people and in logs, such as line-1. Default: line-<n>, where <n> is the position in the list counting from 1. Each modem needs its own label.',
      ),
    campaign: text('a short name for the publicity this number appears on, such as rally-posters')
      .optional()
      .describe('Optional. Which publicity this number was printed on, such as rally-posters; recorded with each call. No default.'),
    baudRate: oneOfNumbers(BAUD_RATES, `one of the standard rates ${BAUD_RATES.join(', ')}`)
      .default(115200)
      .describe(`Optional. Serial speed: one of ${BAUD_RATES.join(', ')}. Default: 115200 (right for almost every USB modem).`),
    profile: oneOf(MODEM_PROFILES, `one of ${MODEM_PROFILES.join(', ')}`)
      .default('auto')
      .describe(
        `Optional. The modem maker's quirks to allow for: ${MODEM_PROFILES.join(', ')}. Default: auto (ask the modem who made it, AT+CGMI).`,
      ),
  },
  'a modem with at least a port, such as "port: /dev/ttyUSB2"',
);

const MODEMS_PHRASE = 'a list of at least one modem, each starting with "- port:", such as "- port: /dev/ttyUSB2"';

/** Ports and labels must differ; labels are compared after defaults and without regard to case. */
function checkModemsDistinct(modems: readonly unknown[], ctx: z.RefinementCtx<unknown[]>): void {
  const ports = new Map<string, number>();
  const labels = new Map<string, number>();
  modems.forEach((modem, index) => {
    // This runs even when some modems are invalid (so every problem is reported in one go);
    // skip what is not a proper modem, its own issue has been reported already.
    if (typeof modem !== 'object' || modem === null) return;
    const { port, label } = modem as { port?: unknown; label?: unknown };
    if (typeof port === 'string') {
      const first = ports.get(port);
      if (first === undefined) ports.set(port, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: [index, 'port'],
          input: port,
          message: expected(`each modem to have its own port, but modems[${first}] uses this port too`),
        });
    }
    const effective = label === undefined ? defaultLabel(index) : label;
    if (typeof effective === 'string') {
      const key = effective.toLowerCase();
      const first = labels.get(key);
      if (first === undefined) labels.set(key, index);
      else {
        const params: IssueParams = label === undefined ? { effectiveValue: effective } : {};
        ctx.addIssue({
          code: 'custom',
          path: [index, 'label'],
          input: label,
          params,
          message: expected(`each modem to have its own label, but modems[${first}] is also called "${effective}"`),
        });
      }
    }
  });
}

function defaultLabel(index: number): string {
  return `line-${index + 1}`;
}

const modems = z
  .array(modemSection, { error: expected(MODEMS_PHRASE) })
  .min(1, { error: expected(MODEMS_PHRASE) })
  .superRefine(checkModemsDistinct, { when: (payload) => Array.isArray(payload.value) })
  .transform((list) => list.map((modem, index) => ({ ...modem, label: modem.label ?? defaultLabel(index) })))
  .describe('Required. The GSM modems (one SIM card each) plugged into this box; at least one.');

const httpSection = section(
  {
    host: text('an address to listen on, such as 127.0.0.1 (this box only) or 0.0.0.0 (every network the box is on)')
      .superRefine((host, ctx) => {
        if (!/[\s/]/.test(host)) return;
        const params: IssueParams = host.includes('://') ? { hint: 'write only the address, without http://' } : {};
        ctx.addIssue({
          code: 'custom',
          input: host,
          params,
          message: expected('an address without spaces or "/", such as 127.0.0.1 or 0.0.0.0'),
        });
      })
      .default('127.0.0.1')
      .describe(
        'Optional. The address the status page listens on: 127.0.0.1 for this box only, 0.0.0.0 so a technician\'s phone on the same network can open it. Default: 127.0.0.1.',
      ),
    port: wholeNumber(1, 65535, 'a whole number from 1 to 65535, such as 8080')
      .default(8080)
      .describe('Optional. The TCP port of the status page (http://<box>:<port>). Default: 8080.'),
  },
  'an "http:" section with keys such as "port: 8080"',
)
  .prefault({})
  .describe('Optional. The local status page and JSON API for field technicians.');

const callsSection = section(
  {
    clipWaitMs: wholeNumber(100, 10000, 'a whole number of milliseconds from 100 to 10000, such as 1000 (one second)')
      .default(1000)
      .describe(
        'Optional. After RING, how many milliseconds to wait for the caller\'s number (+CLIP) before asking the modem for it (AT+CLCC): 100 to 10000. Default: 1000.',
      ),
    ringCycleGapMs: wholeNumber(2000, 60000, 'a whole number of milliseconds from 2000 to 60000, such as 8000 (eight seconds)')
      .default(8000)
      .describe(
        'Optional. When no RING or +CLIP has come for this many milliseconds, the call is over; rings before that belong to the same call: 2000 to 60000. Default: 8000.',
      ),
  },
  'a "calls:" section with keys such as "clipWaitMs: 1000"',
)
  .superRefine(
    (calls, ctx) => {
      // Waiting for +CLIP longer than a ring cycle lasts would end the call before its number came.
      if (calls.clipWaitMs < calls.ringCycleGapMs) return;
      ctx.addIssue({
        code: 'custom',
        path: ['clipWaitMs'],
        input: calls.clipWaitMs,
        message: expected(`less than calls.ringCycleGapMs (${calls.ringCycleGapMs})`),
      });
    },
    {
      when: (payload) => {
        const value = payload.value as { clipWaitMs?: unknown; ringCycleGapMs?: unknown } | null;
        return typeof value?.clipWaitMs === 'number' && typeof value.ringCycleGapMs === 'number';
      },
    },
  )
  .prefault({})
  .describe('Optional. How a ringing call is detected.');

const modemPollSection = section(
  {
    intervalSeconds: wholeNumber(5, 3600, 'a whole number of seconds from 5 to 3600, such as 60')
      .default(60)
      .describe(
        'Optional. How often, in seconds, each modem is asked for its network registration, operator and signal: 5 to 3600. Default: 60.',
      ),
  },
  'a "modemPoll:" section with keys such as "intervalSeconds: 60"',
)
  .prefault({})
  .describe('Optional. The regular modem health check.');

const logSection = section(
  {
    level: oneOf(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`)
      .default('info')
      .describe(`Optional. How much the box writes to its log: ${LOG_LEVELS.join(', ')}. Default: info.`),
  },
  'a "log:" section with keys such as "level: info"',
)
  .prefault({})
  .describe('Optional. Logging (to the system journal under systemd).');

/**
 * The whole configuration file. Unknown keys are errors at every level. Parsing applies the
 * defaults; the loader then makes `database` absolute (see `load.ts`).
 */
export const configSchema = section(
  {
    box: boxSection,
    country,
    database,
    modems,
    http: httpSection,
    calls: callsSection,
    modemPoll: modemPollSection,
    log: logSection,
  },
  'settings written as "key: value" lines, starting with "box:" and "modems:"',
);

/** The configuration as the rest of the box sees it: every default applied, `database` absolute. */
export type Config = z.output<typeof configSchema>;

/** One modem's settings, `label` always set (given or `line-<n>`). */
export type ModemConfig = Config['modems'][number];

/** A modem vendor profile name, including `auto`. */
export type ModemProfileName = (typeof MODEM_PROFILES)[number];

/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A serial speed the box accepts. */
export type BaudRate = (typeof BAUD_RATES)[number];
