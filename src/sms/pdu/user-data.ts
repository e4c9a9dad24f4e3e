import { PduError } from './errors.js';
import { GSM7_ESCAPE, packSeptets, septetsToText, textToSeptets, unpackSeptets } from './gsm7.js';
import type { OctetReader } from './octets.js';
import { decodeUcs2, encodeUcs2 } from './ucs2.js';
import { nationalLanguageName, nationalShifts, parseUserDataHeader, type UserDataHeader } from './udh.js';
import type { SmsEncoding } from './types.js';

/** TS 23.040 §9.2.3.16: TP-UD carries at most 140 octets. */
export const MAX_USER_DATA_OCTETS = 140;

/** Septets a header of `octets` (UDHL included) occupies, fill bits counted. */
export function headerSeptets(octets: number): number {
  return Math.ceil((octets * 8) / 7);
}

/** TP-UDL followed by TP-UD, as one byte run. */
export function encodeUserData(
  text: string,
  encoding: SmsEncoding,
  header: Uint8Array | null,
): Uint8Array {
  const headerOctets = header?.length ?? 0;
  let udl: number;
  let body: Uint8Array;
  if (encoding === 'gsm7') {
    const septets = textToSeptets(text);
    const skip = headerSeptets(headerOctets);
    // Fill bits make the text start on a septet boundary counted from the start of TP-UD.
    body = packSeptets(septets, skip * 7 - headerOctets * 8);
    udl = skip + septets.length;
  } else {
    body = encodeUcs2(text);
    udl = headerOctets + body.length;
  }
  const ud = Uint8Array.of(...(header ?? []), ...body);
  if (ud.length > MAX_USER_DATA_OCTETS) {
    throw new PduError('PDU_INVALID', `user data is ${ud.length} octets (max 140)`, {
      field: 'TP-UD',
    });
  }
  return Uint8Array.of(udl, ...ud);
}

/** Decoded TP-UD. */
export interface UserData {
  text: string;
  header: UserDataHeader | null;
  /**
   * Set when the text was written with a national language table this codec does not have
   * (see {@link nationalTableProblem}); `text` is then the default tables' reading, not the
   * sender's text.
   */
  unreadable: string | null;
}

/**
 * Reads TP-UDL and exactly the TP-UD it announces. Anything after that is left unread, which is
 * how junk that some modems append after the PDU is ignored.
 */
export function decodeUserData(
  reader: OctetReader,
  encoding: SmsEncoding | '8bit',
  hasHeader: boolean,
): UserData {
  const udl = reader.byte('TP-UDL');
  const octetCount = encoding === 'gsm7' ? Math.ceil((udl * 7) / 8) : udl;
  const ud = reader.bytes(octetCount, 'TP-UD');
  const header = hasHeader ? parseUserDataHeader(ud) : null;
  const headerOctets = header?.length ?? 0;

  if (encoding === 'gsm7') {
    const skip = headerSeptets(headerOctets);
    if (skip > udl) {
      throw new PduError('PDU_INVALID', `TP-UDL ${udl} is shorter than the user data header`, {
        field: 'TP-UDL',
      });
    }
    const fill = skip * 7 - headerOctets * 8;
    const septets = unpackSeptets(ud.subarray(headerOctets), udl - skip, fill);
    return { text: septetsToText(septets), header, unreadable: header ? nationalTableProblem(header, septets) : null };
  }
  const body = ud.subarray(headerOctets);
  if (encoding === 'ucs2') return { text: decodeUcs2(body), header, unreadable: null };
  // 8-bit data has no defined character set; one char per octet keeps it lossless for callers.
  return { text: String.fromCharCode(...body), header, unreadable: null };
}

/**
 * A phone may write GSM-7 with a national language table (Hindi, Bengali, Tamil … in TS 23.038
 * Annex A) instead of UCS-2. This codec has only the default tables, and reading such a message
 * with them gives a wrong text (a volunteer's name in Latin garbage, septets that spell STOP
 * but mean Devanagari). The reason is returned so the reader can keep the PDU instead of acting
 * on the text. A single shift table changes only the characters after an escape: without one,
 * the default tables read the text exactly.
 */
function nationalTableProblem(header: UserDataHeader, septets: readonly number[]): string | null {
  const { single, locking } = nationalShifts(header.elements);
  const table =
    locking !== 0
      ? `the ${nationalLanguageName(locking)} national language locking shift table`
      : single !== 0 && septets.includes(GSM7_ESCAPE)
        ? `the ${nationalLanguageName(single)} national language single shift table`
        : null;
  return table === null ? null : `GSM-7 text written with ${table} (3GPP TS 23.038 Annex A), which this box cannot read; the PDU is kept as received`;
}
