/**
 * The configuration sections for volunteers' replies: `keywords:` (the words, in any language,
 * and the auto-reply to each), `volunteers:` (the pincode table) and `inbox:` (reading the SIM,
 * joining long messages). Built with the same helpers as every other section and added to
 * `configSchema` in `src/config/schema.ts`; documented in docs/CONFIG.md and docs/VOLUNTEERS.md.
 */
import { z } from 'zod';

import { expected, section, text, wholeNumber } from '../config/fields.js';
import { planText } from '../sms/pdu/index.js';
import { expandTemplate, templatePlaceholders } from '../sms/template.js';
import { splitWords, wordKey } from './text.js';

const WORDS_PHRASE = 'a list of words such as [STOP, रोकें], or one word';

/** A list of keywords; one word on its own is a list of one. */
function words(defaults: readonly [string, ...string[]]) {
  return z
    .preprocess(
      (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? [value] : value),
      z.array(text(WORDS_PHRASE), { error: expected(WORDS_PHRASE) }).min(1, { error: expected(WORDS_PHRASE) }),
    )
    .default([...defaults]);
}

const INTEREST_NAME = /^[\p{L}\p{N}_-]{1,32}$/u;
const INTERESTS_PHRASE = 'interest names, each with the words that mean it, such as "SOCIAL: [SOCIAL, सोशल]", or a list of names';

const interests = z.preprocess(
  (value: unknown) => {
    // `[SOCIAL, GROUND]` means each name is its own (only) word.
    if (Array.isArray(value)) return Object.fromEntries(value.map((v: unknown) => [String(v).trim(), []]));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.trim(), v === null ? [] : typeof v === 'string' ? [v] : v]),
      );
    }
    return value;
  },
  z
    .record(
      z.string().regex(INTEREST_NAME, { error: expected('an interest name of 1 to 32 letters, digits, "_" or "-", such as SOCIAL') }),
      z.array(text(WORDS_PHRASE), { error: expected(WORDS_PHRASE) }),
      { error: expected(INTERESTS_PHRASE) },
    ),
);

const REPLY_PHRASE = 'an SMS text, such as "Thank you for joining!"';

/** Default auto-replies: English, so they fit one cheap GSM-7 SMS each; docs/VOLUNTEERS.md has Hindi ones. */
export const DEFAULT_REPLIES = {
  join: 'Thank you for joining! Our team will contact you soon. Send HELP for options, STOP to stop SMS.',
  joinHelp: 'To join, send JOIN <your name> <6-digit pincode>, for example: JOIN Asha Devi 221001',
  stop: 'You will get no more SMS from this number. Send START to get them again.',
  start: 'Welcome back! You will get our SMS again. Send STOP to stop.',
  help: 'Send JOIN <name> <pincode> to volunteer, STOP to stop SMS, START to get them again.',
  interest: 'Thank you! We have noted your interest.',
} as const;

const repliesSection = section(
  {
    join: text(REPLY_PHRASE)
      .default(DEFAULT_REPLIES.join)
      .describe(`Optional. The answer to a complete JOIN. Default: ${DEFAULT_REPLIES.join}`),
    joinHelp: text(REPLY_PHRASE)
      .default(DEFAULT_REPLIES.joinHelp)
      .describe(`Optional. The answer to a JOIN without a name or with a missing or malformed pincode: say what to send. Default: ${DEFAULT_REPLIES.joinHelp}`),
    stop: text(REPLY_PHRASE)
      .default(DEFAULT_REPLIES.stop)
      .describe(`Optional. The one confirmation of a STOP; nothing else is ever sent to that number until START. Default: ${DEFAULT_REPLIES.stop}`),
    start: text(REPLY_PHRASE)
      .default(DEFAULT_REPLIES.start)
      .describe(`Optional. The answer to START. Default: ${DEFAULT_REPLIES.start}`),
    help: text(REPLY_PHRASE)
      .default(DEFAULT_REPLIES.help)
      .describe(`Optional. The answer to HELP. Default: ${DEFAULT_REPLIES.help}`),
    interest: text(REPLY_PHRASE)
      .default(DEFAULT_REPLIES.interest)
      .describe(`Optional. The answer to a message naming interests. Default: ${DEFAULT_REPLIES.interest}`),
    other: text(REPLY_PHRASE)
      .optional()
      .describe('Optional. An answer to any other message (free text, which is stored and shown to people). No default: free text is not answered.'),
  },
  'a "replies:" section with keys such as "join: Thank you for joining!"',
)
  .prefault({})
  .describe(
    'Optional. The auto-reply to each keyword, in any language; the same placeholders ({box}, {boxName}, {label}, {campaign}) and the same reply.maxParts limit as the reply to callers.',
  );

