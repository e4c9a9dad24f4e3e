import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ConfigError, exampleConfig, loadConfig } from '../../../src/config/load.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'missedcall-config-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a config file with modems on the given ports; returns its path. */
function writeConfig(name: string, ports: string[], extra = ''): string {
  const file = join(dir, name);
  const modems = ports.map((port) => `  - port: ${port}\n`).join('');
  writeFileSync(file, `box:\n  id: test-01\nmodems:\n${modems}${extra}`);
  return file;
}

/** A regular file standing in for a serial device (only its existence and identity matter). */
function fakeDevice(name: string): string {
  const file = join(dir, name);
  writeFileSync(file, '');
  return file;
}

function loadFailure(file: string): ConfigError {
  try {
    loadConfig(file);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected loadConfig to fail');
}

void describe('loadConfig', () => {
  void it('resolves the database against the config file folder, however the file was named', () => {
    const sub = join(dir, 'etc');
    mkdirSync(sub, { recursive: true });
    const device = fakeDevice('ttyFAKE0');
    const file = join(sub, 'config.yaml');
    writeFileSync(file, `box:\n  id: test-01\ndatabase: ./data/calls.db\nmodems:\n  - port: ${device}\n`);

    const fromRelativeName = loadConfig(relative(process.cwd(), file));
    assert.equal(fromRelativeName.path, file);
    assert.equal(fromRelativeName.config.database, join(sub, 'data', 'calls.db'));
    assert.deepEqual(fromRelativeName.warnings, []);
    assert.equal(loadConfig(file).config.database, join(sub, 'data', 'calls.db'));
  });

  void it('loads the example configuration', () => {
    const file = join(dir, 'example.yaml');
    writeFileSync(file, exampleConfig());
    const { config } = loadConfig(file);
    assert.equal(config.database, join(dir, 'data', 'missedcall.db'));
  });

  void it('warns, but does not fail, when a modem port does not exist yet', () => {
    const file = writeConfig('unplugged.yaml', [join(dir, 'ttyNOPE')]);
    const { warnings } = loadConfig(file);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^.*unplugged\.yaml: modems\[0\]\.port: .*ttyNOPE does not exist at the moment \(is the modem plugged in\?\) \(line 4\)$/);
  });

  void it('accepts a symlink as a port, and rejects two entries that are the same device', () => {
    const device = fakeDevice('ttyFAKE1');
    const link = join(dir, 'modem-by-id');
    symlinkSync(device, link);
    assert.deepEqual(loadConfig(writeConfig('link.yaml', [link])).warnings, []);

    const error = loadFailure(writeConfig('same-device.yaml', [device, link]));
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0]?.path, 'modems[1].port');
    assert.match(error.message, /modems\[1\]\.port: expected each modem to have its own port, but this is the same device .* as modems\[0\]\.port, got ".*modem-by-id" \(line 5\)$/);
  });

  void it('names the missing file and suggests missedcall demo or the example', () => {
    const missing = join(dir, 'nope', 'config.yaml');
    const error = loadFailure(missing);
    assert.equal(error.issues.length, 1);
    assert.ok(error.message.startsWith(`${missing}: file not found: ${missing}.`), error.message);
    assert.match(error.message, /missedcall demo/);
    assert.match(error.message, /docs\/CONFIG\.md/);
    assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
  });

  void it('says so when the path is a folder', () => {
    assert.match(loadFailure(dir).message, /is a folder; expected the configuration file itself/);
  });

  void it('says so when the file cannot be read', (t) => {
    const file = writeConfig('locked.yaml', ['/dev/null']);
    chmodSync(file, 0o000);
    if (process.getuid?.() !== 0) {
      assert.match(loadFailure(file).message, /permission denied/);
      return;
    }
    // Root reads anything, so the read is tried as an unprivileged user, as the service runs.
    const nobody = { uid: 65534, gid: 65534, encoding: 'utf8' as const };
    const checkout = new URL('../../../', import.meta.url).pathname;
    // That user must be able to load this checkout's code: not so in a checkout under a
    // private home folder (Debian 13 makes /root and /home/* 0700).
    const entered = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(join(checkout, 'package.json'))})`], nobody);
    if (entered.status !== 0) {
      t.skip(`an unprivileged user cannot read ${checkout}; run the tests from a checkout other users can enter, or not as root`);
      return;
    }
    chmodSync(dir, 0o755);
    const src = new URL('../../../src/config/load.ts', import.meta.url).href;
    const script = `import('${src}').then((m) => { try { m.loadConfig(${JSON.stringify(file)}); } catch (e) { process.stdout.write(e.message); } })`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { ...nobody, cwd: checkout });
    assert.match(r.stdout, /permission denied/, r.stderr);
  });

  void it('reports validation problems with the file name as given', () => {
    const file = writeConfig('bad.yaml', ['/dev/null'], 'modem: []\n');
    const error = loadFailure(relative(process.cwd(), file));
    assert.ok(error.message.startsWith(`${relative(process.cwd(), file)}: modem: unknown key; did you mean "modems"?`), error.message);
  });
});

