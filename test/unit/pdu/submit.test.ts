import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  decodePdu,
  encodeSubmit,
  isPduError,
  type DecodedSubmit,
  type SubmitPart,
} from '../../../src/sms/pdu/index.js';

function only(parts: SubmitPart[]): SubmitPart {
  assert.equal(parts.length, 1);
  const [part] = parts;
  assert.ok(part);
  return part;
}

function decodeSubmit(pdu: string): DecodedSubmit {
  const d = decodePdu(pdu);
  assert.equal(d.type, 'submit');
  return d;
}

describe('encodeSubmit: hand-verified vectors', () => {
  test('"Hello" to +919812345678', () => {
    // 00             SMSC: none, use the SIM's (not counted in AT+CMGS=<n>)
    // 01             first octet: MTI 01 SUBMIT, no VP, no SRR, no UDHI
    // 00             TP-MR 0, the modem assigns one
    // 0C 91          12 digits, international/ISDN
    // 19 89 21 43 65 87   919812345678 in swapped semi-octets (91→19, 98→89, 12→21 …)
    // 00 00          PID 0, DCS 0 (GSM-7)
    // 05             5 septets
    // C8 32 9B FD 06 "Hello": H=1001000 e=1100101 l=1101100 l o=1101111, LSB first:
    //   octet0 = e.bit0 | H        = 1|1001000 = 0xC8
    //   octet1 = l.bits1-0 | e>>1  = 00|110010 = 0x32
    //   octet2 = l.bits2-0 | l>>2  = 100|11011 = 0x9B
    //   octet3 = o.bits3-0 | l>>3  = 1111|1101 = 0xFD
    //   octet4 = o>>4              = 0000110   = 0x06
    // TPDU = 1+1+2+6+1+1+1+5 = 18 octets.
    const part = only(encodeSubmit({ to: '+919812345678', text: 'Hello' }));
    assert.equal(part.pdu, '0001000C91198921436587000005C8329BFD06');
    assert.equal(part.tpduLength, 18);
    assert.equal(part.tpduLength, part.pdu.length / 2 - 1);
    assert.deepEqual([part.partNumber, part.totalParts, part.text], [1, 1, 'Hello']);
  });

  test('national number (0x81) with odd digit count gets an F filler', () => {
    // 0A 81 = 10 digits, unknown TON; 9812345678 → 89 21 43 65 87. 09812 (5 digits): pairs
    // (0,9) (8,1) (2,F) → 90 18 F2. "Hi" = 0x48 0x69 → C8 34.
    assert.equal(
      only(encodeSubmit({ to: '9812345678', text: 'Hi' })).pdu,
      '0001000A818921436587000002C834',
    );
    assert.equal(only(encodeSubmit({ to: '09812', text: 'Hi' })).pdu, '00010005819018F2000002C834');
  });

  test('UCS-2 Hindi: DCS 08, UDL in octets', () => {
    // "नमस्ते" = 0928 092E 0938 094D 0924 0947 → 6 code units, 12 octets (0C).
    const part = only(encodeSubmit({ to: '+919812345678', text: 'नमस्ते' }));
    assert.equal(part.pdu, '0001000C9119892143658700080C0928092E0938094D09240947');
    assert.equal(part.tpduLength, 25);
  });

  test('status report + relative validity + message reference', () => {
    // first octet 0x31 = SUBMIT | VPF 10 (relative) | SRR; MR 0x2A; VP 0xA7 = 24 h.
    const part = only(
      encodeSubmit({
        to: '+919812345678',
        text: 'Hello',
        requestStatusReport: true,
        validityMinutes: 24 * 60,
        messageReference: 42,
      }),
    );
    assert.equal(part.pdu, '00312A0C911989214365870000A705C8329BFD06');
    assert.equal(part.tpduLength, 19);
    const back = decodeSubmit(part.pdu);
    assert.equal(back.statusReportRequested, true);
    assert.equal(back.validityMinutes, 24 * 60);
    assert.equal(back.messageReference, 42);
  });
});

