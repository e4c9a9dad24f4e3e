import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';
import { nextSms, smsBox, submitted } from './setup.js';

test('missedcall send queues through the running box\'s database; the box sends it; bad input is refused', async (t) => {
  const box = await smsBox(t, { lines: [{}], reply: { text: 'Thanks' } });
  const line = box.lines[0];
  const sms = box.app.sms;
  assert.ok(line && sms);
  const file = join(box.dir, 'config.yaml');
  writeFileSync(file, `box:\n  id: sms-test\ndatabase: ${box.config.database}\nmodems:\n  - port: ${line.path}\n`);

  const got = nextSms(line, 1, 15_000);
  const ok = await runCli(['send', '--config', file, '--to', '98123 45678', '--text', 'नमस्ते, बैठक कल 10 बजे है']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^queued [0-9a-f-]{36}: 1 SMS part to \+919812345678/);
  const [received] = await got;
  assert.ok(received);
  const pdu = submitted(received);
  assert.equal(pdu.to, '+919812345678');
  assert.equal(pdu.text, 'नमस्ते, बैठक कल 10 बजे है');
  const row = await waitFor('sent', () => sms.list({ limit: 1 }).find((m) => m.status === 'sent'));
  assert.equal(row.kind, 'manual');

  const bad = await runCli(['send', '--config', file, '--to', 'not-a-number', '--text', 'hi']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"not-a-number" is not a phone number/);
  const empty = await runCli(['send', '--config', file, '--to', '9812345678', '--text', '  ']);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /text is empty/);
  const missing = await runCli(['send', '--config', file, '--to', '9812345678']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--text <text> are all required/);
  sms.optOuts.optOut('+919811111111', Date.now(), 'test');
  const stopped = await runCli(['send', '--config', file, '--to', '+919811111111', '--text', 'hi']);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /has opted out/);
  assert.equal(sms.list({ limit: 10 }).length, 1, 'nothing else was queued');
});

test('a reply that does not fit reply.maxParts stops the box at start: exit 2, naming the key', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'mcb-sms-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, `box:\n  id: a\nmodems:\n  - port: /dev/ttyUSB9\nreply:\n  text: "${'धन्यवाद '.repeat(30)}"\n  maxParts: 2\n`);
  const r = await runCli(['run', '--config', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /config\.yaml: reply\.text: expected a reply that fits in reply\.maxParts \(2\) SMS; for line-1 it takes 4/);
});
