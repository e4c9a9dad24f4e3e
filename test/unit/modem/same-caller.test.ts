import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameCaller } from '../../../src/modem/modem.js';

test('sameCaller: +CLIP and +CLCC forms of one number match; other numbers and withheld do not', () => {
  assert.equal(sameCaller('+919812345678', '919812345678'), true);
  assert.equal(sameCaller('09812345678', '+919812345678'), true);
  assert.equal(sameCaller('9812345678', '9812345678'), true);
  assert.equal(sameCaller('+919812345678', '+919812345679'), false);
  assert.equal(sameCaller(null, null), true);
  assert.equal(sameCaller(null, '+919812345678'), false);
});
