/**
 * Builds SMS-DELIVER parts exactly as a test needs them, including splits the box's own
 * encoder never makes (a Devanagari part 2 that starts with a combining vowel sign, as some
 * phones send), from the codec's own building blocks.
 */
import { encodeAddress, encodeSmscAddress } from '../../../src/sms/pdu/address.js';
import { encodeDcs } from '../../../src/sms/pdu/dcs.js';
import { MMS, MTI_DELIVER, UDHI } from '../../../src/sms/pdu/first-octet.js';
import { octetsToHex } from '../../../src/sms/pdu/octets.js';
import { encodeTimestamp } from '../../../src/sms/pdu/timestamp.js';
import { buildConcatHeader } from '../../../src/sms/pdu/udh.js';
import { encodeUserData } from '../../../src/sms/pdu/user-data.js';

export interface PartSpec {
  from: string;
  /** This part's text, exactly. */
  text: string;
  ref: number;
  total: number;
  sequence: number;
  bits?: 8 | 16;
  encoding?: 'gsm7' | 'ucs2';
  timestamp?: Date;
  /** More information elements after the concatenation one (IEI, length, data…). */
  moreElements?: number[];
}

/** One part of a concatenated message (hex with an empty SMSC prefix). */
export function deliverPart(p: PartSpec): string {
  const encoding = p.encoding ?? 'ucs2';
  const concat = buildConcatHeader({ reference: p.ref, total: p.total, sequence: p.sequence, referenceBits: p.bits ?? 8 });
  const more = p.moreElements ?? [];
  const header = Uint8Array.of((concat[0] ?? 0) + more.length, ...concat.subarray(1), ...more);
  const tpdu = [
    MTI_DELIVER | MMS | UDHI,
    ...encodeAddress(p.from),
    0,
    encodeDcs(encoding),
    ...encodeTimestamp(p.timestamp ?? new Date(Date.UTC(2026, 10, 28, 6, 30, 0)), 330),
    ...encodeUserData(p.text, encoding, header),
  ];
  return octetsToHex([...encodeSmscAddress(null), ...tpdu]);
}

/** Split `text` into parts at the given UTF-16 offsets (no grapheme care: that is the point). */
export function splitAt(text: string, ...offsets: number[]): string[] {
  const out: string[] = [];
  let from = 0;
  for (const o of offsets) {
    out.push(text.slice(from, o));
    from = o;
  }
  out.push(text.slice(from));
  return out;
}

/** A single GSM-7 SMS-DELIVER with the given user data header (UDHL octet first). */
export function deliverWithHeader(from: string, text: string, header: Uint8Array): string {
  const tpdu = [
    MTI_DELIVER | MMS | UDHI,
    ...encodeAddress(from),
    0,
    encodeDcs('gsm7'),
    ...encodeTimestamp(new Date(Date.UTC(2026, 10, 28, 6, 30, 0)), 330),
    ...encodeUserData(text, 'gsm7', header),
  ];
  return octetsToHex([...encodeSmscAddress(null), ...tpdu]);
}
