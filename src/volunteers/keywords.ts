/**
 * What a volunteer's SMS asks for: JOIN with a name and a pincode (or a constituency), STOP,
 * START, HELP, an interest, or nothing the box acts on (free text, shown to people). Pure: no
 * I/O, no clock; the handler in `commands.ts` acts on the result.
 */
import { PINCODE, type Place, type PlaceLookup } from './places.js';
import { asciiDigits, cleanName, splitWords, wordKey } from './text.js';

/** The longest name kept, in user-perceived characters. */
export const MAX_NAME_LENGTH = 60;

/** The words that mean each command, from config (`keywords:`); compared with {@link wordKey}. */
export interface KeywordRules {
  join: readonly string[];
  stop: readonly string[];
  start: readonly string[];
  help: readonly string[];
  /** Interest name (stored on the volunteer) → the words that mean it. */
  interests: readonly { name: string; words: readonly string[] }[];
}

/** Why a JOIN could not be taken as it was. */
export type JoinProblem =
  /** No digits and no known constituency. */
  | 'missing-pincode'
  /** Digits that are not one 6-digit Indian pincode (5 digits, 7 digits, 000000, two numbers). */
  | 'bad-pincode'
  /** A pincode but no name. */
  | 'missing-name';

export type ParsedMessage =
  | {
      keyword: 'JOIN';
      name: string | null;
      pincode: string | null;
      /** The constituency named instead of a pincode (from the lookup table). */
      place: Place | null;
      problem: JoinProblem | null;
    }
  | { keyword: 'STOP' }
  | { keyword: 'START' }
  | { keyword: 'HELP' }
  | { keyword: 'INTEREST'; interests: string[] }
  | { keyword: null };

/** The rules with every word in comparison form, built once. */
export interface CompiledRules {
  commands: { keyword: 'JOIN' | 'STOP' | 'START' | 'HELP'; words: string[] }[];
  interests: Map<string, string>;
}

function phrase(word: string): string[] {
  return splitWords(word).map(wordKey).filter((w) => w !== '');
}

/** Pre-compute comparison forms; multi-word keywords (`शामिल हों`) are matched word by word. */
export function compileRules(rules: KeywordRules): CompiledRules {
  const commands: CompiledRules['commands'] = [];
  const add = (keyword: 'JOIN' | 'STOP' | 'START' | 'HELP', list: readonly string[]): void => {
    for (const w of list) {
      const words = phrase(w);
      if (words.length > 0) commands.push({ keyword, words });
    }
  };
  // STOP first: when a configuration gives one word two meanings, leaving is the safe reading.
  add('STOP', rules.stop);
  add('START', rules.start);
  add('JOIN', rules.join);
  add('HELP', rules.help);
  // Longest phrase first, so `JOIN NOW` is not read as `JOIN` + name "NOW" when both are configured.
  commands.sort((a, b) => b.words.length - a.words.length);
  const interests = new Map<string, string>();
  for (const interest of rules.interests) {
    for (const w of [interest.name, ...interest.words]) {
      const key = phrase(w).join(' ');
      if (key !== '' && !interests.has(key)) interests.set(key, interest.name);
    }
  }
  return { commands, interests };
}

const PIN_WORDS = new Set(['PIN', 'PINCODE', 'PIN-CODE', 'PIN.', 'पिन', 'पिनकोड', 'पिन-कोड'].map(wordKey));
const DIGIT_TOKEN = /^[0-9][0-9\-./]*$/;

/**
 * Read one message. `places` (the pincode table, when configured) lets a constituency name stand
 * in for the pincode. The text is only read; names are taken from it as typed (trimmed, bounded).
 */
