/**
 * The configuration schema: every key the box understands, its default, and what a person
 * must write. This file is the one place to add a section: write it with the builders from
 * `fields.ts` (so its errors read like the others), give every key a `.describe()` sentence
 * that names the default, add one line to `configSchema`, and document it in docs/CONFIG.md
 * (a test fails until you do).
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

import { planText } from '../sms/pdu/index.js';
import { isTimeZone, parseInstant, parseQuietHours } from '../sms/schedule.js';
import { expandTemplate, templatePlaceholders } from '../sms/template.js';
import { isPasswordHash } from '../auth/password.js';
import { expected, oneOf, oneOfNumbers, section, text, wholeNumber, type IssueParams } from './fields.js';
import { checkKeywordReplies, inboxSection, keywordsSection, volunteersSection } from '../volunteers/config.js';

/** Baud rates a USB modem's serial port may be set to. */
export const BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600] as const;
/** Modem vendor profiles; `auto` reads the manufacturer (AT+CGMI) and picks one. */
export const MODEM_PROFILES = ['auto', 'generic', 'simcom', 'quectel', 'huawei'] as const;
/** What a modem's line is used for; `both` when the file does not say. */
export const MODEM_ROLES = ['calls', 'sms', 'both'] as const;
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
    role: oneOf(MODEM_ROLES, `one of ${MODEM_ROLES.join(', ')}`)
      .optional()
      .describe(
        'Optional. What this line is for: calls (it never sends SMS), sms (it sends the replies; a call to it is still hung up and counted) or both. Replies go out from lines that are not ringing, sms lines first. Default: both.',
      ),
    reply: text('the reply text for callers of this line, such as "Thank you for calling the {campaign} line"')
      .optional()
      .describe(
        'Optional. The reply to callers of this line instead of reply.text (one SIM per publicity campaign, each with its own reply); the same placeholders and maxParts apply. No default: reply.text is used.',
      ),
    replyTemplateId: text('the DLT template id registered for this line\'s reply, such as 1107161234567890123')
      .optional()
      .describe('Optional. The DLT template id (Indian telecom registration) of this line\'s reply, recorded with each message. No default: reply.templateId is used.'),
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

/** What a status-page account may do: look (numbers masked), or also act and see whole numbers. */
export const WEB_ROLES = ['viewer', 'admin'] as const;

/** A status-page user name (`missedcall passwd` checks it with this too). */
export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,32}$/;

const USER_NAME_PHRASE = 'a user name of 1 to 32 letters, digits, dots, dashes, underscores or @, such as ravi';

const webUserSection = section(
  {
    name: text(USER_NAME_PHRASE)
      .superRefine((name, ctx) => {
        if (!USER_NAME_PATTERN.test(name)) ctx.addIssue({ code: 'custom', message: expected(USER_NAME_PHRASE), input: name });
      })
      .describe('Required. The name to log in with, such as ravi: 1 to 32 letters, digits, dots, dashes, underscores or @. Each account needs its own.'),
    role: oneOf(WEB_ROLES, 'viewer or admin')
      .default('viewer')
      .describe('Optional. viewer looks (phone numbers are masked); admin also sees whole numbers, downloads exports and acts (test SMS, modem restart, sync now). Default: viewer.'),
    passwordHash: text('a password hash written by "missedcall passwd" (it starts with scrypt$)', { acceptNumbers: false })
      .superRefine((hash, ctx) => {
        // Never a password itself: a person who types one here gets told how to make a hash.
        if (!isPasswordHash(hash)) ctx.addIssue({ code: 'custom', message: expected('a password hash written by "missedcall passwd" (it starts with scrypt$), not a password'), input: hash });
      })
      .describe('Required. The scrypt hash of the password, written by missedcall passwd; never the password itself. Treated as a secret: never shown in messages or logs.'),
  },
  'an account with a name, role and passwordHash, written by "missedcall passwd"',
);

