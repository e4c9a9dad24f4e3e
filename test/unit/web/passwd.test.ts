import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { parse } from 'yaml';
import { setAccount } from '../../../src/auth/passwd.js';
import { hashPassword, isPasswordHash, PASSWORD_HASH_PATTERN, verifyPassword } from '../../../src/auth/password.js';
import { exampleConfig, parseConfig } from '../../../src/config/load.js';
import { createPtyPair } from '../../../src/sim/pty.js';
import { tempDir } from '../../helpers/box.js';

const CHEAP = { N: 1024, r: 8, p: 1 };
const root = fileURLToPath(new URL('../../../', import.meta.url));

test('hashPassword/verifyPassword: the right password matches, anything else does not, in the stored format', async () => {
  const hash = await hashPassword('correct horse', CHEAP);
  assert.match(hash, PASSWORD_HASH_PATTERN);
  assert.ok(isPasswordHash(hash));
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('correct hors', hash), false);
  assert.equal(await verifyPassword('', hash), false);
  // Unknown user: the work is done against a decoy, and it never matches.
  assert.equal(await verifyPassword('correct horse', null), false);
  assert.equal(await verifyPassword('x', 'not a hash'), false);
  assert.equal(await verifyPassword('x', 'scrypt$3$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='), false);
  // Two hashes of one password differ (random salt).
  assert.notEqual(await hashPassword('correct horse', CHEAP), hash);
});

test('verifyPassword: composed and decomposed accents are the same password (phones differ in how they type them)', async () => {
  const hash = await hashPassword('pass\u00e9word', CHEAP);
  assert.equal(await verifyPassword('passe\u0301word', hash), true);
});

function configFile(dir: string, text = exampleConfig()): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

test('setAccount: adds an account to the example file, keeping every comment and every other line as it was', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = configFile(dir);
  const before = readFileSync(file, 'utf8');
  const result = await setAccount({ file, user: 'ravi', role: 'admin', password: 'a long password', cost: CHEAP });
  assert.equal(result.action, 'added');
  assert.equal(result.readableByOthers, false);
  const after = readFileSync(file, 'utf8');
  // Every line of the original is still there, in order; only the account was added.
  const added = after.split('\n').filter((line) => !before.split('\n').includes(line));
  assert.ok(added.length >= 3 && added.length <= 5, added.join('\n'));
  assert.ok(added.some((l) => /name: ravi/.test(l)));
  let i = 0;
  for (const line of after.split('\n')) if (line === before.split('\n')[i]) i++;
  assert.equal(i, before.split('\n').length, 'the original lines are all kept, in order');
  const { config } = parseConfig(after, 'config.yaml', dir);
  assert.equal(config.http.users.length, 1);
  const [user] = config.http.users;
  assert.equal(user?.name, 'ravi');
  assert.equal(user?.role, 'admin');
  assert.equal(await verifyPassword('a long password', user?.passwordHash ?? null), true);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'permissions kept');
  assert.ok(!after.includes('a long password'), 'the password itself is never written');
});

test('setAccount: changes the password and role of an existing account (names ignore case) and adds a second one', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = configFile(dir);
  await setAccount({ file, user: 'ravi', role: 'viewer', password: 'first password', cost: CHEAP });
  await setAccount({ file, user: 'asha', role: 'viewer', password: 'asha password', cost: CHEAP });
  const before = readFileSync(file, 'utf8').split('\n');
  const changed = await setAccount({ file, user: 'RAVI', role: 'admin', password: 'second password', cost: CHEAP });
  assert.equal(changed.action, 'changed');
  const after = readFileSync(file, 'utf8').split('\n');
  assert.equal(after.length, before.length, 'changed in place');
  assert.deepEqual(
    after.map((line, i) => (line === before[i] ? null : line.trim().split(':')[0])).filter((x) => x !== null),
    ['role', 'passwordHash'],
    'only the role and the hash lines of that account changed',
  );
  const users = (parse(readFileSync(file, 'utf8')) as { http: { users: { name: string; role: string; passwordHash: string }[] } }).http.users;
  assert.deepEqual(
    users.map((u) => [u.name, u.role]),
    [
      ['ravi', 'admin'],
      ['asha', 'viewer'],
    ],
  );
  assert.equal(await verifyPassword('second password', users[0]?.passwordHash ?? null), true);
  assert.equal(await verifyPassword('first password', users[0]?.passwordHash ?? null), false);
});

