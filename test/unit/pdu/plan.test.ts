import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  decodePdu,
  encodeSubmit,
  planText,
  type DecodedSubmit,
} from '../../../src/sms/pdu/index.js';
import { gsm7CharCost } from '../../../src/sms/pdu/gsm7.js';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function septets(text: string): number {
  let n = 0;
  for (const ch of text) n += gsm7CharCost(ch) ?? Number.NaN;
  return n;
}

function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** True when the boundary between parts[i] and parts[i+1] is a grapheme boundary of the whole. */
function boundariesAreGraphemeBoundaries(parts: string[]): boolean[] {
  const whole = parts.join('');
  const segments = graphemes.segment(whole);
  const result: boolean[] = [];
  let pos = 0;
  for (const part of parts.slice(0, -1)) {
    pos += part.length;
    result.push(segments.containing(pos)?.index === pos);
  }
  return result;
}

describe('planText: encoding choice', () => {
  test('GSM-7 when every character fits, extension chars counted twice', () => {
    const plan = planText('Rs. 500 {ok} €');
    assert.equal(plan.encoding, 'gsm7');
    assert.equal(plan.units, 14 + 3); // {, } and € cost two septets each
    assert.deepEqual(plan.parts, ['Rs. 500 {ok} €']);
  });

  test('form feed and every extension character cost two septets', () => {
    assert.equal(planText('^{}\\[~]|€\f').units, 20);
  });

  test('UCS-2 as soon as one character is outside the alphabet', () => {
    assert.equal(planText('Hello ç').encoding, 'ucs2'); // lower-case ç is not in GSM-7 (Ç is)
    assert.equal(planText('Hello Ç').encoding, 'gsm7');
    assert.equal(planText('नमस्ते').encoding, 'ucs2');
    assert.equal(planText('வணக்கம்').encoding, 'ucs2');
    assert.equal(planText('নমস্কার').encoding, 'ucs2');
    assert.equal(planText('ਸਤਿ ਸ੍ਰੀ ਅਕਾਲ').encoding, 'ucs2');
    assert.equal(planText('ok 👍').encoding, 'ucs2');
    assert.equal(planText('ok 👍').units, 5); // the emoji is two UTF-16 code units
  });

  test('forceUcs2 overrides a GSM-7 text', () => {
    const plan = planText('Hello', { forceUcs2: true });
    assert.equal(plan.encoding, 'ucs2');
    assert.equal(plan.units, 5);
  });

  test('empty text is one empty GSM-7 part', () => {
    assert.deepEqual(planText(''), { encoding: 'gsm7', parts: [''], units: 0 });
  });
});

describe('planText: GSM-7 limits', () => {
  test('160 characters → 1 part, 161 → 2 parts of 153 + 8', () => {
    assert.equal(planText('a'.repeat(160)).parts.length, 1);
    const plan = planText('a'.repeat(161));
    assert.deepEqual(
      plan.parts.map((p) => p.length),
      [153, 8],
    );
    assert.equal(plan.units, 161);
  });

  test('153 per part: 306 → 2 parts, 307 → 3, 459 → 3, 460 → 4', () => {
    assert.equal(planText('x'.repeat(306)).parts.length, 2);
    assert.equal(planText('x'.repeat(307)).parts.length, 3);
    assert.equal(planText('x'.repeat(459)).parts.length, 3);
    assert.equal(planText('x'.repeat(460)).parts.length, 4);
  });

  test('80 euro signs fit one part (160 septets); 81 need two of 76 + 5', () => {
    assert.equal(planText('€'.repeat(80)).parts.length, 1);
    assert.deepEqual(
      planText('€'.repeat(81)).parts.map((p) => p.length),
      [76, 5],
    );
  });

  test('an escape pair at the 153-septet boundary moves whole to the next part', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    const plan = planText(text);
    assert.deepEqual(plan.parts, ['a'.repeat(152), '€' + 'b'.repeat(10)]);
    const parts = encodeSubmit({ to: '+919812345678', text });
    const decoded = parts.map((p) => decodePdu(p.pdu) as DecodedSubmit);
    assert.deepEqual(
      decoded.map((d) => d.text),
      plan.parts,
    );
    // UDL = 7 header septets + 152, and the next part starts with ESC 0x65.
    assert.equal(parts[0]?.pdu.slice(26, 28), (7 + 152).toString(16).toUpperCase());
  });

  test('an escape pair is kept whole even when splitting it would save a part', () => {
    // 152 + 2 + 152 = 306 septets = exactly two full parts, but only if ESC and € were separated.
    const plan = planText('a'.repeat(152) + '€' + 'a'.repeat(152));
    assert.deepEqual(
      plan.parts.map((p) => septets(p)),
      [152, 153, 1],
    );
  });

  test('every extension character at every boundary position stays intact', () => {
    for (const ext of ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f']) {
      for (let lead = 148; lead <= 154; lead++) {
        const text = 'a'.repeat(lead) + ext.repeat(6) + 'z'.repeat(10);
        const plan = planText(text);
        assert.equal(plan.parts.join(''), text);
        for (const part of plan.parts) assert.ok(septets(part) <= 153, `${ext} at ${lead}`);
      }
    }
  });
});

