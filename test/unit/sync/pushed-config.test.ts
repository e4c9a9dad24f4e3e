import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { ConfigError, exampleConfig, parseConfig, validateConfig, type Config } from '../../../src/config/load.js';
import { listConfigKeys } from '../../../src/config/keys.js';
import { PUSHABLE_KEYS } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log.js';
import { openDatabase } from '../../../src/store/db.js';
import type { ConfigEvent } from '../../../src/sync/protocol.js';
import { changedPaths, isPushable, leafPaths, validatePush } from '../../../src/sync/pushed-config.js';
import { RemoteConfig } from '../../../src/sync/remote-config.js';
import { tempDir } from '../../helpers/box.js';

const file = (): Config =>
  validateConfig({ box: { id: 'b' }, database: '/tmp/x.db', modems: [{ port: '/dev/ttyUSB2' }], reply: { text: 'Hello' } }, 'file', '/tmp').config;

function rejection(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

test('every pushable key exists in the schema (a renamed key cannot silently stop being pushable)', () => {
  const paths = new Set(listConfigKeys().map((k) => k.path));
  for (const key of PUSHABLE_KEYS) assert.ok(paths.has(key), `${key} is not a key of the configuration`);
  for (const never of ['box.id', 'database', 'mqtt.url', 'mqtt.password', 'modems']) assert.ok(!isPushable(never, PUSHABLE_KEYS), never);
});

test('a loaded configuration validates again to itself, which is what laying a push over it relies on', () => {
  const { config } = parseConfig(exampleConfig(), 'example.yaml', '/etc/missedcall');
  assert.deepEqual(validateConfig(structuredClone(config), 'again', '/elsewhere').config, config);
});

test('leaf paths, pushable sections and changed keys', () => {
  assert.deepEqual(leafPaths({ reply: { text: 'x', cooldownHours: 2 }, log: { level: 'info' }, sms: { blackout: [] } }), ['reply.text', 'reply.cooldownHours', 'log.level', 'sms.blackout']);
  assert.ok(isPushable('reply.text', ['reply']));
  assert.ok(!isPushable('replyX', ['reply']));
  assert.deepEqual(changedPaths({ a: { b: 1, c: [{ x: 1, y: 2 }] } }, { a: { b: 2, c: [{ y: 2, x: 1 }] } }), ['a.b']);
});

test('a push is laid over the file and validated by the same schema, with the same messages', () => {
  const next = validatePush(file(), { reply: { text: 'नमस्ते', cooldownHours: 6 }, log: { level: 'WARN' } }, PUSHABLE_KEYS);
  assert.equal(next.reply?.text, 'नमस्ते');
  assert.equal(next.reply.cooldownHours, 6);
  assert.equal(next.log.level, 'warn', 'the same forgiving forms as the file');
  assert.equal(next.box.id, 'b');

  const bad = rejection(() => validatePush(file(), { reply: { cooldownHours: 99_999 } }, PUSHABLE_KEYS));
  assert.equal(bad.message, 'config from HQ: reply.cooldownHours: expected a whole number of hours from 0 (answer every call) to 8760, such as 24, got 99999');
  // The file's own loader says the same about the same value.
  const fromFile = rejection(() => validateConfig({ ...file(), reply: { text: 'Hello', cooldownHours: 99_999 } }, 'config from HQ', '/tmp'));
  assert.equal(bad.message, fromFile.message);

  // Cross-key rules apply too: a reply text too long for the file's maxParts.
  const long = rejection(() => validatePush(file(), { reply: { text: 'x'.repeat(161 * 3) } }, PUSHABLE_KEYS));
  assert.match(long.message, /reply\.text: expected a reply that fits in reply\.maxParts \(3\) SMS/);
});

test('keys HQ may not push are refused by name, before any value is looked at', () => {
  const e = rejection(() => validatePush(file(), { box: { id: 'x' }, database: '/tmp/other.db', log: { level: 'debug' } }, PUSHABLE_KEYS));
  assert.deepEqual(e.issues.map((i) => i.path), ['box.id', 'database']);
  assert.match(e.issues[0]?.message ?? '', /cannot be set from headquarters; the keys HQ may set are reply\.text/);
});

test('RemoteConfig: applies, persists and restores a push; ignores its re-delivery; rejects without changing anything; clears', async (t) => {
  const { dir, remove } = tempDir('mcb-push-');
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => {
    db.close();
    remove();
  });
  const events: ConfigEvent[] = [];
  let current = file();
  const applied: string[][] = [];
  const make = (): RemoteConfig =>
    new RemoteConfig({
      db,
      log: silentLogger(),
      file: file(),
      pushable: PUSHABLE_KEYS,
      current: () => current,
      apply: (next, changed) => {
        current = next;
        applied.push(changed);
      },
      report: (e) => events.push(e),
    });
  const remote = make();
  const message = (id: string, config: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ v: 1, id, config }));

  await remote.onMessage(message('p1', { reply: { text: 'Pushed' } }));
  assert.equal(current.reply?.text, 'Pushed');
  assert.deepEqual(events.map((e) => [e.id, e.status, e.changed]), [['p1', 'applied', ['reply.text']]]);
  await remote.onMessage(message('p1', { reply: { text: 'Pushed' } }));
  assert.equal(events.length, 1, 'the retained re-delivery is recognised');

  await remote.onMessage(message('p2', { reply: { maxParts: 0 } }));
  await remote.onMessage(message('p2', { reply: { maxParts: 0 } }));
  await remote.onMessage(Buffer.from('{"v":1,"config":{}}'));
  await remote.onMessage(Buffer.from([0x1f, 0x8b, 0, 0]));
  assert.deepEqual(events.slice(1).map((e) => [e.id, e.status, e.problems[0]?.path]), [
    ['p2', 'rejected', 'reply.maxParts'],
    [null, 'rejected', 'id'],
    [null, 'rejected', ''],
  ]);
  assert.equal(current.reply?.text, 'Pushed', 'the push in force stays');
  assert.equal(remote.status().rejected, 3);

  // A new process: the stored push is in force from the start.
  const restored = make().restore();
  assert.equal(restored?.reply?.text, 'Pushed');

  await remote.onMessage(Buffer.alloc(0));
  assert.equal(current.reply?.text, 'Hello');
  assert.deepEqual(events.at(-1)?.status, 'cleared');
  assert.equal(make().restore(), null, 'nothing stored after a clear');
  assert.deepEqual(applied, [['reply.text'], ['reply.text']]);
});

