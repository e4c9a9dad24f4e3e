import { optionalIntParam, optionalTextParam, prefixedParams } from './params.js';

/**
 * Calling line identification from a `+CLIP` URC (27.007 §7.6):
 * `+CLIP: <number>,<type>[,<subaddr>,<satype>[,<alpha>[,<CLI validity>]]]`.
 */
export interface ClipInfo {
  /** The number exactly as printed (without quotes); `''` when the network sent none. Not normalised. */
  number: string;
  /** Type of address octet: 129 unknown/national, 145 international, 161 national. */
  type: number | null;
  subaddress: string | null;
  /** Some firmwares print 0 here where the standard would leave it empty; kept as printed. */
  subaddressType: number | null;
  /** Phonebook name, when the SIM/ME has one for this number. */
  alpha: string | null;
  /** 0 valid, 1 withheld by the caller, 2 not available (also reported for codes 3 and 4). */
  validity: 0 | 1 | 2 | null;
  /** True when there is no usable number: empty, or the network says it is withheld/unavailable. */
  withheld: boolean;
}

function validityOf(code: number): 0 | 1 | 2 | null {
  if (code === 0 || code === 1 || code === 2) return code;
  // Newer 27.007 adds 3 (interaction with another service) and 4 (payphone): for us both
  // mean "no number to reply to", which is what 2 already says.
  if (code === 3 || code === 4) return 2;
  return null;
}

/**
 * Parse a `+CLIP` caller-ID line. Accepts every field count seen in the wild (number only,
 * number and type, the full six-field form), quoted or unquoted numbers, and no space after
 * the colon. Returns `null` for anything else, including the `AT+CLIP?` read response
 * `+CLIP: 1,1`, which is told apart by its type field not being a type-of-address octet.
 */
export function parseClip(line: string): ClipInfo | null {
  const params = prefixedParams(line, '+CLIP');
  if (params === null) return null;
  const [num, typeP, subP, satypeP, alphaP, validityP] = params;
  if (num === undefined) return null;
  // A bare `+CLIP:` is not a caller-ID report; `+CLIP: ""` (withheld) is.
  if (params.length === 1 && !num.quoted && num.value === '') return null;

  const type = optionalIntParam(typeP);
  const subaddressType = optionalIntParam(satypeP);
  const validityCode = optionalIntParam(validityP);
  if (type === undefined || subaddressType === undefined || validityCode === undefined) return null;
  // A type-of-address octet always has bit 8 set (128..255); `1` here means a read response.
  if (type !== null && (type < 128 || type > 255)) return null;
  const validity = validityCode === null ? null : validityOf(validityCode);
  if (validityCode !== null && validity === null) return null;

  const number = num.value;
  return {
    number,
    type,
    subaddress: optionalTextParam(subP),
    subaddressType,
    alpha: optionalTextParam(alphaP),
    validity,
    withheld: number === '' || validity === 1 || validity === 2,
  };
}
