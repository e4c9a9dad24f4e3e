import { gsm7CharCost, isGsm7 } from './gsm7.js';
import type { SmsEncoding } from './types.js';
import { headerSeptets, MAX_USER_DATA_OCTETS } from './user-data.js';

/** How a text will be sent: alphabet, parts, and its size. */
export interface TextPlan {
  encoding: SmsEncoding;
  /** The text of each part; joined they give back the input exactly. */
  parts: string[];
  /** Septets for GSM-7 (an extension character counts 2), UTF-16 code units for UCS-2. */
  units: number;
}

/** Options for {@link planText}. */
export interface PlanOptions {
  /** Send as UCS-2 even when GSM-7 would do (some handsets mangle GSM-7 extension chars). */
  forceUcs2?: boolean;
  /**
   * Octets of the concatenation header each part of a multipart message carries, UDHL included:
   * 6 for an 8-bit reference (what the box sends), 7 for a 16-bit one.
   */
  concatHeaderOctets?: number;
}

/** Single-part capacity: 160 septets (140 octets × 8 / 7). */
export const SINGLE_GSM7_SEPTETS = 160;
/** Single-part capacity: 70 UTF-16 code units. */
export const SINGLE_UCS2_UNITS = 70;
/** Per-part capacity with an 8-bit reference UDH: 160 − 7 septets taken by 6 header octets. */
export const MULTI_GSM7_SEPTETS = 153;
/** Per-part capacity with an 8-bit reference UDH: (140 − 6) / 2. */
export const MULTI_UCS2_UNITS = 67;
/** The concatenation header counts parts in one octet. */
export const MAX_PARTS = 255;

/**
 * How far a part may end early to keep a grapheme cluster (a Devanagari conjunct, a base letter and
 * its matras) in one piece. Feature phones render each part separately, so a split cluster shows as
 * a dotted circle. Kept small because every unit given up here is capacity lost.
 */
const MAX_CLUSTER_BACKOFF_UNITS = 8;

/** One indivisible piece of text: a GSM-7 character (1-2 septets) or a UTF-16 code point (1-2 units). */
interface Atom {
  start: number;
  cost: number;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function atomsOf(text: string, encoding: SmsEncoding): Atom[] {
  const atoms: Atom[] = [];
  let index = 0;
  for (const ch of text) {
    // A code point is the unit that must not be split: it keeps surrogate pairs whole for UCS-2,
    // and ESC + code for GSM-7 because the cost of an extension char is charged to its code point.
    atoms.push({ start: index, cost: encoding === 'gsm7' ? (gsm7CharCost(ch) ?? 1) : ch.length });
    index += ch.length;
  }
  return atoms;
}

/**
 * Splits atoms into parts of at most `capacity`. Greedy filling gives the fewest parts; a part is
 * then allowed to end a little earlier at a grapheme boundary only when that still fits the rest in
 * the same number of parts, so the preference never costs an extra SMS.
 */
function splitAtoms(text: string, atoms: readonly Atom[], capacity: number): string[] {
  const n = atoms.length;
  const costAt = (i: number): number => atoms[i]?.cost ?? 0;
  const startAt = (i: number): number => (i < n ? (atoms[i]?.start ?? text.length) : text.length);

  const greedyEnd = (from: number): number => {
    let end = from;
    let used = 0;
    while (end < n && used + costAt(end) <= capacity) {
      used += costAt(end);
      end += 1;
    }
    return end;
  };
  const partsFrom = (from: number): number => {
    let count = 0;
    for (let i = from; i < n; i = greedyEnd(i)) count += 1;
    return count;
  };

  // `containing()` is random access; iterating every segment is quadratic in V8 on long texts.
  const segments = graphemes.segment(text);
  const isBoundary = (i: number): boolean => {
    const pos = startAt(i);
    return pos === text.length || segments.containing(pos)?.index === pos;
  };

  let total: number | undefined;
  const parts: string[] = [];
  let from = 0;
  while (from < n) {
    let end = greedyEnd(from);
    if (end < n && !isBoundary(end)) {
      let candidate = end;
      let given = 0;
      while (candidate > from + 1 && given <= MAX_CLUSTER_BACKOFF_UNITS) {
        given += costAt(candidate - 1);
        candidate -= 1;
        if (isBoundary(candidate)) break;
      }
      total ??= partsFrom(0);
      if (
        isBoundary(candidate) &&
        given <= MAX_CLUSTER_BACKOFF_UNITS &&
        parts.length + 1 + partsFrom(candidate) <= total
      ) {
        end = candidate;
      }
    }
    parts.push(text.slice(startAt(from), startAt(end)));
    from = end;
  }
  return parts;
}

/**
 * Decides the alphabet and the parts for `text` without building PDUs: GSM-7 when every character
 * is in the default alphabet or its extension table, UCS-2 otherwise. One part holds 160 septets or
 * 70 code units; beyond that each part holds 153 / 67 (the rest is the concatenation header). An
 * escape sequence or a surrogate pair is never split, and a grapheme cluster is kept whole when
 * that does not add a part.
 */
export function planText(text: string, options: PlanOptions = {}): TextPlan {
  const encoding: SmsEncoding = !options.forceUcs2 && isGsm7(text) ? 'gsm7' : 'ucs2';
  const atoms = atomsOf(text, encoding);
  const units = atoms.reduce((sum, atom) => sum + atom.cost, 0);
  const single = encoding === 'gsm7' ? SINGLE_GSM7_SEPTETS : SINGLE_UCS2_UNITS;
  if (units <= single) return { encoding, parts: [text], units };

  const headerOctets = options.concatHeaderOctets ?? 6;
  const capacity =
    encoding === 'gsm7'
      ? SINGLE_GSM7_SEPTETS - headerSeptets(headerOctets)
      : Math.floor((MAX_USER_DATA_OCTETS - headerOctets) / 2);
  // Not capped at MAX_PARTS here: config validation wants the real count to report it.
  return { encoding, parts: splitAtoms(text, atoms, capacity), units };
}
