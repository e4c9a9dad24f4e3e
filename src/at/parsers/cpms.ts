import { intParam, prefixedParams, type Param } from './params.js';

/** Usage of one message storage. */
export interface StorageUsage {
  /** `SM`, `ME`, `MT`, `SR`, …; `null` in the set-form answer, which does not repeat the names. */
  storage: string | null;
  used: number;
  total: number;
}

function usage(storage: string | null, usedP: Param | undefined, totalP: Param | undefined): StorageUsage | null {
  const used = intParam(usedP);
  const total = intParam(totalP);
  if (used === undefined || total === undefined || usedP?.quoted === true || totalP?.quoted === true) return null;
  return { storage, used, total };
}

/**
 * Parse the preferred-storage line (27.005 §3.2.2), in the read form
 * `+CPMS: "SM",3,50,"SM",3,50,"SM",3,50` or the set-form answer `+CPMS: 3,50,3,50,3,50`.
 * Returns one entry per storage (mem1 read/delete, mem2 write/send, mem3 receive); modems
 * with fewer storages print fewer groups. The `AT+CPMS=?` lists give `null`.
 */
export function parseCpms(line: string): StorageUsage[] | null {
  const params = prefixedParams(line, '+CPMS');
  if (params === null || params.length === 0) return null;
  const named = params[0]?.quoted === true || intParam(params[0]) === undefined;
  const width = named ? 3 : 2;
  if (params.length % width !== 0 || params.length / width > 3) return null;
  const out: StorageUsage[] = [];
  for (let i = 0; i < params.length; i += width) {
    const name = named ? (params[i]?.value.trim() ?? '') : null;
    if (name !== null && !/^[A-Za-z]{2}$/.test(name)) return null;
    const entry = named
      ? usage(name === null ? null : name.toUpperCase(), params[i + 1], params[i + 2])
      : usage(null, params[i], params[i + 1]);
    if (entry === null) return null;
    out.push(entry);
  }
  return out;
}
