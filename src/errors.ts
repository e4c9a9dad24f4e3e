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
  /** A web request came without an account (no session, no basic auth) or with a wrong password (401). */
  UNAUTHORISED: 'MCB_UNAUTHORISED',
  /** No account is configured yet (`http.users` is empty): everything but the first-run page is locked (401). */
  NO_ACCOUNTS: 'MCB_NO_ACCOUNTS',
  /** Too many wrong passwords from one address: it must wait (429). */
  LOCKED: 'MCB_LOCKED',
  /** The account may not do this (a viewer asking for an admin action), or the request came from another site (403). */
  FORBIDDEN: 'MCB_FORBIDDEN',
  /** A form or action without the session's CSRF token (403). */
  CSRF: 'MCB_CSRF',
  /** No page or API address of that name (404). */
  NOT_FOUND: 'MCB_NOT_FOUND',
  /** The part of the box an action needs is not there yet (501). */
  NOT_AVAILABLE: 'MCB_NOT_AVAILABLE',
  /** An admin action was refused by the part that carries it out (409). */
  ACTION_FAILED: 'MCB_ACTION_FAILED',
  /** An SMS could not be queued (invalid number, empty or too long text, opted-out number). */
  SMS_NOT_QUEUED: 'MCB_SMS_NOT_QUEUED',
  /** An SMS could not be turned into PDUs (a destination the codec cannot address). */
  SMS_ENCODE_FAILED: 'MCB_SMS_ENCODE_FAILED',
  /** The MQTT broker refused the box's or collector's login (bad username/password, not authorised). */
  SYNC_AUTH_FAILED: 'MCB_SYNC_AUTH_FAILED',
  /** The MQTT broker could not be reached, dropped the connection, or a publish failed. */
  SYNC_CONNECT_FAILED: 'MCB_SYNC_CONNECT_FAILED',
  /** A TLS file named in `mqtt.ca`/`cert`/`key` (or the HQ `broker:` section) could not be read. */
  SYNC_TLS_FILE: 'MCB_SYNC_TLS_FILE',
  /** An MQTT message did not follow docs/PROTOCOL.md (bad gzip, not JSON, wrong schema, too large). */
  SYNC_BAD_PAYLOAD: 'MCB_SYNC_BAD_PAYLOAD',
  /** The HQ database (SQLite or PostgreSQL) failed to store or read. */
  HQ_STORE_FAILED: 'MCB_HQ_STORE_FAILED',
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
