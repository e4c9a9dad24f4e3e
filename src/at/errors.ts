import { AppError, ErrorCodes, type ErrorCode } from '../errors.js';
import type { FinalResult } from './result-codes.js';

export type AtErrorCode =
  | typeof ErrorCodes.AT_TIMEOUT
  | typeof ErrorCodes.AT_ERROR
  | typeof ErrorCodes.AT_CME
  | typeof ErrorCodes.AT_CMS
  | typeof ErrorCodes.AT_CLOSED
  | typeof ErrorCodes.AT_ABORTED
  | typeof ErrorCodes.AT_NO_PROMPT;

export interface AtErrorDetails {
  command: string;
  lines?: string[];
  final?: FinalResult;
  /** The stack at the moment the command was queued: a timeout points at who asked. */
  origin?: Error;
}

/** A failed AT command. `cmeCode`/`cmsCode` carry the number when the modem gave one. */
export class AtError extends AppError {
  readonly command: string;
  readonly lines: string[];
  readonly final: FinalResult | undefined;
  readonly cmeCode: number | null;
  readonly cmsCode: number | null;

  constructor(code: AtErrorCode & ErrorCode, message: string, details: AtErrorDetails) {
    super(code, message, { context: { command: details.command } });
    this.name = 'AtError';
    this.command = details.command;
    this.lines = details.lines ?? [];
    this.final = details.final;
    this.cmeCode = details.final?.kind === 'cme' ? details.final.code : null;
    this.cmsCode = details.final?.kind === 'cms' ? details.final.code : null;
    if (details.origin?.stack) {
      const callerFrames = details.origin.stack.split('\n').slice(1).join('\n');
      this.stack = `${this.name} [${code}]: ${message}\n${callerFrames}`;
    }
  }
}
