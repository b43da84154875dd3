import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.ts';
import { EVENT_FIGURES, partnerDayDiff } from '../../../test/support/rollup-check.ts';
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

  it('0130 backfills the partner-day rollups from the per-link rollups of an upgraded workspace', async () => {
    // A workspace from before 0130: per-link rollups (several links, sub1 values and currencies per partner-day,
    // and a zero row left by a moved client), no partner-day tables.
    let seed = 7;
    const rnd = (max: number) => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed % max;
    };
    const clicks: Record<string, string | number>[] = [];
    const events: Record<string, string | number>[] = [];
    for (const partner of ['ptr_A', 'ptr_B', 'ptr_C'])
      for (const day of ['2026-03-30', '2026-03-31', '2026-04-01'])
        for (const link of [`${partner}_l1`, `${partner}_l2`, ''])
          for (const sub1 of ['', 'fb', 'é']) {
            if (rnd(4) === 0) continue;
            if (link !== '') {
              const n = 1 + rnd(500);
              const bots = rnd(Math.floor(n / 10) + 1);
              clicks.push({
                day,
                link_id: link,
                sub1,
                partner_id: partner,
                clicks: n,
                unique_clicks: n - bots - rnd(5),
                bots,
              });
            }
            for (const currency of ['', 'USD', 'EUR']) {
              if (rnd(2) === 0) continue;
              const zero = rnd(10) === 0;
              events.push({
                day,
                partner_id: partner,
                link_id: link,
                sub1,
                currency,
                ...Object.fromEntries(EVENT_FIGURES.map((f) => [f, zero ? 0 : rnd(100_000)])),
              });
            }
          }
    for (let i = 0; i < clicks.length; i += 100)
      await t.store.db
        .insertInto('click_rollups')
        .values(clicks.slice(i, i + 100) as never)
        .execute();
    for (let i = 0; i < events.length; i += 50)
      await t.store.db
        .insertInto('event_rollups')
        .values(events.slice(i, i + 50) as never)
        .execute();
    await sql`drop table partner_day_click_rollups`.execute(t.store.db);
    await sql`drop table partner_day_event_rollups`.execute(t.store.db);
    await sql`delete from kysely_migration where name = '0130_partner_day_rollups'`.execute(t.store.db);

    const { applied } = await migrateToLatest(t.store.db);
    expect(applied).toEqual(['0130_partner_day_rollups']);
    const { diffs, rows } = await partnerDayDiff(t.store.db);
    expect(diffs).toEqual([]);
    // One row per partner-day with clicks, one per partner-day and currency with events (the zero rows too).
    const key = (r: Record<string, string | number>, ...cols: string[]) => cols.map((c) => r[c]).join('|');
    expect(rows).toBe(
      new Set(clicks.map((r) => key(r, 'partner_id', 'day'))).size +
        new Set(events.map((r) => key(r, 'partner_id', 'day', 'currency'))).size,
    );
    expect(clicks.length).toBeGreaterThan(20);
    expect(events.length).toBeGreaterThan(40);
  });
});