export function parseMessage(text: string, rules: CompiledRules, places: PlaceLookup | null = null): ParsedMessage {
  const words = splitWords(text);
  // Words of punctuation or emoji only (`🙏 STOP`, `. STOP`, `* STOP *`) have no key and are
  // skipped for matching; `at` maps each key back to its word, so JOIN's name is cut from the
  // words exactly as typed.
  const keyed = words.map((word, at) => ({ key: wordKey(word), at })).filter((k) => k.key !== '');
  const keys = keyed.map((k) => k.key);
  for (const c of rules.commands) {
    if (c.words.every((w, i) => keys[i] === w)) {
      const last = keyed[c.words.length - 1];
      const rest = words.slice(last === undefined ? 0 : last.at + 1);
      switch (c.keyword) {
        case 'JOIN':
          return parseJoin(rest, places);
        case 'STOP':
        case 'START':
        case 'HELP':
          return { keyword: c.keyword };
      }
    }
  }
  const first = keys[0];
  if (first !== undefined && rules.interests.has(first)) {
    const interests: string[] = [];
    for (const k of keys) {
      const name = rules.interests.get(k);
      if (name !== undefined && !interests.includes(name)) interests.push(name);
    }
    return { keyword: 'INTEREST', interests };
  }
  return { keyword: null };
}

interface DigitRun {
  start: number;
  end: number;
  digits: string;
}

/** The words after JOIN: one run of digit words is the pincode (`221001`, `221 001`, `२२१००१`). */
function parseJoin(words: string[], places: PlaceLookup | null): ParsedMessage {
  const ascii = words.map((w) => asciiDigits(w).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''));
  const runs: DigitRun[] = [];
  for (let i = 0; i < ascii.length; i++) {
    if (!DIGIT_TOKEN.test(ascii[i] ?? '')) continue;
    const last = runs[runs.length - 1];
    const digits = (ascii[i] ?? '').replace(/\D/g, '');
    if (last && last.end === i) {
      last.end = i + 1;
      last.digits += digits;
    } else {
      runs.push({ start: i, end: i + 1, digits });
    }
  }
  const join = (keep: (i: number) => boolean): string | null =>
    cleanName(
      words
        .filter((_, i) => keep(i) && !PIN_WORDS.has(wordKey(words[i] ?? '')))
        .join(' ')
        .replace(/^[\s\-–,.]+|[\s\-–,]+$/gu, ''),
      MAX_NAME_LENGTH,
    );

  // Exactly one stretch of digit words that is a valid pincode wins (`221 001` is one; in
  // `flat 12 221001` it is the last word); other numbers (a house number) stay in the name.
  const valid: DigitRun[] = [];
  for (const r of runs) {
    for (let a = r.start; a < r.end; a++) {
      // Six digits span at most six words, which also bounds the work on a long message.
      for (let b = a + 1; b <= Math.min(r.end, a + 6); b++) {
        const digits = ascii.slice(a, b).join('').replace(/\D/g, '');
        if (PINCODE.test(digits)) valid.push({ start: a, end: b, digits });
      }
    }
  }
  if (valid.length === 1) {
    const run = valid[0] as DigitRun;
    // The name is what comes before the pincode; words after it (`… 221001 I want to help`)
    // are left in the message for people to read. Only `JOIN 221001 Asha` names after it.
    const name = join((i) => i < run.start) ?? join((i) => i >= run.end);
    return { keyword: 'JOIN', name, pincode: run.digits, place: null, problem: name === null ? 'missing-name' : null };
  }
  if (runs.length > 0) return { keyword: 'JOIN', name: join((i) => !runs.some((r) => i >= r.start && i < r.end)), pincode: null, place: null, problem: 'bad-pincode' };

  // No digits: the last one to few words may name a constituency (longest match first).
  if (places) {
    const most = Math.min(places.maxConstituencyWords, words.length - 1);
    for (let n = most; n >= 1; n--) {
      const place = places.byConstituency(words.slice(words.length - n).join(' '));
      if (place) {
        const name = join((i) => i < words.length - n);
        if (name !== null) return { keyword: 'JOIN', name, pincode: null, place, problem: null };
      }
    }
  }
  return { keyword: 'JOIN', name: join(() => true), pincode: null, place: null, problem: 'missing-pincode' };
}
