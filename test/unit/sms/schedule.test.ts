import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import {
  describeInstant,
  localDay,
  nextLocalMidnight,
  parseInstant,
  parseQuietHours,
  quietHoursEnd,
  sendingGate,
  zonedToEpoch,
  zoneParts,
  type QuietHours,
  type SendWindow,
} from '../../../src/sms/schedule.js';

const IST = 'Asia/Kolkata';
/** 2026-11-28 00:00 in India. */
const MIDNIGHT_IST = Date.parse('2026-11-28T00:00:00+05:30');
const at = (hhmm: string, day = '2026-11-28'): number => Date.parse(`${day}T${hhmm}:00+05:30`);

function quiet(text: string): QuietHours {
  const q = parseQuietHours(text);
  assert.ok(q.ok && q.value, text);
  return q.value;
}

void describe('parseQuietHours', () => {
  void it('reads HH:MM-HH:MM, spaces and an en dash allowed', () => {
    assert.deepEqual(parseQuietHours('21:00-09:00'), { ok: true, value: { start: 1260, end: 540, text: '21:00-09:00' } });
    assert.deepEqual(parseQuietHours(' 9:30 – 13:05 '), { ok: true, value: { start: 570, end: 785, text: '09:30-13:05' } });
  });
  void it('empty text is no quiet hours', () => {
    assert.deepEqual(parseQuietHours(''), { ok: true, value: null });
    assert.deepEqual(parseQuietHours('   '), { ok: true, value: null });
  });
  void it('rejects what a person could mean two ways or not at all', () => {
    for (const bad of ['21:00', '21-09', '25:00-09:00', '21:60-09:00', '21:00-21:00', '9pm-9am', '21:00-09:00-10:00']) {
      assert.equal(parseQuietHours(bad).ok, false, bad);
    }
  });
});

void describe('parseInstant', () => {
  void it('needs the offset and reads it', () => {
    assert.deepEqual(parseInstant('2027-02-10T18:00+05:30'), { ok: true, value: Date.parse('2027-02-10T12:30:00Z') });
    assert.deepEqual(parseInstant('2027-02-10 18:00:30Z'), { ok: true, value: Date.parse('2027-02-10T18:00:30Z') });
    assert.deepEqual(parseInstant('2027-02-10T18:00+0530'), { ok: true, value: Date.parse('2027-02-10T12:30:00Z') });
  });
  void it('rejects a time without offset, and impossible dates', () => {
    for (const bad of ['2027-02-10T18:00', '2027-02-30T18:00+05:30', '2027-13-01T00:00Z', 'tomorrow', '2027-02-10']) {
      assert.equal(parseInstant(bad).ok, false, bad);
    }
  });
});

void describe('local time', () => {
  void it('localDay and zoneParts follow the zone, not UTC', () => {
    // 20:00 UTC on the 27th is 01:30 on the 28th in India.
    const t = Date.parse('2026-11-27T20:00:00Z');
    assert.equal(localDay(t, IST), '2026-11-28');
    assert.equal(localDay(t, 'UTC'), '2026-11-27');
    assert.deepEqual(zoneParts(t, IST), { year: 2026, month: 11, day: 28, hour: 1, minute: 30, second: 0 });
  });
  void it('zonedToEpoch inverts zoneParts, including across a DST change', () => {
    assert.equal(zonedToEpoch({ year: 2026, month: 11, day: 28, hour: 0, minute: 0 }, IST), MIDNIGHT_IST);
    // Europe/London springs forward on 2027-03-28 at 01:00 UTC.
    const t = zonedToEpoch({ year: 2027, month: 3, day: 28, hour: 12, minute: 0 }, 'Europe/London');
    assert.equal(new Date(t).toISOString(), '2027-03-28T11:00:00.000Z');
  });
  void it('nextLocalMidnight is the start of the next local day', () => {
    assert.equal(nextLocalMidnight(at('23:59'), IST), at('00:00', '2026-11-29'));
    assert.equal(nextLocalMidnight(at('00:00'), IST), at('00:00', '2026-11-29'));
  });
  void it('describeInstant gives the time on the same day, the date otherwise', () => {
    assert.equal(describeInstant(at('09:00'), at('08:00'), IST), '09:00');
    assert.equal(describeInstant(at('09:00', '2026-11-29'), at('22:00'), IST), '2026-11-29 09:00');
  });
});

