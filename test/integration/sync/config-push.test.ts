import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { App } from '../../../src/app.js';
import type { Config } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/config/load.js';
import { checkPush, pushConfig } from '../../../src/hq/push-config.js';
import { tempDir } from '../../helpers/box.js';
import { runCli } from '../../helpers/cli.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait.js';
import { boxConfig, cleanups, fastTuning, hqConfig, startCollector, testLog } from './harness.js';

async function startApp(config: Config): Promise<App> {
  const app = new App({ config, log: testLog(), syncTuning: fastTuning, http: false });
  await app.start();
  return app;
}

test('a config pushed from HQ changes the reply text and survives a restart; an invalid one is rejected and reported; a clear goes back to the file', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const broker = await startMosquitto({ dir });
  defer(() => broker.stop());
  const hqFile = join(dir, 'hq.db');
  const hqSettings = hqConfig(broker.url, { database: hqFile });
  const hq = await startCollector(hqSettings);
  defer(() => hq.stop());
  // log.level silent in the file: the app sets its logger's level from the config in force.
  const file = (): Config => boxConfig(dir, { url: broker.url }, { reply: { text: 'Old reply', cooldownHours: 24 }, log: { level: 'silent' } });

  let app = await startApp(file());
  defer(() => app.stop());
  const heard: (readonly string[])[] = [];
  app.onConfigChange((_next, _previous, changed) => heard.push(changed));
  await waitFor('the box online', () => app.status().sync?.connected, 10_000);

  // 1. A valid push: applied at once, listeners told which keys changed, reported to HQ.
  const applied = await pushConfig({ hq: hqSettings, box: 'test-box', push: { reply: { text: 'New reply from {box}' }, log: { level: 'fatal' } }, waitMs: 10_000 });
  assert.equal(applied.outcome?.status, 'applied');
  assert.equal(applied.outcome.id, applied.id);
  assert.deepEqual(applied.outcome.changed, ['log.level', 'reply.text']);
  assert.equal(app.config.reply?.text, 'New reply from {box}');
  assert.equal(app.config.reply.cooldownHours, 24, 'keys not pushed keep the file\'s value');
  // (fatal rather than debug keeps the test's silent logger silent)
  assert.equal(app.log.level, 'fatal', 'the log level follows at once');
  assert.deepEqual(heard, [['log.level', 'reply.text']]);
  assert.equal(app.status().sync?.config?.pushId, applied.id);

  // 2. A bad value: the same check and message as a mistake in the file; nothing changes.
  const badValue = { reply: { cooldownHours: 'soon' } };
  assert.throws(() => checkPush(badValue), (err: unknown) => err instanceof ConfigError && /reply\.cooldownHours/.test(err.message), 'hq-config refuses it before publishing');
  const rejected = await pushConfig({ hq: hqSettings, box: 'test-box', push: badValue, waitMs: 10_000 });
  assert.equal(rejected.outcome?.status, 'rejected');
  assert.deepEqual(rejected.outcome.problems, [
    { path: 'reply.cooldownHours', message: 'expected a whole number of hours from 0 (answer every call) to 8760, such as 24, got "soon"' },
  ]);
  assert.equal(app.config.reply?.text, 'New reply from {box}', 'the config in force stays');
  assert.equal(app.config.reply.cooldownHours, 24);

  // 3. A key HQ may not set: rejected, whatever its value.
  const hijack = await pushConfig({ hq: hqSettings, box: 'test-box', push: { box: { id: 'someone-else' }, mqtt: { url: 'mqtt://evil.example.org' } }, waitMs: 10_000 });
  assert.equal(hijack.outcome?.status, 'rejected');
  assert.deepEqual(hijack.outcome.problems.map((p) => p.path), ['box.id', 'mqtt.url']);
  assert.match(hijack.outcome.problems[0]?.message ?? '', /cannot be set from headquarters/);
  assert.equal(app.config.box.id, 'test-box');
  assert.deepEqual(heard.length, 1, 'listeners heard nothing of the rejected pushes');

  // 4. Through the command line, as HQ staff would: a file with the keys to push.
  const hqYaml = join(dir, 'hq.yaml');
  writeFileSync(hqYaml, `broker:\n  url: ${broker.url}\ndatabase: ${hqFile}\n`);
  const pushYaml = join(dir, 'push.yaml');
  writeFileSync(pushYaml, 'reply:\n  text: "धन्यवाद! JOIN <name> <pincode> भेजें"\n');
  const cli = await runCli(['hq-config', '--config', hqYaml, '--box', 'test-box', '--file', pushYaml, '--wait', '10']);
  assert.equal(cli.code, 0, cli.stderr);
  // The push replaces the earlier one as a whole: log.level goes back to the file's.
  assert.match(cli.stdout, /test-box: applied \(changed: log\.level, reply\.text\)/);
  assert.equal(app.log.level, 'silent');
  assert.equal(app.config.reply?.text, 'धन्यवाद! JOIN <name> <pincode> भेजें');
  const refusedLocally = join(dir, 'bad.yaml');
  writeFileSync(refusedLocally, 'reply:\n  maxParts: 99\n');
  const cliBad = await runCli(['hq-config', '--config', hqYaml, '--box', 'test-box', '--file', refusedLocally, '--wait', '0']);
  assert.equal(cliBad.code, 2);
  assert.match(cliBad.stderr, /reply\.maxParts: expected a whole number of SMS parts from 1 to 10, such as 3, got 99/);

  // 5. A restart keeps the last accepted push (from the database, before the broker answers).
  await app.stop();
  app = await startApp(file());
  assert.equal(app.config.reply?.text, 'धन्यवाद! JOIN <name> <pincode> भेजें');
  assert.equal(app.log.level, 'silent', 'the file\'s level');
  await waitFor('the box online again', () => app.status().sync?.connected, 10_000);

  // 6. Clearing the retained config: the file alone is in force again.
  const cleared = await runCli(['hq-config', '--config', hqYaml, '--box', 'test-box', '--clear', '--wait', '10']);
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, /test-box: cleared \(changed: reply\.text\)/);
  assert.equal(app.config.reply?.text, 'Old reply');
  assert.equal(app.status().sync?.config?.pushId, null);

  // HQ kept every outcome the box reported.
  await waitFor('the events at HQ', () => hq.collector.stats.events >= 5, 5000);
  const hqDb = new Database(hqFile, { readonly: true });
  defer(() => hqDb.close());
  const statuses = (hqDb.prepare(`SELECT payload FROM box_events WHERE box = 'test-box' ORDER BY seq`).pluck().all() as string[]).map(
    (p) => (JSON.parse(p) as { status: string }).status,
  );
  assert.deepEqual(statuses.slice(0, 4), ['applied', 'rejected', 'rejected', 'applied']);
  assert.equal(statuses.at(-1), 'cleared');
});

