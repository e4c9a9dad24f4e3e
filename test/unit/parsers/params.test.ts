import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchPrefix, prefixedParams, splitParams, type Param } from '../../../src/at/parsers/params.js';

const q = (value: string): Param => ({ value, quoted: true });
const u = (value: string): Param => ({ value, quoted: false });

const splitCases: [string, Param[] | null][] = [
  ['', []],
  ['   ', []],
  ['0', [u('0')]],
  ['0,1', [u('0'), u('1')]],
  [',', [u(''), u('')]],
  ['1,', [u('1'), u('')]],
  ['"09812345678",129,"",,"",0', [q('09812345678'), u('129'), q(''), u(''), q(''), u('0')]],
  // Commas inside a quoted operator or phonebook name stay in the value.
  ['0,0,"Airtel, Delhi",7', [u('0'), u('0'), q('Airtel, Delhi'), u('7')]],
  // Alcatel X220D puts blanks after the commas; the blanks are not part of the value.
  ['2,1, 81ED, 1A9CEB', [u('2'), u('1'), u('81ED'), u('1A9CEB')]],
  // Blanks inside quotes are the value's own.
  ['" Ravi ",0', [q(' Ravi '), u('0')]],
  ['"a" , "b"', [q('a'), q('b')]],
  ['SM,3  ', [u('SM'), u('3')]],
  // Malformed: unterminated string, text glued to a closing quote, a stray quote.
  ['"1234', null],
  ['"12"34,1', null],
  ['12"34",1', null],
  ['1,"abc', null],
];

for (const [input, expected] of splitCases) {
  void test(`splitParams(${JSON.stringify(input)})`, () => {
    assert.deepEqual(splitParams(input), expected);
  });
}

const prefixCases: [string, string, string | null][] = [
  ['+CSQ: 17,99', '+CSQ', '17,99'],
  ['+CSQ:17,99', '+CSQ', '17,99'],
  ['+CSQ :17,99', '+CSQ', '17,99'],
  ['+csq: 17,99', '+CSQ', '17,99'],
  ['+CSQ: 17,99', '+CSQ:', '17,99'],
  ['  +CSQ: 17,99   ', '+CSQ', '17,99'],
  ['^RSSI:17', '^RSSI', '17'],
  ['+CREG: 1', '+CGREG', null],
  ['+CREGX: 1', '+CREG', null],
  ['+CLIP', '+CLIP', null],
  ['RING', '+CLIP', null],
  ['+CSQ: 17,99', '', null],
];

for (const [line, prefix, expected] of prefixCases) {
  void test(`matchPrefix(${JSON.stringify(line)}, ${JSON.stringify(prefix)})`, () => {
    assert.equal(matchPrefix(line, prefix), expected);
  });
}

void test('prefixedParams splits after the prefix and passes malformed lists through as null', () => {
  assert.deepEqual(prefixedParams('+CMTI:"SM",3', '+CMTI'), [q('SM'), u('3')]);
  assert.deepEqual(prefixedParams('+CMT: ,27', '+cmt'), [u(''), u('27')]);
  assert.equal(prefixedParams('+CMTI: "SM,3', '+CMTI'), null);
  assert.equal(prefixedParams('+CMTI: "SM",3', '+CMGS'), null);
});
