import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallEnd, type CallEnd } from '../../../src/at/parsers/callEnd.js';

const cases: [string, string, CallEnd][] = [
  ['NO CARRIER', 'NO CARRIER', { kind: 'no-carrier' }],
  ['NO CARRIER with trailing blanks', 'NO CARRIER  ', { kind: 'no-carrier' }],
  [
    'SIMCom SIM7600 missed call, international number',
    'MISSED_CALL: 08:48AM +27821234567',
    { kind: 'missed-call', detail: '08:48AM', number: '+27821234567' },
  ],
  [
    'SIMCom missed call, national number',
    'MISSED_CALL: 11:53AM 08020866256',
    { kind: 'missed-call', detail: '11:53AM', number: '08020866256' },
  ],
  ['SIMCom missed call, no space after colon', 'MISSED_CALL:12:01PM 9812345678', { kind: 'missed-call', detail: '12:01PM', number: '9812345678' }],
  ['missed call with a spaced meridiem', 'MISSED_CALL: 08:48 AM +919812345678', { kind: 'missed-call', detail: '08:48 AM', number: '+919812345678' }],
  ['missed call without a number (withheld)', 'MISSED_CALL: 08:48AM', { kind: 'missed-call', detail: '08:48AM' }],
  ['missed call with a quoted number', 'MISSED_CALL: 08:48AM "+919812345678"', { kind: 'missed-call', detail: '08:48AM', number: '+919812345678' }],
  [
    'Huawei ^CEND with cc cause',
    '^CEND:1,0,104,16',
    { kind: 'cend', detail: '1,0,104,16', callId: 1, durationSeconds: 0, endStatus: 104, ccCause: 16 },
  ],
  [
    'Huawei ^CEND with blanks, no cc cause',
    '^CEND: 2, 35, 29',
    { kind: 'cend', detail: '2,35,29', callId: 2, durationSeconds: 35, endStatus: 29 },
  ],
  ['SIMCom +CIEV call indicator off', '+CIEV: "CALL",0', { kind: 'ciev-call' }],
  ['+CIEV unquoted, lower case', '+CIEV: call,0', { kind: 'ciev-call' }],
  ['SIMCom SIM5320 VOICE CALL: END', 'VOICE CALL: END', { kind: 'voice-call-end' }],
  ['SIM7600 VOICE CALL: END with duration', 'VOICE CALL: END: 000012', { kind: 'voice-call-end', detail: '000012', durationSeconds: 12 }],
  ['VOICE CALL: END with a long duration', 'VOICE CALL: END: 011122', { kind: 'voice-call-end', detail: '011122', durationSeconds: 4282 }],
];

for (const [name, line, expected] of cases) {
  void test(`parseCallEnd: ${name}`, () => {
    assert.deepEqual(parseCallEnd(line), expected);
  });
}

const rejected: string[] = [
  '+CIEV: "CALL",1',
  '+CIEV: "SOUNDER",0',
  '+CIEV: 9,0',
  '+CIEV: "CALL"',
  'VOICE CALL: BEGIN',
  'VOICE CALL: END: 12',
  '^CEND:1,0',
  '^CEND:a,0,104,16',
  '^CEND:1,0,104,x',
  '^CONN:1,0',
  'RING',
  'NO CARRIERS',
  'BUSY',
  '',
];

for (const line of rejected) {
  void test(`parseCallEnd rejects ${JSON.stringify(line)}`, () => {
    assert.equal(parseCallEnd(line), null);
  });
}
