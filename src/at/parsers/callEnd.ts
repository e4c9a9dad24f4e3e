import { intParam, matchPrefix, prefixedParams } from './params.js';

/** The vendor-specific ways a modem says "the call is over". */
export type CallEndKind = 'no-carrier' | 'missed-call' | 'cend' | 'ciev-call' | 'voice-call-end';

/** A call-ended indication. Which fields are set depends on `kind`. */
export interface CallEnd {
  kind: CallEndKind;
  /** The caller, when the line names one (SIMCom `MISSED_CALL`). Raw, not normalised. */
  number?: string;
  /** Extra text as printed: the time of a `MISSED_CALL`, the fields of `^CEND`, the duration of `VOICE CALL: END`. */
  detail?: string;
  /** Huawei `^CEND` call index. */
  callId?: number;
  /** Call duration in seconds (`^CEND`, `VOICE CALL: END: hhmmss`). */
  durationSeconds?: number;
  /** Huawei `^CEND` end status (vendor code). */
  endStatus?: number;
  /** Huawei `^CEND` 24.008 call-control cause (16 normal clearing, 17 busy, …), when the network sent one. */
  ccCause?: number;
}

function parseMissedCall(rest: string): CallEnd {
  // SIMCom: `MISSED_CALL: 08:48AM +27821234567`; the number may be missing or quoted.
  const words = rest.split(/\s+/).filter((w) => w !== '');
  const out: CallEnd = { kind: 'missed-call' };
  const first = words[0];
  if (first !== undefined && /^\d{1,2}:\d{2}(:\d{2})?([AP]M)?$/i.test(first)) {
    words.shift();
    const meridiem = words[0] !== undefined && /^[AP]M$/i.test(words[0]) ? words.shift() : undefined;
    out.detail = meridiem === undefined ? first : `${first} ${meridiem}`;
  }
  const number = words.join(' ').replace(/^"(.*)"$/, '$1');
  if (number !== '') out.number = number;
  return out;
}

function parseCend(line: string): CallEnd | null {
  // Huawei `^CEND:<call_x>,<duration>,<end_status>[,<cc_cause>]`.
  const params = prefixedParams(line, '^CEND');
  if (params === null || params.length < 3 || params.length > 4) return null;
  const [idP, durP, statusP, causeP] = params;
  const callId = intParam(idP);
  const durationSeconds = intParam(durP);
  const endStatus = intParam(statusP);
  if (callId === undefined || durationSeconds === undefined || endStatus === undefined) return null;
  const out: CallEnd = {
    kind: 'cend',
    detail: params.map((p) => p.value).join(','),
    callId,
    durationSeconds,
    endStatus,
  };
  if (causeP !== undefined && causeP.value !== '') {
    const ccCause = intParam(causeP);
    if (ccCause === undefined) return null;
    out.ccCause = ccCause;
  }
  return out;
}

function parseCiev(line: string): CallEnd | null {
  // SIMCom `+CIEV: "CALL",0`; some firmwares leave the name unquoted or lower-case. Only the
  // value 0 (no call in progress) ends a call; numeric indicator indexes are per-firmware.
  const params = prefixedParams(line, '+CIEV');
  if (params?.length !== 2) return null;
  const [nameP, valueP] = params;
  if (nameP?.value.trim().toUpperCase() !== 'CALL' || intParam(valueP) !== 0) return null;
  return { kind: 'ciev-call' };
}

function parseVoiceCallEnd(text: string): CallEnd | null {
  // SIM5320/SIM7600: `VOICE CALL: END` or `VOICE CALL: END: 000012` (hhmmss).
  const m = /^VOICE CALL\s*:\s*END(?:\s*:\s*(\d{6}))?$/i.exec(text);
  if (m === null) return null;
  const hhmmss = m[1];
  if (hhmmss === undefined) return { kind: 'voice-call-end' };
  const seconds = Number(hhmmss.slice(0, 2)) * 3600 + Number(hhmmss.slice(2, 4)) * 60 + Number(hhmmss.slice(4, 6));
  return { kind: 'voice-call-end', detail: hhmmss, durationSeconds: seconds };
}

/**
 * Recognise a line that says a call has ended: `NO CARRIER`, SIMCom `MISSED_CALL: …`,
 * Huawei `^CEND:…`, `+CIEV: "CALL",0`, SIMCom `VOICE CALL: END[: hhmmss]`. Returns `null`
 * for anything else, including call-start forms (`+CIEV: "CALL",1`, `VOICE CALL: BEGIN`).
 */
export function parseCallEnd(line: string): CallEnd | null {
  const text = line.trim();
  if (text.toUpperCase() === 'NO CARRIER') return { kind: 'no-carrier' };
  const missed = matchPrefix(text, 'MISSED_CALL');
  if (missed !== null) return parseMissedCall(missed);
  if (/^\^CEND\s*:/i.test(text)) return parseCend(text);
  if (/^\+CIEV\s*:/i.test(text)) return parseCiev(text);
  return parseVoiceCallEnd(text);
}
