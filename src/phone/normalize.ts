/**
 * Phone numbers to E.164, the one form the store, the dedupe window and HQ compare on.
 *
 * Uses the default `libphonenumber-js` entry point, i.e. the 'min' metadata (~80 kB instead
 * of ~145 kB for 'max'). 'min' validates a number against its country's general number
 * pattern and lengths; what it lacks is per-type patterns (mobile vs fixed line). We do not
 * need the type: landlines give missed calls too, and whether an SMS reply reaches a landline
 * is the network's business. Every Indian 10-digit number starting 6–9 validates under 'min'
 * (see the property test).
 */
import {
  getCountryCallingCode,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js';

/** Why a number could not be normalised. */
export type NormalizeFailure =
  /** Nothing at all (an empty `+CLIP` number). */
  | 'empty'
  /** A word the network or modem uses for a hidden number: "Withheld", "Private", "Unknown", … */
  | 'withheld'
  /** An alphanumeric SMS sender (`VM-BJPIND`, `JIO`): not a number, cannot be called or replied to. */
  | 'alphanumeric'
  /** Not a phone number at all: a USSD/service code (`*123#`), stray symbols. */
  | 'not-a-number'
  | 'too-short'
  | 'too-long'
  /** A `+` number whose country calling code does not exist. */
  | 'invalid-country'
  /** Right length, but no such number in the numbering plan. */
  | 'invalid';

/** The outcome of {@link normalizeNumber}. */
export interface NormalizedNumber {
  /** `+919812345678`, or `null` when the input is not a valid number. */
  e164: string | null;
  /** The input exactly as given, so nothing the modem printed is ever lost. */
  raw: string;
  valid: boolean;
  /** The number's region, when valid and the calling code maps to one. */
  country?: CountryCode;
  /** Set whenever `valid` is false. */
  reason?: NormalizeFailure;
}

/** Hints from the signalling that came with the number. */
export interface NormalizeOptions {
  /**
   * The type-of-address octet from `+CLIP`/`+CLCC`/the SMS PDU. 145 means international even
   * when the modem printed the number without its `+` (seen on Huawei E173 and SIM800).
   */
  typeOfAddress?: number;
}

const WITHHELD_WORDS = new Set(['withheld', 'private', 'unknown', 'restricted', 'anonymous', 'unavailable', 'no caller id']);

// Formatting people and modems put inside numbers: blanks (incl. NBSP), dashes, dots, brackets, slashes.
const FORMATTING = /[\s\u00a0\-.()/]/g;

// 23.040 alphanumeric addresses are at most 11 GSM characters; Indian DLT headers look like `VM-BJPIND` or `JM-JIOPAY-S`.
const ALPHANUMERIC = /^(?=.*[A-Za-z])[A-Za-z0-9][A-Za-z0-9 ._&-]{0,10}$/;

const TYPE_INTERNATIONAL = 145;

function failure(raw: string, reason: NormalizeFailure): NormalizedNumber {
  return { e164: null, raw, valid: false, reason };
}

function success(raw: string, phone: PhoneNumber): NormalizedNumber {
  const out: NormalizedNumber = { e164: phone.number, raw, valid: true };
  if (phone.country !== undefined) out.country = phone.country;
  return out;
}

function parseValid(text: string, defaultCountry: CountryCode): PhoneNumber | undefined {
  const phone = parsePhoneNumberFromString(text, defaultCountry);
  return phone?.isValid() === true ? phone : undefined;
}

function lengthFailure(text: string, defaultCountry: CountryCode): NormalizeFailure {
  switch (validatePhoneNumberLength(text, defaultCountry)) {
    case 'TOO_SHORT':
      return 'too-short';
    case 'TOO_LONG':
      return 'too-long';
    case 'INVALID_COUNTRY':
      return 'invalid-country';
    case 'NOT_A_NUMBER':
      return 'not-a-number';
    default:
      return 'invalid';
  }
}

/**
 * Normalise a number as a modem printed it, or as a person typed it, to E.164.
 *
 * With `defaultCountry` IN, `9812345678`, `09812345678`, `919812345678`, `+919812345678`,
 * `0091 98123 45678` and `+91-98123-45678` all give `+919812345678`. A number written with
 * the country code but without `+` (`919812345678`) is read as international only when that
 * reading is valid and the national one is not, so a national number that happens to start
 * with `91` keeps its national meaning. Foreign `+` numbers are kept. Anything else gives
 * `e164: null` with a `reason`; `raw` always echoes the input.
 */
export function normalizeNumber(raw: string, defaultCountry: CountryCode, options: NormalizeOptions = {}): NormalizedNumber {
  const p = prepare(raw);
  if ('failed' in p) return p.failed;
  const fast = indianMobile(p.digits, p.hasPlus, defaultCountry, options.typeOfAddress);
  if (fast !== null) return { e164: fast, raw, valid: true, country: 'IN' };
  return normalizeDigits(raw, p, defaultCountry, options);
}

/** {@link normalizeNumber} with libphonenumber for every number (exported for the equivalence test). */
export function normalizeWithLibrary(raw: string, defaultCountry: CountryCode, options: NormalizeOptions = {}): NormalizedNumber {
  const p = prepare(raw);
  return 'failed' in p ? p.failed : normalizeDigits(raw, p, defaultCountry, options);
}

interface Prepared {
  compact: string;
  digits: string;
  hasPlus: boolean;
}

/** Strip formatting and reject what is not a number at all. */
function prepare(raw: string): Prepared | { failed: NormalizedNumber } {
  const text = raw.trim();
  if (text === '') return { failed: failure(raw, 'empty') };
  if (WITHHELD_WORDS.has(text.toLowerCase())) return { failed: failure(raw, 'withheld') };
  const compact = text.replace(FORMATTING, '');
  if (!/^\+?\d+$/.test(compact)) {
    return { failed: failure(raw, ALPHANUMERIC.test(text) ? 'alphanumeric' : 'not-a-number') };
  }
  const digits = compact.replace(/^\+/, '');
  // E.164 allows 15 digits; libphonenumber's longest national form plus an IDD prefix stays under 20.
  if (digits.length > 20) return { failed: failure(raw, 'too-long') };
  return { compact, digits, hasPlus: compact.startsWith('+') };
}

/**
 * The common case on the hot path, without the library: an Indian mobile number (10 digits
 * starting 6–9) written nationally, with 0, with 91 or with +91. libphonenumber takes about
 * 0.5 ms per number here (several on a Pi), which is time a call spends between its hang-up
 * and its commit. A property test checks that this gives exactly what the library gives.
 */
function indianMobile(digits: string, hasPlus: boolean, defaultCountry: CountryCode, typeOfAddress: number | undefined): string | null {
  if (hasPlus || typeOfAddress === TYPE_INTERNATIONAL) {
    const m = /^91([6-9]\d{9})$/.exec(digits);
    return m ? `+91${m[1]}` : null;
  }
  if (defaultCountry !== 'IN') return null;
  const m = /^(?:0|91)?([6-9]\d{9})$/.exec(digits);
  return m ? `+91${m[1]}` : null;
}

function normalizeDigits(raw: string, p: Prepared, defaultCountry: CountryCode, options: NormalizeOptions): NormalizedNumber {
  const { compact, digits, hasPlus } = p;
  const candidates: string[] = [];
  if (!hasPlus && options.typeOfAddress === TYPE_INTERNATIONAL && !digits.startsWith('00')) candidates.push(`+${digits}`);
  candidates.push(compact);
  if (!hasPlus && digits.startsWith(getCountryCallingCode(defaultCountry))) candidates.push(`+${digits}`);

  for (const candidate of candidates) {
    const phone = parseValid(candidate, defaultCountry);
    if (phone !== undefined) return success(raw, phone);
  }
  return failure(raw, lengthFailure(compact, defaultCountry));
}

const BULLET = '•';

function maskTail(s: string, keep: number): string {
  const chars = [...s];
  if (chars.length <= keep) return BULLET.repeat(chars.length);
  return BULLET.repeat(chars.length - keep) + chars.slice(-keep).join('');
}

/**
 * Mask a number for logs and the status page: `+919812345678` → `+91 98•••••678` (calling
 * code, first two national digits, bullets, last three). Input that is not a parsable E.164
 * number with at least six national digits keeps only its last two characters
 * (`12345` → `•••45`); two characters or fewer are masked entirely.
 */
export function maskNumber(e164: string): string {
  const text = e164.trim();
  const phone = text.startsWith('+') ? parsePhoneNumberFromString(text) : undefined;
  const national = phone?.nationalNumber;
  if (phone !== undefined && national !== undefined && national.length >= 6) {
    return `+${phone.countryCallingCode} ${national.slice(0, 2)}${BULLET.repeat(national.length - 5)}${national.slice(-3)}`;
  }
  return maskTail(text, 2);
}
