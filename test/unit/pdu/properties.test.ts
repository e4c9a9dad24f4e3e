import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import fc from 'fast-check';

import {
  decodePdu,
  decodeRelativeValidity,
  encodeDeliver,
  encodeRelativeValidity,
  encodeStatusReport,
  encodeSubmit,
  isPduError,
  MAX_PARTS,
  planText,
  type DecodedDeliver,
  type DecodedStatusReport,
  type DecodedSubmit,
  type SubmitPart,
} from '../../../src/sms/pdu/index.js';
import { septetsToText } from '../../../src/sms/pdu/gsm7.js';

// Every character of the default alphabet and its extension table, from the decoder's own view.
const GSM_CHARS = [
  ...septetsToText(Array.from({ length: 128 }, (_, i) => i).filter((i) => i !== 0x1b)),
  ...'\f^{}\\[~]|€',
];
const INDIC = [...'कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहािीुूृेैोौंःँ़्।०१२३'];
const TAMIL_BENGALI_GURMUKHI = [...'வணக்கம்நன்றிনমস্কারধন্যবাদਸਤਿਸ੍ਰੀਅਕਾਲ'];
const EMOJI = ['😀', '👍🏽', '👨‍👩‍👧', '🇮🇳', '\u200d', '\ufe0f'];

// fast-check keeps strings short unless told otherwise (size "small" ≈ 10 units), which would never
// reach a part boundary; `size: 'max'` spreads lengths over the whole range up to maxLength.
const unicodeText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300, size: 'max' }),
  fc.string({ unit: 'grapheme', maxLength: 200, size: 'max' }),
  fc.string({ unit: fc.constantFrom(...INDIC, ' '), maxLength: 400, size: 'max' }),
  fc.string({
    unit: fc.constantFrom(...TAMIL_BENGALI_GURMUKHI, ...EMOJI, 'a', ' '),
    maxLength: 300,
    size: 'max',
  }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  // Lone surrogates are not valid text, but nothing upstream guarantees well-formed strings.
  fc
    .array(fc.integer({ min: 0xd700, max: 0xe000 }), { maxLength: 150, size: 'max' })
    .map((units) => String.fromCharCode(...units)),
);
const gsmText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...GSM_CHARS), maxLength: 700, size: 'max' }),
  fc.string({ unit: fc.constantFrom(...GSM_CHARS), maxLength: 20 }),
);
const number = fc.oneof(
  fc.stringMatching(/^\+[1-9][0-9]{5,19}$/),
  fc.stringMatching(/^[0-9]{3,20}$/),
);

/** Octets of TP-UD in a SUBMIT PDU, computed from the fields in front of it. */
function userDataOctets(part: SubmitPart): number {
  const octets = Buffer.from(part.pdu, 'hex');
  const first = octets[1] ?? 0;
  const daDigits = octets[3] ?? 0;
  const vp = (first & 0x18) === 0x10 ? 1 : 0;
  const headerOctets = 1 + 1 + (2 + Math.ceil(daDigits / 2)) + 2 + vp + 1;
  return part.tpduLength - headerOctets;
}

function checkRoundTrip(text: string, parts: SubmitPart[], to: string): void {
  const plan = planText(text);
  assert.equal(parts.length, plan.parts.length);
  assert.ok(parts.length <= MAX_PARTS);
  const decoded = parts.map((p) => decodePdu(p.pdu) as DecodedSubmit);
  assert.equal(decoded.map((d) => d.text).join(''), text);
  parts.forEach((part, i) => {
    const d = decoded[i];
    assert.ok(d);
    assert.equal(d.type, 'submit');
    assert.equal(d.to, to);
    assert.equal(d.encoding, plan.encoding);
    assert.equal(d.text, part.text);
    assert.equal(part.tpduLength, part.pdu.length / 2 - 1);
    assert.ok(part.pdu.startsWith('00'));
    assert.equal(part.pdu, part.pdu.toUpperCase());
    assert.ok(userDataOctets(part) <= 140, `part ${i + 1} carries ${userDataOctets(part)} octets`);
    if (parts.length === 1) {
      assert.equal(d.concat, null);
    } else {
      assert.deepEqual(d.concat, { reference: 7, total: parts.length, sequence: i + 1, referenceBits: 8 });
    }
  });
}

