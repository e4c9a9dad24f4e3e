/**
 * How the simulated modem imitates each vendor. Every quirk here was seen in a real modem's
 * log (named in the comment); the box must cope with all of them at once.
 */
export type SimVendor = 'generic' | 'simcom' | 'quectel' | 'huawei';

export interface SimProfile {
  vendor: SimVendor;
  manufacturer: string;
  model: string;
  revision: string;
  /** SIM7600 and several Huawei sticks end lines with CR CR LF. */
  lineEnd: string;
  /** Huawei E1550/E173 answer an unknown command with `COMMAND NOT SUPPORT`. */
  unknownCommandReply: string;
  /** Huawei prints `+CLIP:"…"` with no space after the colon. */
  spaceAfterColon: boolean;
  /** Which command reads the ICCID and how the answer looks. */
  iccidCommand: RegExp;
  formatIccid: (iccid: string) => string;
  /** Lines printed when an unanswered call ends because the caller gave up. */
  callerGaveUp: (number: string) => string[];
  /** Lines printed after our hang-up completed (some modems report the call end). */
  afterHangup: () => string[];
  /** Huawei: ATH answers OK but leaves the call ringing unless AT+CVHU=0 was sent. */
  athNeedsCvhu: boolean;
  /** Idle chatter the modem prints on its own. */
  noise: () => string;
  /** Whether the modem knows AT+CVHU at all. */
  supportsCvhu: boolean;
}

/** Huawei prints the ICCID as swapped BCD nibbles (`98` for `89`). */
function swapNibbles(iccid: string): string {
  const padded = iccid.length % 2 === 0 ? iccid : `${iccid}F`;
  let out = '';
  for (let i = 0; i < padded.length; i += 2) out += `${padded[i + 1] ?? ''}${padded[i] ?? ''}`;
  return out;
}

function missedCallTime(): string {
  const d = new Date();
  const h = d.getHours() % 12 || 12;
  return `${String(h).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}${d.getHours() < 12 ? 'AM' : 'PM'}`;
}

export const simProfiles: Record<SimVendor, SimProfile> = {
  generic: {
    vendor: 'generic',
    manufacturer: 'WAVECOM MODEM',
    model: 'MULTIBAND  900E  1800',
    revision: 'R7.43',
    lineEnd: '\r\n',
    unknownCommandReply: 'ERROR',
    spaceAfterColon: true,
    iccidCommand: /^AT\+CCID$/i,
    formatIccid: (iccid) => `+CCID: "${iccid}"`,
    callerGaveUp: () => ['NO CARRIER'],
    afterHangup: () => [],
    athNeedsCvhu: false,
    noise: () => '+CIEV: 2,3',
    supportsCvhu: false,
  },
  simcom: {
    vendor: 'simcom',
    manufacturer: 'SIMCOM INCORPORATED',
    model: 'SIMCOM_SIM7600E-H',
    revision: 'LE20B04SIM7600M22',
    // SIM7600 firmware LE20B04 prints CR CR LF.
    lineEnd: '\r\r\n',
    unknownCommandReply: 'ERROR',
    spaceAfterColon: true,
    iccidCommand: /^AT\+CICCID$/i,
    formatIccid: (iccid) => `+ICCID: ${iccid}`,
    callerGaveUp: (number) => [`MISSED_CALL: ${missedCallTime()} ${number}`, 'VOICE CALL: END: 000000'],
    afterHangup: () => ['VOICE CALL: END: 000000'],
    athNeedsCvhu: false,
    noise: () => '+CGEV: EPS PDN ACT 1',
    supportsCvhu: true,
  },
  quectel: {
    vendor: 'quectel',
    manufacturer: 'Quectel',
    model: 'EC25',
    revision: 'EC25EFAR06A06M4G',
    lineEnd: '\r\n',
    unknownCommandReply: 'ERROR',
    spaceAfterColon: true,
    iccidCommand: /^AT\+QCCID$/i,
    formatIccid: (iccid) => `+QCCID: ${iccid}`,
    callerGaveUp: () => ['NO CARRIER'],
    afterHangup: () => [],
    athNeedsCvhu: false,
    noise: () => '+QIND: "csq",21,99',
    supportsCvhu: true,
  },
  huawei: {
    vendor: 'huawei',
    manufacturer: 'huawei',
    model: 'E173',
    revision: '11.126.85.00.209',
    lineEnd: '\r\r\n',
    unknownCommandReply: 'COMMAND NOT SUPPORT',
    spaceAfterColon: false,
    iccidCommand: /^AT\^ICCID\?$/i,
    formatIccid: (iccid) => `^ICCID: ${swapNibbles(iccid)}`,
    callerGaveUp: () => ['^CEND:1,0,104,16'],
    afterHangup: () => ['^CEND:1,0,104,16'],
    athNeedsCvhu: true,
    noise: () => `^RSSI:${10 + Math.floor(Math.random() * 15)}`,
    supportsCvhu: true,
  },
};
