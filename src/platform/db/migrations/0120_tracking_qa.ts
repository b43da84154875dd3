import type { Kysely } from 'kysely';

// Tracking QA: the record of every end-to-end test of a partner's setup (what was configured, each step with
// its evidence), the monitor per link that re-runs it on a schedule, and the reconciliations against a
// partner's own CSV. Clicks gain is_test: the click a QA run makes is stored (it is evidence) but never counted.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('clicks')
    .addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('tracking_tests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('link_id', 'text', (c) => c.notNull().references('links.id'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text')
    .addColumn('requested_by_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failed_step', 'text')
    .addColumn('summary', 'text')
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('setup', 'text')
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('click_id', 'text')
    .addColumn('client_external_id', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('runner', 'text')
    .execute();
  await db.schema
    .createIndex('tracking_tests_partner')
    .on('tracking_tests')
    .columns(['partner_id', 'id'])
    .execute();
  await db.schema
    .createIndex('tracking_tests_link')
    .on('tracking_tests')
    .columns(['link_id', 'id'])
    .execute();
  await db.schema
    .createIndex('tracking_tests_status')
    .on('tracking_tests')
    .columns(['status', 'id'])
    .execute();

  await db.schema
    .createTable('tracking_monitors')
    .addColumn('link_id', 'text', (c) => c.primaryKey().references('links.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('interval_hours', 'integer', (c) => c.notNull())
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('last_test_id', 'text')
    .addColumn('last_status', 'text')
    .addColumn('last_run_at', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    .addColumn('open_flag_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('tracking_monitors_due')
    .on('tracking_monitors')
    .columns(['enabled', 'next_run_at'])
    .execute();
  await db.schema
    .createIndex('tracking_monitors_partner')
    .on('tracking_monitors')
    .columns(['partner_id'])
    .execute();

  await db.schema
    .createTable('tracking_reconciliations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('from_day', 'text', (c) => c.notNull())
    .addColumn('to_day', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('band', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('tracking_reconciliations_partner')
    .on('tracking_reconciliations')
    .columns(['partner_id', 'id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
