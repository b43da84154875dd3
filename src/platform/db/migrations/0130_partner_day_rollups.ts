import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Stats: coarser rollups per partner and day, kept in the same transactions as the daily rollups per link and
// sub1 (click_rollups, event_rollups) so a month across every partner reads one row per partner-day instead
// of one per link, sub1 and day. Backfilled here from those rollups, so an upgraded workspace answers the same.
//
// Primary keys lead with the day: a range of days is one contiguous stretch of the key, however much history
// the table holds (by day across partners streams in key order; PostgreSQL hashes other groupings). The second
// index leads with the partner: one partner's range, and on SQLite — which has no hash aggregation, so a
// grouping that is not in index order sorts every row — the month by partner, read partner by partner; there
// it covers every column, so those reads never visit the table. On PostgreSQL the text keys use the "C"
// collation, the byte order in which the stats API sorts and pages. Measurements in docs/DECISIONS.md.
const FIGURES = [
  'registrations',
  'kyc_approved',
  'ftds',
  'qualified_ftds',
  'ftd_amount_minor',
  'deposits',
  'deposit_amount_minor',
  'withdrawals',
  'withdrawal_amount_minor',
  'trades',
  'lots',
  'revenue_minor',
  'chargebacks',
  'chargeback_amount_minor',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const key = sqlite ? sql`text` : sql`text collate "C"`;

  await db.schema
    .createTable('partner_day_click_rollups')
    .$call((b) => (sqlite ? b.modifyEnd(sql`without rowid`) : b))
    .addColumn('day', key, (c) => c.notNull())
    .addColumn('partner_id', key, (c) => c.notNull())
    .addColumn('clicks', 'bigint', (c) => c.notNull())
    .addColumn('unique_clicks', 'bigint', (c) => c.notNull())
    .addColumn('bots', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('partner_day_click_rollups_pk', ['day', 'partner_id'])
    .execute();
  await db.schema
    .createIndex('partner_day_click_rollups_partner')
    .on('partner_day_click_rollups')
    .columns(sqlite ? ['partner_id', 'day', 'clicks', 'unique_clicks', 'bots'] : ['partner_id', 'day'])
    .execute();

  await db.schema
    .createTable('partner_day_event_rollups')
    .$call((b) => (sqlite ? b.modifyEnd(sql`without rowid`) : b))
    .addColumn('day', key, (c) => c.notNull())
    .addColumn('partner_id', key, (c) => c.notNull())
    .addColumn('currency', key, (c) => c.notNull())
    .$call((b) => FIGURES.reduce((t, f) => t.addColumn(f, 'bigint', (c) => c.notNull()), b))
    .addPrimaryKeyConstraint('partner_day_event_rollups_pk', ['day', 'partner_id', 'currency'])
    .execute();
  await db.schema
    .createIndex('partner_day_event_rollups_partner')
    .on('partner_day_event_rollups')
    .columns(sqlite ? ['partner_id', 'currency', 'day', ...FIGURES] : ['partner_id', 'day'])
    .execute();

  // The backfill: one row per partner, day (and currency) that has a finer row, with the sums of its rows.
  await sql`insert into partner_day_click_rollups (day, partner_id, clicks, unique_clicks, bots)
    select day, partner_id, sum(clicks), sum(unique_clicks), sum(bots)
    from click_rollups group by day, partner_id`.execute(db);
  await sql`insert into partner_day_event_rollups (day, partner_id, currency, ${sql.join(FIGURES.map((f) => sql.ref(f)))})
    select day, partner_id, currency, ${sql.join(FIGURES.map((f) => sql`sum(${sql.ref(f)})`))}
    from event_rollups group by day, partner_id, currency`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
