import type { HqConfig } from './config.js';
import { isPostgres } from './config.js';
import { PgHqStore } from './pg-store.js';
import { SqliteHqStore } from './sqlite-store.js';
import type { HqStore } from './store.js';

/** The store `database` names: PostgreSQL for `postgres://…`, else an SQLite file. Not yet initialised. */
export function openHqStore(config: Pick<HqConfig, 'database' | 'databaseSchema'>): HqStore {
  return isPostgres(config.database) ? new PgHqStore(config.database, config.databaseSchema) : new SqliteHqStore(config.database);
}
