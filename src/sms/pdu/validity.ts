import { PduError } from './errors.js';

const MINUTE = 1;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Longest relative validity period the format can express (VP 255 = 63 weeks). */
export const MAX_RELATIVE_VALIDITY_MINUTES = 63 * WEEK;

/** Minutes a relative TP-VP octet stands for (TS 23.040 §9.2.3.12.1). */
export function decodeRelativeValidity(vp: number): number {
  if (vp <= 143) return (vp + 1) * 5;
  if (vp <= 167) return 12 * HOUR + (vp - 143) * 30;
  if (vp <= 196) return (vp - 166) * DAY;
  return (vp - 192) * WEEK;
}

/**
 * The relative TP-VP octet for a validity of `minutes`. The scale is coarse (5 min, 30 min, days,
 * weeks), so this rounds **up** to the next value it can express: a message is never thrown away
 * earlier than the caller asked. Beyond 63 weeks it saturates at 255.
 */
export function encodeRelativeValidity(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new PduError('PDU_INVALID', `validity must be a positive number of minutes, got ${minutes}`, {
      field: 'TP-VP',
    });
  }
  if (minutes <= 12 * HOUR) return Math.max(0, Math.ceil(minutes / 5) - 1);
  if (minutes <= 24 * HOUR) return 143 + Math.ceil((minutes - 12 * HOUR) / 30);
  if (minutes <= 30 * DAY) return 166 + Math.max(2, Math.ceil(minutes / DAY));
  if (minutes <= MAX_RELATIVE_VALIDITY_MINUTES) return 192 + Math.max(5, Math.ceil(minutes / WEEK));
  return 255;
}