void describe('quiet hours', () => {
  const q = quiet('21:00-09:00');
  void it('spans midnight: the end is the next morning from the evening, this morning after midnight', () => {
    assert.equal(quietHoursEnd(at('20:59'), q, IST), null);
    assert.equal(quietHoursEnd(at('21:00'), q, IST), at('09:00', '2026-11-29'));
    assert.equal(quietHoursEnd(at('23:30'), q, IST), at('09:00', '2026-11-29'));
    assert.equal(quietHoursEnd(at('00:10'), q, IST), at('09:00'));
    assert.equal(quietHoursEnd(at('08:59'), q, IST), at('09:00'));
    assert.equal(quietHoursEnd(at('09:00'), q, IST), null);
  });
  void it('a window inside one day', () => {
    const lunch = quiet('13:00-14:00');
    assert.equal(quietHoursEnd(at('12:59'), lunch, IST), null);
    assert.equal(quietHoursEnd(at('13:30'), lunch, IST), at('14:00'));
    assert.equal(quietHoursEnd(at('14:00'), lunch, IST), null);
  });
  void it('property: inside the window the end is in the future, at the end minute, and not quiet itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 7 * 86_400_000 }), (s, e, offset) => {
        fc.pre(s !== e);
        const window: QuietHours = { start: s, end: e, text: '' };
        const t = MIDNIGHT_IST + offset;
        const end = quietHoursEnd(t, window, IST);
        const p = zoneParts(t, IST);
        const minute = p.hour * 60 + p.minute;
        const inside = s < e ? minute >= s && minute < e : minute >= s || minute < e;
        assert.equal(end !== null, inside);
        if (end === null) return;
        assert.ok(end > t && end - t <= 86_400_000);
        const q2 = zoneParts(end, IST);
        assert.equal(q2.hour * 60 + q2.minute, e);
        assert.equal(quietHoursEnd(end, window, IST), null);
      }),
    );
  });
});

void describe('sendingGate', () => {
  const window = (over: Partial<SendWindow> = {}): SendWindow => ({ quietHours: quiet('21:00-09:00'), blackouts: [], timeZone: IST, ...over });

  void it('open outside quiet hours and blackouts', () => {
    assert.deepEqual(sendingGate(at('12:00'), window()), { open: true });
  });

  void it('quiet hours say until when', () => {
    const g = sendingGate(at('22:00'), window());
    assert.equal(g.open, false);
    assert.ok(!g.open);
    assert.equal(g.reason, 'quiet-hours');
    assert.equal(g.until, at('09:00', '2026-11-29'));
    assert.equal(g.text, 'quiet hours (21:00-09:00) until 2026-11-29 09:00');
  });

  void it('a blackout wins, with its reason; one ending at night waits for the morning', () => {
    const blackouts = [{ from: at('10:00'), to: at('22:00'), reason: 'poll silence' }];
    const g = sendingGate(at('11:00'), window({ blackouts }));
    assert.ok(!g.open);
    assert.equal(g.reason, 'blackout');
    assert.equal(g.until, at('09:00', '2026-11-29'), 'the blackout ends at 22:00, inside the quiet hours');
    assert.match(g.text, /^blackout \(poll silence\) until 2026-11-29 09:00$/);
  });

  void it('back-to-back blackouts are joined; the end of the last is the end', () => {
    const blackouts = [
      { from: at('10:00'), to: at('12:00'), reason: null },
      { from: at('12:00'), to: at('15:00'), reason: null },
    ];
    const g = sendingGate(at('11:00'), window({ quietHours: null, blackouts }));
    assert.ok(!g.open);
    assert.equal(g.until, at('15:00'));
    assert.equal(sendingGate(at('15:00'), window({ quietHours: null, blackouts })).open, true);
  });
});
