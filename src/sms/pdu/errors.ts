/**
 * Why a PDU could not be decoded or encoded. Callers (inbox, outbox, sim) match on `code`, never
 * on the message text:
 * - `PDU_TRUNCATED`: the hex ended before a field the header promised (a cut-off `+CMT` line).
 * - `PDU_INVALID`: the bytes are there but make no sense (bad hex, impossible date, bad option).
 * - `PDU_UNSUPPORTED`: well-formed, but something this codec deliberately does not handle
 *   (compressed user data, the reserved message type).
 */
export type PduErrorCode = 'PDU_TRUNCATED' | 'PDU_INVALID' | 'PDU_UNSUPPORTED';

/** Extra facts for logs and tests. */
export interface PduErrorOptions {
  /** The TP field being read or written, e.g. `TP-OA` or `TP-UD`. */
  field?: string;
  /** Octet offset into the input (SMSC included) where the problem was found. */
  offset?: number;
  cause?: unknown;
}

/**
 * The only error the codec throws on bad input: a malformed PDU from a modem must never surface as
 * a `RangeError` or an `undefined` deep inside the inbox.
 */
export class PduError extends Error {
  readonly code: PduErrorCode;
  readonly field: string | undefined;
  readonly offset: number | undefined;

  constructor(code: PduErrorCode, message: string, options: PduErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PduError';
    this.code = code;
    this.field = options.field;
    this.offset = options.offset;
  }
}

/** Type guard, optionally narrowed to one code. */
export function isPduError(err: unknown, code?: PduErrorCode): err is PduError {
  return err instanceof PduError && (code === undefined || err.code === code);
}
