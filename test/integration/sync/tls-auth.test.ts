import assert from 'node:assert/strict';
import { test } from 'node:test';

import { App } from '../../../src/app.js';
import type { Config } from '../../../src/config/load.js';
import { tempDir } from '../../helpers/box.js';
import { makeCertificates, startMosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait.js';
import { basic, testUsers } from '../../helpers/web.js';
import { boxConfig, boxCounts, cleanups, fastTuning, hqConfig, recordCalls, startCollector, testLog } from './harness.js';

interface ApiSync {
  enabled: boolean;
  broker: string;
  connected: boolean;
  authFailed: boolean;
  lastError: string | null;
  backlog: number;
  lastAckAt: string | null;
  diskLow: boolean;
  diskWarning: string | null;
}

async function startApp(config: Config): Promise<App> {
  config.http.port = 0;
  const app = new App({ config, log: testLog(), syncTuning: fastTuning });
  await app.start();
  return app;
}

async function apiSync(app: App): Promise<ApiSync> {
  const res = await fetch(`${app.address() ?? ''}/api/status`, { headers: basic('viewer') });
  assert.equal(res.status, 200);
  return ((await res.json()) as { sync: ApiSync }).sync;
}

test('TLS with certificates made by openssl: a wrong password is refused and /api/status says so; the right one syncs', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const certs = await makeCertificates(dir);
  const broker = await startMosquitto({
    dir,
    tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey },
    users: { 'test-box': 'right-password', collector: 'hq-password' },
  });
  defer(() => broker.stop());
  assert.match(broker.url, /^mqtts:\/\/localhost:/);
  const hq = await startCollector(hqConfig(broker.url, { database: `${dir}/hq.db` }, { ca: certs.ca, username: 'collector', password: 'hq-password' }));
  defer(() => hq.stop());
  const users = await testUsers();
  const config = (password: string, ca = certs.ca, minFreeMb = 200): Config =>
    boxConfig(dir, { url: broker.url, ca, username: 'test-box', password }, { http: { host: '127.0.0.1', port: 8080, users }, retention: { minFreeMb } });

  // 1. Wrong password: refused at CONNACK; the status page says it is the login. (This box also
  //    wants a terabyte free, so its disk warning shows, while it keeps recording.)
  const wrong = await startApp(config('wrong-password', certs.ca, 1_000_000));
  defer(() => wrong.stop());
  recordCalls(wrong.db, 300);
  await waitFor('the refusal on the status', () => wrong.status().sync?.authFailed, 10_000);
  const refused = await apiSync(wrong);
  assert.equal(refused.enabled, true);
  assert.equal(refused.connected, false);
  assert.equal(refused.authFailed, true);
  assert.match(refused.lastError ?? '', /refused the login: (bad username or password|not authorised).*mqtt\.username and mqtt\.password/);
  assert.doesNotMatch(JSON.stringify(refused), /wrong-password/, 'the password is never shown');
  assert.equal(refused.backlog, 300, 'the calls wait on the box');
  assert.equal(refused.broker, broker.url);
  assert.equal(refused.diskLow, true);
  assert.match(refused.diskWarning ?? '', /^only \d+ MB free on the disk of the database \(warning below 1000000 MB\); the box keeps recording/);
  await wrong.stop();

  // 2. A CA that did not sign the broker's certificate: the box does not talk to it.
  const impostor = await startApp(config('right-password', certs.otherCa));
  defer(() => impostor.stop());
  await waitFor('a TLS error on the status', () => impostor.status().sync?.lastError, 10_000);
  const tlsRefused = await apiSync(impostor);
  assert.equal(tlsRefused.connected, false);
  assert.equal(tlsRefused.authFailed, false);
  assert.match(tlsRefused.lastError ?? '', /certificate/i);
  await impostor.stop();
  assert.equal(hq.collector.stats.batches, 0, 'nothing reached HQ so far');

  // 3. The right password over TLS: the 300 calls waiting go, and more after them.
  const right = await startApp(config('right-password'));
  defer(() => right.stop());
  recordCalls(right.db, 200, 300);
  await waitFor('backlog 0', () => boxCounts(right.db).unsynced === 0, 20_000, 50);
  assert.equal(await hq.store.countRecords(), 500);
  const ok = await apiSync(right);
  assert.equal(ok.connected, true);
  assert.equal(ok.authFailed, false);
  assert.equal(ok.lastError, null);
  assert.equal(ok.backlog, 0);
  assert.equal(ok.diskLow, false);
  assert.equal(ok.diskWarning, null);
  assert.ok(ok.lastAckAt !== null && Date.parse(ok.lastAckAt) > Date.now() - 60_000);
});

test('a broker that requires client certificates: the box connects with mqtt.cert and mqtt.key, and not without them', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const certs = await makeCertificates(dir);
  const broker = await startMosquitto({ dir, tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey, requireClientCert: true } });
  defer(() => broker.stop());
  const users = await testUsers();
  const withCert = boxConfig(dir, { url: broker.url, ca: certs.ca, cert: certs.clientCert, key: certs.clientKey }, { http: { host: '127.0.0.1', port: 8080, users } });
  const without = boxConfig(dir, { url: broker.url, ca: certs.ca }, { http: { host: '127.0.0.1', port: 8080, users } });

  const refused = await startApp(without);
  defer(() => refused.stop());
  await waitFor('a TLS error', () => refused.status().sync?.lastError, 10_000);
  assert.equal(refused.status().sync?.connected, false);
  await refused.stop();

  const app = await startApp(withCert);
  defer(() => app.stop());
  await waitFor('connected with a client certificate', () => app.status().sync?.connected, 10_000);
  assert.equal((await apiSync(app)).lastError, null);
});
