/**
 * One error class for the whole box, with stable codes (fastify/zwave-js style) so that logs,
 * the API and tests can match on `code` instead of on message text.
 */
export const ErrorCodes = {
  /** The configuration file is missing, unreadable or fails validation. */
  CONFIG_INVALID: 'MCB_CONFIG_INVALID',
  /** An AT command got no final result code in time. */
  AT_TIMEOUT: 'MCB_AT_TIMEOUT',
  /** An AT command ended with ERROR (or a vendor spelling of it). */
  AT_ERROR: 'MCB_AT_ERROR',
  /** An AT command ended with +CME ERROR. */
  AT_CME: 'MCB_AT_CME',
  /** An AT command ended with +CMS ERROR. */
  AT_CMS: 'MCB_AT_CMS',
  /** The port closed while the command was queued or in flight. */
  AT_CLOSED: 'MCB_AT_CLOSED',
  /** The command was cancelled by the caller. */
  AT_ABORTED: 'MCB_AT_ABORTED',
  /** The modem never printed the `> ` prompt (or printed something else instead). */
  AT_NO_PROMPT: 'MCB_AT_NO_PROMPT',
  /** The serial port could not be opened. */
  PORT_OPEN_FAILED: 'MCB_PORT_OPEN_FAILED',
  /** The modem did not answer `AT` during synchronisation. */
  MODEM_UNRESPONSIVE: 'MCB_MODEM_UNRESPONSIVE',
  /** The database could not be opened or migrated. */
  STORE_FAILED: 'MCB_STORE_FAILED',
  /** A request to the HTTP API had a bad parameter. */
  BAD_REQUEST: 'MCB_BAD_REQUEST',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface AppErrorOptions {
  cause?: unknown;
  /** Structured facts for the log line (never secrets, never a full phone number). */
  context?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.context = options.context ?? {};
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** A short, single-line description of any thrown value, for logs and `lastError` columns. */
export function describeError(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
