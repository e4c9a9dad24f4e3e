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

void describe('quiet hours across a DST change (sms.timezone in a zone that has one)', () => {
  const NY = 'America/New_York';
  void it('clocks jump forward past the end (02:30 does not exist): quiet until 03:00 EDT, the first local time after the end', () => {
    const q = quiet('22:00-02:30');
    const threeEdt = Date.parse('2026-03-08T07:00:00Z');
    for (const iso of ['2026-03-08T06:00:00Z', '2026-03-08T06:45:00Z', '2026-03-08T06:59:00Z']) {
      assert.equal(quietHoursEnd(Date.parse(iso), q, NY), threeEdt, iso);
      const gate = sendingGate(Date.parse(iso), { quietHours: q, blackouts: [], timeZone: NY });
      assert.ok(!gate.open, iso);
      assert.equal(gate.until, threeEdt);
    }
    assert.equal(quietHoursEnd(threeEdt, q, NY), null);
  });
  void it('clocks go back and 01:15 comes twice: quiet both times, each until the 01:30 that follows it', () => {
    const q = quiet('00:30-01:30');
    assert.equal(quietHoursEnd(Date.parse('2026-11-01T05:15:00Z'), q, NY), Date.parse('2026-11-01T05:30:00Z'), '01:15 EDT → 01:30 EDT');
    assert.equal(quietHoursEnd(Date.parse('2026-11-01T06:15:00Z'), q, NY), Date.parse('2026-11-01T06:30:00Z'), '01:15 EST → 01:30 EST');
    const gate = sendingGate(Date.parse('2026-11-01T06:15:00Z'), { quietHours: q, blackouts: [], timeZone: NY });
    assert.ok(!gate.open);
  });
  void it('property: inside the window, the end is the first minute that is not quiet, within a day, in zones with DST', () => {
    const inside = (t: number, w: QuietHours, zone: string): boolean => {
      const p = zoneParts(t, zone);
      const m = p.hour * 60 + p.minute;
      return w.start < w.end ? m >= w.start && m < w.end : m >= w.start || m < w.end;
    };
    // Two days either side of the changes of 2026 in New York and London.
    const changes = ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'].map(Date.parse);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.constantFrom(...changes),
        fc.integer({ min: -2 * 1440, max: 2 * 1440 }),
        fc.constantFrom(NY, 'Europe/London'),
        (s, e, change, minutes, zone) => {
          fc.pre(s !== e);
          const w: QuietHours = { start: s, end: e, text: '' };
          const t = change + minutes * 60_000;
          const end = quietHoursEnd(t, w, zone);
          assert.equal(end !== null, inside(t, w, zone));
          if (end === null) return;
          assert.ok(end > t && end - t <= 25 * 3_600_000, `end ${new Date(end).toISOString()} after ${new Date(t).toISOString()}`);
          if (end - 60_000 > t) assert.ok(inside(end - 60_000, w, zone), 'still quiet the minute before');
          // The gate goes on past an open gap that does not exist that night (02:00-02:01 when
          // clocks jump from 02:00 to 03:00), so where it opens it is really open.
          const gate = sendingGate(t, { quietHours: w, blackouts: [], timeZone: zone });
          assert.ok(!gate.open);
          assert.ok(gate.until >= end && gate.until - t <= 49 * 3_600_000);
          assert.equal(inside(gate.until, w, zone), false, 'open where the gate says');
          assert.ok(inside(gate.until - 60_000, w, zone) || gate.until - 60_000 <= t, 'and not a minute later than it could');
        },
      ),
      { numRuns: 2000 },
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