/** Account names must differ (case counts as the same name: people type them on phones). */
function checkUsersDistinct(users: readonly unknown[], ctx: z.RefinementCtx<unknown[]>): void {
  const seen = new Map<string, number>();
  users.forEach((user, index) => {
    const name = typeof user === 'object' && user !== null ? (user as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') return;
    const first = seen.get(name.toLowerCase());
    if (first === undefined) seen.set(name.toLowerCase(), index);
    else ctx.addIssue({ code: 'custom', path: [index, 'name'], input: name, message: expected(`each account to have its own name, but http.users[${first}] is also called "${name}"`) });
  });
}

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
    users: z
      .array(webUserSection, { error: expected('a list of accounts, each starting with "- name:" (write them with missedcall passwd)') })
      .superRefine(checkUsersDistinct, { when: (payload) => Array.isArray(payload.value) })
      .default([])
      .describe(
        'Optional. Who may open the status page and the API, each with a name, a role and a password hash; add or change one with "missedcall passwd --config <file> --user <name> --role viewer|admin". Default: none, and then the page and the API stay locked and show how to add an account.',
      ),
    sessionHours: wholeNumber(1, 720, 'a whole number of hours from 1 to 720, such as 12')
      .default(12)
      .describe('Optional. How long a login on the status page lasts, in hours: 1 to 720. Default: 12.'),
    trustProxy: onOff('true or false')
      .default(false)
      .describe(
        'Optional. true only when a reverse proxy on this box (nginx, caddy) serves the page over HTTPS: the client address and protocol it forwards are then believed (the login limit counts the real client, the session cookie is marked Secure). Default: false.',
      ),
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

const replySection = section(
  {
    text: text('the SMS every caller gets, such as "Thank you! To volunteer, send JOIN <name> <pincode>"')
      .describe(
        'Required. The SMS every caller gets, in any language (Hindi and other scripts are sent as Unicode, 70 characters per SMS). May use {box}, {boxName}, {label} and {campaign}; write {{ and }} for braces.',
      ),
    cooldownHours: wholeNumber(0, 8760, 'a whole number of hours from 0 (answer every call) to 8760, such as 24')
      .default(24)
      .describe('Optional. A caller who was sent a reply within this many hours is counted but not answered again: 0 to 8760. Default: 24.'),
    maxParts: wholeNumber(1, 10, 'a whole number of SMS parts from 1 to 10, such as 3')
      .default(3)
      .describe('Optional. The most SMS one reply may take; a longer reply is a configuration error at start: 1 to 10. Default: 3.'),
    templateId: text('the DLT template id registered for the reply, such as 1107161234567890123')
      .optional()
      .describe('Optional. The DLT template id (Indian telecom registration) of the reply, recorded with each message. No default.'),
  },
  'a "reply:" section with at least a text, such as "text: Thank you for calling" on the next line, indented',
).describe('Optional. The SMS reply to callers. Without it calls are hung up and counted, but not answered.');

const QUIET_PHRASE = 'a daily window written as HH:MM-HH:MM in 24-hour local time, such as "21:00-09:00", or "" for none';

const quietHours = z
  .preprocess((value: unknown) => (typeof value === 'string' ? value.trim() : value), z.string({ error: expected(QUIET_PHRASE) }))
  .superRefine((value, ctx) => {
    const parsed = parseQuietHours(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: expected(parsed.expected), input: value });
  });

const INSTANT_PHRASE = 'a date and time with its UTC offset, such as 2027-02-10T18:00+05:30';

const instant = z
  // A Date only reaches here from code calling validateConfig (YAML 1.2 reads timestamps as text).
  .preprocess((value: unknown) => (value instanceof Date ? value.toISOString() : typeof value === 'string' ? value.trim() : value), z.string({ error: expected(INSTANT_PHRASE) }))
  .superRefine((value, ctx) => {
    const parsed = parseInstant(value);
    if (!parsed.ok) {
      const params: IssueParams = /[+-]\d{2}:?\d{2}$|Z$/i.test(value) ? {} : { hint: 'add the offset, such as +05:30 for India' };
      ctx.addIssue({ code: 'custom', message: expected(parsed.expected), input: value, params });
    }
  });

