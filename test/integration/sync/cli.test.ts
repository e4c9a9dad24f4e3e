import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { tempDir } from '../../helpers/box.js';
import { runCli, spawnCli } from '../../helpers/cli.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait.js';
import { boxConfig, boxCounts, boxSync, cleanups, recordCalls } from './harness.js';

test('missedcall hq collects until SIGTERM and exits 0; hq-report prints totals, days and gaps; bad hq.yaml exits 2', async (t) => {
  const defer = cleanups(t);
  const { dir, remove } = tempDir('mcb-sync-');
  defer(remove);
  const broker = await startMosquitto({ dir });
  defer(() => broker.stop());
  const hqYaml = join(dir, 'hq.yaml');
  // A relative database path is taken from the folder of hq.yaml.
  writeFileSync(hqYaml, `broker:\n  url: ${broker.url}\ngroup: cli-test\ndatabase: ./hq.db\nlog:\n  level: warn\n`);
  const hq = spawnCli(['hq', '--config', hqYaml]);
  defer(() => hq.kill('SIGKILL'));

  const { db, sync } = boxSync(boxConfig(dir, { url: broker.url }));
  defer(() => db.close());
  recordCalls(db, 1200);
  sync.start();
  defer(() => sync.stop());
  // The collector subscribes a moment after it starts; batches sent before that are re-sent
  // after the ack timeout (3 s here), so this also covers "HQ came up late".
  await waitFor('backlog 0 through the CLI collector', () => boxCounts(db).unsynced === 0, 30_000, 50);

  hq.kill('SIGTERM');
  const [code] = (await once(hq, 'exit')) as [number | null];
  assert.equal(code, 0, hq.output.stderr);

  const report = await runCli(['hq-report', '--config', hqYaml, '--utc-offset', '+05:30']);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /Totals per box\n {2}box +records +calls +databases/);
  assert.match(report.stdout, /\n {2}test-box +1200 +1200 +1 /);
  assert.match(report.stdout, /Per day \(UTC\+05:30\)/);
  assert.match(report.stdout, /Gaps: none/);
  const json = await runCli(['hq-report', '--config', hqYaml, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { boxes: { box: string; records: number }[]; gaps: unknown[] };
  assert.deepEqual(parsed.boxes.map((b) => [b.box, b.records]), [['test-box', 1200]]);

  const badYaml = join(dir, 'bad.yaml');
  writeFileSync(badYaml, 'broker:\n  url: http://nope\n  password: s3cret\nbrokr: 1\n');
  const bad = await runCli(['hq', '--config', badYaml]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /broker\.url: expected a broker address starting with mqtt:\/\/ or mqtts:\/\//);
  assert.match(bad.stderr, /brokr: unknown key/);
  assert.doesNotMatch(bad.stderr, /s3cret/);
});
