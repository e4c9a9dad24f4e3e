import type { ModemProfile } from './types.js';

/** A 27.007 modem with nothing known about it: try every ICCID spelling. */
export const genericProfile: ModemProfile = {
  vendor: 'generic',
  matches: () => true,
  extraInit: [{ command: 'AT+CVHU=0', optional: true }],
  iccidCommands: ['AT+CCID', 'AT+ICCID', 'AT+CICCID', 'AT+QCCID', 'AT^ICCID?'],
  hangupCommand: 'ATH',
  // Not Huawei's ^BOOT: those sticks print it periodically, not only at start.
  urcRoutes: [{ name: 'modem-restarted', match: /^(RDY|START|\+PBREADY)$/ }],
};
