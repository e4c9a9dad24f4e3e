/** The two alphabets the box sends with. */
export type SmsEncoding = 'gsm7' | 'ucs2';

/** Concatenation facts from a user data header (IEI 0x00 or 0x08). */
export interface ConcatInfo {
  /** Same for every part of one message from one sender. */
  reference: number;
  total: number;
  /** 1-based. */
  sequence: number;
  referenceBits: 8 | 16;
}

/** One information element of a user data header, as received. */
export interface InformationElement {
  iei: number;
  data: Uint8Array;
}
