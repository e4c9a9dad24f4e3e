import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  classifyStatus,
  decodePdu,
  decodeRelativeValidity,
  encodeDeliver,
  encodeRelativeValidity,
  encodeStatusReport,
  isGsm7,
  type DecodedDeliver,
  type DecodedStatusReport,
} from '../../../src/sms/pdu/index.js';
import { decodeSemiOctets, encodeSemiOctets } from '../../../src/sms/pdu/address.js';
import { decodeDcs } from '../../../src/sms/pdu/dcs.js';
import {
  packSeptets,
  septetsToText,
  textToSeptets,
  unpackSeptets,
} from '../../../src/sms/pdu/gsm7.js';
import { hexToOctets, octetsToHex } from '../../../src/sms/pdu/octets.js';
import { decodeTimestamp, encodeTimestamp } from '../../../src/sms/pdu/timestamp.js';

describe('GSM 03.38 tables', () => {
  test('positions that differ from ASCII', () => {
    assert.deepEqual(textToSeptets('@£$¥'), [0x00, 0x01, 0x02, 0x03]);
    assert.deepEqual(textToSeptets('#¤'), [0x23, 0x24]);
    assert.deepEqual(textToSeptets('ΔΦΓΛΩΠΨΣΘΞ'), [0x10, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a]);
    assert.deepEqual(textToSeptets('¡¿§à'), [0x40, 0x60, 0x5f, 0x7f]);
    assert.deepEqual(textToSeptets('\n\r'), [0x0a, 0x0d]);
  });

  test('the extension table is reached through ESC', () => {
    assert.deepEqual(textToSeptets('€'), [0x1b, 0x65]);
    assert.deepEqual(textToSeptets('\f^{}\\[~]|'), [
      0x1b, 0x0a, 0x1b, 0x14, 0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x2f, 0x1b, 0x3c, 0x1b, 0x3d, 0x1b, 0x3e,
      0x1b, 0x40,
    ]);
  });

  test('every code of both tables round-trips', () => {
    const basic = Array.from({ length: 128 }, (_, i) => i).filter((i) => i !== 0x1b);
    const text = septetsToText(basic);
    assert.equal([...text].length, 127);
    assert.deepEqual(textToSeptets(text), basic);
    const ext = [0x0a, 0x14, 0x28, 0x29, 0x2f, 0x3c, 0x3d, 0x3e, 0x40, 0x65].flatMap((c) => [0x1b, c]);
    assert.deepEqual(textToSeptets(septetsToText(ext)), ext);
  });

  test('characters outside the alphabet', () => {
    assert.equal(isGsm7('ç'), false);
    assert.equal(isGsm7('`'), false);
    assert.equal(isGsm7('\u001b'), false); // ESC itself is not a character we can send
    assert.equal(isGsm7('\t'), false);
    assert.throws(() => textToSeptets('न'), /U\+0928/);
  });

  test('receiver leniency: ESC + unknown → basic char, ESC ESC → space, trailing ESC dropped', () => {
    assert.equal(septetsToText([0x1b, 0x41]), 'A');
    assert.equal(septetsToText([0x1b, 0x1b, 0x41]), ' A');
    assert.equal(septetsToText([0x41, 0x1b]), 'A');
  });
});

describe('septet packing', () => {
  test('"hellohello" packs to E8329BFD4697D9EC37', () => {
    assert.equal(octetsToHex(packSeptets(textToSeptets('hellohello'))), 'E8329BFD4697D9EC37');
    assert.equal(septetsToText(unpackSeptets(hexToOctets('E8329BFD4697D9EC37'), 10)), 'hellohello');
  });

  test('one fill bit after a 6-octet header shifts everything left by one', () => {
    // "h" = 0x68 after one zero fill bit fills octet 0 exactly: 0x68 << 1 = 0xD0; the next septet
    // then starts on an octet boundary.
    assert.equal(octetsToHex(packSeptets([0x68], 1)), 'D0');
    assert.equal(octetsToHex(packSeptets([0x68, 0x68], 1)), 'D068');
    assert.deepEqual(unpackSeptets(packSeptets([1, 2, 3, 127, 0], 1), 5, 1), [1, 2, 3, 127, 0]);
  });

  test('unpack checks that the octets are there', () => {
    assert.throws(() => unpackSeptets(Uint8Array.of(0xe8), 2), { code: 'PDU_TRUNCATED' });
  });
});

