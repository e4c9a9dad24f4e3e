import { matchPrefix } from './params.js';

/** An extended ring indication (27.007 §6.11, `AT+CRC=1`). */
export interface CringInfo {
  /**
   * The call type as printed, blanks collapsed: `VOICE`, `REL ASYNC`, `FAX`,
   * `GPRS "IP","10.0.0.1"`. Kept verbatim because vendors add their own (`VOICE/ALT`).
   */
  type: string;
}

/** Parse `+CRING: <type>`; `null` when the line is something else or carries no type. */
export function parseCring(line: string): CringInfo | null {
  const rest = matchPrefix(line, '+CRING');
  if (rest === null || rest === '') return null;
  return { type: rest.replace(/\s+/g, ' ') };
}
