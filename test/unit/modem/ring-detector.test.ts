import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingDetector, type RingEvent } from '../../../src/modem/ring-detector.js';

const opts = { clipWaitMs: 1000, cycleGapMs: 8000, sameCallGuardMs: 3000 };
const clip = (number: string, type: number | null = 145) => ({ number, type, withheld: number === '' });
const incoming = (events: RingEvent[]) => events.filter((e) => e.type === 'incoming');

test('RING then +CLIP: one call, number known at the +CLIP line', () => {
  const d = new RingDetector(opts);
  assert.deepEqual(d.ring(0), []);
  const ev = d.clip(12, clip('+919812345678'));
  assert.equal(ev.length, 1);
  assert.deepEqual(ev[0], {
    type: 'incoming',
    cycle: 1,
    number: '+919812345678',
    numberType: 145,
    withheld: false,
    source: 'clip',
    rangAt: 0,
    knownAt: 12,
    callerGaveUp: false,
  });
});

test('repeated RING/+CLIP of one ring cycle is still one call', () => {
  const d = new RingDetector(opts);
  const all: RingEvent[] = [];
  for (let t = 0; t < 20000; t += 4000) {
    all.push(...d.ring(t), ...d.clip(t + 5, clip('9812345678', 129)));
    all.push(...d.tick(t + 3999));
  }
  assert.equal(incoming(all).length, 1);
});

test('+CLIP before RING and +CLIP without RING each give one call', () => {
  const a = new RingDetector(opts);
  assert.equal(incoming([...a.clip(0, clip('+919812345678')), ...a.ring(3)]).length, 1);
  const b = new RingDetector(opts);
  assert.equal(incoming(b.clip(0, clip('+919812345678'))).length, 1);
});

test('RING without +CLIP: after the wait the detector asks for AT+CLCC and uses its answer', () => {
  const d = new RingDetector(opts);
  d.ring(100);
  assert.equal(d.nextDeadline(), 1100);
  assert.deepEqual(d.tick(1099), []);
  assert.deepEqual(d.tick(1100), [{ type: 'query-clcc', cycle: 1 }]);
  const ev = d.clcc(1130, { number: '+919812345678', type: 145 });
  assert.equal(ev[0]?.type === 'incoming' && ev[0].source, 'clcc');
  assert.equal(ev[0]?.type === 'incoming' && ev[0].number, '+919812345678');
  assert.equal(ev[0]?.type === 'incoming' && ev[0].rangAt, 100);
});

test('RING without +CLIP and an empty AT+CLCC: recorded as withheld', () => {
  const d = new RingDetector(opts);
  d.ring(0);
  d.tick(1000);
  const ev = d.clcc(1010, null);
  assert.equal(ev[0]?.type === 'incoming' && ev[0].withheld, true);
  assert.equal(ev[0]?.type === 'incoming' && ev[0].source, 'none');
});

test('a withheld +CLIP is a withheld call', () => {
  const d = new RingDetector(opts);
  const ev = d.clip(0, { number: '', type: 128, withheld: true });
  assert.equal(ev[0]?.type === 'incoming' && ev[0].withheld, true);
  assert.equal(ev[0]?.type === 'incoming' && ev[0].number, null);
});

test('a caller who gives up before the number is known is still recorded', () => {
  const d = new RingDetector(opts);
  d.ring(0);
  const ev = d.callEnded(400);
  assert.equal(incoming(ev).length, 1);
  assert.equal(ev[0]?.type === 'incoming' && ev[0].callerGaveUp, true);
  assert.deepEqual(ev[1], { type: 'ended', cycle: 1, reason: 'caller-gave-up' });
  assert.equal(d.busy, false);
});

test('SIMCom MISSED_CALL carries the number of a caller who gave up', () => {
  const d = new RingDetector(opts);
  d.ring(0);
  const ev = d.callEnded(400, '+27821234567');
  assert.equal(ev[0]?.type === 'incoming' && ev[0].number, '+27821234567');
  assert.equal(ev[0]?.type === 'incoming' && ev[0].source, 'call-end');
});

test('after our hang-up the next caller is a new call, even a second later', () => {
  const d = new RingDetector(opts);
  d.ring(0);
  d.clip(5, clip('+919811111111'));
  assert.deepEqual(d.hungUp(20), [{ type: 'ended', cycle: 1, reason: 'hung-up' }]);
  d.ring(1000);
  const ev = d.clip(1005, clip('+919822222222'));
  assert.equal(ev[0]?.type === 'incoming' && ev[0].number, '+919822222222');
  assert.equal(ev[0]?.type === 'incoming' && ev[0].cycle, 2);
});

test('the same number ringing on right after our hang-up is the old call still ringing', () => {
  const d = new RingDetector(opts);
  d.clip(0, clip('+919811111111'));
  d.hungUp(20);
  d.ring(2000);
  assert.deepEqual(d.clip(2005, clip('+919811111111')), [{ type: 'still-ringing', cycle: 1 }]);
  // ...and after the guard window the same number is a real repeat call.
  d.hungUp(2050);
  d.ring(6000);
  assert.equal(incoming(d.clip(6005, clip('+919811111111'))).length, 1);
});

test('once the modem confirms the call is gone, the same number ringing again is a redial: a new call', () => {
  const d = new RingDetector(opts);
  d.clip(0, clip('+919811111111'));
  d.hungUp(20);
  d.confirmGone('+919899999999'); // another caller: the guard stays
  d.ring(1500);
  assert.deepEqual(d.clip(1505, clip('+919811111111')), [{ type: 'still-ringing', cycle: 1 }]);
  d.hungUp(1550);
  d.confirmGone('+919811111111');
  d.ring(2500);
  const ev = incoming(d.clip(2505, clip('+919811111111')));
  assert.equal(ev.length, 1);
  assert.equal(ev[0]?.type === 'incoming' && ev[0].number, '+919811111111');
});

test('a cycle with no ring for the gap ends quietly; the next ring is a new call', () => {
  const d = new RingDetector(opts);
  d.clip(0, clip('+919811111111'));
  assert.equal(d.nextDeadline(), 8000);
  assert.deepEqual(d.tick(8000), [{ type: 'ended', cycle: 1, reason: 'quiet' }]);
  assert.equal(incoming(d.clip(9000, clip('+919811111111'))).length, 1);
});

test('two detectors (two modems) ringing in the same millisecond give two calls', () => {
  const a = new RingDetector(opts);
  const b = new RingDetector(opts);
  const ev = [...a.clip(0, clip('+919811111111')), ...b.clip(0, clip('+919822222222'))];
  assert.equal(incoming(ev).length, 2);
});

test('call-end lines with no call in progress are ignored', () => {
  const d = new RingDetector(opts);
  assert.deepEqual(d.callEnded(0), []);
  assert.equal(d.busy, false);
});

test('a +CLIP with another number while a call is announced is the next caller', () => {
  const d = new RingDetector(opts);
  d.clip(0, clip('+919811111111'));
  const ev = d.clip(50, clip('+919822222222'));
  assert.equal(ev[0]?.type === 'incoming' && ev[0].number, '+919822222222');
});
