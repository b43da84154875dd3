// Test databases: a fresh SQLite file in a temp directory, or, when TEST_DATABASE_URL is set, a fresh
// PostgreSQL database created on that server and dropped afterwards. Nothing relies on leftover state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { type Config, loadConfig } from '../../src/platform/config.ts';
import { type DbHandle, migrateToLatest, openDatabase } from '../../src/platform/db/index.ts';
import { seedDefaultGrants } from '../../src/platform/auth/grants.ts';
import type { Store } from '../../src/platform/tx.ts';

export const TEST_PG_URL = process.env.TEST_DATABASE_URL || null;
export const testDialect = TEST_PG_URL ? 'postgres' : 'sqlite';

export interface TestDb {
  handle: DbHandle;
  store: Store;
  config: Config;
  dataDir: string;
  databaseUrl: string | null;
  cleanup(): Promise<void>;
}

export async function createTestDb(overrides: Record<string, string> = {}): Promise<TestDb> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pd-test-'));
  let databaseUrl: string | null = null;
  let dropDatabase: (() => Promise<void>) | null = null;
  if (TEST_PG_URL) {
    const name = `pd_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const config = loadConfig({
    PARTNERDESK_DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const handle = openDatabase(config);
  await migrateToLatest(handle.db);
  await seedDefaultGrants(handle.db);
  return {
    handle,
    store: { db: handle.db, dialect: handle.dialect },
    config,
    dataDir,
    databaseUrl,
    async cleanup() {
      await handle.close();
      if (dropDatabase) await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
