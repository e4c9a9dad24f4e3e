import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIccid, parseImei, parseImsi, parseInfoText } from '../../../src/at/parsers/identity.js';

const ICCID20 = '89911012000032045106';
const ICCID19 = '8991101200003204510';

const iccidCases: [string, string[], string | null][] = [
  ['+CCID (generic AT+CCID)', [`+CCID: ${ICCID20}`], ICCID20],
  ['+ICCID (SIMCom AT+CICCID)', [`+ICCID: ${ICCID20}`], ICCID20],
  ['+QCCID (Quectel) with trailing F pad', [`+QCCID: ${ICCID19}F`], ICCID19],
  ['^ICCID (Huawei) nibble-swapped', ['^ICCID: 98190121000023401560'], ICCID20],
  ['^ICCID nibble-swapped 19 digits with F pad', ['^ICCID: 981901210000234015F0'], ICCID19],
  ['^ICCID already decoded (Huawei MT5700, ZTE)', [`^ICCID: ${ICCID20}`], ICCID20],
  ['^ICCID quoted', [`^ICCID: "${ICCID20}"`], ICCID20],
  ['ZTE ICCID: prefix', [`ICCID: ${ICCID20}`], ICCID20],
  ['bare digits (SIM800 AT+CCID)', [ICCID20], ICCID20],
  ['bare quoted', [`"${ICCID20}"`], ICCID20],
  ['no space after colon, lower-case F', [`+CCID:${ICCID19}f`], ICCID19],
  ['blank and OK lines around it', ['', `+CCID: ${ICCID20}`, 'OK'], ICCID20],
  ['too short', ['+CCID: 1234'], null],
  ['hex junk', ['+CCID: 8991ABCD000032045106'], null],
  ['error only', ['+CME ERROR: 10'], null],
  ['nothing', [], null],
];

for (const [name, lines, expected] of iccidCases) {
  void test(`parseIccid: ${name}`, () => {
    assert.equal(parseIccid(lines), expected);
  });
}

const imsiCases: [string[], string | null][] = [
  [['404450123456789'], '404450123456789'],
  [['+CIMI: 404450123456789'], '404450123456789'],
  [['"404450123456789"'], '404450123456789'],
  [['40445012345678'], '40445012345678'],
  [['', '404450123456789', 'OK'], '404450123456789'],
  [['12345'], null],
  [['+CME ERROR: 10'], null],
  [[], null],
];

for (const [lines, expected] of imsiCases) {
  void test(`parseImsi(${JSON.stringify(lines)})`, () => {
    assert.equal(parseImsi(lines), expected);
  });
}

const imeiCases: [string[], string | null][] = [
  [['861234567890123'], '861234567890123'],
  [['+CGSN: "861234567890123"'], '861234567890123'],
  [['+CGSN: 861234567890123'], '861234567890123'],
  [['+CGSN:861234567890123  '], '861234567890123'],
  [['IMEI: 861234567890123'], '861234567890123'],
  [['86123456789012'], null],
  [['8612345678901234'], null],
  [['IMEISV: 8612345678901201'], null],
  [[], null],
];

for (const [lines, expected] of imeiCases) {
  void test(`parseImei(${JSON.stringify(lines)})`, () => {
    assert.equal(parseImei(lines), expected);
  });
}

const infoCases: [string, string[], string | null][] = [
  ['SIM800 AT+CGMI', ['SIMCOM_Ltd'], 'SIMCOM_Ltd'],
  ['ATI-style Manufacturer: prefix', ['Manufacturer: SIMCOM INCORPORATED'], 'SIMCOM INCORPORATED'],
  ['SIM800 AT+CGMR', ['Revision:1418B05SIM800L24'], '1418B05SIM800L24'],
  ['SIM7600 AT+CGMR', ['+CGMR: LE20B04SIM7600M22'], 'LE20B04SIM7600M22'],
  ['Quectel AT+CGMI', ['Quectel'], 'Quectel'],
  ['Quectel AT+CGMM', ['EC25'], 'EC25'],
  ['Quectel AT+CGMR', ['EC25EFAR06A06M4G'], 'EC25EFAR06A06M4G'],
  ['Huawei AT+CGMI', ['huawei'], 'huawei'],
  ['Huawei AT+CGMM quoted with prefix', ['+CGMM: "E3372"'], 'E3372'],
  ['two lines', ['Quectel', 'EC25', 'OK'], 'Quectel EC25'],
  ['blank and OK only', ['', 'OK'], null],
  ['nothing', [], null],
];

for (const [name, lines, expected] of infoCases) {
  void test(`parseInfoText: ${name}`, () => {
    assert.equal(parseInfoText(lines), expected);
  });
}
