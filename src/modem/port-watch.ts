/**
 * Tells when a serial device path may have come back, so that an unplugged modem is reopened
 * the moment it is plugged in again instead of at the next reconnect attempt (which backs off
 * to 30 s). udev creates `/dev/ttyUSB2` and the `/dev/serial/by-id/…` symlink when the stick
 * is plugged in; inotify (through `fs.watch`) sees that in the folder. `/dev/serial/by-id`
 * itself vanishes with the last USB serial device, so the nearest folder on the path that
 * exists is watched, for the next name on the path.
 *
 * Only a hint: the caller still tries to open the port and falls back to its timer when
 * watching is impossible (no inotify, a folder it may not read).
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Call `onChange` when something named like the next part of `path` changes. Returns a stop function. */
export function watchForPath(path: string, onChange: () => void): () => void {
  let child = path;
  let folder = dirname(path);
  while (!existsSync(folder) && dirname(folder) !== folder) {
    child = folder;
    folder = dirname(folder);
  }
  const name = basename(child);
  let watcher: FSWatcher;
  try {
    watcher = watch(folder, { persistent: false }, (_event, filename) => {
      // Some platforms give no name: any change in the folder is worth a try.
      if (filename === null || filename.toString() === name) onChange();
    });
  } catch {
    return () => undefined;
  }
  watcher.on('error', () => watcher.close());
  return () => watcher.close();
}
