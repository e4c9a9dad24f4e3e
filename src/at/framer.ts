/**
 * Splits the modem's byte stream into frames: complete lines, and the SMS prompt `> ` which
 * has no line ending (a readline parser never emits it, which is why we do not use one).
 *
 * Pure: no timers, no I/O. Bytes are decoded as latin1 so that a multi-byte sequence split
 * across two reads can never be mangled; AT responses in PDU mode are ASCII anyway.
 */
export type Frame =
  | { kind: 'line'; text: string }
  | { kind: 'prompt' }
  /** A line longer than the limit was dropped (its start, for the log). */
  | { kind: 'overflow'; length: number; head: string };

export interface FramerOptions {
  /** Longest line kept; longer ones are dropped up to their line end. */
  maxLineLength?: number;
}

/** Long enough for a PDU line of +CMGR/+CMGL (≤ 2 × 176 hex chars) with room to spare. */
export const DEFAULT_MAX_LINE_LENGTH = 2048;

export class AtFramer {
  private buf = '';
  /** True while skipping the rest of an over-long line. */
  private discarding = false;
  private discarded = 0;
  private discardHead = '';
  private readonly maxLineLength: number;

  constructor(options: FramerOptions = {}) {
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  /** Feed a chunk; returns the frames it completed, in order. */
  push(chunk: Buffer | string): Frame[] {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const frames: Frame[] = [];
    if (this.buf.endsWith('\r') && text.length > 0) {
      const first = text.charCodeAt(0);
      if (first !== 0x0a && first !== 0x0d) this.take('', frames, true);
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a /* LF */) {
        this.take(text.slice(start, i), frames, true);
        start = i + 1;
      } else if (c === 0x0d /* CR */) {
        // CR then something other than CR/LF ends a line too (modems with S4 changed, or a
        // bare echo). CR CR LF (SIM7600, Huawei) is handled by waiting for the LF.
        const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
        if (next !== -1 && next !== 0x0a && next !== 0x0d) {
          this.take(text.slice(start, i), frames, true);
          start = i + 1;
        }
      }
    }
    this.take(text.slice(start), frames, false);
    return frames;
  }

  /** Forget any partial line (after the port reopens). */
  reset(): void {
    this.buf = '';
    this.discarding = false;
    this.discarded = 0;
  }

  private take(piece: string, frames: Frame[], ended: boolean): void {
    if (this.discarding) {
      this.discarded += (ended ? piece.replace(/\r+$/, '') : piece).length;
      if (ended) {
        frames.push({ kind: 'overflow', length: this.discarded, head: this.discardHead });
        this.discarding = false;
        this.discarded = 0;
      }
      return;
    }
    this.buf += piece;
    this.checkPrompt(frames);
    if (!ended) {
      if (this.buf.length > this.maxLineLength) {
        this.discarding = true;
        this.discarded = this.buf.length;
        this.discardHead = printable(this.buf.slice(0, 40));
        this.buf = '';
      }
      return;
    }
    let line = this.buf;
    this.buf = '';
    // Strip the CRs of CR CR LF and stray spaces; NULs are line noise from modem resets.
    line = line.replace(/\0/g, '').replace(/[\r\s]+$/, '').replace(/^[\r\s]+/, '');
    if (line.length > this.maxLineLength) {
      frames.push({ kind: 'overflow', length: line.length, head: printable(line.slice(0, 40)) });
      return;
    }
    if (line.length > 0) frames.push({ kind: 'line', text: line });
  }

  /**
   * The prompt is `> ` at the start of a line with no line end after it. Anything that
   * follows it in the same read (an echo of the PDU) starts a new line.
   */
  private checkPrompt(frames: Frame[]): void {
    const trimmed = this.buf.replace(/^[\r\0]+/, '');
    if (trimmed.startsWith('> ')) {
      frames.push({ kind: 'prompt' });
      this.buf = trimmed.slice(2);
    }
  }
}

/** Control bytes shown as \xNN so that a log line stays one readable line. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\xff]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
