import { Duplex } from 'node:stream';

/**
 * Two connected in-process byte streams: what one writes, the other reads. The demo uses it
 * to run simulated modems without a pty (so it needs no system package); integration tests
 * use real ptys instead. Destroying either end closes both, like pulling the cable.
 */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (peer: () => Duplex): Duplex =>
    new Duplex({
      read() {
        /* data is pushed by the peer's write */
      },
      write(chunk: Buffer, _enc, cb) {
        const p = peer();
        // Deliver on a later tick, as bytes over a wire would arrive.
        setImmediate(() => {
          if (!p.destroyed) p.push(chunk);
        });
        cb();
      },
      destroy(err, cb) {
        const p = peer();
        setImmediate(() => {
          if (!p.destroyed) p.destroy();
        });
        cb(err);
      },
    });
  const a = make(() => ends[1] as Duplex);
  const b = make(() => ends[0] as Duplex);
  ends.push(a, b);
  return [a, b];
}
