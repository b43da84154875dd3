import type { Kysely } from 'kysely';

// Outbound partner postbacks: the configuration per partner and event type, the delivery jobs (one per
// event and postback, claimed by one worker at a time) and the log of every attempt.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('partner_postbacks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('url_template', 'text', (c) => c.notNull())
    .addColumn('body_template', 'text')
    .addColumn('content_type', 'text')
    .addColumn('signing_secret', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    .addColumn('first_failure_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('partner_postbacks_partner_event')
    .on('partner_postbacks')
    .columns(['partner_id', 'event_type', 'status'])
    .execute();

  await db.schema
    .createTable('postback_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('postback_id', 'text', (c) => c.notNull().references('partner_postbacks.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('outbox_id', 'text')
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('macro_values', 'text', (c) => c.notNull())
    .addColumn('is_test', 'integer', (c) => c.notNull())
    .addColumn('attempt_no', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  // One delivery per (event outbox row, postback): consuming the same outbox row twice creates nothing.
  await db.schema
    .createIndex('postback_deliveries_outbox_postback')
    .on('postback_deliveries')
    .columns(['outbox_id', 'postback_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('postback_deliveries_due')
    .on('postback_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('postback_deliveries_partner')
    .on('postback_deliveries')
    .columns(['partner_id', 'id'])
    .execute();
  await db.schema
    .createIndex('postback_deliveries_event')
    .on('postback_deliveries')
    .columns(['event_id'])
    .execute();

  await db.schema
    .createTable('postback_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('postback_deliveries.id'))
    .addColumn('postback_id', 'text', (c) => c.notNull())
    .addColumn('partner_id', 'text', (c) => c.notNull())
    .addColumn('attempt_no', 'integer', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('response_start', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('worker', 'text')
    .execute();
  // An attempt number is used once per delivery: two workers can never both record attempt n.
  await db.schema
    .createIndex('postback_attempts_delivery_no')
    .on('postback_attempts')
    .columns(['delivery_id', 'attempt_no'])
    .unique()
    .execute();
  await db.schema
    .createIndex('postback_attempts_postback_started')
    .on('postback_attempts')
    .columns(['postback_id', 'started_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
