import type { ModemProfile } from './types.js';

/**
 * E1550/E173/E3131 sticks. `^RSSI`, `^MODE`, `^BOOT`, `^DSFLOWRPT` chatter; URCs without the
 * space after the colon; `COMMAND NOT SUPPORT`; ATH leaves the call ringing unless AT+CVHU=0
 * was sent, so we send it and also hang up with AT+CHUP, which works either way.
 */
export const huaweiProfile: ModemProfile = {
  vendor: 'huawei',
  matches: (m) => /huawei/i.test(m),
  extraInit: [{ command: 'AT+CVHU=0', optional: true }],
  iccidCommands: ['AT^ICCID?', 'AT+CCID'],
  hangupCommand: 'AT+CHUP',
  urcRoutes: [
    { name: 'signal', match: '^RSSI:' },
    { name: 'noise', match: /^\^(BOOT|MODE|DSFLOWRPT|SRVST|SIMST|HCSQ|STIN|SYSSTART|CSNR|ORIG|CONF|CONN|NWTIME|RFSWITCH):/i, ignore: true },
  ],
};
