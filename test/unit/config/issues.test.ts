import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ConfigError,
  editDistance,
  formatIssue,
  formatPath,
  isSecretKey,
  nearestKey,
  redact,
  showValue,
} from '../../../src/config/issues.js';

void describe('editDistance', () => {
  void it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    assert.equal(editDistance('modem', 'modems'), 1);
    assert.equal(editDistance('modems', 'modem'), 1);
    assert.equal(editDistance('prot', 'port'), 1);
    assert.equal(editDistance('levle', 'level'), 1);
    assert.equal(editDistance('http', 'log'), 4);
    assert.equal(editDistance('', 'box'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });
});

void describe('nearestKey', () => {
  const top = ['box', 'country', 'database', 'modems', 'http', 'calls', 'modemPoll', 'log'];

  void it('finds the key a typo meant', () => {
    assert.equal(nearestKey('modem', top), 'modems');
    assert.equal(nearestKey('Modems', top), 'modems');
    assert.equal(nearestKey('contry', top), 'country');
    assert.equal(nearestKey('databse', top), 'database');
    assert.equal(nearestKey('modempoll', top), 'modemPoll');
    assert.equal(nearestKey('baud', ['port', 'label', 'baudRate']), 'baudRate');
  });

  void it('suggests nothing when no key is close', () => {
    assert.equal(nearestKey('colour', top), undefined);
    assert.equal(nearestKey('x', top), undefined);
    assert.equal(nearestKey('sms', top), undefined);
  });
});

void describe('formatPath', () => {
  void it('writes paths as a person points at them', () => {
    assert.equal(formatPath([]), '');
    assert.equal(formatPath(['modems', 1, 'port']), 'modems[1].port');
    assert.equal(formatPath(['http', 'port']), 'http.port');
    assert.equal(formatPath(['box', 'my id']), 'box["my id"]');
  });
});

void describe('showValue', () => {
  void it('shows each kind of value recognisably', () => {
    assert.equal(showValue(42), '42');
    assert.equal(showValue('abc'), '"abc"');
    assert.equal(showValue(true), 'true');
    assert.equal(showValue(null), 'nothing (the value is empty)');
    assert.equal(showValue([]), 'an empty list');
    assert.equal(showValue([1]), 'a list of 1 item');
    assert.equal(showValue({ a: 1, b: 2 }), 'a section with "a", "b"');
    assert.equal(showValue('x'.repeat(100)), `"${'x'.repeat(60)}…"`);
  });
});

void describe('secrets', () => {
  void it('recognises secret key names and near misses', () => {
    for (const name of ['password', 'Password', 'passwordHash', 'key', 'pasword', 'mqttPassword', 'apiToken', 'secret']) {
      assert.ok(isSecretKey(name), name);
    }
    for (const name of ['port', 'keys', 'label', 'id', 0]) assert.ok(!isSecretKey(name), String(name));
  });

  void it('redacts secrets at any depth', () => {
    assert.deepEqual(redact({ host: 'h', password: 'p', nested: [{ key: 'k', ok: 1 }] }), {
      host: 'h',
      password: '(hidden)',
      nested: [{ key: '(hidden)', ok: 1 }],
    });
    assert.equal(redact('p', ['mqtt', 'password']), '(hidden)');
  });
});

void describe('ConfigError', () => {
  void it('puts one issue per line with the file, the path and the line', () => {
    const error = new ConfigError('config.yaml', [
      { path: 'modems[1].port', message: 'expected a serial device path such as /dev/ttyUSB2, got 42', line: 9 },
      { path: '', message: 'not valid YAML: oops', line: 3, column: 7 },
      { path: 'box.id', message: 'missing; expected a box id', line: 1, lineIsSection: true },
      { path: 'modems', message: 'missing; expected a list' },
    ]);
    assert.equal(
      error.message,
      [
        'config.yaml: modems[1].port: expected a serial device path such as /dev/ttyUSB2, got 42 (line 9)',
        'config.yaml: line 3, column 7: not valid YAML: oops',
        'config.yaml: box.id: missing; expected a box id (in the section at line 1)',
        'config.yaml: modems: missing; expected a list',
      ].join('\n'),
    );
    assert.equal(error.issues.length, 4);
    assert.equal(formatIssue('x', { path: 'a', message: 'm' }), 'x: a: m');
  });
});
