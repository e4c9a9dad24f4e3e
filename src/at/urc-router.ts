/**
 * Decides whether a line the modem printed on its own (not in answer to a command) is a known
 * unsolicited result code, which listener it is for, and how many lines follow it.
 * Pure matching; the engine does the routing.
 */
export interface UrcRoute {
  /** What listeners subscribe to ('clip', 'ring', 'cmt', …). */
  name: string;
  /** A prefix (case-insensitive, so `+CDS:25` and `+cds: 25` both match `+CDS:`) or a regex. */
  match: string | RegExp;
  /** Lines that belong to this URC and follow it (`+CMT:` / `+CDS:` carry a PDU line). */
  trailing?: number;
  /** A trailing line must look like this, or the URC is cut short and the line is routed normally. */
  trailingAccept?: RegExp;
  /** Known vendor noise: counted and dropped. */
  ignore?: boolean;
}

const HEX_LINE = /^[0-9A-Fa-f]+$/;

/** URCs of 3GPP TS 27.007/27.005 and the call-end variants seen in real modems' logs. */
export const standardUrcRoutes: readonly UrcRoute[] = [
  { name: 'ring', match: /^RING$/ },
  { name: 'cring', match: '+CRING:' },
  { name: 'clip', match: '+CLIP:' },
  { name: 'call-end', match: /^NO CARRIER$/ },
  { name: 'call-end', match: 'MISSED_CALL:' },
  { name: 'call-end', match: '^CEND:' },
  { name: 'call-end', match: /^\+CIEV: ?"?call"?, ?0$/i },
  { name: 'call-end', match: /^VOICE CALL: ?END/i },
  { name: 'cmti', match: '+CMTI:' },
  { name: 'cmt', match: '+CMT:', trailing: 1, trailingAccept: HEX_LINE },
  { name: 'cds', match: '+CDS:', trailing: 1, trailingAccept: HEX_LINE },
  { name: 'cdsi', match: '+CDSI:' },
  { name: 'registration', match: /^\+C(G|E)?REG:/i },
  { name: 'sim', match: /^\+CPIN: ?(NOT READY|NOT INSERTED|SIM REMOVED)/i },
  // Other indicator changes (signal, service, message waiting) carry nothing we act on.
  { name: 'indicator', match: '+CIEV:', ignore: true },
];

export class UrcRouter {
  private routes: UrcRoute[];

  constructor(routes: readonly UrcRoute[] = standardUrcRoutes) {
    this.routes = [...routes];
  }

  /** Vendor routes go first so they can override a generic one (ModemManager style). */
  prepend(routes: readonly UrcRoute[]): void {
    this.routes = [...routes, ...this.routes];
  }

  match(line: string): UrcRoute | null {
    for (const route of this.routes) {
      if (typeof route.match === 'string') {
        if (line.length >= route.match.length && line.slice(0, route.match.length).toUpperCase() === route.match.toUpperCase()) {
          return route;
        }
      } else if (route.match.test(line)) {
        return route;
      }
    }
    return null;
  }
}
