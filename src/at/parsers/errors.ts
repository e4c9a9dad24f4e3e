/**
 * `+CME ERROR` / `+CMS ERROR` final result codes, their standard texts, and whether a failed
 * SMS send is worth retrying.
 */

/** A parsed extended error result code. */
export interface ExtendedError {
  kind: 'cme' | 'cms';
  /** The numeric code (`AT+CMEE=1`), or the code looked up from the verbose text (`AT+CMEE=2`). */
  code: number | null;
  /** The verbose text as printed, or the standard text for a numeric code; `null` when unknown. */
  text: string | null;
}

/** 27.007 §9.2.1 (general) and §9.2.2 (GPRS/EPS) `+CME ERROR` codes, plus vendor codes seen on our modems. */
const CME_TEXTS: ReadonlyMap<number, string> = new Map([
  [0, 'phone failure'],
  [1, 'no connection to phone'],
  [2, 'phone-adaptor link reserved'],
  [3, 'operation not allowed'],
  [4, 'operation not supported'],
  [5, 'PH-SIM PIN required'],
  [6, 'PH-FSIM PIN required'],
  [7, 'PH-FSIM PUK required'],
  [10, 'SIM not inserted'],
  [11, 'SIM PIN required'],
  [12, 'SIM PUK required'],
  [13, 'SIM failure'],
  [14, 'SIM busy'],
  [15, 'SIM wrong'],
  [16, 'incorrect password'],
  [17, 'SIM PIN2 required'],
  [18, 'SIM PUK2 required'],
  [20, 'memory full'],
  [21, 'invalid index'],
  [22, 'not found'],
  [23, 'memory failure'],
  [24, 'text string too long'],
  [25, 'invalid characters in text string'],
  [26, 'dial string too long'],
  [27, 'invalid characters in dial string'],
  [30, 'no network service'],
  [31, 'network timeout'],
  [32, 'network not allowed - emergency calls only'],
  [40, 'network personalization PIN required'],
  [41, 'network personalization PUK required'],
  [42, 'network subset personalization PIN required'],
  [43, 'network subset personalization PUK required'],
  [44, 'service provider personalization PIN required'],
  [45, 'service provider personalization PUK required'],
  [46, 'corporate personalization PIN required'],
  [47, 'corporate personalization PUK required'],
  [48, 'hidden key required'],
  [49, 'EAP method not supported'],
  [50, 'incorrect parameters'],
  [51, 'command implemented but currently disabled'],
  [52, 'command aborted by user'],
  [53, 'not attached to network due to MT functionality restrictions'],
  [54, 'modem not allowed - MT restricted to emergency calls only'],
  [55, 'operation not allowed because of MT functionality restrictions'],
  [56, 'fixed dial number only allowed - called number is not a fixed dial number'],
  [57, 'temporarily out of service due to other MT usage'],
  [58, 'language/alphabet not supported'],
  [59, 'unexpected data value'],
  [60, 'system failure'],
  [61, 'data missing'],
  [62, 'call barred'],
  [63, 'message waiting indication subscription failure'],
  [100, 'unknown'],
  [103, 'illegal MS'],
  [106, 'illegal ME'],
  [107, 'GPRS services not allowed'],
  [108, 'GPRS services and non-GPRS services not allowed'],
  [111, 'PLMN not allowed'],
  [112, 'location area not allowed'],
  [113, 'roaming not allowed in this location area'],
  [114, 'GPRS services not allowed in this PLMN'],
  [115, 'no suitable cells in location area'],
  [122, 'congestion'],
  [125, 'not authorized for this CSG'],
  [126, 'insufficient resources'],
  [127, 'missing or unknown APN'],
  [128, 'unknown PDP address or PDP type'],
  [129, 'user authentication failed'],
  [130, 'activation rejected by GGSN, Serving GW or PDN GW'],
  [131, 'activation rejected, unspecified'],
  [132, 'service option not supported'],
  [133, 'requested service option not subscribed'],
  [134, 'service option temporarily out of order'],
  [148, 'unspecified GPRS error'],
  [149, 'PDP authentication failure'],
  [150, 'invalid mobile class'],
  // Vendor range. 515 is the "busy" answer python-gsmmodem's fake modems reproduce (Wavecom
  // documents it as "please wait, init or command processing in progress"); callers retry it.
  [515, 'device busy (please wait, init or command processing in progress)'],
]);