describe('planText: UCS-2 limits', () => {
  test('70 code units → 1 part, 71 → 2 parts of 67 + 4', () => {
    assert.equal(planText('अ'.repeat(70)).parts.length, 1);
    assert.deepEqual(
      planText('अ'.repeat(71)).parts.map((p) => p.length),
      [67, 4],
    );
  });

  test('67 per part: 134 → 2, 135 → 3, 201 → 3, 202 → 4', () => {
    assert.equal(planText('ő'.repeat(134)).parts.length, 2);
    assert.equal(planText('ő'.repeat(135)).parts.length, 3);
    assert.equal(planText('ő'.repeat(201)).parts.length, 3);
    assert.equal(planText('ő'.repeat(202)).parts.length, 4);
  });

  test('an emoji straddling unit 67 is not split', () => {
    const text = 'अ'.repeat(66) + '😀' + 'आ'.repeat(10);
    const plan = planText(text);
    assert.deepEqual(plan.parts, ['अ'.repeat(66), '😀' + 'आ'.repeat(10)]);
    assert.ok(plan.parts.every((p) => !hasLoneSurrogate(p)));
  });

  test('a surrogate pair is kept whole even when splitting it would save a part', () => {
    // 66 + 2 + 66 = 134 units = exactly two full parts, but only if the emoji were cut in half.
    const text = 'a'.repeat(66) + '😀' + 'a'.repeat(66);
    const plan = planText(text);
    assert.equal(plan.encoding, 'ucs2');
    assert.deepEqual(
      plan.parts.map((p) => p.length),
      [66, 67, 1],
    );
    assert.ok(plan.parts.every((p) => !hasLoneSurrogate(p)));
  });

  test('a run of emoji splits only between pairs', () => {
    const plan = planText('😀'.repeat(50)); // 100 code units
    assert.deepEqual(
      plan.parts.map((p) => p.length),
      [66, 34],
    );
    assert.ok(plan.parts.every((p) => !hasLoneSurrogate(p)));
  });

  test('a 200-unit Hindi text → 3 parts of at most 67 units that join back', () => {
    const sentence = 'कृपया अपना नाम और पिनकोड भेजें। स्वयंसेवक बनने के लिए धन्यवाद। ';
    const text = sentence.repeat(5).slice(0, 200);
    assert.equal(text.length, 200);
    const plan = planText(text);
    assert.equal(plan.encoding, 'ucs2');
    assert.equal(plan.units, 200);
    assert.equal(plan.parts.length, 3);
    assert.ok(plan.parts.every((p) => p.length <= 67));
    assert.equal(plan.parts.join(''), text);
  });

  test('a conjunct at the boundary moves to the next part when that costs no extra part', () => {
    // क्ष is क + ् + ष: units 67-69. Splitting after 67 would leave "क्" alone.
    const text = 'क'.repeat(66) + 'क्ष' + 'क'.repeat(20);
    const plan = planText(text);
    assert.equal(plan.parts.length, 2);
    assert.equal(plan.parts[0], 'क'.repeat(66));
    assert.ok(plan.parts[1]?.startsWith('क्ष'));
    assert.deepEqual(boundariesAreGraphemeBoundaries(plan.parts), [true]);
  });

  test('… but stays split when keeping it whole would need an extra part', () => {
    const text = 'क'.repeat(66) + 'क्ष' + 'क'.repeat(65); // exactly 134 units = 2 × 67
    const plan = planText(text);
    assert.equal(plan.parts.length, 2);
    assert.equal(plan.parts[0]?.length, 67);
  });

  test('Hindi text with room to spare splits only between grapheme clusters', () => {
    const text = 'स्वयंसेवक बनने के लिए धन्यवाद। कृपया अपना नाम और पिनकोड भेजें। '.repeat(3);
    const plan = planText(text);
    assert.equal(plan.parts.join(''), text);
    assert.ok(plan.parts.every((p) => p.length <= 67));
    assert.deepEqual(
      boundariesAreGraphemeBoundaries(plan.parts),
      plan.parts.slice(1).map(() => true),
    );
  });
});

describe('encodeSubmit: concatenation headers', () => {
  test('each part carries 05 00 03 <ref> <total> <seq>', () => {
    const parts = encodeSubmit({
      to: '+919812345678',
      text: 'नमस्ते दुनिया '.repeat(15),
      concatReference: 0xab,
    });
    assert.equal(parts.length, 4);
    parts.forEach((part, i) => {
      // SMSC(1) first(1) MR(1) DA(8) PID(1) DCS(1) UDL(1) → the UD starts at octet 14.
      assert.equal(part.pdu.slice(2, 4), '41'); // SUBMIT + UDHI
      assert.equal(part.pdu.slice(28, 40), `050003AB04${(i + 1).toString(16).padStart(2, '0')}`);
      const d = decodePdu(part.pdu) as DecodedSubmit;
      assert.deepEqual(d.concat, { reference: 0xab, total: 4, sequence: i + 1, referenceBits: 8 });
      assert.equal(d.text, part.text);
      assert.deepEqual([part.partNumber, part.totalParts], [i + 1, 4]);
    });
  });

  test('GSM-7 multipart: UDL is 160 for a full part (7 header septets + 153)', () => {
    const [first] = encodeSubmit({ to: '+919812345678', text: 'x'.repeat(200) });
    assert.ok(first);
    assert.equal(first.pdu.slice(26, 28), 'A0');
    assert.equal(first.tpduLength, 13 + 140); // first, MR, DA(8), PID, DCS, UDL + 140 octets of UD
  });

  test('a single part has no header and UDHI clear', () => {
    const [only] = encodeSubmit({ to: '+919812345678', text: 'x'.repeat(160) });
    assert.ok(only);
    assert.equal(only.pdu.slice(2, 4), '01');
    assert.equal((decodePdu(only.pdu) as DecodedSubmit).concat, null);
  });
});
