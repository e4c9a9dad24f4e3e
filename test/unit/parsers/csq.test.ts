import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsq, parseHuaweiRssi, type SignalQuality } from '../../../src/at/parsers/csq.js';

const csqCases: [string, SignalQuality | null][] = [
  ['+CSQ: 17,99', { rssi: 17, ber: null, dbm: -79 }],
  ['+CSQ: 21,99', { rssi: 21, ber: null, dbm: -71 }],
  ['+CSQ:21,99', { rssi: 21, ber: null, dbm: -71 }],
  ['+CSQ: 31,0', { rssi: 31, ber: 0, dbm: -51 }],
  ['+CSQ: 0,7', { rssi: 0, ber: 7, dbm: -113 }],
  ['+CSQ: 20,3   ', { rssi: 20, ber: 3, dbm: -73 }],
  ['+CSQ: 99,99', { rssi: null, ber: null, dbm: null }],
  // Quectel UC20/EC20 TD-SCDMA scale.
  ['+CSQ: 150,99', { rssi: 150, ber: null, dbm: -66 }],
  ['+CSQ: 40,99', null],
  ['+CSQ: 17', null],
  ['+CSQ: ,99', null],
  ['+CSQ: 17,8', null],
  ['+CSQ: -1,99', null],
  ['+CSQ: 17,99,1', null],
  ['+CSQ: (0-31,99),(0-7,99)', null],
  ['+CSQ:', null],
  ['^RSSI:17', null],
];

for (const [line, expected] of csqCases) {
  void test(`parseCsq(${JSON.stringify(line)})`, () => {
    assert.deepEqual(parseCsq(line), expected);
  });
}

const rssiCases: [string, SignalQuality | null][] = [
  ['^RSSI:17', { rssi: 17, ber: null, dbm: -79 }],
  ['^RSSI: 25', { rssi: 25, ber: null, dbm: -63 }],
  ['^RSSI:99', { rssi: null, ber: null, dbm: null }],
  ['^rssi:5 ', { rssi: 5, ber: null, dbm: -103 }],
  ['^RSSI:', null],
  ['^RSSI:abc', null],
  ['^RSSI:40', null],
  ['^RSSI:17,99', null],
  ['+CSQ: 17,99', null],
];

for (const [line, expected] of rssiCases) {
  void test(`parseHuaweiRssi(${JSON.stringify(line)})`, () => {
    assert.deepEqual(parseHuaweiRssi(line), expected);
  });
}