describe('semi-octets', () => {
  test('swapped with F filler', () => {
    assert.equal(octetsToHex(encodeSemiOctets('46708251358')), '6407281553F8');
    // * = A, # = B; pairs (*,1) (2,1) (#,F) → 1A 12 FB.
    assert.equal(octetsToHex(encodeSemiOctets('*121#')), '1A12FB');
    assert.equal(decodeSemiOctets(hexToOctets('6407281553F8'), 11), '46708251358');
    assert.equal(decodeSemiOctets(hexToOctets('1A12FB'), 5), '*121#');
  });
});

describe('timestamps (TS 23.040 §9.2.3.11)', () => {
  test('dreamfabric example: 99 20 21 50 75 03 21 = 1999-02-12 05:57:30 GMT+3', () => {
    const ts = decodeTimestamp(hexToOctets('99202150750321'));
    assert.equal(ts.tzOffsetMinutes, 180);
    assert.equal(ts.date.toISOString(), '1999-02-12T02:57:30.000Z');
    assert.equal(octetsToHex(encodeTimestamp(ts.date, 180)), '99202150750321');
  });

  test('negative zone: sign is bit 3 of the first semi-octet (0x29 = −12 quarters)', () => {
    const ts = decodeTimestamp(hexToOctets('99202150750329'));
    assert.equal(ts.tzOffsetMinutes, -180);
    assert.equal(ts.date.toISOString(), '1999-02-12T08:57:30.000Z');
    assert.equal(octetsToHex(encodeTimestamp(ts.date, -180)), '99202150750329');
  });

  test('India is +22 quarters (0x22); the century pivots at 70', () => {
    const hex = octetsToHex(encodeTimestamp(new Date('2026-01-26T04:30:00Z'), 330));
    assert.equal(hex, '62106201000022');
    assert.equal(decodeTimestamp(hexToOctets(hex)).date.toISOString(), '2026-01-26T04:30:00.000Z');
    assert.equal(decodeTimestamp(hexToOctets('96106201000000')).date.getUTCFullYear(), 2069);
    assert.equal(decodeTimestamp(hexToOctets('07106201000000')).date.getUTCFullYear(), 1970);
  });

  test('29 February only in a leap year', () => {
    assert.equal(decodeTimestamp(hexToOctets('42209200000000')).date.toISOString(), '2024-02-29T00:00:00.000Z');
    assert.throws(() => decodeTimestamp(hexToOctets('52209200000000')), { code: 'PDU_INVALID' });
  });

  test('encode rejects zones that are not whole quarter hours', () => {
    assert.throws(() => encodeTimestamp(new Date(0), 20), { code: 'PDU_INVALID' });
  });
});

describe('relative validity (TS 23.040 §9.2.3.12.1)', () => {
  test('decoding the four ranges', () => {
    const table: [number, number][] = [
      [0, 5],
      [11, 60],
      [143, 12 * 60],
      [144, 12 * 60 + 30],
      [167, 24 * 60],
      [168, 2 * 1440],
      [170, 4 * 1440],
      [196, 30 * 1440],
      [197, 5 * 7 * 1440],
      [255, 63 * 7 * 1440],
    ];
    for (const [vp, minutes] of table) assert.equal(decodeRelativeValidity(vp), minutes, `VP ${vp}`);
  });

  test('encoding rounds up to the next representable period', () => {
    const table: [number, number][] = [
      [1, 0],
      [5, 0],
      [6, 1],
      [10, 1],
      [60, 11],
      [12 * 60, 143],
      [13 * 60, 145],
      [24 * 60, 167],
      [24 * 60 + 1, 168],
      [2 * 1440, 168],
      [4 * 1440, 170],
      [30 * 1440, 196],
      [31 * 1440, 197],
      [63 * 7 * 1440, 255],
      [100 * 7 * 1440, 255],
    ];
    for (const [minutes, vp] of table) assert.equal(encodeRelativeValidity(minutes), vp, `${minutes} min`);
  });
});

