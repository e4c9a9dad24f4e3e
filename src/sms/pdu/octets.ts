import { PduError } from './errors.js';

/**
 * Parses the hex a modem prints (either case, surrounding whitespace tolerated because `+CMGR`
 * lines often keep a trailing CR) into octets.
 */
export function hexToOctets(hex: string): Uint8Array {
  const clean = hex.trim();
  if (clean.length % 2 !== 0) {
    throw new PduError('PDU_INVALID', `PDU hex has an odd number of digits (${clean.length})`);
  }
  if (!/^[0-9A-Fa-f]*$/.test(clean)) {
    throw new PduError('PDU_INVALID', 'PDU hex contains a character that is not a hex digit');
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  }
  return out;
}

/** Uppercase hex, the form AT+CMGS examples and most modem firmware use. */
export function octetsToHex(octets: Iterable<number>): string {
  let out = '';
  for (const o of octets) out += o.toString(16).padStart(2, '0');
  return out.toUpperCase();
}

/**
 * A cursor over a PDU that turns every out-of-range read into `PDU_TRUNCATED` naming the field,
 * so decoders can be written as straight-line code without length checks at every step.
 */
export class OctetReader {
  readonly #octets: Uint8Array;
  readonly #base: number;
  #pos = 0;

  /** `base` is added to offsets in errors, so a TPDU reader reports positions in the whole PDU. */
  constructor(octets: Uint8Array, base = 0) {
    this.#octets = octets;
    this.#base = base;
  }

  /** Octets consumed so far. */
  get position(): number {
    return this.#pos;
  }

  /** Octets not yet consumed. */
  get remaining(): number {
    return this.#octets.length - this.#pos;
  }

  /** Reads one octet. */
  byte(field: string): number {
    const value = this.#octets[this.#pos];
    if (value === undefined) throw this.#truncated(field, 1);
    this.#pos += 1;
    return value;
  }

  /** Reads `count` octets as a view (no copy). */
  bytes(count: number, field: string): Uint8Array {
    if (count > this.remaining) throw this.#truncated(field, count);
    const out = this.#octets.subarray(this.#pos, this.#pos + count);
    this.#pos += count;
    return out;
  }

  #truncated(field: string, wanted: number): PduError {
    const offset = this.#base + this.#pos;
    return new PduError(
      'PDU_TRUNCATED',
      `PDU ends inside ${field} at octet ${offset}: needs ${wanted}, has ${this.remaining}`,
      { field, offset },
    );
  }
}
