import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/box.js';
import { freePort, spawnCli } from '../helpers/cli.js';
import { ptyModem } from '../helpers/pty-modem.js';
import { nextEvent, waitFor } from '../helpers/wait.js';
import { basic, testUsers } from '../helpers/web.js';

test('kill -9 of the daemon right after a hang-up: the call is in the database on restart', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const modem = await ptyModem(dir, 'ttyUSB0', { vendor: 'simcom' });
  t.after(() => modem.close());
  const port = await freePort();
  const config = join(dir, 'config.yaml');
  // The API needs an account (the status page's auth).
  const [admin] = await testUsers();
  writeFileSync(
    config,
    `box:\n  id: crash-test\ndatabase: ./box.db\nmodems:\n  - port: ${modem.path}\n    label: line-1\nhttp:\n  port: ${port}\n  users:\n    - name: admin\n      role: admin\n      passwordHash: ${admin?.passwordHash ?? ''}\nmodemPoll:\n  intervalSeconds: 5\nlog:\n  level: warn\n`,
  );

  const daemon = spawnCli(['run', '--config', config]);
  t.after(() => daemon.kill('SIGKILL'));
  // Initialisation ends with the first health poll.
  await nextEvent(modem.sim, 'command', (c: unknown) => c === 'AT+CSQ', 15_000);

  // SIGKILL the moment the modem has hung up (it answers OK to ATH): no clean shutdown.
  // Like a real modem, this one takes a moment to drop the call (50 ms), so what is tested
  // is the box's promise: by the time the caller is hung up on, the call is on disk.
  modem.sim.replyDelayMs = 50;
  modem.sim.on('replied', (command) => {
    if (command === 'ATH') daemon.kill('SIGKILL');
  });
  const outcome = await modem.sim.ring('+919812300001', { rings: 5, intervalMs: 2000 });
  assert.equal(outcome.outcome, 'hung-up');
  const [, signal] = (await once(daemon, 'exit')) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL');

  // The file as the killed process left it (WAL not checkpointed).
  const db = new Database(join(dir, 'box.db'), { readonly: true });
  const rows = db.prepare('SELECT number, hangup_at FROM calls').all() as { number: string; hangup_at: number | null }[];
  db.close();
  assert.deepEqual(
    rows.map((r) => r.number),
    ['+919812300001'],
  );

  // And the restarted daemon serves it.
  const again = spawnCli(['run', '--config', config]);
  t.after(() => again.kill('SIGKILL'));
  const body = await waitFor(
    'the restarted daemon to answer /api/calls',
    async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/calls`, { headers: basic('admin') });
        return res.ok ? ((await res.json()) as { calls: { number: string }[] }) : null;
      } catch {
        return null;
      }
    },
    15_000,
    100,
  );
  assert.deepEqual(
    body.calls.map((c) => c.number),
    ['+919812300001'],
  );
  again.kill('SIGTERM');
  const [code] = (await once(again, 'exit')) as [number | null];
  assert.equal(code, 0, `clean stop on SIGTERM (stderr: ${again.output.stderr})`);
});

test('an uncaught exception right after a hang-up (a bug, in the same turn): the call is still on disk', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const modem = await ptyModem(dir, 'ttyUSB0', { vendor: 'quectel' });
  t.after(() => modem.close());
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `box:\n  id: bug-test\ndatabase: ./box.db\nmodems:\n  - port: ${modem.path}\n    label: line-1\nmodemPoll:\n  intervalSeconds: 5\n`);
  const fixture = fileURLToPath(new URL('../fixtures/bug-after-hangup.ts', import.meta.url));
  const box = spawn(process.execPath, ['--import', 'tsx', fixture, config], { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => box.kill('SIGKILL'));
  let stderr = '';
  box.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Rung once the fixture is watching for the hang-up (it says "started") and the modem is set
  // up (the inbox lists the SIM once the modem is ready).
  const initialised = nextEvent(modem.sim, 'command', (c: unknown) => c === 'AT+CMGL=4', 15_000);
  await nextEvent(box.stdout, 'data', (d: unknown) => String(d).includes('started'), 15_000);
  await initialised;
  const exited = nextEvent<[number | null]>(box, 'exit', () => true, 10_000);
  void modem.sim.ring('+919812300002', { rings: 3, intervalMs: 2000 });
  const [code] = await exited.catch((err: unknown) => {
    throw new Error(`${String(err)}; box stderr: ${stderr}; modem saw: ${modem.sim.commands.slice(-8).join(' ')}`);
  });
  assert.notEqual(code, 0);
  assert.match(stderr, /a bug right after the hang-up/);
  const db = new Database(join(dir, 'box.db'), { readonly: true });
  const rows = db.prepare('SELECT number FROM calls').all() as { number: string }[];
  db.close();
  assert.deepEqual(
    rows.map((r) => r.number),
    ['+919812300002'],
  );
});
