import { migration001 } from './001-calls.js';
import { migration002 } from './002-sync-log.js';
import { migration003 } from './003-sync.js';
import { migration004 } from './004-sms.js';
import { migration005 } from './005-web.js';
import { migration006 } from './006-inbound.js';
import { migration007 } from './007-call-indexes.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Forward-only, applied in order; a released migration is never edited, only followed. */
export const migrations: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007];
