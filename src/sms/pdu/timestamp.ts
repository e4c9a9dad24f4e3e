import { PduError } from './errors.js';

/** A TP-SCTS / TP-DT value. */
export interface SmsTimestamp {
  /** The instant, time zone applied. */
  date: Date;
  /** The sender's offset from UTC as stated in the PDU (a multiple of 15; IST is +330). */
  tzOffsetMinutes: number;
}

/** Two-digit years: 70-99 are 19xx (old published vectors), 00-69 are 20xx. */
const CENTURY_PIVOT = 70;

function swappedBcd(octet: number, field: string): number {
  const tens = octet & 0x0f;
  const units = octet >> 4;
  if (tens > 9 || units > 9) {
    throw new PduError('PDU_INVALID', `${field} has a non-decimal semi-octet`, { field });
  }
  return tens * 10 + units;
}

/**
 * Decodes the 7-octet semi-octet timestamp (TS 23.040 §9.2.3.11). The zone is in quarter hours
 * and bit 3 of its first semi-octet is the sign, so it cannot go through the plain BCD path.
 */
export function decodeTimestamp(octets: Uint8Array, field = 'TP-SCTS'): SmsTimestamp {
  if (octets.length < 7) {
    throw new PduError('PDU_TRUNCATED', `${field} needs 7 octets, has ${octets.length}`, { field });
  }
  const [yy = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = Array.from(
    octets.subarray(0, 6),
    (o) => swappedBcd(o, field),
  );
  const tz = octets[6] ?? 0;
  const quarterTens = tz & 0x07;
  const quarterUnits = tz >> 4;
  if (quarterUnits > 9) {
    throw new PduError('PDU_INVALID', `${field} has a non-decimal time zone`, { field });
  }
  const quarters = quarterTens * 10 + quarterUnits;
  const tzOffsetMinutes = (tz & 0x08 ? -quarters : quarters) * 15;

  const year = yy < CENTURY_PIVOT ? 2000 + yy : 1900 + yy;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(local);
  // Date.UTC silently rolls 31 Feb into March; a timestamp that does that is garbage, not a date.
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new PduError('PDU_INVALID', `${field} is not a valid date`, { field });
  }
  return { date: new Date(local - tzOffsetMinutes * 60_000), tzOffsetMinutes };
}

/** Encodes an instant as the sender's local time plus zone. Seconds are truncated. */
export function encodeTimestamp(date: Date, tzOffsetMinutes: number): Uint8Array {
  const quarters = tzOffsetMinutes / 15;
  if (!Number.isInteger(quarters) || Math.abs(quarters) > 79) {
    throw new PduError('PDU_INVALID', 'time zone must be a multiple of 15 minutes within ±19:45');
  }
  if (Number.isNaN(date.getTime())) throw new PduError('PDU_INVALID', 'timestamp is not a date');
  const local = new Date(date.getTime() + tzOffsetMinutes * 60_000);
  const fields = [
    local.getUTCFullYear() % 100,
    local.getUTCMonth() + 1,
    local.getUTCDate(),
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
  ];
  const abs = Math.abs(quarters);
  const zone = (abs % 10 << 4) | Math.floor(abs / 10) | (quarters < 0 ? 0x08 : 0);
  return Uint8Array.of(...fields.map((v) => ((v % 10) << 4) | Math.floor(v / 10)), zone);
}