/** Whether a failed SMS send should be retried later or given up on. */
export type CmsRetryClass = 'temporary' | 'permanent';

/** One row of the `+CMS ERROR` table: code, standard text, retry class and the reason for it. */
export interface CmsErrorEntry {
  code: number;
  text: string;
  retry: CmsRetryClass;
  /** Why the outbox retries or gives up; rendered into docs/CMS-ERRORS.md. */
  why: string;
}

const T = 'temporary';
const P = 'permanent';
const SIM_LEVEL = 'A SIM/modem condition, not a fault of the message: retry once the SIM is back (or on another modem).';

/**
 * `+CMS ERROR` codes with their retry classification. Values 0..127 are RP-cause values
 * (24.011 §E.2), 128..255 TP-FCS values (23.040 §9.2.3.22), 300..500 are 27.005 §3.2.5.
 */
export const CMS_ERROR_TABLE: readonly CmsErrorEntry[] = [
  { code: 1, text: 'unassigned (unallocated) number', retry: P, why: 'The destination number does not exist.' },
  { code: 8, text: 'operator determined barring', retry: P, why: 'The operator has barred SMS for this SIM (in India usually no balance or no SMS pack). Resending cannot help until someone recharges the SIM.' },
  { code: 10, text: 'call barred', retry: P, why: 'Outgoing SMS is barred by a supplementary service on this SIM.' },
  { code: 17, text: 'network failure', retry: T, why: 'A transient failure inside the network.' },
  { code: 21, text: 'short message transfer rejected', retry: P, why: 'The SMSC refused this message (content/DLT filtering, DND, barring); the same PDU will be refused again.' },
  { code: 22, text: 'memory capacity exceeded', retry: T, why: 'Storage is full somewhere on the path; it clears when messages are read or deleted.' },
  { code: 27, text: 'destination out of order', retry: T, why: 'The destination cannot be reached right now.' },
  { code: 28, text: 'unidentified subscriber', retry: P, why: 'The network does not know the subscriber.' },
  { code: 29, text: 'facility rejected', retry: P, why: 'The network rejected the SMS facility for this request.' },
  { code: 30, text: 'unknown subscriber', retry: P, why: 'The destination subscriber does not exist in the HLR.' },
  { code: 38, text: 'network out of order', retry: T, why: 'Network outage; expected to recover.' },
  { code: 41, text: 'temporary failure', retry: T, why: 'The network says so itself.' },
  { code: 42, text: 'congestion', retry: T, why: 'Network congestion; back off and retry.' },
  { code: 47, text: 'resources unavailable, unspecified', retry: T, why: 'Network resources exhausted for now.' },
  { code: 50, text: 'requested facility not subscribed', retry: P, why: 'The SIM has no outgoing SMS service (plan or pack missing).' },
  { code: 69, text: 'requested facility not implemented', retry: P, why: 'The network does not implement what we asked for.' },
  { code: 81, text: 'invalid short message transfer reference value', retry: T, why: 'A protocol glitch; a new attempt gets a new reference.' },
  { code: 95, text: 'semantically incorrect message', retry: P, why: 'Our PDU is wrong; resending the same PDU fails the same way.' },
  { code: 96, text: 'invalid mandatory information', retry: P, why: 'Our PDU is missing or has an invalid mandatory field.' },
  { code: 97, text: 'message type non-existent or not implemented', retry: P, why: 'The network does not support this message type.' },
  { code: 98, text: 'message not compatible with short message protocol state', retry: T, why: 'A transient protocol state mismatch.' },
  { code: 99, text: 'information element non-existent or not implemented', retry: P, why: 'Our PDU carries an element the network does not support.' },
  { code: 111, text: 'protocol error, unspecified', retry: T, why: 'Unspecified protocol error, usually transient.' },
  { code: 127, text: 'interworking, unspecified', retry: T, why: 'Failure between networks, usually transient.' },
  { code: 128, text: 'telematic interworking not supported', retry: P, why: 'TP-PID asks for interworking the SMSC does not offer.' },
  { code: 129, text: 'short message type 0 not supported', retry: P, why: 'Message type not supported; our PDU choice.' },
  { code: 130, text: 'cannot replace short message', retry: P, why: 'Replace-type PID refused; our PDU choice.' },
  { code: 143, text: 'unspecified TP-PID error', retry: P, why: 'Our TP-PID is unacceptable.' },
  { code: 144, text: 'data coding scheme (alphabet) not supported', retry: P, why: 'Our DCS is unacceptable; the same PDU fails again.' },
  { code: 145, text: 'message class not supported', retry: P, why: 'Our message class is unacceptable.' },
  { code: 159, text: 'unspecified TP-DCS error', retry: P, why: 'Our DCS is unacceptable.' },
  { code: 160, text: 'command cannot be actioned', retry: P, why: 'SMS-COMMAND refused.' },
  { code: 161, text: 'command unsupported', retry: P, why: 'SMS-COMMAND not supported.' },
  { code: 175, text: 'unspecified TP-command error', retry: P, why: 'SMS-COMMAND refused.' },
  { code: 176, text: 'TPDU not supported', retry: P, why: 'The SMSC does not support our TPDU.' },
  { code: 192, text: 'SC busy', retry: T, why: 'The SMSC is busy; back off and retry.' },
  { code: 193, text: 'no SC subscription', retry: P, why: 'The SIM has no subscription with this SMSC.' },
  { code: 194, text: 'SC system failure', retry: T, why: 'SMSC outage; expected to recover.' },
  { code: 195, text: 'invalid SME address', retry: P, why: 'The destination address is invalid.' },
  { code: 196, text: 'destination SME barred', retry: P, why: 'The destination is barred from receiving.' },
  { code: 197, text: 'SM rejected - duplicate SM', retry: P, why: 'The SMSC already holds this message; resending would only be rejected (or sent twice).' },
  { code: 198, text: 'TP-VPF not supported', retry: P, why: 'Our validity-period format is unacceptable.' },
  { code: 199, text: 'TP-VP not supported', retry: P, why: 'Our validity period is unacceptable.' },
  { code: 208, text: '(U)SIM SMS storage full', retry: T, why: 'Clears when stored messages are deleted.' },
  { code: 209, text: 'no SMS storage capability in (U)SIM', retry: P, why: 'The SIM cannot store SMS at all.' },
  { code: 210, text: 'error in MS', retry: T, why: 'Transient error in the handset/modem.' },
  { code: 211, text: 'memory capacity exceeded', retry: T, why: 'Clears when memory is freed.' },
  { code: 212, text: '(U)SIM application toolkit busy', retry: T, why: 'The SIM toolkit is busy for now.' },
  { code: 213, text: '(U)SIM data download error', retry: T, why: 'Transient SIM download error.' },
  { code: 255, text: 'unspecified error cause', retry: T, why: 'No cause given; retry a bounded number of times.' },
  { code: 300, text: 'ME failure', retry: T, why: 'The modem failed; it may recover or be reset by the pool.' },
  { code: 301, text: 'SMS service of ME reserved', retry: T, why: 'The SMS service is busy with something else.' },
  { code: 302, text: 'operation not allowed', retry: T, why: 'Often answered while the SMS subsystem is still initialising after boot or SIM ready; a later attempt can succeed. A wrong mode (text vs PDU) would fail every message and shows in the modem checks instead.' },
  { code: 303, text: 'operation not supported', retry: P, why: 'The modem does not support the command as sent.' },
  { code: 304, text: 'invalid PDU mode parameter', retry: P, why: 'Our PDU or length is wrong; the same PDU fails again.' },
  { code: 305, text: 'invalid text mode parameter', retry: P, why: 'Our text-mode parameters are wrong.' },
  { code: 310, text: 'SIM not inserted', retry: T, why: SIM_LEVEL },
  { code: 311, text: 'SIM PIN required', retry: T, why: SIM_LEVEL },
  { code: 312, text: 'PH-SIM PIN required', retry: T, why: SIM_LEVEL },
  { code: 313, text: 'SIM failure', retry: T, why: SIM_LEVEL },
  { code: 314, text: 'SIM busy', retry: T, why: 'The SIM is busy (typically right after registration); retry shortly.' },
  { code: 315, text: 'SIM wrong', retry: T, why: SIM_LEVEL },
  { code: 316, text: 'SIM PUK required', retry: T, why: SIM_LEVEL },
  { code: 317, text: 'SIM PIN2 required', retry: T, why: SIM_LEVEL },
  { code: 318, text: 'SIM PUK2 required', retry: T, why: SIM_LEVEL },
  { code: 320, text: 'memory failure', retry: T, why: 'Transient storage error in the modem.' },
  { code: 321, text: 'invalid memory index', retry: P, why: 'The index does not exist; retrying the same index fails again.' },
  { code: 322, text: 'memory full', retry: T, why: 'Clears when stored messages are deleted (the inbox does this).' },
  { code: 330, text: 'SMSC address unknown', retry: P, why: 'No SMSC number on the SIM: a configuration fault (`AT+CSCA`) that backoff cannot fix; report it instead of burning retries.' },
  { code: 331, text: 'no network service', retry: T, why: 'Not registered right now; expected to recover.' },
  { code: 332, text: 'network timeout', retry: T, why: 'The network did not answer in time.' },
  { code: 340, text: 'no +CNMA acknowledgement expected', retry: P, why: 'A host protocol error (acknowledging nothing); repeating it fails the same way.' },
  { code: 500, text: 'unknown error', retry: T, why: 'What most modems answer for any network-side failure; retry with backoff.' },
];

