import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Tracking: links (one public code each, a numeric seq carried inside click ids), raw clicks (written in
// batches by the tracking writer) and daily click rollups (updated in the same batch transaction).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull().unique())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('landing_url', 'text', (c) => c.notNull())
    .addColumn('campaign', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('allowed_countries', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('links_partner').on('links').columns(['partner_id', 'id']).execute();

  // No foreign keys and no secondary index on clicks: every index costs the click path, and raw clicks may be
  // pruned by retention (the click id itself still proves time and link). Stats read click_rollups. On SQLite
  // the table is WITHOUT ROWID: rows live in the primary-key b-tree once (ids are time-ordered, so appends).
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('clicks')
    .$call((b) => (sqlite ? b.modifyEnd(sql`without rowid`) : b))
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('partner_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('referrer', 'text')
    .addColumn('country', 'text')
    .addColumn('geo_allowed', 'integer')
    .addColumn('sub1', 'text')
    .addColumn('sub2', 'text')
    .addColumn('sub3', 'text')
    .addColumn('sub4', 'text')
    .addColumn('sub5', 'text')
    .addColumn('is_bot', 'integer', (c) => c.notNull())
    .addColumn('is_duplicate', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('click_rollups')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('sub1', 'text', (c) => c.notNull())
    .addColumn('partner_id', 'text', (c) => c.notNull())
    .addColumn('clicks', 'bigint', (c) => c.notNull())
    .addColumn('unique_clicks', 'bigint', (c) => c.notNull())
    .addColumn('bots', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('click_rollups_pk', ['day', 'link_id', 'sub1'])
    .execute();
  await db.schema
    .createIndex('click_rollups_partner_day')
    .on('click_rollups')
    .columns(['partner_id', 'day'])
    .execute();
  await db.schema
    .createIndex('click_rollups_link_day')
    .on('click_rollups')
    .columns(['link_id', 'day'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
