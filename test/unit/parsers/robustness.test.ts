import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as parsers from '../../../src/at/parsers/index.js';

const lineParsers: [string, (line: string) => unknown][] = [
  ['parseClip', parsers.parseClip],
  ['parseCring', parsers.parseCring],
  ['parseCsq', parsers.parseCsq],
  ['parseHuaweiRssi', parsers.parseHuaweiRssi],
  ['parseRegistration', parsers.parseRegistration],
  ['parseCops', parsers.parseCops],
  ['parseClcc', parsers.parseClcc],
  ['parseExtendedError', parsers.parseExtendedError],
  ['parseCmti', parsers.parseCmti],
  ['parseCdsi', parsers.parseCdsi],
  ['parseCmgs', parsers.parseCmgs],
  ['parseCmtHeader', parsers.parseCmtHeader],
  ['parseCdsHeader', parsers.parseCdsHeader],
  ['parseCmgr', parsers.parseCmgr],
  ['parseCmgl', parsers.parseCmgl],
  ['parseCpms', parsers.parseCpms],
  ['parseCallEnd', parsers.parseCallEnd],
];

const prefixes = ['+CLIP', '+CRING', '+CSQ', '^RSSI', '+CREG', '+CGREG', '+CEREG', '+COPS', '+CLCC', '+CME ERROR', '+CMS ERROR'];
const fields = fc.oneof(fc.constantFrom('', '"', ',', ' ', '0', '1', '99', '145', '"SM"', '"1A2B"', 'abc', '-1', '(0-2)'), fc.string({ maxLength: 6 }));
// Lines that look like modem output: a known prefix, a colon, then fields and junk.
const modemish = fc
  .tuple(fc.constantFrom(...prefixes, '+CMTI', '+CMGS', '+CMT', '+CDS', '+CMGR', '+CMGL', '+CPMS', '^CEND', '+CIEV', 'MISSED_CALL'), fc.constantFrom(':', ': ', ' :'), fc.array(fields, { maxLength: 10 }))
  .map(([p, colon, fs]) => `${p}${colon}${fs.join(',')}`);

void test('no line parser throws, on any string or on modem-like noise', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 80 }), modemish), (line) => {
      for (const [name, parse] of lineParsers) {
        assert.doesNotThrow(() => parse(line), name);
      }
    }),
    { numRuns: 2000 },
  );
});

void test('identity parsers never throw and only return digit strings', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[+^]?[A-Z]{0,6}: ?"?[0-9F]{12,22}"?$/)), { maxLength: 4 }), (lines) => {
      for (const v of [parsers.parseIccid(lines), parsers.parseImsi(lines), parsers.parseImei(lines)]) {
        assert.ok(v === null || /^\d+$/.test(v));
      }
      assert.doesNotThrow(() => parsers.parseInfoText(lines));
    }),
    { numRuns: 1000 },
  );
});

void test('a parser returns null for every other parser\'s typical line', () => {
  const samples = ['RING', 'OK', 'ERROR', '+CLIP: "+919812345678",145,,,,0', '+CSQ: 17,99', '+CREG: 0,1', '+CMTI: "SM",3', '> '];
  const owners: Record<string, string> = {
    '+CLIP: "+919812345678",145,,,,0': 'parseClip',
    '+CSQ: 17,99': 'parseCsq',
    '+CREG: 0,1': 'parseRegistration',
    '+CMTI: "SM",3': 'parseCmti',
  };
  for (const line of samples) {
    for (const [name, parse] of lineParsers) {
      if (owners[line] === name) assert.notEqual(parse(line), null, `${name} should parse ${line}`);
      else assert.equal(parse(line), null, `${name} must not claim ${JSON.stringify(line)}`);
    }
  }
});
