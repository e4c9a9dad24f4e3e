import type { ModemProfile } from './types.js';

/** SIM800/SIM7600. SIM7600 LE20B04 prints CR CR LF and `MISSED_CALL:` + `VOICE CALL: END`. */
export const simcomProfile: ModemProfile = {
  vendor: 'simcom',
  matches: (m) => /simcom/i.test(m),
  // ATH hangs up only with CVHU=0 on SIM7600 when the voice hang-up control was changed.
  extraInit: [{ command: 'AT+CVHU=0', optional: true }],
  iccidCommands: ['AT+CICCID', 'AT+CCID'],
  hangupCommand: 'ATH',
  urcRoutes: [
    { name: 'modem-restarted', match: /^(RDY|\*ATREADY: 1|START)$/ },
    { name: 'noise', match: /^(\+CGEV:|\*PSUTTZ:|DST:|\+CTZV:|SMS DONE|PB DONE|Call Ready|SMS Ready|\+CPIN: READY)/i, ignore: true },
  ],
};
