import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.ts';
import { migrateToLatest, pendingMigrations } from './index.ts';

describe('migrations', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.cleanup());

  it('are all applied and recorded on a new database', async () => {
    expect(await pendingMigrations(t.store.db)).toEqual([]);
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(t.store.db);
    expect(rows.rows.length).toBeGreaterThan(5);
  });

  it('apply a module migration that sorts before ones already applied (an upgrade from an older build)', async () => {
    // Simulate a database from before 0021 existed: its indexes and its record are absent.
    for (const index of ['partners_stage_updated', 'partners_stage_name', 'partners_stage_created_id']) {
      await sql`drop index ${sql.ref(index)}`.execute(t.store.db);
    }
    await sql`delete from kysely_migration where name = '0021_partner_list_indexes'`.execute(t.store.db);
    expect(await pendingMigrations(t.store.db)).toEqual(['0021_partner_list_indexes']);
    const { applied } = await migrateToLatest(t.store.db);
    expect(applied).toEqual(['0021_partner_list_indexes']);
    expect(await pendingMigrations(t.store.db)).toEqual([]);
  });
});