test('setAccount: works on a file with an empty "http:", none at all, "users: []" or an account without a role', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const minimal = 'box:\n  id: b1\nmodems:\n  - port: /dev/ttyUSB0\n';
  const hash = await hashPassword('old password', CHEAP);
  for (const text of [
    minimal,
    minimal.trimEnd(),
    `${minimal}http:\n`,
    `${minimal}http:\n  port: 8081 # keep me\n`,
    `${minimal}http:\n  users: []\n  port: 8081 # keep me\n`,
    `${minimal}http:\n  users:\n  - name: ravi\n    passwordHash: ${hash}\n  port: 8081 # keep me\n`,
  ]) {
    const file = configFile(dir, text);
    await setAccount({ file, user: 'ravi', role: 'admin', password: 'a long password', cost: CHEAP });
    const out = readFileSync(file, 'utf8');
    const { config } = parseConfig(out, 'c', dir);
    assert.equal(config.http.users[0]?.name, 'ravi', text);
    if (text.includes('keep me')) assert.match(out, /port: 8081 # keep me/);
  }
});

test('setAccount: refuses a short password, a bad name, a broken file; nothing is written', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = configFile(dir);
  const before = readFileSync(file, 'utf8');
  await assert.rejects(setAccount({ file, user: 'ravi', role: 'admin', password: 'short', cost: CHEAP }), /at least 8 characters/);
  await assert.rejects(setAccount({ file, user: 'ravi kumar', role: 'admin', password: 'a long password', cost: CHEAP }), /--user/);
  assert.equal(readFileSync(file, 'utf8'), before);
  const broken = configFile(dir, 'box:\n  id: Bad Id\nmodems:\n  - port: /dev/ttyUSB0\n');
  await assert.rejects(setAccount({ file: broken, user: 'ravi', role: 'admin', password: 'a long password', cost: CHEAP }), /box\.id/);
  assert.equal(readFileSync(broken, 'utf8'), 'box:\n  id: Bad Id\nmodems:\n  - port: /dev/ttyUSB0\n');
});

test('setAccount: says when other users can read the file', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = configFile(dir);
  chmodSync(file, 0o644);
  const result = await setAccount({ file, user: 'ravi', role: 'admin', password: 'a long password', cost: CHEAP });
  assert.equal(result.readableByOthers, true);
  assert.equal(statSync(file).mode & 0o777, 0o644);
});

function cli(args: string[], stdio: ['pipe' | number, 'pipe' | number, 'pipe' | number]) {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, stdio });
}

test('missedcall passwd reads the password from standard input when it is not a terminal', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = configFile(dir);
  const child = cli(['passwd', '--config', file, '--user', 'ravi', '--role', 'admin'], ['pipe', 'pipe', 'pipe']);
  const exited = once(child, 'exit') as Promise<[number | null]>;
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin?.end('piped password\n');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = await exited;
  clearTimeout(timer);
  assert.equal(code, 0, out);
  assert.match(out, /added admin account "ravi".*restart the box/);
  const { config } = parseConfig(readFileSync(file, 'utf8'), 'c', dir);
  assert.equal(await verifyPassword('piped password', config.http.users[0]?.passwordHash ?? null), true);
});

