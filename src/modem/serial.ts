import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { AppError, ErrorCodes } from '../errors.js';

/** Opens the byte stream of one modem. The demo swaps in simulated modems here. */
export type PortOpener = (path: string, baudRate: number) => Promise<Duplex>;

/**
 * The real serial port. `serialport` emits `close` when a USB modem is pulled out (and on a
 * pty whose other end went away), which is how the modem learns it is gone.
 */
export const openSerialPort: PortOpener = (path, baudRate) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true });
    port.open((err) => {
      if (err) {
        reject(
          new AppError(ErrorCodes.PORT_OPEN_FAILED, `cannot open ${path}: ${err.message}`, {
            cause: err,
            context: { port: path },
          }),
        );
        return;
      }
      resolve(port);
    });
  });
