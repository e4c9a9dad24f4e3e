import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventKind } from '../../../src/events/event-log.js';
import { eventText, formatter, LANGS, parseLang, type ReasonKind } from '../../../src/web/i18n.js';

const EVENT_KINDS: EventKind[] = [
  'box-started', 'box-stopping', 'modem-ready', 'modem-recovered', 'modem-no-sim', 'modem-not-registered', 'modem-unresponsive',
  'modem-gone', 'modem-restart', 'modem-bad-input', 'modem-timeouts', 'calls-not-saved', 'hangup-unconfirmed', 'login-failed',
  'test-sms', 'sync-now', 'text',
];
const REASONS: ReasonKind[] = ['modem-state', 'weak-signal', 'sync-down', 'sync-behind', 'sms-failed', 'sms-queue', 'disk-low', 'calls-not-saved', 'no-modem-ready'];

test('every event and every health reason reads as words in both languages, and the two differ', () => {
  const params = { version: '1.0', operator: 'Jio 4G', signalDbm: -71, reason: 'missing', registration: 'searching', port: '/dev/ttyUSB2', error: 'x', by: 'ravi', lines: 3, count: 2, user: 'u', ip: '1.2.3.4', to: '+91 98•••••678', text: 'free text', label: 'line-2', state: 'no-sim', dbm: -109, since: 0, now: 3_600_000, backlog: 5, lastAckAt: 0, free: 1024 };
  const en = formatter('en');
  const hi = formatter('hi');
  for (const kind of EVENT_KINDS) {
    const a = eventText(en, kind, params);
    const b = eventText(hi, kind, params);
    assert.ok(a.length > 2 && !a.includes('undefined'), `${kind}: ${a}`);
    assert.ok(b.length > 2 && !b.includes('undefined'), `${kind}: ${b}`);
    if (kind !== 'text') assert.notEqual(a, b, kind);
  }
  for (const kind of REASONS) {
    const a = en.words.reasons[kind](params, en);
    const b = hi.words.reasons[kind](params, hi);
    assert.ok(a.length > 2 && !a.includes('undefined'), `${kind}: ${a}`);
    assert.notEqual(a, b, kind);
  }
  assert.equal(eventText(en, 'modem-no-sim', { reason: 'missing' }), 'No SIM card: insert one');
  assert.equal(eventText(en, 'unknown-kind', {}), 'unknown-kind', 'an event from a newer version shows its kind');
});

test('formatting: Indian digit grouping, 24-hour times, durations, sizes, relative times in both languages', () => {
  const en = formatter('en');
  const hi = formatter('hi');
  assert.equal(en.num(4210), '4,210');
  assert.equal(en.num(1234567), '12,34,567');
  assert.equal(hi.num(1234567), '12,34,567', 'Latin digits in Hindi too (phones and SMS use them)');
  assert.equal(en.num(null), '—');
  const now = new Date(2026, 10, 28, 14, 5).getTime();
  assert.equal(en.time(now, now), '14:05');
  assert.match(en.time(now - 86_400_000, now), /27 Nov.*14:05/);
  assert.equal(en.duration(40), '40 s');
  assert.equal(en.duration(3 * 3600 + 12 * 60), '3 h 12 min');
  assert.equal(en.duration(93784), '1 d 2 h');
  assert.equal(hi.duration(3 * 3600), '3 घंटे');
  assert.equal(en.bytes(1536 * 1024 * 1024), '1.5 GB');
  assert.equal(en.ago(now - 10_000, now), 'just now');
  assert.match(en.ago(now - 180_000, now), /3 min/);
  assert.match(hi.ago(now - 180_000, now), /3 मिनट/);
});

test('parseLang: only known languages; anything else is English', () => {
  assert.deepEqual([...LANGS], ['en', 'hi']);
  assert.equal(parseLang('hi'), 'hi');
  for (const v of ['HI', 'fr', undefined, '<script>', 3]) assert.equal(parseLang(v), 'en');
});
