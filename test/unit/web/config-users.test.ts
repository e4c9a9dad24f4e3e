import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword } from '../../../src/auth/password.js';
import { ConfigError, parseConfig } from '../../../src/config/load.js';

const BASE = 'box:\n  id: b1\nmodems:\n  - port: /dev/ttyUSB0\n';

function problems(text: string): string[] {
  try {
    parseConfig(text, 'config.yaml', '/tmp');
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  return [];
}

test('http.users: accounts with a scrypt hash are read; role defaults to viewer; no accounts by default', async () => {
  const hash = await hashPassword('a long password', { N: 1024, r: 8, p: 1 });
  const { config } = parseConfig(`${BASE}http:\n  sessionHours: 8\n  users:\n    - name: ravi\n      role: ADMIN\n      passwordHash: ${hash}\n    - name: asha\n      passwordHash: ${hash}\n`, 'c', '/tmp');
  assert.deepEqual(
    config.http.users.map((u) => [u.name, u.role]),
    [
      ['ravi', 'admin'],
      ['asha', 'viewer'],
    ],
  );
  assert.equal(config.http.sessionHours, 8);
  assert.equal(config.http.trustProxy, false);
  assert.deepEqual(parseConfig(BASE, 'c', '/tmp').config.http.users, []);
  assert.equal(parseConfig(`${BASE}http:\n  trustProxy: yes\n`, 'c', '/tmp').config.http.trustProxy, true);
});

test('http.users: a password written where the hash belongs is refused without being repeated', () => {
  const lines = problems(`${BASE}http:\n  users:\n    - name: ravi\n      role: admin\n      passwordHash: hunter2-secret\n`);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /^config\.yaml: http\.users\[0\]\.passwordHash: expected a password hash written by "missedcall passwd"/);
  assert.match(lines[0] ?? '', /\(hidden\)/);
  assert.doesNotMatch(lines.join('\n'), /hunter2/);
});

test('http.users: bad names, roles, duplicate names and a missing hash are each named', async () => {
  const hash = await hashPassword('a long password', { N: 1024, r: 8, p: 1 });
  const lines = problems(
    `${BASE}http:\n  sessionHours: 0\n  users:\n    - name: ravi kumar\n      passwordHash: ${hash}\n    - name: asha\n      role: boss\n      passwordHash: ${hash}\n    - name: ASHA\n      passwordHash: ${hash}\n    - name: mohan\n`,
  );
  const text = lines.join('\n');
  assert.match(text, /http\.sessionHours: expected a whole number of hours from 1 to 720/);
  assert.match(text, /http\.users\[0\]\.name: expected a user name of 1 to 32 letters/);
  assert.match(text, /http\.users\[1\]\.role: expected viewer or admin, got "boss"/);
  assert.match(text, /http\.users\[2\]\.name: expected each account to have its own name, but http\.users\[1\] is also called "ASHA"/);
  assert.match(text, /http\.users\[3\]\.passwordHash: .*required|http\.users\[3\]\.passwordHash/);
});
