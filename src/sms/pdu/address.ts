import { PduError } from './errors.js';
import { packSeptets, septetsToText, textToSeptets, unpackSeptets } from './gsm7.js';
import type { OctetReader } from './octets.js';

/** How an address was written: the TON bits of the type-of-address octet, simplified. */
export type AddressType = 'international' | 'national' | 'alphanumeric' | 'unknown';

/** A decoded TP-OA / TP-DA / TP-RA. */
export interface Address {
  /** `+9198…` for international, bare digits otherwise, the sender's name for alphanumeric. */
  value: string;
  type: AddressType;
  /** The raw type-of-address octet (TON and NPI), kept for logs and odd networks. */
  toa: number;
}

/** ISDN/telephone numbering plan with TON international (0x91) or unknown (0x81). */
const TOA_INTERNATIONAL = 0x91;
const TOA_UNKNOWN = 0x81;
/** TON alphanumeric with NPI "unknown", the value SMSCs use for named senders. */
const TOA_ALPHANUMERIC = 0xd0;
const TON_INTERNATIONAL = 1;
const TON_NATIONAL = 2;
const TON_ALPHANUMERIC = 5;

/** TS 23.040 §9.1.2.5: at most 10 octets of address value, so 20 digits or 11 septets. */
export const MAX_ADDRESS_DIGITS = 20;
const MAX_ALPHANUMERIC_SEPTETS = 11;

const DIGIT_TO_NIBBLE: Readonly<Record<string, number>> = {
  '0': 0, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7, '8': 8, '9': 9,
  '*': 0xa, '#': 0xb, a: 0xc, b: 0xd, c: 0xe,
};
const NIBBLE_TO_DIGIT = '0123456789*#abc';

/** Digits (with `*`/`#`) as swapped semi-octets, padded with F (TS 23.040 §9.1.2.3). */
export function encodeSemiOctets(digits: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(digits.length / 2));
  for (let i = 0; i < digits.length; i++) {
    const nibble = DIGIT_TO_NIBBLE[digits.charAt(i)];
    if (nibble === undefined) {
      throw new PduError('PDU_INVALID', `"${digits.charAt(i)}" cannot be written as a semi-octet`);
    }
    const index = i >> 1;
    out[index] = (out[index] ?? 0) | (i % 2 === 0 ? nibble : nibble << 4);
  }
  if (digits.length % 2 === 1) {
    const last = out.length - 1;
    out[last] = (out[last] ?? 0) | 0xf0;
  }
  return out;
}

/**
 * Reads `count` swapped semi-octets. An F filler where a digit should be is skipped rather than
 * rejected: some SMSCs pad numbers oddly, and the rest of the PDU is still well aligned.
 */
export function decodeSemiOctets(octets: Uint8Array, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const octet = octets[i >> 1] ?? 0xff;
    const nibble = i % 2 === 0 ? octet & 0x0f : octet >> 4;
    if (nibble !== 0xf) out += NIBBLE_TO_DIGIT.charAt(nibble);
  }
  return out;
}

const NUMBER_PATTERN = /^\+?[0-9*#]{1,20}$/;

/** True when `value` is written as a number we can put in an address field. */
export function isNumericAddress(value: string): boolean {
  return NUMBER_PATTERN.test(value);
}

/**
 * A phone number as an address field (length in digits, type, semi-octets): `+` means
 * international (0x91), anything else national/unknown (0x81). Normalisation (spaces, leading 0,
 * +91) belongs to `phone/`; here a malformed number is an error, not something to guess at.
 */
export function encodeNumberAddress(number: string): Uint8Array {
  if (!NUMBER_PATTERN.test(number)) {
    throw new PduError(
      'PDU_INVALID',
      `address must be 1-${MAX_ADDRESS_DIGITS} digits with an optional leading +`,
      { field: 'TP-DA' },
    );
  }
  const international = number.startsWith('+');
  const digits = international ? number.slice(1) : number;
  return Uint8Array.of(
    digits.length,
    international ? TOA_INTERNATIONAL : TOA_UNKNOWN,
    ...encodeSemiOctets(digits),
  );
}

/**
 * A sender name as an alphanumeric address (TON 5): GSM-7 packed, length in semi-octets actually
 * used, which is how receivers tell 7 characters from 8 in the same 7 octets.
 */
export function encodeAlphanumericAddress(name: string): Uint8Array {
  const septets = textToSeptets(name);
  if (septets.length === 0 || septets.length > MAX_ALPHANUMERIC_SEPTETS) {
    throw new PduError(
      'PDU_INVALID',
      `alphanumeric address must be 1-${MAX_ALPHANUMERIC_SEPTETS} GSM septets`,
      { field: 'TP-OA' },
    );
  }
  const packed = packSeptets(septets);
  return Uint8Array.of(Math.ceil((septets.length * 7) / 4), TOA_ALPHANUMERIC, ...packed);
}

/** Number or sender name, whichever `value` looks like. */
export function encodeAddress(value: string): Uint8Array {
  return isNumericAddress(value) ? encodeNumberAddress(value) : encodeAlphanumericAddress(value);
}

function addressType(toa: number): AddressType {
  switch ((toa >> 4) & 0x07) {
    case TON_INTERNATIONAL:
      return 'international';
    case TON_NATIONAL:
      return 'national';
    case TON_ALPHANUMERIC:
      return 'alphanumeric';
    default:
      return 'unknown';
  }
}

/** Reads an address field (TP-OA, TP-DA, TP-RA) from the reader. */
export function decodeAddress(reader: OctetReader, field: string): Address {
  const offset = reader.position;
  const length = reader.byte(`${field} length`);
  const toa = reader.byte(`${field} type`);
  if (length > MAX_ADDRESS_DIGITS) {
    throw new PduError('PDU_INVALID', `${field} claims ${length} semi-octets (max 20)`, {
      field,
      offset,
    });
  }
  const octets = reader.bytes(Math.ceil(length / 2), field);
  const type = addressType(toa);
  if (type === 'alphanumeric') {
    const septets = Math.floor((length * 4) / 7);
    return { value: septetsToText(unpackSeptets(octets, septets)), type, toa };
  }
  const digits = decodeSemiOctets(octets, length);
  return { value: type === 'international' && digits !== '' ? `+${digits}` : digits, type, toa };
}

/**
 * Reads the SMSC prefix that `+CMGR`/`+CMT` put before the TPDU. Unlike TP addresses its length
 * counts octets (type octet included); `00` means "none given".
 */
export function decodeSmscAddress(reader: OctetReader): string | null {
  const length = reader.byte('SMSC length');
  if (length === 0) return null;
  if (length > 11) {
    throw new PduError('PDU_INVALID', `SMSC address claims ${length} octets (max 11)`, {
      field: 'SMSC',
      offset: 0,
    });
  }
  const octets = reader.bytes(length, 'SMSC');
  const toa = octets[0] ?? TOA_UNKNOWN;
  const digits = decodeSemiOctets(octets.subarray(1), (length - 1) * 2);
  if (digits === '') return null;
  return addressType(toa) === 'international' ? `+${digits}` : digits;
}

/** The SMSC prefix for a PDU: `00` (use the SIM's SMSC) when `number` is null. */
export function encodeSmscAddress(number: string | null): Uint8Array {
  if (number === null) return Uint8Array.of(0);
  const field = encodeNumberAddress(number);
  // Same layout as a TP address except the first octet counts octets, not digits.
  return Uint8Array.of(field.length - 1, ...field.subarray(1));
}