const CMS_BY_CODE: ReadonlyMap<number, CmsErrorEntry> = new Map(CMS_ERROR_TABLE.map((e) => [e.code, e]));

function normaliseText(text: string): string {
  return text.toLowerCase().replace(/[\s_]+/g, ' ').trim();
}

function reverse(table: Iterable<readonly [number, string]>): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  for (const [code, text] of table) if (!out.has(normaliseText(text))) out.set(normaliseText(text), code);
  return out;
}

// Verbose spellings that differ from the standard table, as printed by real firmwares.
const CME_ALIASES: readonly (readonly [number, string])[] = [
  [100, 'unknown error'],
  [32, 'network not allowed, emergency calls only'],
];
const CME_BY_TEXT = reverse([...CME_TEXTS, ...CME_ALIASES]);
const CMS_BY_TEXT = reverse(CMS_ERROR_TABLE.map((e) => [e.code, e.text] as const));

/** The standard text of a `+CME ERROR` code, or `undefined` for codes outside the table. */
export function cmeErrorText(code: number): string | undefined {
  return CME_TEXTS.get(code);
}

/** The standard text of a `+CMS ERROR` code, or `undefined` for codes outside the table. */
export function cmsErrorText(code: number): string | undefined {
  return CMS_BY_CODE.get(code)?.text;
}

