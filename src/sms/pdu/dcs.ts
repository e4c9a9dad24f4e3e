import type { SmsEncoding } from './types.js';

/** What TP-DCS says about the user data. */
export interface DataCoding {
  encoding: SmsEncoding | '8bit';
  /** 0 = flash, 1 = ME, 2 = SIM, 3 = TE; null when the DCS carries no class. */
  messageClass: number | null;
  compressed: boolean;
}

const ALPHABETS: readonly (SmsEncoding | '8bit')[] = ['gsm7', '8bit', 'ucs2', 'gsm7'];

/**
 * Interprets TP-DCS (TS 23.038 §4). Reserved alphabets and reserved coding groups are read as
 * GSM-7, which is what the spec tells receivers to assume.
 */
export function decodeDcs(dcs: number): DataCoding {
  const group = dcs >> 4;
  if (group <= 0x7) {
    // General data coding (00xx) and its auto-deletion twin (01xx) share the same low bits.
    return {
      encoding: ALPHABETS[(dcs >> 2) & 0x03] ?? 'gsm7',
      messageClass: dcs & 0x10 ? dcs & 0x03 : null,
      compressed: (dcs & 0x20) !== 0,
    };
  }
  switch (group) {
    case 0xc: // message waiting indication, discard message
    case 0xd: // message waiting indication, store message
      return { encoding: 'gsm7', messageClass: null, compressed: false };
    case 0xe: // message waiting indication, store message, UCS-2
      return { encoding: 'ucs2', messageClass: null, compressed: false };
    case 0xf:
      return { encoding: dcs & 0x04 ? '8bit' : 'gsm7', messageClass: dcs & 0x03, compressed: false };
    default:
      return { encoding: 'gsm7', messageClass: null, compressed: false };
  }
}

/** TP-DCS for what the box sends: general group, no class, no compression. */
export function encodeDcs(encoding: SmsEncoding | '8bit', messageClass: number | null = null): number {
  const alphabet = encoding === 'ucs2' ? 0x08 : encoding === '8bit' ? 0x04 : 0x00;
  return messageClass === null ? alphabet : 0x10 | alphabet | (messageClass & 0x03);
}
