import { migration001 } from './001-calls.js';
import { migration002 } from './002-sync-log.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Forward-only, applied in order; a released migration is never edited, only followed. */
export const migrations: readonly Migration[] = [migration001, migration002];
