import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CMS_ERROR_TABLE,
  classifyCmsError,
  cmeErrorText,
  cmsErrorText,
  parseExtendedError,
  type ExtendedError,
} from '../../../src/at/parsers/errors.js';

const cases: [string, ExtendedError | null][] = [
  ['+CME ERROR: 10', { kind: 'cme', code: 10, text: 'SIM not inserted' }],
  ['+CME ERROR: SIM not inserted', { kind: 'cme', code: 10, text: 'SIM not inserted' }],
  ['+CME ERROR: SIM PIN required', { kind: 'cme', code: 11, text: 'SIM PIN required' }],
  ['+CME ERROR: 14', { kind: 'cme', code: 14, text: 'SIM busy' }],
  ['+CME ERROR: "SIM busy"', { kind: 'cme', code: 14, text: 'SIM busy' }],
  // Busy during init (Wavecom); python-gsmmodem's fake modems reproduce it.
  ['+CME ERROR: 515', { kind: 'cme', code: 515, text: 'device busy (please wait, init or command processing in progress)' }],
  ['+CME ERROR: unknown error', { kind: 'cme', code: 100, text: 'unknown error' }],
  ['+cme error: 11', { kind: 'cme', code: 11, text: 'SIM PIN required' }],
  ['+CME ERROR: 9999', { kind: 'cme', code: 9999, text: null }],
  ['+CME ERROR: Something the vendor made up', { kind: 'cme', code: null, text: 'Something the vendor made up' }],
  ['+CMS ERROR: 500', { kind: 'cms', code: 500, text: 'unknown error' }],
  ['+CMS ERROR:500', { kind: 'cms', code: 500, text: 'unknown error' }],
  ['+CMS ERROR: 304  ', { kind: 'cms', code: 304, text: 'invalid PDU mode parameter' }],
  ['+CMS ERROR: 38', { kind: 'cms', code: 38, text: 'network out of order' }],
  ['+CMS ERROR: 512', { kind: 'cms', code: 512, text: null }],
  ['+CMS ERROR: SMSC address unknown', { kind: 'cms', code: 330, text: 'SMSC address unknown' }],
  ['+CME ERROR:', null],
  ['+CMS ERROR:   ', null],
  ['ERROR', null],
  ['OK', null],
  ['Reply: +CME ERROR: 10', null],
  ['+CME ERRORS: 10', null],
  ['+CME: 10', null],
];

for (const [line, expected] of cases) {
  void test(`parseExtendedError(${JSON.stringify(line)})`, () => {
    assert.deepEqual(parseExtendedError(line), expected);
  });
}

void test('CME texts from 27.007 §9.2', () => {
  assert.equal(cmeErrorText(10), 'SIM not inserted');
  assert.equal(cmeErrorText(11), 'SIM PIN required');
  assert.equal(cmeErrorText(13), 'SIM failure');
  assert.equal(cmeErrorText(14), 'SIM busy');
  assert.equal(cmeErrorText(30), 'no network service');
  assert.equal(cmeErrorText(3), 'operation not allowed');
  assert.equal(cmeErrorText(100), 'unknown');
  assert.equal(cmeErrorText(9), undefined);
  assert.equal(cmeErrorText(999), undefined);
});

void test('CMS texts from 27.005 §3.2.5, 24.011 RP-cause and 23.040 TP-FCS', () => {
  assert.equal(cmsErrorText(21), 'short message transfer rejected');
  assert.equal(cmsErrorText(38), 'network out of order');
  assert.equal(cmsErrorText(41), 'temporary failure');
  assert.equal(cmsErrorText(42), 'congestion');
  assert.equal(cmsErrorText(47), 'resources unavailable, unspecified');
  assert.equal(cmsErrorText(50), 'requested facility not subscribed');
  assert.equal(cmsErrorText(69), 'requested facility not implemented');
  assert.equal(cmsErrorText(96), 'invalid mandatory information');
  assert.equal(cmsErrorText(111), 'protocol error, unspecified');
  assert.equal(cmsErrorText(127), 'interworking, unspecified');
  assert.equal(cmsErrorText(192), 'SC busy');
  assert.equal(cmsErrorText(300), 'ME failure');
  assert.equal(cmsErrorText(322), 'memory full');
  assert.equal(cmsErrorText(330), 'SMSC address unknown');
  assert.equal(cmsErrorText(340), 'no +CNMA acknowledgement expected');
  assert.equal(cmsErrorText(500), 'unknown error');
  assert.equal(cmsErrorText(512), undefined);
  assert.equal(cmsErrorText(2), undefined);
});

const classes: [number | null, 'temporary' | 'permanent'][] = [
  [500, 'temporary'],
  [38, 'temporary'],
  [41, 'temporary'],
  [42, 'temporary'],
  [47, 'temporary'],
  [17, 'temporary'],
  [331, 'temporary'],
  [332, 'temporary'],
  [322, 'temporary'],
  [314, 'temporary'],
  [310, 'temporary'],
  [302, 'temporary'],
  [192, 'temporary'],
  [512, 'temporary'],
  [530, 'temporary'],
  [2, 'temporary'],
  [400, 'temporary'],
  [null, 'temporary'],
  [304, 'permanent'],
  [305, 'permanent'],
  [330, 'permanent'],
  [340, 'permanent'],
  [1, 'permanent'],
  [8, 'permanent'],
  [21, 'permanent'],
  [50, 'permanent'],
  [69, 'permanent'],
  [96, 'permanent'],
  [144, 'permanent'],
  [197, 'permanent'],
];

for (const [code, expected] of classes) {
  void test(`classifyCmsError(${String(code)}) is ${expected}`, () => {
    assert.equal(classifyCmsError(code), expected);
  });
}

void test('every table entry has a unique code and a reason', () => {
  const codes = CMS_ERROR_TABLE.map((e) => e.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const e of CMS_ERROR_TABLE) {
    assert.ok(e.why.length > 10, `code ${e.code} needs a reason`);
    assert.ok(!e.why.includes('|') && !e.text.includes('|'), `code ${e.code} would break the markdown table`);
  }
});

void test('docs/CMS-ERRORS.md lists exactly the classification in code', () => {
  const doc = readFileSync(new URL('../../../docs/CMS-ERRORS.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| (\d+) \| (.+?) \| (temporary|permanent) \| (.+) \|$/gm)].map((m) => ({
    code: Number(m[1]),
    text: m[2],
    retry: m[3],
    why: m[4],
  }));
  assert.deepEqual(rows, CMS_ERROR_TABLE.map((e) => ({ code: e.code, text: e.text, retry: e.retry, why: e.why })));
});
