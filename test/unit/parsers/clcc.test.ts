import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClcc, type ClccEntry } from '../../../src/at/parsers/clcc.js';

const cases: [string, string, ClccEntry][] = [
  [
    'incoming voice call',
    '+CLCC: 1,1,4,0,0,"+919812345678",145',
    { index: 1, direction: 'incoming', stat: 4, state: 'incoming', mode: 0, multiparty: false, number: '+919812345678', type: 145, alpha: null },
  ],
  [
    'SIMCom: released call (stat 6)',
    '+CLCC: 4,1,6,0,0,"9812345678",129',
    { index: 4, direction: 'incoming', stat: 6, state: 'disconnected', mode: 0, multiparty: false, number: '9812345678', type: 129, alpha: null },
  ],
  [
    'withheld caller: empty number',
    '+CLCC: 1,1,4,0,0,"",128',
    { index: 1, direction: 'incoming', stat: 4, state: 'incoming', mode: 0, multiparty: false, number: '', type: 128, alpha: null },
  ],
  [
    'outgoing, dialing, with phonebook name',
    '+CLCC: 2,0,2,0,0,"9812345678",129,"Ravi"',
    { index: 2, direction: 'outgoing', stat: 2, state: 'dialing', mode: 0, multiparty: false, number: '9812345678', type: 129, alpha: 'Ravi' },
  ],
  [
    'no number fields at all',
    '+CLCC: 1,1,4,0,0',
    { index: 1, direction: 'incoming', stat: 4, state: 'incoming', mode: 0, multiparty: false, number: '', type: null, alpha: null },
  ],
  [
    'waiting call in a conference, no space after colon',
    '+CLCC:1,1,5,0,1,"+27821234567",145',
    { index: 1, direction: 'incoming', stat: 5, state: 'waiting', mode: 0, multiparty: true, number: '+27821234567', type: 145, alpha: null },
  ],
  [
    'full form: priority and CLI validity after alpha',
    '+CLCC: 1,1,4,0,0,"+919812345678",145,"",,0',
    { index: 1, direction: 'incoming', stat: 4, state: 'incoming', mode: 0, multiparty: false, number: '+919812345678', type: 145, alpha: null },
  ],
  [
    'active call',
    '+CLCC: 1,0,0,0,0,"+919812345678",145',
    { index: 1, direction: 'outgoing', stat: 0, state: 'active', mode: 0, multiparty: false, number: '+919812345678', type: 145, alpha: null },
  ],
];

for (const [name, line, expected] of cases) {
  void test(`parseClcc: ${name}`, () => {
    assert.deepEqual(parseClcc(line), expected);
  });
}

for (const line of ['+CLCC: 1,2,4,0,0', '+CLCC: 1,1', '+CLCC: a,1,4,0,0', '+CLCC: 1,1,4,0,0,"123",1', '+CLCC: 1,1,4,0,3', '+CLCC:', 'RING']) {
  void test(`parseClcc rejects ${JSON.stringify(line)}`, () => {
    assert.equal(parseClcc(line), null);
  });
}