describe('properties', () => {
  test('any Unicode text: encodeSubmit → decodePdu → join gives the text back', () => {
    fc.assert(
      fc.property(unicodeText, number, (text, to) => {
        checkRoundTrip(text, encodeSubmit({ to, text, concatReference: 7 }), to);
      }),
      { numRuns: 300 },
    );
  });

  test('GSM alphabet text incl. extension chars: round trip in GSM-7', () => {
    fc.assert(
      fc.property(gsmText, number, (text, to) => {
        const parts = encodeSubmit({ to, text, concatReference: 7 });
        checkRoundTrip(text, parts, to);
        assert.ok(parts.every((p) => (decodePdu(p.pdu) as DecodedSubmit).encoding === 'gsm7'));
      }),
      { numRuns: 300 },
    );
  });

  test('plan limits: parts within capacity, no split escape or surrogate pair', () => {
    fc.assert(
      fc.property(fc.oneof(unicodeText, gsmText), (text) => {
        const plan = planText(text);
        assert.equal(plan.parts.join(''), text);
        const single = plan.parts.length === 1;
        for (const part of plan.parts) {
          if (plan.encoding === 'ucs2') {
            assert.ok(part.length <= (single ? 70 : 67));
            // A part never ends on a high surrogate whose low half opens the next part.
          } else {
            const septets = [...part].reduce((n, ch) => n + ('\f^{}\\[~]|€'.includes(ch) ? 2 : 1), 0);
            assert.ok(septets <= (single ? 160 : 153));
          }
        }
        for (let i = 0; i + 1 < plan.parts.length; i++) {
          const end = plan.parts[i]?.charCodeAt((plan.parts[i]?.length ?? 0) - 1) ?? 0;
          const start = plan.parts[i + 1]?.charCodeAt(0) ?? 0;
          const splitPair = end >= 0xd800 && end <= 0xdbff && start >= 0xdc00 && start <= 0xdfff;
          assert.ok(!splitPair, 'surrogate pair split across parts');
        }
      }),
      { numRuns: 500 },
    );
  });

  test('status report flag, validity, message and concat references survive the round trip', () => {
    fc.assert(
      fc.property(
        fc.record({
          text: fc.oneof(gsmText, unicodeText),
          requestStatusReport: fc.boolean(),
          validityMinutes: fc.option(fc.integer({ min: 1, max: 700_000 }), { nil: null }),
          messageReference: fc.integer({ min: 0, max: 255 }),
          concatReference: fc.integer({ min: 0, max: 255 }),
          forceUcs2: fc.boolean(),
        }),
        (opts) => {
          const parts = encodeSubmit({ to: '+919812345678', ...opts });
          for (const part of parts) {
            const d = decodePdu(part.pdu) as DecodedSubmit;
            assert.equal(d.statusReportRequested, opts.requestStatusReport);
            assert.equal(d.messageReference, opts.messageReference);
            if (opts.validityMinutes === null) {
              assert.equal(d.validityMinutes, null);
            } else {
              const vp = encodeRelativeValidity(opts.validityMinutes);
              assert.equal(d.validityMinutes, decodeRelativeValidity(vp));
              // Rounded up (never shorter than asked) unless beyond the 63-week maximum.
              assert.ok((d.validityMinutes ?? 0) >= Math.min(opts.validityMinutes, 635_040));
            }
            if (opts.forceUcs2) assert.equal(d.encoding, 'ucs2');
            if (parts.length > 1) assert.equal(d.concat?.reference, opts.concatReference);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('relative validity: representable values are exact, others round up to the nearest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), (vp) => {
        assert.equal(encodeRelativeValidity(decodeRelativeValidity(vp)), vp);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 635_040 }), (minutes) => {
        const vp = encodeRelativeValidity(minutes);
        assert.ok(decodeRelativeValidity(vp) >= minutes);
        if (vp > 0) assert.ok(decodeRelativeValidity(vp - 1) < minutes);
      }),
    );
  });

  test('SMS-DELIVER round trip: numbers and alphanumeric senders, 8- and 16-bit references', () => {
    const sender = fc.oneof(
      number,
      fc
        .string({ unit: fc.constantFrom(...GSM_CHARS), minLength: 1, maxLength: 11 })
        .filter((s) => [...s].reduce((n, ch) => n + ('\f^{}\\[~]|€'.includes(ch) ? 2 : 1), 0) <= 11),
    );
    fc.assert(
      fc.property(
        sender,
        fc.oneof(gsmText, unicodeText),
        fc.constantFrom<8 | 16>(8, 16),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: -48, max: 56 }).map((q) => q * 15),
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2069-12-31T00:00:00Z'), noInvalidDate: true }),
        (from, text, referenceBits, reference, tz, date) => {
          const timestamp = new Date(Math.floor(date.getTime() / 1000) * 1000);
          const pdus = encodeDeliver({
            from,
            text,
            timestamp,
            tzOffsetMinutes: tz,
            referenceBits,
            concatReference: referenceBits === 16 ? reference * 257 : reference,
          });
          const parts = pdus.map((p) => decodePdu(p) as DecodedDeliver);
          assert.equal(parts.map((p) => p.text).join(''), text);
          for (const [i, p] of parts.entries()) {
            assert.equal(p.from, from);
            assert.equal(p.timestamp.getTime(), timestamp.getTime());
            assert.equal(p.tzOffsetMinutes, tz);
            if (parts.length > 1) {
              assert.equal(p.concat?.referenceBits, referenceBits);
              assert.equal(p.concat?.sequence, i + 1);
              assert.equal(p.concat?.total, parts.length);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('SMS-STATUS-REPORT round trip', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        number,
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 946_684_800, max: 3_000_000_000 }),
        fc.integer({ min: 0, max: 86_400 }),
        (mr, recipient, status, submittedSec, delaySec) => {
          const submittedAt = new Date(submittedSec * 1000);
          const dischargedAt = new Date((submittedSec + delaySec) * 1000);
          const r = decodePdu(
            encodeStatusReport({ messageReference: mr, recipient, submittedAt, dischargedAt, status }),
          ) as DecodedStatusReport;
          assert.equal(r.type, 'status-report');
          assert.equal(r.messageReference, mr);
          assert.equal(r.recipient, recipient);
          assert.equal(r.status, status);
          assert.equal(r.submittedAt.getTime(), submittedAt.getTime());
          assert.equal(r.dischargedAt.getTime(), dischargedAt.getTime());
        },
      ),
    );
  });

  test('random bytes never escape as anything but a PduError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, hasSmsc) => {
        try {
          decodePdu(Buffer.from(bytes).toString('hex'), { hasSmsc });
        } catch (err) {
          assert.ok(isPduError(err), `non-PduError thrown: ${String(err)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('a valid PDU with corrupted octets never escapes as anything but a PduError', () => {
    const seeds = [
      ...encodeSubmit({ to: '+919812345678', text: 'नमस्ते दुनिया '.repeat(8), validityMinutes: 60 }),
    ].map((p) => p.pdu);
    seeds.push(
      ...encodeDeliver({
        from: 'AD-PARTY',
        text: 'Hello {volunteer} '.repeat(12),
        timestamp: new Date('2026-01-26T04:30:00Z'),
        referenceBits: 16,
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (hex, edits, cut) => {
          const bytes = Buffer.from(hex, 'hex');
          for (const [pos, value] of edits) bytes[pos % bytes.length] = value;
          const corrupted = bytes.subarray(0, bytes.length - (cut % 4)).toString('hex');
          try {
            decodePdu(corrupted);
          } catch (err) {
            assert.ok(isPduError(err), `non-PduError thrown: ${String(err)}`);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('junk appended after a valid PDU changes nothing', () => {
    fc.assert(
      fc.property(unicodeText, fc.uint8Array({ minLength: 1, maxLength: 20 }), (text, junk) => {
        for (const part of encodeSubmit({ to: '+919812345678', text })) {
          const clean = decodePdu(part.pdu);
          const dirty = decodePdu(part.pdu + Buffer.from(junk).toString('hex'));
          assert.deepEqual(dirty, clean);
        }
      }),
      { numRuns: 200 },
    );
  });
});
