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
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(new Error(`cannot run socat (install it: apt-get install socat): ${err.message}`));
    };
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`socat exited with code ${code}: ${stderr.trim()}`));
    };
    const onData = (d: Buffer): void => {
      stderr += d.toString();
      if (stderr.includes('starting data transfer loop') && existsSync(appPath) && existsSync(simPath)) {
        clearTimeout(timer);
        // Only our own listeners: socat keeps printing (EOF notices), and the exit listener
        // `close()` relies on must survive that.
        child.off('error', onError);
        child.off('exit', onExit);
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve();
      }
    };
    child.on('error', onError);
    child.on('exit', onExit);
    child.stderr?.on('data', onData);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    appPath,
    simPath,
    process: child,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // An unplugged modem must vanish even if socat lingers on a pty being closed.
        const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
