import { genericProfile } from './generic.js';
import { huaweiProfile } from './huawei.js';
import { quectelProfile } from './quectel.js';
import { simcomProfile } from './simcom.js';
import type { ModemProfile, Vendor } from './types.js';

export type { InitCommand, ModemProfile, Vendor } from './types.js';

export const profiles: Record<Vendor, ModemProfile> = {
  generic: genericProfile,
  simcom: simcomProfile,
  quectel: quectelProfile,
  huawei: huaweiProfile,
};

/** The profile whose vendor `AT+CGMI` names; generic when none does. */
export function detectProfile(manufacturer: string | null): ModemProfile {
  if (manufacturer) {
    for (const p of [simcomProfile, quectelProfile, huaweiProfile]) if (p.matches(manufacturer)) return p;
  }
  return genericProfile;
}