const blackoutSection = section(
  {
    from: instant.describe('Required. When the blackout starts, with its UTC offset, such as 2027-02-10T18:00+05:30.'),
    to: instant.describe('Required. When it ends (sending resumes), with its UTC offset, such as 2027-02-12T18:00+05:30; after from.'),
    reason: text('a few words saying why, such as poll silence')
      .optional()
      .describe('Optional. Why nothing is sent, shown on the status page, such as "poll silence". No default.'),
  },
  'a blackout such as "{ from: 2027-02-10T18:00+05:30, to: 2027-02-12T18:00+05:30, reason: poll silence }"',
).superRefine(
  (b, ctx) => {
    const from = parseInstant(b.from);
    const to = parseInstant(b.to);
    if (from.ok && to.ok && to.value <= from.value) {
      ctx.addIssue({ code: 'custom', path: ['to'], input: b.to, message: expected(`a time after from (${b.from})`) });
    }
  },
  { when: (payload) => payload.issues.length === 0 },
);

const smsSection = section(
  {
    dailyLimitPerSim: wholeNumber(0, 100000, 'a whole number of SMS from 0 (no limit) to 100000, such as 100')
      .default(100)
      .describe(
        'Optional. The most SMS each SIM sends in one local day (each part of a long reply counts); telcos block SIMs that send in bulk. 0 means no limit: 0 to 100000. Default: 100.',
      ),
    quietHours: quietHours
      .optional()
      .describe('Optional. A daily window in local time when replies wait, such as "21:00-09:00" (it may span midnight); they go out, oldest first, when it ends. No default: no quiet hours.'),
    blackout: z
      .array(blackoutSection, { error: expected('a list of blackouts, each starting with "- from:"') })
      .optional()
      .describe('Optional. Periods when nothing is sent (such as the election-silence period before polling); messages wait and go out, oldest first, when it ends. No default.'),
    timezone: text('a time zone name such as Asia/Kolkata')
      .superRefine((zone, ctx) => {
        if (!isTimeZone(zone)) ctx.addIssue({ code: 'custom', message: expected('a time zone name such as Asia/Kolkata'), input: zone });
      })
      .optional()
      .describe(
        "Optional. The time zone of quietHours and of the day dailyLimitPerSim counts in, such as Asia/Kolkata. No default: the box's own time zone (set it with timedatectl).",
      ),
  },
  'an "sms:" section with keys such as "dailyLimitPerSim: 100"',
).describe('Optional. When and how much the box sends. Without it: 100 SMS per SIM per day, no quiet hours, no blackouts.');

/** `true`/`false` (any case), and `yes`/`no`/`on`/`off` as a person may write them. */
function onOff(phrase: string) {
  const words: Record<string, boolean> = { true: true, false: false, yes: true, no: false, on: true, off: false };
  return z.preprocess(
    (value: unknown) => (typeof value === 'string' && value.trim().toLowerCase() in words ? words[value.trim().toLowerCase()] : value),
    z.boolean({ error: expected(phrase) }),
  );
}

const MQTT_URL_PHRASE = 'a broker address starting with mqtt:// or mqtts://, such as mqtts://hq.example.org:8883';

