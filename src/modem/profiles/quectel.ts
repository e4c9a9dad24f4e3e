import type { ModemProfile } from './types.js';

/** EC25/EG25/M35/UC20. `+QIND:` chatter; ICCID via AT+QCCID. */
export const quectelProfile: ModemProfile = {
  vendor: 'quectel',
  matches: (m) => /quectel/i.test(m),
  extraInit: [{ command: 'AT+CVHU=0', optional: true }],
  iccidCommands: ['AT+QCCID', 'AT+CCID'],
  hangupCommand: 'ATH',
  urcRoutes: [
    { name: 'modem-restarted', match: /^RDY$/ },
    { name: 'noise', match: /^(\+QIND:|\+QUSIM:|\+CPIN: READY|\+QCSQ:)/i, ignore: true },
  ],
};
