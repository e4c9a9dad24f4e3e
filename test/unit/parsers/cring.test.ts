import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCring } from '../../../src/at/parsers/cring.js';

const cases: [string, { type: string } | null][] = [
  ['+CRING: VOICE', { type: 'VOICE' }],
  ['+CRING:VOICE', { type: 'VOICE' }],
  ['+CRING: REL ASYNC', { type: 'REL ASYNC' }],
  ['+CRING:  REL   ASYNC  ', { type: 'REL ASYNC' }],
  ['+CRING: GPRS "IP","10.0.0.1"', { type: 'GPRS "IP","10.0.0.1"' }],
  ['+CRING: FAX', { type: 'FAX' }],
  ['+CRING:', null],
  ['+CRING:   ', null],
  ['RING', null],
  ['+CLIP: "9812345678",129', null],
];

for (const [line, expected] of cases) {
  void test(`parseCring(${JSON.stringify(line)})`, () => {
    assert.deepEqual(parseCring(line), expected);
  });
}
