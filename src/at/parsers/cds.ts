import { intParam, prefixedParams } from './params.js';

/** The header line of a PDU-mode `+CDS` status report (27.005 §3.4.1); the PDU follows. */
export interface CdsHeader {
  /** TPDU length in octets. */
  length: number;
}

/** Parse `+CDS: <length>` (also `+CDS:25`); the text-mode form gives `null`. */
export function parseCdsHeader(line: string): CdsHeader | null {
  const params = prefixedParams(line, '+CDS');
  if (params?.length !== 1) return null;
  const length = intParam(params[0]);
  if (length === undefined || length === 0 || params[0]?.quoted === true) return null;
  return { length };
}
