import { PduError } from './errors.js';

/** The escape septet that switches the next septet to the extension table. */
export const GSM7_ESCAPE = 0x1b;

/**
 * 3GPP TS 23.038 §6.2.1, indexed by septet. 0x1B is the escape and never stands for itself; the
 * placeholder here is only what a lone trailing escape decodes to (nothing useful is lost).
 */
// prettier-ignore
const BASIC: readonly string[] = [
  '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
  'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u001b', 'Æ', 'æ', 'ß', 'É',
  ' ', '!', '"', '#', '¤', '%', '&', "'", '(', ')', '*', '+', ',', '-', '.', '/',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
  '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
  'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
  '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
  'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
];

/** 3GPP TS 23.038 §6.2.1.1: the extension table, reached through ESC (each costs two septets). */
const EXTENSION: ReadonlyMap<number, string> = new Map([
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
]);

/** Character → its septets (one, or ESC + one). ESC itself is deliberately absent: not encodable. */
const ENCODE: ReadonlyMap<string, readonly number[]> = (() => {
  const map = new Map<string, readonly number[]>();
  BASIC.forEach((ch, septet) => {
    if (septet !== GSM7_ESCAPE) map.set(ch, [septet]);
  });
  for (const [septet, ch] of EXTENSION) map.set(ch, [GSM7_ESCAPE, septet]);
  return map;
})();

/**
 * Septets one character (a code point) costs in GSM-7: 1, 2 for the extension table, or `null`
 * when it is not in the default alphabet at all.
 */
export function gsm7CharCost(char: string): 1 | 2 | null {
  const septets = ENCODE.get(char);
  if (septets === undefined) return null;
  return septets.length === 1 ? 1 : 2;
}

/** True when every character of `text` is in the default alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!ENCODE.has(ch)) return false;
  return true;
}

/** Septets of `text`, escapes included. Throws `PDU_INVALID` on a character outside the alphabet. */
export function textToSeptets(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const septets = ENCODE.get(ch);
    if (septets === undefined) {
      const cp = ch.codePointAt(0) ?? 0;
      throw new PduError(
        'PDU_INVALID',
        `U+${cp.toString(16).toUpperCase().padStart(4, '0')} is not in the GSM 7-bit alphabet`,
      );
    }
    out.push(...septets);
  }
  return out;
}

/**
 * Septets → text. Receivers must cope with what senders get wrong, so per TS 23.038 an escape
 * followed by a code with no extension character shows the basic-table character, ESC ESC shows a
 * space (reserved for a further table), and a lone trailing escape is dropped.
 */
export function septetsToText(septets: readonly number[]): string {
  let out = '';
  for (let i = 0; i < septets.length; i++) {
    const s = (septets[i] ?? 0) & 0x7f;
    if (s !== GSM7_ESCAPE) {
      out += BASIC[s] ?? '';
      continue;
    }
    const next = septets[i + 1];
    if (next === undefined) break;
    i += 1;
    const code = next & 0x7f;
    out += code === GSM7_ESCAPE ? ' ' : (EXTENSION.get(code) ?? BASIC[code] ?? '');
  }
  return out;
}

/**
 * Packs septets LSB-first (TS 23.038 §6.1.2.1.1). `fillBits` zero bits come first: after a user
 * data header they align the first character to a septet boundary counted from the start of TP-UD.
 */
export function packSeptets(septets: readonly number[], fillBits = 0): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let accBits = fillBits;
  for (const s of septets) {
    acc |= (s & 0x7f) << accBits;
    accBits += 7;
    while (accBits >= 8) {
      out.push(acc & 0xff);
      acc >>>= 8;
      accBits -= 8;
    }
  }
  if (accBits > 0) out.push(acc & 0xff);
  return Uint8Array.from(out);
}

/**
 * Unpacks `count` septets that start after `fillBits` bits of `octets`. Whatever follows the last
 * septet is ignored (padding bits, or junk a modem appended).
 */
export function unpackSeptets(octets: Uint8Array, count: number, fillBits = 0): number[] {
  const needed = Math.ceil((fillBits + count * 7) / 8);
  if (octets.length < needed) {
    throw new PduError(
      'PDU_TRUNCATED',
      `GSM 7-bit user data needs ${needed} octets for ${count} septets, has ${octets.length}`,
      { field: 'TP-UD' },
    );
  }
  const out: number[] = [];
  let acc = 0;
  let accBits = -fillBits;
  let index = 0;
  while (out.length < count) {
    while (accBits < 7) {
      const octet = octets[index] ?? 0; // in range: checked against `needed` above
      index += 1;
      if (accBits < 0) {
        acc = octet >>> -accBits;
        accBits += 8;
      } else {
        acc |= octet << accBits;
        accBits += 8;
      }
    }
    out.push(acc & 0x7f);
    acc >>>= 7;
    accBits -= 7;
  }
  return out;
}
