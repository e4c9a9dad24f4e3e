import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface PtyPair {
  /** The end the box opens, like /dev/ttyUSB2. */
  appPath: string;
  /** The end the simulated modem opens. */
  simPath: string;
  /** Kill socat: both ends vanish, as when a USB modem is pulled out. */
  close(): Promise<void>;
  readonly process: ChildProcess;
}

/**
 * A pseudo-terminal pair made by socat, with symlinks `<dir>/<name>` (the box's side) and
 * `<dir>/<name>.sim` (the simulated modem's side). Resolves once socat reports both ptys open.
 */
export async function createPtyPair(dir: string, name: string, timeoutMs = 5000): Promise<PtyPair> {
  const appPath = join(dir, name);
  const simPath = join(dir, `${name}.sim`);
  const child = spawn(
    'socat',
    ['-d', '-d', `pty,rawer,echo=0,link=${appPath}`, `pty,rawer,echo=0,link=${simPath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`socat did not open a pty pair within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run socat (install it: apt-get install socat): ${err.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`socat exited with code ${code}: ${stderr.trim()}`));
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('starting data transfer loop') && existsSync(appPath) && existsSync(simPath)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve();
      }
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    appPath,
    simPath,
    process: child,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // socat has been seen to linger on a pty whose other end is still being closed;
        // an unplugged modem must vanish, so it gets SIGKILL after a moment.
        const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