const EXTENDED = /^\+(CME|CMS) ERROR[ \t]*:[ \t]*(.*)$/i;

/**
 * Parse `+CME ERROR: <err>` / `+CMS ERROR: <err>` in numeric or verbose form, with or without
 * the blank after the colon. The whole line must be the error: an SMS text that merely
 * contains "ERROR" is never one.
 */
export function parseExtendedError(line: string): ExtendedError | null {
  const m = EXTENDED.exec(line.trim());
  if (m === null) return null;
  const kind = m[1]?.toUpperCase() === 'CME' ? 'cme' : 'cms';
  const rest = (m[2] ?? '').trim().replace(/^"(.*)"$/, '$1').trim();
  if (rest === '') return null;
  if (/^\d{1,6}$/.test(rest)) {
    const code = Number(rest);
    const text = kind === 'cme' ? cmeErrorText(code) : cmsErrorText(code);
    return { kind, code, text: text ?? null };
  }
  const byText = kind === 'cme' ? CME_BY_TEXT : CMS_BY_TEXT;
  return { kind, code: byText.get(normaliseText(rest)) ?? null, text: rest };
}

/**
 * Whether an SMS that failed with this `+CMS ERROR` should be retried with backoff
 * (`temporary`) or marked failed (`permanent`). The question is whether the same PDU would
 * go through within the retry window: physical SIM and radio conditions usually clear (so
 * temporary); faults in our PDU and deliberate operator/SMSC refusals do not (so permanent).
 * docs/CMS-ERRORS.md gives the reason for every code.
 *
 * Codes outside the table are temporary: other RP-cause values are reserved or
 * network-specific and say nothing against the message, and 512+ are manufacturer-specific
 * and mean different things on different vendors, so the outbox's retry cap is the safety net. `null` (a verbose text we
 * could not map, or a bare `ERROR`) is temporary for the same reason.
 */
export function classifyCmsError(code: number | null): CmsRetryClass {
  if (code === null) return 'temporary';
  return CMS_BY_CODE.get(code)?.retry ?? 'temporary';
}