test('a clear published while the box is offline reaches it when it reconnects (a retained clear document, not an empty payload)', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const broker = await startMosquitto({ dir });
  defer(() => broker.stop());
  const hqSettings = hqConfig(broker.url, { database: join(dir, 'hq.db') });
  const hq = await startCollector(hqSettings);
  defer(() => hq.stop());
  const file = (): Config => boxConfig(dir, { url: broker.url }, { reply: { text: 'Old reply', cooldownHours: 24 }, log: { level: 'silent' } });

  let app = await startApp(file());
  defer(() => app.stop());
  await waitFor('the box online', () => app.status().sync?.connected, 10_000);
  const applied = await pushConfig({ hq: hqSettings, box: 'test-box', push: { reply: { text: 'Pushed reply' } }, waitMs: 10_000 });
  assert.equal(applied.outcome?.status, 'applied');

  // The box goes offline; HQ clears the push meanwhile and gets no answer.
  await app.stop();
  const cleared = await pushConfig({ hq: hqSettings, box: 'test-box', push: null, waitMs: 0 });
  assert.equal(cleared.outcome, null);

  // Back: the stored push is in force until the broker hands over the retained clear.
  app = await startApp(file());
  assert.equal(app.config.reply?.text, 'Pushed reply');
  await waitFor('the clear carried out', () => app.config.reply?.text === 'Old reply', 10_000);
  assert.equal(app.status().sync?.config?.pushId, null);
  await waitFor('the event at HQ', () => hq.collector.stats.events >= 2, 5000);
  const hqDb = new Database(join(dir, 'hq.db'), { readonly: true });
  defer(() => hqDb.close());
  const last = JSON.parse(hqDb.prepare(`SELECT payload FROM box_events ORDER BY seq DESC LIMIT 1`).pluck().get() as string) as { status: string; id: string };
  assert.deepEqual([last.status, last.id], ['cleared', cleared.id], 'the box names the clear it carried out');
});
