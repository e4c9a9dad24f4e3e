import type { CallRow } from '../store/calls.js';

/**
 * What headquarters receives about one call (docs/PROTOCOL.md, record type `call`).
 * Compact on purpose: mobile data is paid per megabyte. `at` is epoch milliseconds.
 */
export function callSyncPayload(row: CallRow): Record<string, unknown> {
  return {
    at: row.rangAt,
    number: row.number,
    ...(row.number === null && row.numberRaw !== null ? { numberRaw: row.numberRaw } : {}),
    withheld: row.withheld,
    modem: row.modemImei,
    sim: row.simIccid,
    port: row.portLabel,
    ...(row.campaign ? { campaign: row.campaign } : {}),
    ...(row.callerGaveUp ? { gaveUp: true } : {}),
  };
}
