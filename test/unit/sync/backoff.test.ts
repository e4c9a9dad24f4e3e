import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Backoff, jitter } from '../../../src/sync/backoff.js';

test('backoff doubles its ceiling up to the maximum, waiting between half and all of it', () => {
  const low = new Backoff({ minMs: 1000, maxMs: 10_000, random: () => 0 });
  const high = new Backoff({ minMs: 1000, maxMs: 10_000, random: () => 1 });
  assert.deepEqual(Array.from({ length: 7 }, () => low.next()), [500, 1000, 2000, 4000, 5000, 5000, 5000]);
  assert.deepEqual(Array.from({ length: 7 }, () => high.next()), [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  assert.equal(high.attempts, 7);
  high.reset();
  assert.equal(high.next(), 1000);
});

test('backoff with real randomness stays within its bounds, and spreads', () => {
  const b = new Backoff({ minMs: 1000, maxMs: 300_000 });
  const waits = Array.from({ length: 40 }, () => b.next());
  for (const [i, w] of waits.entries()) {
    const ceiling = Math.min(300_000, 1000 * 2 ** i);
    assert.ok(w >= ceiling / 2 && w <= ceiling, `attempt ${i}: ${w}`);
  }
  const boxes = Array.from({ length: 100 }, () => new Backoff({ minMs: 1000, maxMs: 300_000 }));
  const tenth = boxes.map((x) => Array.from({ length: 10 }, () => x.next()).at(-1) ?? 0);
  assert.ok(new Set(tenth).size > 50, '100 boxes do not retry in step');
  assert.ok(jitter(1000) >= 500 && jitter(1000) <= 1000);
});
