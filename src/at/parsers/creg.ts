import { intParam, optionalIntParam, prefixedParams, type Param } from './params.js';

/** Which registration the line reports: circuit-switched (calls, SMS), GPRS, or EPS (LTE). */
export type RegistrationKind = 'CREG' | 'CGREG' | 'CEREG';

/** The registration states of 27.007 §7.2 `<stat>`, by name. */
export type RegistrationState =
  | 'not-registered'
  | 'home'
  | 'searching'
  | 'denied'
  | 'unknown'
  | 'roaming'
  | 'sms-only-home'
  | 'sms-only-roaming'
  | 'emergency-only';

/** A network registration report from `+CREG`, `+CGREG` or `+CEREG`. */
export interface Registration {
  kind: RegistrationKind;
  /** The raw `<stat>` value. */
  stat: number;
  state: RegistrationState;
  /**
   * Registered with some network. Also true for the SMS-only states (LTE without CS fallback):
   * a missed-call box cannot receive calls there, so call paths should check `state`.
   */
  registered: boolean;
  roaming: boolean;
  /** Location area code (`+CEREG`: tracking area code) in upper-case hex, `null` when not reported. */
  lac: string | null;
  /** Cell id in upper-case hex, `null` when not reported. */
  cellId: string | null;
  /** Access technology (0 GSM, 2 UTRAN, 3 EDGE, 7 E-UTRAN, …), `null` when not reported. */
  act: number | null;
  /** True for the URC form (`+CREG: 1`), false for the `AT+CREG?` read response (`+CREG: 0,1`). */
  unsolicited: boolean;
}

const STATES: readonly RegistrationState[] = [
  'not-registered',
  'home',
  'searching',
  'denied',
  'unknown',
  'roaming',
  'sms-only-home',
  'sms-only-roaming',
  'emergency-only',
  // 9/10: registered for "CSFB not preferred" (home/roaming): calls still arrive over CS fallback.
  'home',
  'roaming',
  // 11: attached for restricted local operator services only; no calls, no SMS.
  'emergency-only',
];

const HEX = /^[0-9A-Fa-f]+$/;

/** A LAC/TAC/CI field: `null` when empty, `undefined` when it is not hex. */
function hexField(p: Param | undefined): string | null | undefined {
  if (p === undefined || p.value === '') return null;
  // Gobi 1000 pads inside the field (`  0 5`); such a value cannot be trusted.
  return HEX.test(p.value) ? p.value.toUpperCase() : undefined;
}

/**
 * Tell the `AT+CxREG?` read response (`<n>,<stat>[,…]`) from the URC (`<stat>[,…]`). Both
 * can show up as an info line of the read command, and URCs interleave with responses.
 * - one field: URC (`+CREG: 1`);
 * - two fields: read response (`+CREG: 0,1`); no URC has exactly two;
 * - three fields: URC with location (`+CREG: 1,"1A2B","00C3D4E5"`, Sierra `+CREG: 1,84CD,00D30156`,
 *   Novatel `+CREG: 2,,`); a read response with location always has four or more;
 * - four or more: a quoted or empty second field is a LAC, so URC; an unquoted second field
 *   that is a valid `<stat>` (0..11) is a read response (Huawei E160G `+CREG: 2,1,8BE3,2BAF`);
 *   anything else (a bare hex LAC such as `0502`) is a URC.
 */
function isUnsolicited(params: readonly Param[]): boolean {
  if (params.length === 1) return true;
  if (params.length === 2) return false;
  if (params.length === 3) return true;
  const second = params[1];
  if (second === undefined || second.quoted || second.value === '') return true;
  const stat = intParam(second);
  return stat === undefined || stat > 11;
}

/**
 * Parse a `+CREG` / `+CGREG` / `+CEREG` line in either form (see {@link isUnsolicited}).
 * Extra trailing fields (RAC, cause type, reject cause) are accepted and ignored.
 */
export function parseRegistration(line: string): Registration | null {
  for (const kind of ['CREG', 'CGREG', 'CEREG'] as const) {
    const params = prefixedParams(line, `+${kind}`);
    if (params === null) continue;
    if (params.length === 0) return null;
    const unsolicited = isUnsolicited(params);
    const fields = unsolicited ? params : params.slice(1);
    if (!unsolicited) {
      const n = intParam(params[0]);
      // <n> is 0..3 for +CREG/+CGREG and 0..5 for +CEREG.
      if (n === undefined || n > 5) return null;
    }
    const [statP, lacP, ciP, actP] = fields;
    const stat = intParam(statP);
    const lac = hexField(lacP);
    const cellId = hexField(ciP);
    const act = optionalIntParam(actP);
    if (stat === undefined || lac === undefined || cellId === undefined || act === undefined) return null;
    const state = STATES[stat] ?? 'unknown';
    const roaming = state === 'roaming' || state === 'sms-only-roaming';
    const registered = state === 'home' || state === 'sms-only-home' || roaming;
    return { kind, stat, state, registered, roaming, lac, cellId, act, unsolicited };
  }
  return null;
}
