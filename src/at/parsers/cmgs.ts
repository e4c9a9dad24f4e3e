import { intParam, prefixedParams } from './params.js';

/** The answer to a successful `AT+CMGS` (27.005 §3.5.1). */
export interface CmgsInfo {
  /** TP-MR, 0..255; matches the `+CDS` status report for this message. */
  messageReference: number;
}

/** Parse `+CMGS: <mr>[,<scts>|<ackpdu>]`. */
export function parseCmgs(line: string): CmgsInfo | null {
  const params = prefixedParams(line, '+CMGS');
  if (params === null || params.length < 1 || params.length > 2) return null;
  const mr = intParam(params[0]);
  if (mr === undefined || mr > 255) return null;
  return { messageReference: mr };
}
