// Opens the database (embedded SQLite in the data directory, or PostgreSQL when DATABASE_URL is set) behind
// one Kysely handle, and applies the migrations kept in this folder.
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import * as m0001 from './migrations/0001_platform.ts';
import * as m0002 from './migrations/0002_partners.ts';
import * as m0010 from './migrations/0010_access_admin.ts';
import * as m0020 from './migrations/0020_partners_api.ts';
import * as m0021 from './migrations/0021_partner_list_indexes.ts';
import * as m0040 from './migrations/0040_document_details.ts';
import * as m0050 from './migrations/0050_terms_acceptance.ts';
import * as m0060 from './migrations/0060_onboarding.ts';
import * as m0070 from './migrations/0070_due_diligence.ts';
import * as m0080 from './migrations/0080_tasks.ts';
import * as m0090 from './migrations/0090_tracking.ts';
import * as m0100 from './migrations/0100_postbacks.ts';
import * as m0110 from './migrations/0110_events.ts';
import * as m0120 from './migrations/0120_tracking_qa.ts';
import * as m0130 from './migrations/0130_partner_day_rollups.ts';
import type { DB } from './schema.ts';

export type { DB } from './schema.ts';
export type Dialect = 'sqlite' | 'postgres';

/** Migrations in the order they apply. Add new files at the end; never edit an applied one. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_platform': m0001,
  '0002_partners': m0002,
  '0010_access_admin': m0010,
  '0020_partners_api': m0020,
  '0021_partner_list_indexes': m0021,
  '0040_document_details': m0040,
  '0050_terms_acceptance': m0050,
  '0060_onboarding': m0060,
  '0070_due_diligence': m0070,
  '0080_tasks': m0080,
  '0090_tracking': m0090,
  '0100_postbacks': m0100,
  '0110_events': m0110,
  '0120_tracking_qa': m0120,
  '0130_partner_day_rollups': m0130,
};

export interface DbHandle {
  db: Kysely<DB>;
  dialect: Dialect;
  /** Human-readable location for logs (never includes a password). */
  location: string;
  /** The raw SQLite handle (online backup); absent on PostgreSQL. */
  sqlite?: Database.Database;
  close(): Promise<void>;
}

// bigint (int8) and numeric counts come back as strings from pg; our values fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export function openDatabase(opts: { databaseUrl: string | null; dataDir: string }): DbHandle {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // An idle client error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const url = new URL(opts.databaseUrl);
    return {
      db,
      dialect: 'postgres',
      location: `postgres://${url.host}${url.pathname}`,
      close: () => db.destroy(),
    };
  }
  const file = path.join(opts.dataDir, 'partnerdesk.sqlite');
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we acknowledge it (WAL + NORMAL could lose the last commits on power loss).
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', location: file, sqlite, close: () => db.destroy() };
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

// Modules number their migrations in ranges (0020 partners, 0060 onboarding, …), so a module's new migration
// can sort before one already applied. Unordered application lets an existing database take it; every
// migration therefore only relies on tables created by migrations that shipped before it.
const migratorOptions = { provider, allowUnorderedMigrations: true } as const;

export async function migrateToLatest(db: Kysely<DB>): Promise<{ applied: string[] }> {
  const migrator = new Migrator({ db, ...migratorOptions });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const why = (error as Error).message ?? String(error);
    throw new Error(failed ? `Migration ${failed.migrationName} failed: ${why}` : `Migrations could not run: ${why}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

export async function pendingMigrations(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, ...migratorOptions });
  const all = await migrator.getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}

export async function ping(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