describe('TP-DCS', () => {
  const table: [number, ReturnType<typeof decodeDcs>][] = [
    [0x00, { encoding: 'gsm7', messageClass: null, compressed: false }],
    [0x04, { encoding: '8bit', messageClass: null, compressed: false }],
    [0x08, { encoding: 'ucs2', messageClass: null, compressed: false }],
    [0x0c, { encoding: 'gsm7', messageClass: null, compressed: false }], // reserved alphabet
    [0x10, { encoding: 'gsm7', messageClass: 0, compressed: false }],
    [0x12, { encoding: 'gsm7', messageClass: 2, compressed: false }],
    [0x18, { encoding: 'ucs2', messageClass: 0, compressed: false }],
    [0x24, { encoding: '8bit', messageClass: null, compressed: true }],
    [0x48, { encoding: 'ucs2', messageClass: null, compressed: false }], // auto-deletion group
    [0x80, { encoding: 'gsm7', messageClass: null, compressed: false }], // reserved group
    [0xc8, { encoding: 'gsm7', messageClass: null, compressed: false }],
    [0xd8, { encoding: 'gsm7', messageClass: null, compressed: false }],
    [0xe8, { encoding: 'ucs2', messageClass: null, compressed: false }],
    [0xf0, { encoding: 'gsm7', messageClass: 0, compressed: false }],
    [0xf1, { encoding: 'gsm7', messageClass: 1, compressed: false }],
    [0xf6, { encoding: '8bit', messageClass: 2, compressed: false }],
  ];
  for (const [dcs, expected] of table) {
    test(`0x${dcs.toString(16).padStart(2, '0')}`, () => assert.deepEqual(decodeDcs(dcs), expected));
  }
});

describe('TP-ST classification', () => {
  const table: [number, string][] = [
    [0x00, 'delivered'],
    [0x01, 'delivered'],
    [0x02, 'delivered'],
    [0x1f, 'delivered'],
    [0x20, 'pending'],
    [0x21, 'pending'],
    [0x30, 'pending'],
    [0x3f, 'pending'],
    [0x40, 'failed'],
    [0x46, 'failed'],
    [0x5f, 'failed'],
    [0x60, 'failed'],
    [0x65, 'failed'],
    [0x7f, 'failed'],
    [0x80, 'failed'],
    [0xa0, 'failed'],
    [0xff, 'failed'],
  ];
  for (const [st, outcome] of table) {
    test(`0x${st.toString(16).padStart(2, '0')} → ${outcome}`, () => assert.equal(classifyStatus(st), outcome));
  }
});

describe('encoders for the simulated modem', () => {
  test('encodeDeliver reproduces a published alphanumeric DELIVER byte for byte', () => {
    const [pdu] = encodeDeliver({
      from: 'VD-HDFCBK-T',
      text: 'Your OTP is 482913',
      timestamp: new Date('2026-09-23T04:41:12Z'),
      tzOffsetMinutes: 330,
    });
    assert.equal(pdu, '000414D056620B49340E85CB161500006290320111212212D9775D0E7A52A1A0F41C44C3C972B119');
  });

  test('encodeDeliver with a 16-bit reference: 152 septets per GSM-7 part', () => {
    const pdus = encodeDeliver({
      from: '+919812345678',
      text: 'y'.repeat(305),
      timestamp: new Date('2026-01-01T00:00:00Z'),
      referenceBits: 16,
      concatReference: 0x1234,
    });
    const parts = pdus.map((p) => decodePdu(p) as DecodedDeliver);
    assert.deepEqual(
      parts.map((p) => p.text.length),
      [152, 152, 1],
    );
    assert.deepEqual(parts[2]?.concat, { reference: 0x1234, total: 3, sequence: 3, referenceBits: 16 });
  });

  test('encodeStatusReport reproduces the published permanent-failure report', () => {
    const hex = encodeStatusReport({
      smsc: '+34607003110',
      messageReference: 0x27,
      recipient: '+43626575117',
      submittedAt: new Date('2010-02-18T10:31:54Z'),
      dischargedAt: new Date('2010-02-18T10:47:50Z'),
      status: 0x43,
      tzOffsetMinutes: 60,
    });
    assert.equal(hex, '07914306073011F006270B913426565711F7012081111345400120811174054043');
    const r = decodePdu(hex) as DecodedStatusReport;
    assert.equal(r.outcome, 'failed');
  });
});