const mqttSection = section(
  {
    url: text(MQTT_URL_PHRASE, { acceptNumbers: false })
      .superRefine((url, ctx) => {
        let ok = false;
        try {
          const u = new URL(url);
          ok = (u.protocol === 'mqtt:' || u.protocol === 'mqtts:') && u.hostname !== '';
        } catch {
          ok = false;
        }
        if (ok) return;
        const params: IssueParams = /^[a-z0-9.-]+(:\d+)?$/i.test(url) ? { hint: `did you mean "mqtts://${url}"?` } : {};
        ctx.addIssue({ code: 'custom', message: expected(MQTT_URL_PHRASE), input: url, params });
      })
      .optional()
      .describe(
        'Optional. The headquarters MQTT broker, such as mqtts://hq.example.org:8883 (mqtts = TLS). Without it sync is off: records wait in the database and go when it is set. No default.',
      ),
    username: text('the user name HQ gave this box, such as varanasi-01')
      .optional()
      .describe('Optional. The user name for the broker, usually the box id. No default.'),
    password: text('the password HQ gave this box')
      .optional()
      .describe('Optional. The password for the broker; never shown in logs or messages. No default.'),
    ca: text('a file path such as /etc/missedcall/ca.pem', { acceptNumbers: false })
      .optional()
      .describe('Optional. The certificate authority (PEM file) that signed the broker\'s certificate, for mqtts:// with a private CA. No default: the system\'s trusted CAs.'),
    cert: text('a file path such as /etc/missedcall/box.crt', { acceptNumbers: false })
      .optional()
      .describe('Optional. This box\'s client certificate (PEM file), when the broker wants one; needs mqtt.key. No default.'),
    key: text('a file path such as /etc/missedcall/box.key', { acceptNumbers: false })
      .optional()
      .describe('Optional. The private key (PEM file) of mqtt.cert. No default.'),
    topicPrefix: text('topic levels of letters, digits, "_" and "-" separated by "/", such as missedcall')
      .superRefine((prefix, ctx) => {
        if (/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(prefix)) return;
        ctx.addIssue({ code: 'custom', message: expected('topic levels of letters, digits, "_" and "-" separated by "/", such as missedcall'), input: prefix });
      })
      .default('missedcall')
      .describe('Optional. The first level of every topic (<prefix>/v1/<box id>/…); must match the collectors\'. Default: missedcall.'),
    compress: onOff('true or false')
      .default(true)
      .describe('Optional. Send batches gzip-compressed (about 38 instead of about 230 bytes per call): true or false. Default: true.'),
    batchSize: wholeNumber(1, 5000, 'a whole number of records from 1 to 5000, such as 500')
      .default(500)
      .describe('Optional. The most records in one batch: 1 to 5000. Default: 500.'),
    maxDelaySeconds: wholeNumber(0, 3600, 'a whole number of seconds from 0 to 3600, such as 5')
      .default(5)
      .describe('Optional. A smaller batch goes this many seconds after its oldest record was written: 0 to 3600. Default: 5.'),
    ackTimeoutSeconds: wholeNumber(2, 3600, 'a whole number of seconds from 2 to 3600, such as 30')
      .default(30)
      .describe('Optional. A batch HQ has not acknowledged after this many seconds is sent again (then after twice as long, and so on, up to 10 minutes): 2 to 3600. Default: 30.'),
    keepaliveSeconds: wholeNumber(10, 1200, 'a whole number of seconds from 10 to 1200, such as 60')
      .default(60)
      .describe('Optional. The MQTT keep-alive: a dead connection is noticed within about one and a half times this: 10 to 1200. Default: 60.'),
    reconnectMinSeconds: wholeNumber(1, 600, 'a whole number of seconds from 1 to 600, such as 1')
      .default(1)
      .describe('Optional. The first wait before connecting again after a failure; each failure doubles it (with a random part) up to mqtt.reconnectMaxSeconds: 1 to 600. Default: 1.'),
    reconnectMaxSeconds: wholeNumber(1, 86400, 'a whole number of seconds from 1 to 86400, such as 300')
      .default(300)
      .describe('Optional. The longest wait between connection attempts: 1 to 86400. Default: 300.'),
    drainSpreadSeconds: wholeNumber(0, 3600, 'a whole number of seconds from 0 to 3600, such as 10')
      .default(10)
      .describe('Optional. After a reconnect with a backlog, wait a random part of this many seconds before sending, so boxes coming back together do not all hit HQ at once: 0 to 3600. Default: 10.'),
    statusIntervalSeconds: wholeNumber(10, 86400, 'a whole number of seconds from 10 to 86400, such as 300')
      .default(300)
      .describe('Optional. How often the retained status message (backlog, modems, last ack) is refreshed for HQ: 10 to 86400. Default: 300.'),
  },
  'an "mqtt:" section with keys such as "url: mqtts://hq.example.org:8883"',
)
  .superRefine(
    (mqtt, ctx) => {
      const issue = (path: string, input: unknown, message: string): void => {
        ctx.addIssue({ code: 'custom', path: [path], input, message: expected(message) });
      };
      if (mqtt.password !== undefined && mqtt.username === undefined) issue('username', undefined, 'a username as well, since mqtt.password is set');
      if (mqtt.cert !== undefined && mqtt.key === undefined) issue('key', undefined, 'the private key of mqtt.cert as well');
      if (mqtt.key !== undefined && mqtt.cert === undefined) issue('cert', undefined, 'the certificate that goes with mqtt.key as well');
      const plain = mqtt.url?.startsWith('mqtt://') === true;
      for (const name of ['ca', 'cert'] as const) {
        if (plain && mqtt[name] !== undefined) issue('url', mqtt.url, `an mqtts:// address, since mqtt.${name} is set (TLS files are used only with mqtts://)`);
      }
      if (mqtt.reconnectMaxSeconds < mqtt.reconnectMinSeconds) {
        issue('reconnectMaxSeconds', mqtt.reconnectMaxSeconds, `at least mqtt.reconnectMinSeconds (${mqtt.reconnectMinSeconds})`);
      }
    },
    { when: (payload) => payload.issues.length === 0 },
  )
  .prefault({})
  .describe('Optional. Sync with headquarters over MQTT (docs/PROTOCOL.md). Without mqtt.url the box records everything and sends nothing until it is set.');

