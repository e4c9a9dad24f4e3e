/**
 * SIM and modem identity from the info lines of `AT+CCID`/`AT+ICCID`/`AT+QCCID`/`AT^ICCID?`,
 * `AT+CIMI`, `AT+CGSN` and `AT+CGMI`/`AT+CGMM`/`AT+CGMR`. Each takes the lines the engine
 * collected for the command (echo and final result already removed; stray `OK` and blank
 * lines are tolerated) and returns the first line that holds a well-formed value.
 */

const ICCID_PREFIXES = ['+CCID', '+ICCID', '+QCCID', '^ICCID', '^SCID', 'ICCID'];
const IMEI_PREFIXES = ['+CGSN', '+GSN', 'IMEI'];
const IMSI_PREFIXES = ['+CIMI', 'IMSI'];
const INFO_PREFIXES = ['+CGMI', '+CGMM', '+CGMR', '+GMI', '+GMM', '+GMR', 'Manufacturer', 'Model', 'Revision'];

/** The value of `line` with one of `prefixes` (and its colon) and surrounding quotes removed. */
function stripPrefix(line: string, prefixes: readonly string[]): string {
  let text = line.trim();
  const upper = text.toUpperCase();
  for (const prefix of prefixes) {
    if (!upper.startsWith(prefix.toUpperCase())) continue;
    const rest = text.slice(prefix.length).trimStart();
    if (rest.startsWith(':')) {
      text = rest.slice(1).trim();
      break;
    }
  }
  return text.replace(/^"(.*)"$/, '$1').trim();
}

function swapNibbles(s: string): string {
  let out = '';
  for (let i = 0; i + 1 < s.length; i += 2) out += s.charAt(i + 1) + s.charAt(i);
  return out + (s.length % 2 === 1 ? s.charAt(s.length - 1) : '');
}

/**
 * The ICCID (19–20 digits, `89…`) from `+CCID: …`, `+ICCID: …` (SIMCom `AT+CICCID`),
 * `+QCCID: …` (Quectel), `^ICCID: …` (Huawei), `ICCID: …` (ZTE), or a bare or quoted
 * number. A trailing `F` pad is removed.
 *
 * Huawei firmwares differ: some print the raw EF_ICCID bytes, nibble-swapped BCD (`98…`),
 * others (MT5700) and ZTE print the decoded `89…`. Every ICCID starts with the telecom
 * prefix 89, so a value starting `98` is swapped back whatever the prefix.
 */
export function parseIccid(lines: readonly string[]): string | null {
  for (const line of lines) {
    let value = stripPrefix(line, ICCID_PREFIXES).toUpperCase();
    if (!/^[0-9]{18,19}[0-9F]{1,2}$/.test(value)) continue;
    if (value.startsWith('98')) value = swapNibbles(value);
    value = value.replace(/F+$/, '');
    if (/^\d{19,20}$/.test(value)) return value;
  }
  return null;
}

/** The IMSI (14–15 digits) from the `AT+CIMI` info lines, bare, quoted or `+CIMI:`-prefixed. */
export function parseImsi(lines: readonly string[]): string | null {
  for (const line of lines) {
    const value = stripPrefix(line, IMSI_PREFIXES);
    if (/^\d{14,15}$/.test(value)) return value;
  }
  return null;
}

/** The IMEI (15 digits) from the `AT+CGSN` info lines: bare (SIMCom, Huawei) or `+CGSN: "…"` (Quectel `AT+CGSN=1`). */
export function parseImei(lines: readonly string[]): string | null {
  for (const line of lines) {
    const value = stripPrefix(line, IMEI_PREFIXES);
    if (/^\d{15}$/.test(value)) return value;
  }
  return null;
}

/**
 * The text of an `AT+CGMI` / `AT+CGMM` / `AT+CGMR` answer: `+CGMI: ` or `Manufacturer: `
 * style prefixes and quotes stripped, several lines joined with a blank (some modems print
 * the revision over two lines). `null` when nothing is left.
 */
export function parseInfoText(lines: readonly string[]): string | null {
  const parts: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed === 'OK') continue;
    const value = stripPrefix(trimmed, INFO_PREFIXES);
    if (value !== '') parts.push(value);
  }
  return parts.length === 0 ? null : parts.join(' ');
}
