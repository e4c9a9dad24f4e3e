import { EventEmitter } from 'node:events';

/** What the simulated modem prints for a storage command (same shape as `SimReply`'s line form). */
export interface StorageReply {
  lines?: string[];
  final: string;
}

export interface SimSmsStorageOptions {
  /** The storage name the modem reports (`SM` SIM, `ME` modem memory). Default `SM`. */
  name?: string;
  /** Messages it holds; more are refused without a word, as a real full SIM does. Default 50. */
  capacity?: number;
  /** Index of the first slot: 1 on most SIMs, 0 in some modems' own memory (`+CMTI: "ME",0`). */
  firstIndex?: 0 | 1;
  /** Print `+CMGR: ,,27` (empty status), as some firmwares do. */
  emptyStat?: boolean;
  /** Bytes printed after each PDU beyond its stated length (seen on real modems). */
  junkAfterPdu?: string;
}

interface Stored {
  stat: number;
  pdu: string;
}

export interface SimSmsStorageEvents {
  stored: [index: number];
  /** A message the network could not deliver because the storage was full (it keeps it). */
  refused: [pdu: string];
  deleted: [index: number];
}

/** TPDU octets of a hex PDU that starts with its SMSC prefix (what `+CMGR`/`+CMT` state as length). */
export function tpduLength(pdu: string): number {
  const smsc = Number.parseInt(pdu.slice(0, 2), 16);
  return pdu.length / 2 - 1 - (Number.isNaN(smsc) ? 0 : smsc);
}

/**
 * The simulated modem's message storage (27.005 §3): `AT+CPMS`, `AT+CMGR`, `AT+CMGL`, `AT+CMGD`
 * in PDU mode. When full it refuses new messages silently; like a real network, the refused
 * ones are delivered (with `+CMTI`) once a message is deleted and there is room again.
 */
export class SimSmsStorage extends EventEmitter<SimSmsStorageEvents> {
  readonly name: string;
  readonly capacity: number;
  readonly firstIndex: number;
  emptyStat: boolean;
  junkAfterPdu: string;
  private readonly slots = new Map<number, Stored>();
  /** Messages the network holds while the storage is full. */
  readonly held: string[] = [];

  constructor(
    options: SimSmsStorageOptions,
    /** Prints a URC (`+CMTI: …`) through the modem. */
    private readonly notify: (line: string) => void,
  ) {
    super();
    this.name = options.name ?? 'SM';
    this.capacity = options.capacity ?? 50;
    this.firstIndex = options.firstIndex ?? 1;
    this.emptyStat = options.emptyStat ?? false;
    this.junkAfterPdu = options.junkAfterPdu ?? '';
  }

  get used(): number {
    return this.slots.size;
  }

  /** Indexes in use, in order. */
  indexes(): number[] {
    return [...this.slots.keys()].sort((a, b) => a - b);
  }

  /** Put a message in the storage without announcing it (it arrived while the box was off). */
  put(pdu: string, stat = 0): number | null {
    for (let i = this.firstIndex; i < this.firstIndex + this.capacity; i++) {
      if (!this.slots.has(i)) {
        this.slots.set(i, { stat, pdu: pdu.toUpperCase() });
        this.emit('stored', i);
        return i;
      }
    }
    return null;
  }

  /** The network delivers a message: stored and announced, or held silently when full. */
  deliver(pdu: string): number | null {
    const index = this.put(pdu);
    if (index === null) {
      this.held.push(pdu);
      this.emit('refused', pdu);
      return null;
    }
    this.notify(`+CMTI: "${this.name}",${index}`);
    return index;
  }

  /** Answer a storage command, or undefined when `cmd` is not one. `sp` is the vendor's space after the colon. */
  answer(cmd: string, sp: string): StorageReply | undefined {
    const c = cmd.toUpperCase();
    let m: RegExpExecArray | null;
    if (c === 'AT+CPMS?') {
      const u = `${this.used},${this.capacity}`;
      return { lines: [`+CPMS:${sp}"${this.name}",${u},"${this.name}",${u},"${this.name}",${u}`], final: 'OK' };
    }
    if (c === 'AT+CPMS=?') {
      // The storages `AT+CPMS="…"` accepts, for mem1, mem2 and mem3 (gammu asks before choosing).
      const list = `("${this.name}","MT")`;
      return { lines: [`+CPMS:${sp}${list},${list},${list}`], final: 'OK' };
    }
    if ((m = /^AT\+CPMS="([A-Z]{2})"/.exec(c))) {
      if (m[1] !== this.name && m[1] !== 'MT') return { final: '+CMS ERROR: 302' };
      const u = `${this.used},${this.capacity}`;
      return { lines: [`+CPMS:${sp}${u},${u},${u}`], final: 'OK' };
    }
    if ((m = /^AT\+CMGR=(\d+)$/.exec(c))) {
      const index = Number(m[1]);
      const s = this.slots.get(index);
      if (!s) return { final: '+CMS ERROR: 321' };
      const lines = [`+CMGR:${sp}${this.emptyStat ? '' : s.stat},,${tpduLength(s.pdu)}`, `${s.pdu}${this.junkAfterPdu}`];
      if (s.stat === 0) s.stat = 1;
      return { lines, final: 'OK' };
    }
    if ((m = /^AT\+CMGL=(\d)$/.exec(c))) {
      const want = Number(m[1]);
      if (want > 4) return { final: '+CMS ERROR: 302' };
      const lines: string[] = [];
      for (const index of this.indexes()) {
        const s = this.slots.get(index);
        if (!s || (want !== 4 && s.stat !== want)) continue;
        lines.push(`+CMGL:${sp}${index},${s.stat},,${tpduLength(s.pdu)}`, `${s.pdu}${this.junkAfterPdu}`);
        if (s.stat === 0) s.stat = 1;
      }
      return { lines, final: 'OK' };
    }
    if ((m = /^AT\+CMGD=(\d+)(?:,([0-4]))?$/.exec(c))) {
      const flag = Number(m[2] ?? 0);
      const targets = flag === 0 ? [Number(m[1])] : this.indexes().filter((i) => flag === 4 || this.slots.get(i)?.stat === 1);
      for (const index of targets) {
        if (this.slots.delete(index)) this.emit('deleted', index);
      }
      // A real network re-sends held messages when the phone reports free memory (RP-SMMA);
      // after this command's OK, as the modem would print it.
      if (this.held.length > 0 && this.used < this.capacity) setImmediate(() => this.redeliver());
      return { final: 'OK' };
    }
    return undefined;
  }

  private redeliver(): void {
    while (this.held.length > 0 && this.used < this.capacity) {
      const pdu = this.held.shift();
      if (pdu !== undefined) this.deliver(pdu);
    }
  }
}
