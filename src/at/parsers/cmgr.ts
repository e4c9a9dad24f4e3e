import { intParam, optionalIntParam, optionalTextParam, prefixedParams, type Param } from './params.js';

/** The header of a PDU-mode `AT+CMGR` answer (27.005 §3.4.3); the PDU follows. */
export interface CmgrHeader {
  /** 0 received unread, 1 received read, 2 stored unsent, 3 stored sent; `null` when omitted. */
  stat: number | null;
  alpha: string | null;
  /** TPDU length in octets. */
  length: number;
}

/** One header of a PDU-mode `AT+CMGL` listing (27.005 §3.4.2); each is followed by its PDU. */
export interface CmglHeader extends CmgrHeader {
  /** Storage index, for `AT+CMGD`. */
  index: number;
}

function pduStat(p: Param | undefined): number | null | undefined {
  // Text mode prints "REC UNREAD": quoted, so not a PDU-mode header.
  if (p?.quoted === true) return undefined;
  const stat = optionalIntParam(p);
  return stat !== null && stat !== undefined && stat > 4 ? undefined : stat;
}

function pduLength(p: Param | undefined): number | undefined {
  const length = intParam(p);
  return length === 0 || p?.quoted === true ? undefined : length;
}

/**
 * Parse `+CMGR: [<stat>],[<alpha>],<length>`. Some firmwares leave `<stat>` empty
 * (`+CMGR: ,,27`); then `stat` is `null`.
 */
export function parseCmgr(line: string): CmgrHeader | null {
  const params = prefixedParams(line, '+CMGR');
  if (params?.length !== 3) return null;
  const [statP, alphaP, lengthP] = params;
  const stat = pduStat(statP);
  const length = pduLength(lengthP);
  if (stat === undefined || length === undefined) return null;
  return { stat, alpha: optionalTextParam(alphaP), length };
}

/** Parse `+CMGL: <index>,<stat>,[<alpha>],<length>`. */
export function parseCmgl(line: string): CmglHeader | null {
  const params = prefixedParams(line, '+CMGL');
  if (params?.length !== 4) return null;
  const [indexP, statP, alphaP, lengthP] = params;
  const index = intParam(indexP);
  const stat = pduStat(statP);
  const length = pduLength(lengthP);
  if (index === undefined || stat === undefined || length === undefined) return null;
  return { index, stat, alpha: optionalTextParam(alphaP), length };
}