/** The `keywords:` section. */
export const keywordsSection = section(
  {
    join: words(['JOIN', 'जॉइन', 'जुड़ें']).describe(
      'Optional. Words that start a JOIN <name> <pincode> message, in any case and language. Default: JOIN, जॉइन and जुड़ें.',
    ),
    stop: words(['STOP', 'स्टॉप', 'रोकें']).describe(
      'Optional. Words that opt a number out of every SMS from this box. Default: STOP, स्टॉप and रोकें.',
    ),
    start: words(['START', 'स्टार्ट', 'शुरू']).describe('Optional. Words that opt a number back in. Default: START, स्टार्ट and शुरू.'),
    help: words(['HELP', 'हेल्प', 'मदद']).describe('Optional. Words that ask for the help text. Default: HELP, हेल्प and मदद.'),
    interests: interests
      .optional()
      .describe(
        'Optional. Interest names, each with the words that mean it (SOCIAL: [SOCIAL, सोशल]); a message starting with one adds every interest it names to the volunteer. No default: no interests.',
      ),
    replies: repliesSection,
  },
  'a "keywords:" section with keys such as "stop: [STOP, रोकें]"',
)
  .superRefine(
    (k, ctx) => {
      // One word with two meanings would be read as whichever is checked first: say so instead.
      const seen = new Map<string, string>();
      const check = (owner: string, path: (string | number)[], word: string): void => {
        const key = splitWords(word).map(wordKey).filter((w) => w !== '').join(' ');
        const first = seen.get(key);
        if (first === undefined) seen.set(key, owner);
        else if (first !== owner) ctx.addIssue({ code: 'custom', path, input: word, message: expected(`a word not already used by keywords.${first}`) });
      };
      for (const list of ['stop', 'start', 'join', 'help'] as const) k[list].forEach((w, i) => check(list, [list, i], w));
      for (const [name, list] of Object.entries(k.interests ?? {})) {
        check(`interests.${name}`, ['interests', name], name);
        list.forEach((w, i) => check(`interests.${name}`, ['interests', name, i], w));
      }
    },
    { when: (payload) => payload.issues.length === 0 },
  )
  .prefault({})
  .describe('Optional. What volunteers may write to the box, and what it answers (docs/VOLUNTEERS.md). STOP always works.');

/** The `volunteers:` section. */
export const volunteersSection = section(
  {
    pincodeTable: text('a CSV file path such as ./pincodes.csv', { acceptNumbers: false })
      .optional()
      .describe(
        'Optional. A CSV file with a header row naming the columns pincode, district and (optionally) constituency, state and aliases; a JOIN gets its district and assembly constituency from it, and a constituency name is accepted instead of a pincode. Relative to the config file. No default: no lookup.',
      ),
  },
  'a "volunteers:" section with keys such as "pincodeTable: ./pincodes.csv"',
)
  .prefault({})
  .describe('Optional. Volunteer profiles.');

/** The `inbox:` section. */
export const inboxSection = section(
  {
    partsTimeoutHours: wholeNumber(1, 720, 'a whole number of hours from 1 to 720, such as 24')
      .default(24)
      .describe(
        'Optional. A long SMS whose parts have not all come within this many hours is stored as it is, flagged partial: 1 to 720. Default: 24.',
      ),
    storageCheckSeconds: wholeNumber(10, 3600, 'a whole number of seconds from 10 to 3600, such as 60')
      .default(60)
      .describe(
        'Optional. How often each SIM\'s message storage is checked for messages the modem did not announce (a full SIM stops announcing them): 10 to 3600. Default: 60.',
      ),
  },
  'an "inbox:" section with keys such as "partsTimeoutHours: 24"',
)
  .prefault({})
  .describe('Optional. Receiving SMS.');

interface KeywordReplyCheckInput {
  box: { id: string; name?: string | undefined };
  modems: { label: string; campaign?: string | undefined }[];
  reply?: { maxParts: number } | undefined;
  sms?: { dailyLimitPerSim: number } | undefined;
  keywords: { replies: Record<string, string | undefined> };
}

/** Parts a keyword reply may take when there is no `reply:` section (the default of reply.maxParts). */
const DEFAULT_MAX_PARTS = 3;

/**
 * Each auto-reply, with its placeholders filled in for every line, must be a valid template
 * and fit in `reply.maxParts` SMS (3 without a `reply:` section) and in `sms.dailyLimitPerSim`
 * (a longer one could never be sent): found at start.
 */
export function checkKeywordReplies(config: KeywordReplyCheckInput, ctx: z.RefinementCtx<unknown>): void {
  const maxParts = config.reply?.maxParts ?? DEFAULT_MAX_PARTS;
  const limit = config.sms?.dailyLimitPerSim ?? 0;
  let limitReported = false;
  for (const [kind, template] of Object.entries(config.keywords.replies)) {
    if (template === undefined) continue;
    const path = ['keywords', 'replies', kind];
    const used = templatePlaceholders(template);
    if (!Array.isArray(used)) {
      ctx.addIssue({ code: 'custom', path, input: template, message: expected(used.expected) });
      continue;
    }
    for (const [index, modem] of config.modems.entries()) {
      if (used.includes('campaign') && modem.campaign === undefined) {
        ctx.addIssue({ code: 'custom', path, input: template, message: expected(`{campaign} only where every line has one, but modems[${index}] (${modem.label}) has no campaign`) });
        break;
      }
      const expanded = expandTemplate(template, { box: config.box.id, boxName: config.box.name ?? config.box.id, label: modem.label, campaign: modem.campaign ?? null });
      const plan = planText(expanded);
      if (limit > 0 && plan.parts.length > limit && !limitReported) {
        limitReported = true;
        ctx.addIssue({
          code: 'custom',
          path: ['sms', 'dailyLimitPerSim'],
          input: limit,
          message: expected(`a daily limit of at least ${plan.parts.length} SMS (0 for none): keywords.replies.${kind} takes ${plan.parts.length} SMS for ${modem.label}, and each part counts`),
        });
      }
      if (plan.parts.length > maxParts) {
        const per = plan.encoding === 'ucs2' ? '70 characters for one SMS, 67 per part (Unicode, for Hindi and other scripts)' : '160 characters for one SMS, 153 per part';
        ctx.addIssue({
          code: 'custom',
          path,
          input: template,
          message: expected(`a reply that fits in ${maxParts} SMS (reply.maxParts); for ${modem.label} it takes ${plan.parts.length} (${per})`),
        });
        break;
      }
    }
  }
}