const retentionSection = section(
  {
    days: wholeNumber(1, 3650, 'a whole number of days from 1 to 3650, such as 90')
      .default(90)
      .describe('Optional. Records HQ acknowledged more than this many days ago are deleted from the box; records HQ has not acknowledged are never deleted: 1 to 3650. Default: 90.'),
    minFreeMb: wholeNumber(0, 1000000, 'a whole number of megabytes from 0 to 1000000, such as 200')
      .default(200)
      .describe('Optional. Below this much free space (in MB) on the database\'s disk the status page warns; the box keeps recording: 0 (never warn) to 1000000. Default: 200.'),
  },
  'a "retention:" section with keys such as "days: 90"',
)
  .prefault({})
  .describe('Optional. How long the box keeps what HQ already has, and when it warns about disk space.');

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

interface ReplyCheckInput {
  box: { id: string; name?: string | undefined };
  modems: { label: string; campaign?: string | undefined; reply?: string | undefined }[];
  reply?: { text: string; maxParts: number } | undefined;
  sms?: { dailyLimitPerSim: number } | undefined;
}

/**
 * Every line's reply, with its placeholders filled in, must fit in `reply.maxParts` SMS: found
 * at start, not when a caller is waiting. Runs once the rest of the file is valid.
 */
function checkReplies(config: ReplyCheckInput, ctx: z.RefinementCtx<unknown>): void {
  const seen = new Set<string>();
  const report = (path: (string | number)[], input: unknown, message: string): void => {
    const key = `${path.join('.')}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    ctx.addIssue({ code: 'custom', path, input, message: expected(message) });
  };
  config.modems.forEach((modem, index) => {
    if (modem.reply !== undefined && config.reply === undefined) {
      report(['modems', index, 'reply'], modem.reply, 'a "reply:" section too (it sets cooldownHours and maxParts for every line)');
    }
  });
  const reply = config.reply;
  if (reply === undefined) return;
  // One issue per key for the length, naming every line it is too long for.
  const tooLong = new Map<string, { path: (string | number)[]; template: string; lines: string[]; ucs2: boolean }>();
  // The reply that takes most SMS, for the daily limit (set inside forEach, so an object).
  const longest = { parts: 0, label: '' };
  config.modems.forEach((modem, index) => {
    const own = modem.reply !== undefined;
    const path = own ? ['modems', index, 'reply'] : ['reply', 'text'];
    const template = modem.reply ?? reply.text;
    const used = templatePlaceholders(template);
    if (!Array.isArray(used)) {
      report(path, template, used.expected);
      return;
    }
    if (used.includes('campaign') && modem.campaign === undefined) {
      report(path, template, `{campaign} only where the line has one, but modems[${index}] (${modem.label}) has no campaign`);
      return;
    }
    const expanded = expandTemplate(template, { box: config.box.id, boxName: config.box.name ?? config.box.id, label: modem.label, campaign: modem.campaign ?? null });
    if (expanded.trim() === '') {
      report(path, template, `a reply with some text in it for ${modem.label}`);
      return;
    }
    const plan = planText(expanded);
    if (plan.parts.length > longest.parts) Object.assign(longest, { parts: plan.parts.length, label: modem.label });
    if (plan.parts.length > reply.maxParts) {
      const key = path.join('.');
      const entry = tooLong.get(key) ?? { path, template, lines: [], ucs2: false };
      entry.lines.push(`for ${modem.label} it takes ${plan.parts.length}`);
      entry.ucs2 ||= plan.encoding === 'ucs2';
      tooLong.set(key, entry);
    }
  });
  for (const { path, template, lines, ucs2 } of tooLong.values()) {
    const per = ucs2 ? '70 characters for one SMS, 67 per part when split (Unicode, for Hindi and other scripts)' : '160 characters for one SMS, 153 per part when split';
    report(path, template, `a reply that fits in reply.maxParts (${reply.maxParts}) SMS; ${lines.join(', ')} (${per}): shorten it or raise reply.maxParts`);
  }
  // A reply longer than a SIM may send in a day would wait for room that never comes.
  const limit = config.sms?.dailyLimitPerSim ?? 0;
  if (limit > 0 && longest.parts > limit) {
    report(['sms', 'dailyLimitPerSim'], limit, `a daily limit of at least ${longest.parts} SMS (0 for none): the reply for ${longest.label} takes ${longest.parts} SMS, and each part counts`);
  }
}

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
    reply: replySection.optional(),
    sms: smsSection.optional(),
    mqtt: mqttSection,
    retention: retentionSection,
    keywords: keywordsSection,
    volunteers: volunteersSection,
    inbox: inboxSection,
    log: logSection,
  },
  'settings written as "key: value" lines, starting with "box:" and "modems:"',
).superRefine(checkReplies).superRefine(checkKeywordReplies);

/** The configuration as the rest of the box sees it: every default applied, `database` absolute. */
export type Config = z.output<typeof configSchema>;

/**
 * Keys HQ may set with a retained `config` message (docs/PROTOCOL.md); a section's path makes
 * every key in it settable. A pushed value is checked by this same schema, laid over the file
 * (src/sync/pushed-config.ts). List a key only when the module using it follows
 * `App.onConfigChange`, so a push takes effect without a restart.
 */
export const PUSHABLE_KEYS: readonly string[] = [
  'reply.text',
  'reply.cooldownHours',
  'reply.maxParts',
  'reply.templateId',
  'sms.dailyLimitPerSim',
  'sms.quietHours',
  'sms.blackout',
  'sms.timezone',
  'log.level',
];

/** One modem's settings, `label` always set (given or `line-<n>`). */
export type ModemConfig = Config['modems'][number];

/** What a modem's line is used for. */
export type ModemRole = (typeof MODEM_ROLES)[number];

/** A modem vendor profile name, including `auto`. */
export type ModemProfileName = (typeof MODEM_PROFILES)[number];

/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A serial speed the box accepts. */
export type BaudRate = (typeof BAUD_RATES)[number];
