import { intParam, optionalIntParam, optionalTextParam, prefixedParams } from './params.js';

/** The state of one call in the `AT+CLCC` list. */
export type CallState =
  | 'active'
  | 'held'
  | 'dialing'
  | 'alerting'
  | 'incoming'
  | 'waiting'
  | 'disconnected'
  | 'unknown';

/** One line of the current-calls list (27.007 §7.18). */
export interface ClccEntry {
  /** Call id (`<ccid>`), the handle `AT+CHLD=1x` takes. */
  index: number;
  /** 0 = mobile originated (we dialled), 1 = mobile terminated (someone called us). */
  direction: 'outgoing' | 'incoming';
  /** The raw `<stat>` value. */
  stat: number;
  state: CallState;
  /** 0 voice, 1 data, 2 fax, 9 unknown. */
  mode: number;
  multiparty: boolean;
  /** As printed, not normalised; `''` when the network gave none (withheld). */
  number: string;
  type: number | null;
  alpha: string | null;
}

// 6 is SIMCom: the call has just been released; the line precedes
// `VOICE CALL: END` and is the last time the call's number is shown.
const STATES: readonly CallState[] = ['active', 'held', 'dialing', 'alerting', 'incoming', 'waiting', 'disconnected'];

/**
 * Parse `+CLCC: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>[,<priority>[,<CLI validity>]]]]`.
 */
export function parseClcc(line: string): ClccEntry | null {
  const params = prefixedParams(line, '+CLCC');
  if (params === null || params.length < 5) return null;
  const [idP, dirP, statP, modeP, mptyP, numP, typeP, alphaP] = params;
  const index = intParam(idP);
  const dir = intParam(dirP);
  const stat = intParam(statP);
  const mode = intParam(modeP);
  const mpty = intParam(mptyP);
  const type = optionalIntParam(typeP);
  if (index === undefined || stat === undefined || mode === undefined || type === undefined) return null;
  if ((dir !== 0 && dir !== 1) || (mpty !== 0 && mpty !== 1)) return null;
  if (type !== null && (type < 128 || type > 255)) return null;
  return {
    index,
    direction: dir === 0 ? 'outgoing' : 'incoming',
    stat,
    state: STATES[stat] ?? 'unknown',
    mode,
    multiparty: mpty === 1,
    number: numP?.value ?? '',
    type,
    alpha: optionalTextParam(alphaP),
  };
}
