import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CountryCode } from 'libphonenumber-js';
import { maskNumber, normalizeNumber, normalizeWithLibrary, type NormalizedNumber } from '../../../src/phone/normalize.js';

const RAVI = '+919812345678';

for (const raw of ['9812345678', '09812345678', '919812345678', '+919812345678', '0091 98123 45678', '+91-98123-45678', ' +91 98123 45678 ', '(+91) 98123-45678', '+91.981.234.5678']) {
  void test(`normalizeNumber(${JSON.stringify(raw)}) is ${RAVI}`, () => {
    assert.deepEqual(normalizeNumber(raw, 'IN'), { e164: RAVI, raw, valid: true, country: 'IN' });
  });
}

const cases: [string, string, NormalizedNumber][] = [
  ['foreign number with +', '+27821234567', { e164: '+27821234567', raw: '+27821234567', valid: true, country: 'ZA' }],
  ['foreign number with 00', '0027821234567', { e164: '+27821234567', raw: '0027821234567', valid: true, country: 'ZA' }],
  // A national number that starts with 91 stays national: the national reading is valid.
  ['national number starting 91', '9198765432', { e164: '+919198765432', raw: '9198765432', valid: true, country: 'IN' }],
  ['Delhi landline with trunk prefix', '011 2345 6789', { e164: '+911123456789', raw: '011 2345 6789', valid: true, country: 'IN' }],
  ['empty', '', { e164: null, raw: '', valid: false, reason: 'empty' }],
  ['blanks only', '   ', { e164: null, raw: '   ', valid: false, reason: 'empty' }],
  ['withheld word', 'Withheld', { e164: null, raw: 'Withheld', valid: false, reason: 'withheld' }],
  ['private word', 'PRIVATE', { e164: null, raw: 'PRIVATE', valid: false, reason: 'withheld' }],
  ['letters only', 'abc', { e164: null, raw: 'abc', valid: false, reason: 'alphanumeric' }],
  ['two digits', '12', { e164: null, raw: '12', valid: false, reason: 'too-short' }],
  ['USSD code', '*123#', { e164: null, raw: '*123#', valid: false, reason: 'not-a-number' }],
  ['30 digits', '123456789012345678901234567890', { e164: null, raw: '123456789012345678901234567890', valid: false, reason: 'too-long' }],
  ['11 digits starting 91', '91981234567', { e164: null, raw: '91981234567', valid: false, reason: 'invalid' }],
  ['unknown calling code', '+999123456', { e164: null, raw: '+999123456', valid: false, reason: 'invalid-country' }],
  ['DLT sender header', 'VM-BJPIND', { e164: null, raw: 'VM-BJPIND', valid: false, reason: 'alphanumeric' }],
  ['DLT header with the 2025 suffix', 'JM-JIOPAY-S', { e164: null, raw: 'JM-JIOPAY-S', valid: false, reason: 'alphanumeric' }],
  ['operator short sender', 'JIO', { e164: null, raw: 'JIO', valid: false, reason: 'alphanumeric' }],
  ['junk after a number', '+91 98123-45678#', { e164: null, raw: '+91 98123-45678#', valid: false, reason: 'not-a-number' }],
];

for (const [name, raw, expected] of cases) {
  void test(`normalizeNumber: ${name}`, () => {
    assert.deepEqual(normalizeNumber(raw, 'IN'), expected);
  });
}

void test('type of address 145 marks a number printed without + as international', () => {
  assert.deepEqual(normalizeNumber('27821234567', 'IN', { typeOfAddress: 145 }), {
    e164: '+27821234567',
    raw: '27821234567',
    valid: true,
    country: 'ZA',
  });
  // Without the hint the same digits are no Indian number.
  assert.equal(normalizeNumber('27821234567', 'IN').e164, null);
  // A national number wrongly flagged 145 still falls back to its national reading.
  assert.equal(normalizeNumber('9812345678', 'IN', { typeOfAddress: 145 }).e164, RAVI);
});

void test('another default country uses its own national rules', () => {
  assert.equal(normalizeNumber('0821234567', 'ZA').e164, '+27821234567');
  assert.equal(normalizeNumber('+919812345678', 'ZA').e164, RAVI);
});

const tenDigitIndianMobile = fc
  .tuple(fc.constantFrom('6', '7', '8', '9'), fc.array(fc.constantFrom(...'0123456789'), { minLength: 9, maxLength: 9 }))
  .map(([first, rest]) => first + rest.join(''));

void test('property: every written form of a 10-digit number starting 6-9 maps to the same E.164', () => {
  fc.assert(
    fc.property(tenDigitIndianMobile, (n) => {
      const e164 = `+91${n}`;
      const a = n.slice(0, 5);
      const b = n.slice(5);
      const forms = [n, `0${n}`, `91${n}`, `+91${n}`, `0091${n}`, `0091 ${a} ${b}`, `+91-${a}-${b}`, `+91 ${a} ${b}`, `0${a} ${b}`, `(+91) ${n}`];
      for (const form of forms) {
        const result = normalizeNumber(form, 'IN');
        assert.equal(result.e164, e164, `form ${form}`);
        assert.equal(result.valid, true);
        assert.equal(result.raw, form);
      }
      assert.equal(normalizeNumber(`91${n}`, 'IN', { typeOfAddress: 145 }).e164, e164);
      assert.equal(normalizeNumber(n, 'IN', { typeOfAddress: 129 }).e164, e164);
    }),
    { numRuns: 500 },
  );
});

void test('property: any input is echoed in raw, never throws, and e164 is set exactly when valid', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[+0-9 ()-]{0,25}$/)), (raw) => {
      const result = normalizeNumber(raw, 'IN');
      assert.equal(result.raw, raw);
      assert.equal(result.e164 !== null, result.valid);
      assert.equal(result.reason === undefined, result.valid);
      if (result.e164 !== null) assert.match(result.e164, /^\+[1-9]\d{6,14}$/);
    }),
    { numRuns: 2000 },
  );
});

const masks: [string, string][] = [
  [RAVI, '+91 98•••••678'],
  ['+27821234567', '+27 82••••567'],
  ['+14155552671', '+1 41•••••671'],
  ['12345', '•••45'],
  ['+9112', '•••12'],
  ['JIO', '•IO'],
  ['ab', '••'],
  ['', ''],
];

for (const [input, expected] of masks) {
  void test(`maskNumber(${JSON.stringify(input)})`, () => {
    assert.equal(maskNumber(input), expected);
  });
}

void test('property: a masked Indian mobile shows the calling code, two leading and three trailing digits only', () => {
  fc.assert(
    fc.property(tenDigitIndianMobile, (n) => {
      assert.equal(maskNumber(`+91${n}`), `+91 ${n.slice(0, 2)}•••••${n.slice(-3)}`);
    }),
  );
});

test('the fast path for Indian mobiles gives exactly what libphonenumber gives', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 6, max: 9 }),
      fc.integer({ min: 0, max: 999_999_999 }),
      fc.constantFrom('', '0', '91', '+91', '0091', '+', '00'),
      fc.constantFrom(undefined, 129, 145, 161),
      fc.constantFrom<CountryCode>('IN', 'NP', 'GB'),
      (first, rest, prefix, typeOfAddress, country) => {
        const raw = `${prefix}${first}${String(rest).padStart(9, '0')}`;
        const options = typeOfAddress === undefined ? {} : { typeOfAddress };
        assert.deepEqual(normalizeNumber(raw, country, options), normalizeWithLibrary(raw, country, options), raw);
      },
    ),
    { numRuns: 3000 },
  );
});