test('RemoteConfig.restore drops a stored push that the file no longer allows, and says so', (t) => {
  const { dir, remove } = tempDir('mcb-push-');
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => {
    db.close();
    remove();
  });
  db.prepare(`INSERT INTO sync_pushed_config (slot, push_id, config, received_at) VALUES (1, 'old', ?, 0)`).run(JSON.stringify({ reply: { cooldownHours: 5 } }));
  const events: ConfigEvent[] = [];
  // This file has no reply section, so a push of cooldownHours alone lacks reply.text.
  const bare = validateConfig({ box: { id: 'b' }, database: '/tmp/x.db', modems: [{ port: '/dev/ttyUSB2' }] }, 'file', '/tmp').config;
  const remote = new RemoteConfig({ db, log: silentLogger(), file: bare, pushable: PUSHABLE_KEYS, current: () => bare, apply: () => assert.fail('nothing to apply'), report: (e) => events.push(e) });
  assert.equal(remote.restore(), null);
  assert.deepEqual(events.map((e) => [e.id, e.status, e.problems[0]?.path]), [['old', 'rejected', 'reply.text']]);
  assert.equal(db.prepare(`SELECT COUNT(*) FROM sync_pushed_config`).pluck().get(), 0);
});

test('a push naming __proto__ (or constructor, prototype) is refused and reaches no prototype, even inside a pushable section', () => {
  for (const json of [
    '{"reply":{"__proto__":{"polluted":"yes"}}}',
    '{"reply":{"constructor":{"prototype":{"polluted":"yes"}}}}',
    '{"__proto__":{"reply":{"polluted":"yes"}}}',
  ]) {
    const push = JSON.parse(json) as Record<string, unknown>;
    const e = rejection(() => validatePush(file(), push, ['reply', ...PUSHABLE_KEYS]));
    assert.ok(e.issues.every((i) => i.message === 'is not a configuration key'), JSON.stringify(e.issues));
    assert.equal(({} as Record<string, unknown>).polluted, undefined, `${json} polluted Object.prototype`);
  }
});
