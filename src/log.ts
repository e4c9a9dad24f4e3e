import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LogOptions {
  level?: string;
  /** Where lines go; defaults to stdout (journald picks it up under systemd). */
  destination?: NodeJS.WritableStream;
}

/**
 * The one logger. Modules take a child (`log.child({ module: 'engine', modem: 'line-1' })`)
 * from whoever constructs them; nothing imports a global logger, so tests can inject a silent one.
 * Secrets are redacted by key name wherever they appear, so a config object logged by mistake
 * does not leak the MQTT password or a password hash.
 */
export function createLogger(options: LogOptions = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { app: 'missedcall' },
    redact: {
      paths: [
        'password',
        '*.password',
        '*.*.password',
        'passwordHash',
        '*.passwordHash',
        '*.*.passwordHash',
        'key',
        '*.key',
        'authorization',
        '*.authorization',
        'headers.cookie',
        '*.headers.cookie',
      ],
      censor: '[redacted]',
    },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that discards everything (unit tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * For log lines that may carry a phone number the box could not parse (an unknown URC, a
 * broken +CLIP): every run of 7 or more digits keeps its first two and last two digits.
 */
export function redactDigits(text: string): string {
  return text.replace(/\d{7,}/g, (d) => `${d.slice(0, 2)}${'•'.repeat(d.length - 4)}${d.slice(-2)}`);
}
