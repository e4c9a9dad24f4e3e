/**
 * Reading what a volunteer typed on a feature phone: digits of any Indian script, keywords in
 * any case or with a stray full stop, names of any script bounded without cutting a letter
 * in half. Pure; the text itself is never changed where it is stored.
 */

/**
 * The code point of "0" of each decimal digit set people in India type with: ASCII,
 * Arabic-Indic and Extended Arabic-Indic (Urdu, Kashmiri), Devanagari, Bengali/Assamese,
 * Gurmukhi, Gujarati, Odia, Tamil, Telugu, Kannada, Malayalam, Sinhala, Ol Chiki (Santali),
 * Lepcha, Meetei Mayek (Manipuri), and full-width digits some phones' keyboards produce.
 */
const DIGIT_ZEROS = [
  0x0030, 0x0660, 0x06f0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0x0de6, 0x1c40,
  0x1c50, 0xabf0, 0xff10,
] as const;

/** The value 0–9 of a digit in any of the scripts above, or null. */
export function digitValue(ch: string): number | null {
  const cp = ch.codePointAt(0);
  if (cp === undefined) return null;
  for (const zero of DIGIT_ZEROS) {
    if (cp >= zero && cp <= zero + 9) return cp - zero;
  }
  return null;
}

/** Every known digit replaced by its ASCII digit; everything else kept. `२२१००१` → `221001`. */
export function asciiDigits(text: string): string {
  let out = '';
  for (const ch of text) {
    const d = digitValue(ch);
    out += d === null ? ch : String(d);
  }
  return out;
}

// Invisible characters phones insert or people paste: zero-width space/joiners, word joiner, BOM,
// and variation selectors (the U+FE0F after an emoji such as ❤️). Joiners matter for how a
// conjunct is drawn, not for which word it is, so a keyword matches with or without them.
// Each selector is removed on its own, never as part of the emoji before it, so the
// "combined character" the lint rule warns about cannot happen here.
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\ufe00-\ufe0f]/g;
// Punctuation and symbols (emoji are symbols; skin tones are modifier symbols), enclosing marks
// (the keycap of #️⃣) and emoji tag characters (the flag of Scotland) at either end of a word.
const EDGE_PUNCTUATION = /^[\p{P}\p{S}\p{Me}\u{e0020}-\u{e007f}]+|[\p{P}\p{S}\p{Me}\u{e0020}-\u{e007f}]+$/gu;

function bare(word: string): string {
  return word.replace(INVISIBLE, '').replace(EDGE_PUNCTUATION, '');
}

/**
 * The form two words are compared in: NFKC (so `ड़` typed as one code point or as `ड` + nukta
 * match, and full-width `ＳＴＯＰ` from some phones' keyboards is `STOP`), no invisible joiners, no
 * punctuation or symbols at either end (`STOP.` `#JOIN` `मदद।` `STOP🙏`), upper case. Only for
 * comparing: the stored text is never changed. Empty for a word of punctuation and emoji only
 * (`🙏`, `…`, `-`); the edges are also stripped before folding, because NFKC turns a few symbols
 * into letters (`™` → `TM`).
 */
export function wordKey(word: string): string {
  return bare(bare(word).normalize('NFKC')).toUpperCase();
}

/** Separators between the words of a message: any white space, and , ; : | that people use instead. */
const WORD_SEPARATORS = /[\s,;:|]+/u;

/** The words of a message, as typed (empty pieces dropped). */
export function splitWords(text: string): string[] {
  return text.split(WORD_SEPARATORS).filter((w) => w !== '');
}

// Control characters (C0, DEL, C1) and line/paragraph separators have no place in a name.
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * A name as stored: control characters removed, white space collapsed, trimmed, and at most
 * `maxGraphemes` user-perceived characters (a Devanagari conjunct with its vowel sign counts
 * as one and is never cut in half). Null when nothing is left.
 */
export function cleanName(raw: string, maxGraphemes: number): string | null {
  const collapsed = raw.replace(CONTROL, ' ').replace(/\s+/gu, ' ').trim();
  if (collapsed === '') return null;
  let out = '';
  let count = 0;
  for (const { segment } of segmenter.segment(collapsed)) {
    if (count >= maxGraphemes) break;
    out += segment;
    count++;
  }
  return out.trim() || null;
}
