import { SerialPort } from 'serialport';
import { createPtyPair, type PtyPair } from '../../src/sim/pty.js';
import { SimModem, type SimModemOptions } from '../../src/sim/sim-modem.js';

export interface PtyModem {
  /** The device path the box opens. */
  path: string;
  sim: SimModem;
  pty: PtyPair;
  /** Pull the modem out: socat dies, both ends of the pty vanish. */
  unplug(): Promise<void>;
  close(): Promise<void>;
}

/** A simulated modem on the far end of a real pseudo-terminal pair made by socat. */
export async function ptyModem(dir: string, name: string, options: SimModemOptions = {}): Promise<PtyModem> {
  const pty = await createPtyPair(dir, name);
  const port = await openPort(pty.simPath);
  const sim = new SimModem(port, options);
  const close = async (): Promise<void> => {
    // Under load serialport's close sometimes never calls back on a pty; killing socat is
    // what unplugs the modem anyway, so the close is bounded.
    if (port.isOpen) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 1000);
        port.close(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
    await pty.close();
  };
  return { path: pty.appPath, sim, pty, unplug: close, close };
}

/** Plug a fresh simulated modem in at the same path (after `unplug`). */
export async function replug(dir: string, name: string, options: SimModemOptions = {}): Promise<PtyModem> {
  return ptyModem(dir, name, options);
}

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false, lock: false });
    port.open((err) => (err ? reject(err) : resolve(port)));
  });
}
