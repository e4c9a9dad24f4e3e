import { intParam, prefixedParams } from './params.js';

/** A "new message stored" indication (27.005 §3.4.1). */
export interface CmtiInfo {
  /** Where it was stored: `SM` (SIM), `ME` (modem), `MT` (either), `SR` (status reports). */
  storage: string;
  /** Index to pass to `AT+CMGR` / `AT+CMGD`; 0-based on some modems, 1-based on others. */
  index: number;
}

/** Parse `+CMTI: <mem>,<index>`; the storage may be quoted or not. */
export function parseCmti(line: string): CmtiInfo | null {
  return parseStored(line, '+CMTI');
}

/** Parse `+CDSI: <mem>,<index>`: a delivery report the modem stored (`+CNMI` ds=2), same shape. */
export function parseCdsi(line: string): CmtiInfo | null {
  return parseStored(line, '+CDSI');
}

function parseStored(line: string, prefix: '+CMTI' | '+CDSI'): CmtiInfo | null {
  const params = prefixedParams(line, prefix);
  if (params?.length !== 2) return null;
  const [memP, indexP] = params;
  const index = intParam(indexP);
  const storage = memP?.value.trim() ?? '';
  if (index === undefined || !/^[A-Za-z]{2}$/.test(storage)) return null;
  return { storage: storage.toUpperCase(), index };
}
