import type { Config, ModemConfig } from '../config/load.js';
import type { ModemRole } from '../config/schema.js';
import { parseInstant, parseQuietHours, type Blackout, type SendWindow } from './schedule.js';

/** The `sms:` section as the outbox uses it, every default applied and every time parsed. */
export interface SmsSettings {
  /** 0 = no limit. */
  dailyLimitPerSim: number;
  window: SendWindow;
}

/** What an absent `sms:` section means (the same as `sms: {}`; a unit test keeps them equal). */
export const SMS_DEFAULTS = { dailyLimitPerSim: 100 } as const;

/**
 * Resolve the validated config into settings. The config was checked at start, so a parse
 * failure here is a programming error and throws.
 */
export function smsSettings(config: Pick<Config, 'sms'>): SmsSettings {
  const sms = config.sms;
  const quiet = parseQuietHours(sms?.quietHours ?? '');
  if (!quiet.ok) throw new Error(`sms.quietHours was not validated: ${sms?.quietHours ?? ''}`);
  const blackouts: Blackout[] = (sms?.blackout ?? []).map((b) => {
    const from = parseInstant(b.from);
    const to = parseInstant(b.to);
    if (!from.ok || !to.ok) throw new Error(`sms.blackout was not validated: ${b.from} - ${b.to}`);
    return { from: from.value, to: to.value, reason: b.reason ?? null };
  });
  return {
    dailyLimitPerSim: sms?.dailyLimitPerSim ?? SMS_DEFAULTS.dailyLimitPerSim,
    window: { quietHours: quiet.value, blackouts, timeZone: sms?.timezone },
  };
}

/** A modem's role; `both` when the config does not say. */
export function modemRole(modem: Pick<ModemConfig, 'role'>): ModemRole {
  return modem.role ?? 'both';
}