test('missedcall passwd: bad role or missing user is a usage error (exit 2) and changes nothing', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = configFile(dir);
  for (const args of [
    ['passwd', '--config', file, '--user', 'ravi', '--role', 'boss'],
    ['passwd', '--config', file],
  ]) {
    const child = cli(args, ['pipe', 'pipe', 'pipe']);
    const exited = once(child, 'exit') as Promise<[number | null]>;
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin?.end('piped password\n');
    const [code] = await exited;
    assert.equal(code, 2, err);
  }
  assert.equal(readFileSync(file, 'utf8'), exampleConfig());
});

test('missedcall passwd on a real terminal: asks twice without echoing; a mismatch changes nothing', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = configFile(dir);
  // Where the run is, for the message if it gets stuck (starting the CLI through tsx takes seconds on a loaded machine).
  let stage = 'start';
  const run = async (typed: string[]): Promise<{ code: number | null; screen: string }> => {
    stage = `pty ${typed.join()}`;
    const pty = await createPtyPair(dir, `tty${typed.length}${Math.random().toString(36).slice(2, 6)}`);
    try {
      // The CLI gets the terminal end as stdin (a tty: isTTY is true); the test types on the other end.
      const fd = openSync(pty.appPath, 'r+');
      const child = cli(['passwd', '--config', file, '--user', 'ravi', '--role', 'admin'], [fd, 'pipe', fd]);
      const exited = once(child, 'exit') as Promise<[number | null]>;
      closeSync(fd);
      const keyboard = new SerialPort({ path: pty.simPath, baudRate: 115200, autoOpen: false, lock: false });
      stage = 'open keyboard';
      await new Promise<void>((resolve, reject) => keyboard.open((e) => (e ? reject(e) : resolve())));
      let screen = '';
      keyboard.on('data', (d: Buffer) => (screen += d.toString()));
      const prompted = (n: number): Promise<void> =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`prompt ${n} never came: ${JSON.stringify(screen)}`)), 60_000);
          const check = (): void => {
            if ((screen.match(/Password: |Again, to check: /g) ?? []).length < n) return;
            clearTimeout(timer);
            keyboard.off('data', check);
            resolve();
          };
          keyboard.on('data', check);
          check();
        });
      for (const [i, line] of typed.entries()) {
        stage = `prompt ${i + 1}`;
        await prompted(i + 1);
        keyboard.write(`${line}\r`);
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      stage = 'exit';
      const [code] = await exited;
      clearTimeout(timer);
      stage = 'close keyboard';
      // The terminal may already be gone with the program that used it; never wait on it unbounded.
      if (keyboard.isOpen) await Promise.race([new Promise<void>((resolve) => keyboard.close(() => resolve())), new Promise((resolve) => setTimeout(resolve, 1000))]);
      return { code, screen };
    } finally {
      stage = 'close pty';
      // Bounded: under load socat's exit has been seen to go unreported, leaving close() waiting forever.
      await Promise.race([pty.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (pty.process.exitCode === null && pty.process.signalCode === null) pty.process.kill('SIGKILL');
      stage = 'closed';
    }
  };
  // A bound on each run that also keeps the event loop busy, so a stuck step fails with its name.
  const bounded = async (typed: string[]): ReturnType<typeof run> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        run(typed),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`stuck at: ${stage}`)), 90_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  const mismatch = await bounded(['first password', 'other password']);
  assert.equal(mismatch.code, 2);
  assert.equal(readFileSync(file, 'utf8'), exampleConfig(), 'nothing written after a mismatch');
  const ok = await bounded(['typed password', 'typed password']);
  assert.equal(ok.code, 0, ok.screen);
  assert.match(ok.screen, /Password: /);
  assert.match(ok.screen, /Again, to check: /);
  assert.ok(!ok.screen.includes('typed password'), `the password was echoed: ${JSON.stringify(ok.screen)}`);
  const { config } = parseConfig(readFileSync(file, 'utf8'), 'c', dir);
  assert.equal(await verifyPassword('typed password', config.http.users[0]?.passwordHash ?? null), true);
});
