import type { UrcRoute } from '../../at/urc-router.js';

export type Vendor = 'generic' | 'simcom' | 'quectel' | 'huawei';

export interface InitCommand {
  command: string;
  /** A modem that refuses it still works (logged at debug). */
  optional?: boolean;
  /** Tried in order until one succeeds (e.g. +CNMI combinations a modem refuses). */
  alternatives?: string[];
}

/**
 * What differs between vendors, over one generic modem core (ModemManager's plugin idea).
 * Each quirk names the modem it was seen on.
 */
export interface ModemProfile {
  vendor: Vendor;
  /** Does `AT+CGMI` output name this vendor? */
  matches(manufacturer: string): boolean;
  /** Sent after the common set-up (echo off, errors, caller id, PDU mode, indications). */
  extraInit: InitCommand[];
  /** Tried in order until one yields an ICCID. */
  iccidCommands: string[];
  /** How to drop a ringing call. */
  hangupCommand: 'ATH' | 'AT+CHUP';
  /** Prepended to the standard URC routes. */
  urcRoutes: UrcRoute[];
}
