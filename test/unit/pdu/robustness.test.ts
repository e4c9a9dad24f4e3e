import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  decodePdu,
  encodeDeliver,
  encodeSubmit,
  isPduError,
  PduError,
  type DecodedDeliver,
  type DecodedStatusReport,
  type PduErrorCode,
} from '../../../src/sms/pdu/index.js';
import { deliverWithHeader } from '../inbox/pdu-builder.js';

const HELLO = '07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37';
const HINDI_PART_2 =
  '00440C91198967452301001862903201112122280500030902020924094700200928092E0938094D0924094700200928092E0938094D092409470020';
const STATUS_REPORT = '079144973770939906660C91449788515605903021514363009030215143040000';

function throwsPdu(fn: () => unknown, code: PduErrorCode, field?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PduError, `expected a PduError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (field !== undefined) assert.equal(err.field, field, err.message);
    return true;
  });
}

describe('junk after the stated length', () => {
  test('bytes after TP-UD are ignored (GSM-7)', () => {
    const d = decodePdu(`${HELLO}FF00AA55`) as DecodedDeliver;
    assert.equal(d.text, 'hellohello');
  });

  test('bytes after TP-UD are ignored (UCS-2 with UDH)', () => {
    const d = decodePdu(`${HINDI_PART_2}0000000000`) as DecodedDeliver;
    assert.equal(d.text, 'ते नमस्ते नमस्ते ');
  });

  test('bytes after TP-ST are ignored (status report)', () => {
    const d = decodePdu(`${STATUS_REPORT}07000000`) as DecodedStatusReport;
    assert.equal(d.outcome, 'delivered');
    assert.equal(d.messageReference, 102);
  });

  test('padding bits in the last septet octet are ignored', () => {
    // "hellohello" is 70 bits in 9 octets; set the 2 unused top bits of the last octet.
    const d = decodePdu(HELLO.slice(0, -2) + 'F7') as DecodedDeliver;
    assert.equal(d.text, 'hellohello');
  });
});

describe('truncated PDUs throw PDU_TRUNCATED naming the field', () => {
  test('named fields', () => {
    throwsPdu(() => decodePdu(''), 'PDU_TRUNCATED', 'SMSC length');
    throwsPdu(() => decodePdu('0791728301'), 'PDU_TRUNCATED', 'SMSC');
    throwsPdu(() => decodePdu('00'), 'PDU_TRUNCATED', 'first octet');
    throwsPdu(() => decodePdu(HELLO.slice(0, 24)), 'PDU_TRUNCATED', 'TP-OA');
    throwsPdu(() => decodePdu(HELLO.slice(0, 40)), 'PDU_TRUNCATED', 'TP-SCTS');
    throwsPdu(() => decodePdu(HELLO.slice(0, 52)), 'PDU_TRUNCATED', 'TP-UDL');
    throwsPdu(() => decodePdu(HELLO.slice(0, -2)), 'PDU_TRUNCATED', 'TP-UD');
    throwsPdu(() => decodePdu(STATUS_REPORT.slice(0, -2)), 'PDU_TRUNCATED', 'TP-ST');
  });

  test('the error carries the octet offset into the whole PDU', () => {
    try {
      decodePdu(HELLO.slice(0, -2));
      assert.fail('expected a throw');
    } catch (err) {
      assert.ok(isPduError(err, 'PDU_TRUNCATED'));
      assert.equal(err.offset, 27); // 8 SMSC octets + 19 TPDU octets before TP-UD
    }
  });

  const vectors = [
    HELLO,
    HINDI_PART_2,
    STATUS_REPORT,
    ...encodeSubmit({ to: '+919812345678', text: 'Hello {world} '.repeat(14), validityMinutes: 60 }).map(
      (p) => p.pdu,
    ),
    ...encodeDeliver({
      from: 'VM-BOXTST',
      text: 'स्वयंसेवक '.repeat(9),
      timestamp: new Date('2025-01-26T10:00:00Z'),
      referenceBits: 16,
      concatReference: 0xbeef,
    }),
  ];
  for (const [i, hex] of vectors.entries()) {
    test(`every proper prefix of vector ${i} is PDU_TRUNCATED, never a RangeError`, () => {
      for (let octets = 0; octets < hex.length / 2; octets++) {
        throwsPdu(() => decodePdu(hex.slice(0, octets * 2)), 'PDU_TRUNCATED');
      }
      assert.doesNotThrow(() => decodePdu(hex));
    });
  }
});

describe('malformed and unsupported input', () => {
  test('not hex, odd length → PDU_INVALID; case and surrounding whitespace are fine', () => {
    throwsPdu(() => decodePdu('07ZZ'), 'PDU_INVALID');
    throwsPdu(() => decodePdu(HELLO.slice(0, -1)), 'PDU_INVALID');
    throwsPdu(() => decodePdu('07 91'), 'PDU_INVALID');
    assert.equal((decodePdu(` ${HELLO.toLowerCase()}\r\n`) as DecodedDeliver).text, 'hellohello');
  });

  test('TP-MTI 11 is PDU_UNSUPPORTED', () => {
    throwsPdu(() => decodePdu('0003'), 'PDU_UNSUPPORTED');
  });

  test('compressed user data is PDU_UNSUPPORTED', () => {
    // hellohello with DCS 0x20 (general group, compressed bit).
    throwsPdu(() => decodePdu(HELLO.replace('F10000', 'F10020')), 'PDU_UNSUPPORTED', 'TP-DCS');
  });

  test('an impossible date is PDU_INVALID', () => {
    // Month 13 (swapped "31"), then day 32.
    throwsPdu(() => decodePdu(HELLO.replace('993092', '993192')), 'PDU_INVALID', 'TP-SCTS');
    throwsPdu(() => decodePdu(HELLO.replace('993092', '993023')), 'PDU_INVALID', 'TP-SCTS');
    throwsPdu(() => decodePdu(HELLO.replace('9930925161', '99309251A1')), 'PDU_INVALID', 'TP-SCTS');
  });

  test('an address longer than 20 digits is PDU_INVALID', () => {
    throwsPdu(() => decodePdu(`0004${'15'}91${'11'.repeat(11)}0000${'99309251619580'}00`), 'PDU_INVALID');
  });

  test('an SMSC longer than 11 octets is PDU_INVALID', () => {
    throwsPdu(() => decodePdu(`0C91${'11'.repeat(11)}04`), 'PDU_INVALID');
  });

  test('a UDH that claims more than TP-UD holds is PDU_INVALID', () => {
    // UCS-2 deliver, UDHI set, UDL 4, UDH length 9.
    throwsPdu(
      () => decodePdu('0040' + '0B919189674523F1' + '0008' + '62903201112122' + '04' + '09000300'),
      'PDU_INVALID',
      'TP-UDH',
    );
  });

  test('an information element that overruns UDHL is PDU_INVALID', () => {
    throwsPdu(
      () =>
        decodePdu('0040' + '0B919189674523F1' + '0008' + '62903201112122' + '06' + '0300050102' + '00'),
      'PDU_INVALID',
      'TP-UDH',
    );
  });

  test('GSM-7 UDL shorter than its own header is PDU_INVALID', () => {
    // UDHI, DCS 00, UDL 3 septets (3 octets); UDH 02 AA 00 is well formed but its 3 octets are
    // 4 septets.
    throwsPdu(
      () => decodePdu('0040' + '0B919189674523F1' + '0000' + '62903201112122' + '03' + '02AA00'),
      'PDU_INVALID',
      'TP-UDL',
    );
  });

  test('a concatenation element with sequence 0 or > total is ignored, the text kept', () => {
    const base = HINDI_PART_2;
    const bad = base.replace('0500030902020924', '0500030902030924');
    const d = decodePdu(bad) as DecodedDeliver;
    assert.equal(d.concat, null);
    assert.equal(d.text, 'ते नमस्ते नमस्ते ');
    assert.equal(d.userDataHeader.length, 1);
  });

  test('unknown information elements are skipped', () => {
    // UDH 0A: 24 01 06 (national single shift, Hindi) + 70 00 (unknown, empty) + 00 03 01 02 01.
    const hex =
      '0040' + '0B919189674523F1' + '0008' + '62903201112122' + '0F' + '0A240106700000030102010928092E';
    const d = decodePdu(hex) as DecodedDeliver;
    assert.deepEqual(d.concat, { reference: 1, total: 2, sequence: 1, referenceBits: 8 });
    assert.equal(d.text, 'नम');
    assert.deepEqual(
      d.userDataHeader.map((e) => e.iei),
      [0x24, 0x70, 0x00],
    );
  });

  test('an odd trailing octet of UCS-2 is dropped, not fatal', () => {
    const d = decodePdu('0000' + '0B919189674523F1' + '0008' + '62903201112122' + '03' + '092809') as DecodedDeliver;
    assert.equal(d.text, 'न');
  });
});

describe('GSM-7 written with a national language table (TS 23.038 Annex A)', () => {
  const FROM = '+919812345678';
  // UDHL 3 | IEI 25 (locking shift) or 24 (single shift), length 1, language id.
  const locking = (id: number): Uint8Array => Uint8Array.of(3, 0x25, 1, id);
  const single = (id: number): Uint8Array => Uint8Array.of(3, 0x24, 1, id);
  const read = (hex: string): DecodedDeliver => decodePdu(hex) as DecodedDeliver;

  test('the Hindi locking shift table is reported as unreadable, naming the language: the default reading is not the text', () => {
    // These septets spell "STOP" in the default alphabet, but Devanagari under the Hindi table.
    const d = read(deliverWithHeader(FROM, 'STOP', locking(6)));
    assert.match(d.unreadable ?? '', /Hindi national language locking shift table/);
    assert.match(read(deliverWithHeader(FROM, 'JOIN', locking(11))).unreadable ?? '', /Tamil/);
  });

  test('a single shift table only changes escaped characters: without an escape the text is read exactly', () => {
    const d = read(deliverWithHeader(FROM, 'JOIN Sunita 221008', single(6)));
    assert.equal(d.unreadable, null);
    assert.equal(d.text, 'JOIN Sunita 221008');
    // "€" is ESC 0x65: under the Hindi single shift table it is another character.
    assert.match(read(deliverWithHeader(FROM, 'Rs 10 €', single(6))).unreadable ?? '', /Hindi national language single shift/);
  });

  test('language 0 (the default tables) named explicitly is read as usual', () => {
    assert.deepEqual([read(deliverWithHeader(FROM, 'STOP €', locking(0)))].map((d) => [d.text, d.unreadable]), [['STOP €', null]]);
    assert.deepEqual([read(deliverWithHeader(FROM, 'STOP €', single(0)))].map((d) => [d.text, d.unreadable]), [['STOP €', null]]);
  });
});