describe('encodeSubmit: published vectors (python-messaging, lua-pdu, warthog618/sms tests)', () => {
  const cases: { name: string; opts: Parameters<typeof encodeSubmit>[0]; pdu: string; len: number }[] = [
    {
      name: 'hola, no VP',
      opts: { to: '+34616585119', text: 'hola' },
      pdu: '0001000B914316565811F9000004E8373B0C',
      len: 17,
    },
    {
      name: 'hola, relative VP 4 days = 0xAA',
      opts: { to: '+34616585119', text: 'hola', validityMinutes: 4 * 24 * 60 },
      pdu: '0011000B914316565811F90000AA04E8373B0C',
      len: 18,
    },
    {
      name: 'status report requested (0x21)',
      opts: { to: '+34654123456', text: 'hey yo', requestStatusReport: true },
      pdu: '0021000B914356143254F6000006E8721E947F03',
      len: 19,
    },
    {
      name: 'Latin letters of the default alphabet, Ç at 0x09 and @ at 0x00',
      opts: { to: '+34654123456', text: 'BÄRÇA äñ@' },
      pdu: '0001000B914356143254F6000009C2AD341104EDFB00',
      len: 21,
    },
    {
      name: 'Cyrillic in UCS-2 to a national number',
      opts: { to: '655345678', text: 'Русский', validityMinutes: 4 * 24 * 60 },
      pdu: '001100098156355476F80008AA0E0420044304410441043A04380439',
      len: 27,
    },
    {
      name: 'forced UCS-2 for ASCII',
      opts: { to: '+0612345678', text: 'datafataxasdas', validityMinutes: 5760, forceUcs2: true },
      pdu: '0011000A9160214365870008AA1C00640061007400610066006100740061007800610073006400610073',
      len: 41,
    },
    {
      name: 'Hello world to +12345',
      opts: { to: '+12345', text: 'Hello world' },
      pdu: '00010005912143F500000BC8329BFD06DDDF723619',
      len: 20,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const part = only(encodeSubmit(c.opts));
      assert.equal(part.pdu, c.pdu);
      assert.equal(part.tpduLength, c.len);
    });
  }

  test('three-part GSM-7 with ref 0x88 matches byte for byte (fill bit after the UDH)', () => {
    // python-messaging's multipart vector (made with umts-tools): first octet 0x51 = SUBMIT |
    // VPF relative | UDHI; UDL A0 = 160 = 7 + 153; UDH 050003 88 03 0n.
    const text =
      "Or walk with Kings - nor lose the common touch, if neither foes nor loving friends can hurt you, If all men count with you, but none too much; If you can fill the unforgiving minute With sixty seconds' worth of distance run, Yours is the Earth and everything thats in it, And - which is more - you will be a Man, my son";
    const parts = encodeSubmit({
      to: '655345678',
      text,
      validityMinutes: 4 * 24 * 60,
      concatReference: 136,
    });
    assert.deepEqual(
      parts.map((p) => p.pdu),
      [
        '005100098156355476F80000AAA00500038803019E72D03DCC5E83EE693A1AB44CBBCF73500BE47ECB41ECF7BC0CA2A3CBA0F1BBDD7EBB41F4777D8C6681D26690BB9CA6A3CB7290F95D9E83DC6F3988FDB6A7DD6790599E2EBBC973D038EC06A1EB723A28FFAEB340493328CC6683DA653768FCAEBBE9A07B9A8E06E5DF7516485CA783DC6F7719447FBF41EDFA18BD0325CDA0FCBB0E1A87DD',
        '005100098156355476F80000AAA005000388030240E6349B0DA2A3CBA0BADBFC969FD3F6B4FB0C6AA7DD757A19744DD3D1A0791A4FCF83E6E5F1DB4D9E9F40F7B79C8E06BDCD20727A4E0FBBC76590BCEE6681B2EFBA7C0E4ACF41747419540CCBE96850D84D0695ED65799E8E4EBBCF203A3A4C9F83D26E509ACE0205DD64500B7447A7C768507A0E6ABFE565500B947FD741F7349B0D129741',
        '005100098156355476F80000AA14050003880303C2A066D8CD02B5F3A0F9DB0D',
      ],
    );
    assert.deepEqual(
      parts.map((p) => p.tpduLength),
      [153, 153, 31], // 13 header octets + 140 octets of user data; 13 + ceil(20 × 7 / 8)
    );
    assert.deepEqual(
      parts.map((p) => [p.partNumber, p.totalParts]),
      [
        [1, 3],
        [2, 3],
        [3, 3],
      ],
    );
    assert.equal(parts.map((p) => p.text).join(''), text);
  });
});

describe('encodeSubmit: option checking', () => {
  const bad: [string, Parameters<typeof encodeSubmit>[0]][] = [
    ['empty number', { to: '', text: 'x' }],
    ['spaces in the number', { to: '+91 98123 45678', text: 'x' }],
    ['21 digits', { to: `+${'9'.repeat(21)}`, text: 'x' }],
    ['messageReference 256', { to: '+91981', text: 'x', messageReference: 256 }],
    ['negative concatReference', { to: '+91981', text: 'x', concatReference: -1 }],
    ['fractional concatReference', { to: '+91981', text: 'x', concatReference: 1.5 }],
    ['zero validity', { to: '+91981', text: 'x', validityMinutes: 0 }],
    ['NaN validity', { to: '+91981', text: 'x', validityMinutes: Number.NaN }],
    ['more than 255 parts', { to: '+91981', text: 'a'.repeat(153 * 255 + 1) }],
  ];
  for (const [name, opts] of bad) {
    test(`rejects ${name} with PDU_INVALID`, () => {
      assert.throws(
        () => encodeSubmit(opts),
        (err: unknown) => isPduError(err, 'PDU_INVALID'),
      );
    });
  }

  test('255 parts is still allowed', () => {
    assert.equal(encodeSubmit({ to: '+91981', text: 'a'.repeat(153 * 255) }).length, 255);
  });

  test('20 digits and * / # are accepted', () => {
    const part = only(encodeSubmit({ to: `+${'1'.repeat(20)}`, text: 'x' }));
    assert.equal(decodeSubmit(part.pdu).to, `+${'1'.repeat(20)}`);
    assert.equal(decodeSubmit(only(encodeSubmit({ to: '*121#', text: 'x' })).pdu).to, '*121#');
  });
});
