import { parseExtendedError } from './parsers/errors.js';

/**
 * A final result code: the line that completes the command in flight. Matching is on the
 * whole line (never a substring), so an operator name or SMS text containing "OK" or "ERROR"
 * cannot end the wrong command.
 */
export type FinalResult =
  | { kind: 'ok' }
  /** Plain ERROR, or a vendor spelling of it (Huawei `COMMAND NOT SUPPORT`). */
  | { kind: 'error'; text: string }
  | { kind: 'cme'; code: number | null; text: string | null }
  | { kind: 'cms'; code: number | null; text: string | null }
  /** Call results: final only for commands that place or answer a call (ATD, ATA). */
  | { kind: 'no-carrier' | 'busy' | 'no-answer' | 'no-dialtone' };

const PLAIN_ERRORS = new Set(['ERROR', 'COMMAND NOT SUPPORT', 'TOO MANY PARAMETERS']);

const CALL_RESULTS: Record<string, FinalResult> = {
  'NO CARRIER': { kind: 'no-carrier' },
  BUSY: { kind: 'busy' },
  'NO ANSWER': { kind: 'no-answer' },
  'NO DIALTONE': { kind: 'no-dialtone' },
  'NO DIAL TONE': { kind: 'no-dialtone' },
};

/**
 * @param line one framed line
 * @param dial whether the command in flight places/answers a call; otherwise `NO CARRIER`
 *   and friends are unsolicited (a caller giving up) and must not complete, say, `AT+CSQ`.
 */
export function matchFinal(line: string, dial = false): FinalResult | null {
  if (line === 'OK') return { kind: 'ok' };
  if (PLAIN_ERRORS.has(line)) return { kind: 'error', text: line };
  const ext = parseExtendedError(line);
  if (ext) return ext.kind === 'cme' ? { kind: 'cme', code: ext.code, text: ext.text } : { kind: 'cms', code: ext.code, text: ext.text };
  if (dial) {
    const call = CALL_RESULTS[line];
    if (call) return call;
  }
  return null;
}

export function isSuccess(final: FinalResult): boolean {
  return final.kind === 'ok';
}

export function describeFinal(final: FinalResult): string {
  switch (final.kind) {
    case 'ok':
      return 'OK';
    case 'error':
      return final.text;
    case 'cme':
      return `+CME ERROR: ${final.code ?? final.text ?? '?'}`;
    case 'cms':
      return `+CMS ERROR: ${final.code ?? final.text ?? '?'}`;
    default:
      return final.kind.toUpperCase().replace('-', ' ');
  }
}
