import { PduError } from './errors.js';
import type { ConcatInfo, InformationElement } from './types.js';

/** Concatenated short messages, 8-bit reference (TS 23.040 §9.2.3.24.1). */
export const IEI_CONCAT_8 = 0x00;
/** Concatenated short messages, 16-bit reference (TS 23.040 §9.2.3.24.8). */
export const IEI_CONCAT_16 = 0x08;

/** National language single shift table in use (TS 23.040 §9.2.3.24.15). */
export const IEI_NATIONAL_SINGLE_SHIFT = 0x24;
/** National language locking shift table in use (TS 23.040 §9.2.3.24.16). */
export const IEI_NATIONAL_LOCKING_SHIFT = 0x25;

/** National language identifiers of TS 23.038 §6.2.1.2.4 (0 is the default alphabet). */
const NATIONAL_LANGUAGES: Readonly<Record<number, string>> = {
  1: 'Turkish',
  2: 'Spanish',
  3: 'Portuguese',
  4: 'Bengali',
  5: 'Gujarati',
  6: 'Hindi',
  7: 'Kannada',
  8: 'Malayalam',
  9: 'Oriya',
  10: 'Punjabi',
  11: 'Tamil',
  12: 'Telugu',
  13: 'Urdu',
};

/** The language a national language identifier names, for people. */
export function nationalLanguageName(id: number): string {
  return NATIONAL_LANGUAGES[id] ?? `national language ${id}`;
}

/**
 * The national language tables a GSM-7 message says it was written with (last element of each
 * kind wins, like concatenation); 0 = the default alphabet or extension table.
 */
export function nationalShifts(elements: readonly InformationElement[]): { single: number; locking: number } {
  let single = 0;
  let locking = 0;
  for (const e of elements) {
    if (e.data.length !== 1) continue;
    const id = e.data[0] ?? 0;
    if (e.iei === IEI_NATIONAL_SINGLE_SHIFT) single = id;
    else if (e.iei === IEI_NATIONAL_LOCKING_SHIFT) locking = id;
  }
  return { single, locking };
}

/** A parsed user data header. */
export interface UserDataHeader {
  elements: InformationElement[];
  concat: ConcatInfo | null;
  /** Octets the header occupies in TP-UD, the UDHL octet included. */
  length: number;
}

/** The UDH for one part of a concatenated message, UDHL octet first. */
export function buildConcatHeader(info: ConcatInfo): Uint8Array {
  if (info.referenceBits === 16) {
    return Uint8Array.of(
      0x06,
      IEI_CONCAT_16,
      0x04,
      (info.reference >> 8) & 0xff,
      info.reference & 0xff,
      info.total,
      info.sequence,
    );
  }
  return Uint8Array.of(0x05, IEI_CONCAT_8, 0x03, info.reference & 0xff, info.total, info.sequence);
}

/** Octets a concatenation header takes for the given reference size, UDHL included. */
export function concatHeaderLength(referenceBits: 8 | 16): number {
  return referenceBits === 16 ? 7 : 6;
}

function concatFrom(iei: number, data: Uint8Array): ConcatInfo | null {
  const sixteen = iei === IEI_CONCAT_16;
  if (data.length !== (sixteen ? 4 : 3)) return null;
  const [a = 0, b = 0, c = 0, d = 0] = data;
  const reference = sixteen ? (a << 8) | b : a;
  const total = sixteen ? c : b;
  const sequence = sixteen ? d : c;
  // TS 23.040 says to ignore the whole element when these are out of range, not the message.
  if (total === 0 || sequence === 0 || sequence > total) return null;
  return { reference, total, sequence, referenceBits: sixteen ? 16 : 8 };
}

/**
 * Parses the header at the start of TP-UD. Unknown elements are kept but otherwise skipped; a
 * repeated concatenation element is resolved to the last one, as the spec asks of receivers.
 */
export function parseUserDataHeader(ud: Uint8Array): UserDataHeader {
  const udhl = ud[0];
  if (udhl === undefined) {
    throw new PduError('PDU_TRUNCATED', 'TP-UDHI is set but TP-UD is empty', { field: 'TP-UDH' });
  }
  if (udhl + 1 > ud.length) {
    throw new PduError(
      'PDU_INVALID',
      `user data header claims ${udhl} octets but TP-UD has only ${ud.length - 1}`,
      { field: 'TP-UDH' },
    );
  }
  const elements: InformationElement[] = [];
  let concat: ConcatInfo | null = null;
  let pos = 1;
  while (pos < udhl + 1) {
    const iei = ud[pos];
    const iedl = ud[pos + 1];
    if (iei === undefined || iedl === undefined || pos + 2 + iedl > udhl + 1) {
      throw new PduError('PDU_INVALID', `information element at header octet ${pos} overruns UDHL`, {
        field: 'TP-UDH',
      });
    }
    const data = ud.subarray(pos + 2, pos + 2 + iedl);
    elements.push({ iei, data });
    if (iei === IEI_CONCAT_8 || iei === IEI_CONCAT_16) concat = concatFrom(iei, data) ?? concat;
    pos += 2 + iedl;
  }
  return { elements, concat, length: udhl + 1 };
}
