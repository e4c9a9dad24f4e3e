import { intParam, matchPrefix, prefixedParams } from './params.js';

/** Received signal quality from `+CSQ` (27.007 §8.5) or Huawei `^RSSI`. */
export interface SignalQuality {
  /** 0..31 (GSM/UMTS/LTE), 100..191 (Quectel TD-SCDMA scale); `null` when the modem says 99, "not known". */
  rssi: number | null;
  /** Bit error rate class 0..7; `null` for 99 "not known" (the usual value) or when not reported. */
  ber: number | null;
  /** Signal level in dBm derived from rssi; `null` when rssi is unknown. */
  dbm: number | null;
}

function fromRssi(rssi: number, ber: number | null): SignalQuality | null {
  if (rssi === 99) return { rssi: null, ber, dbm: null };
  if (rssi <= 31) return { rssi, ber, dbm: -113 + 2 * rssi };
  // Quectel UC/EC series report TD-SCDMA on 100 (-116 dBm) .. 191 (-25 dBm), 1 dB per step.
  if (rssi >= 100 && rssi <= 191) return { rssi, ber, dbm: rssi - 216 };
  return null;
}

/** Parse `+CSQ: <rssi>,<ber>` (with or without the blank after the colon). */
export function parseCsq(line: string): SignalQuality | null {
  const params = prefixedParams(line, '+CSQ');
  if (params?.length !== 2) return null;
  const rssi = intParam(params[0]);
  const ber = intParam(params[1]);
  if (rssi === undefined || ber === undefined) return null;
  if (ber > 7 && ber !== 99) return null;
  return fromRssi(rssi, ber === 99 ? null : ber);
}

/**
 * Parse the Huawei `^RSSI:<rssi>` URC (E173, E3531, MU709), same scale as `+CSQ`, no BER.
 * Some Huawei firmwares print it unprompted every few seconds; it doubles as a cheap signal
 * update without polling.
 */
export function parseHuaweiRssi(line: string): SignalQuality | null {
  const rest = matchPrefix(line, '^RSSI');
  if (rest === null || !/^\d{1,3}$/.test(rest)) return null;
  return fromRssi(Number(rest), null);
}
