import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watchForPath } from '../../../src/modem/port-watch.js';
import { tempDir } from '../../helpers/box.js';

function changed(path: string, t: { after: (fn: () => void) => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no change seen for ${path} within 3 s`)), 3000);
    const stop = watchForPath(path, () => {
      clearTimeout(timer);
      resolve();
    });
    t.after(stop);
  });
}

test('the device path appearing (a symlink, as udev makes in /dev/serial/by-id) is seen', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const port = join(dir, 'usb-Quectel_EC25-if02-port0');
  const seen = changed(port, t);
  writeFileSync(join(dir, 'target'), '');
  symlinkSync(join(dir, 'target'), port);
  await seen;
});

test('when the folder of the path is gone too (the last USB serial device unplugged), its coming back is seen', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const port = join(dir, 'serial', 'by-id', 'usb-modem');
  const seen = changed(port, t);
  mkdirSync(join(dir, 'serial'));
  await seen;
});

test('other names in the folder are not the port', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  let calls = 0;
  const stop = watchForPath(join(dir, 'ttyUSB2'), () => calls++);
  t.after(stop);
  const port = changed(join(dir, 'ttyUSB2'), t);
  writeFileSync(join(dir, 'ttyUSB0'), '');
  writeFileSync(join(dir, 'ttyUSB2'), '');
  await port;
  assert.equal(calls, 1);
});
