import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('the systemd unit passes systemd-analyze verify without a warning', async () => {
  const { stdout, stderr } = await run('systemd-analyze', ['verify', 'systemd/missedcall.service']);
  assert.equal(`${stdout}${stderr}`.trim(), '');
});

test('the unit restarts the box for ever and runs the built CLI with the system config', () => {
  const unit = readFileSync('systemd/missedcall.service', 'utf8');
  assert.match(unit, /^Restart=always$/m);
  assert.match(unit, /^StartLimitIntervalSec=0$/m);
  assert.match(unit, /^ExecStart=\/usr\/bin\/node \/opt\/missedcall\/dist\/cli\.js run --config \/etc\/missedcall\/config\.yaml$/m);
  assert.match(unit, /^SupplementaryGroups=dialout$/m);
  // Longer than the outbox's wait for an SMS part in flight (60 s), so a stop is clean.
  const stop = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
  assert.ok(stop > 60, `TimeoutStopSec=${stop}`);
});
