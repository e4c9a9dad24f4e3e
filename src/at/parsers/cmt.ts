import { intParam, optionalTextParam, prefixedParams } from './params.js';

/** The header line of a PDU-mode `+CMT` (27.005 §3.4.1); the PDU follows on the next line. */
export interface CmtHeader {
  /** Phonebook name of the sender, rarely present. */
  alpha: string | null;
  /** TPDU length in octets (without the SMSC part): what the PDU decoder checks against. */
  length: number;
}

/**
 * Parse the PDU-mode `+CMT: [<alpha>],<length>` header (`+CMT: ,27`, `+CMT: "",27`). The
 * text-mode form (`+CMT: "+9198…",,"24/01/01,…"`) gives `null`: the box runs in PDU mode.
 */
export function parseCmtHeader(line: string): CmtHeader | null {
  const params = prefixedParams(line, '+CMT');
  if (params?.length !== 2) return null;
  const [alphaP, lengthP] = params;
  const length = intParam(lengthP);
  if (length === undefined || length === 0 || lengthP?.quoted === true) return null;
  return { alpha: optionalTextParam(alphaP), length };
}
