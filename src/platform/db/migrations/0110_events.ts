import { type Kysely, SqliteAdapter, sql } from 'kysely';
import { newId } from '../../ids.ts';

// Events in: event sources (per-source secret token, optional HMAC), attribution programmes (windows, FTD
// definition, qualification), clients (trading accounts; first attribution sticks), events (idempotent on
// source, type and txid), daily event rollups (updated in the event's own batch transaction), the inbox of
// malformed requests and manual attribution decisions (four eyes). Referral codes are partners.referral_code.
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;

  await db.schema
    .createTable('event_sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_hint', 'text', (c) => c.notNull())
    .addColumn('signing_secret', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_event_at', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('programmes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('min_click_to_event_seconds', 'integer', (c) => c.notNull())
    .addColumn('max_click_age_days', 'integer', (c) => c.notNull())
    .addColumn('ftd_definition', 'text', (c) => c.notNull())
    .addColumn('qualifying_deposit_minor', 'bigint', (c) => c.notNull())
    .addColumn('qualifying_currency', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();

  // The default programme every link without its own belongs to: 1 s minimum click-to-event time (bots convert
  // faster), 90 days maximum age, the first deposit is the FTD, qualified from 100.00 USD. Editable.
  const now = new Date().toISOString();
  await sql`insert into programmes (id, name, is_default, min_click_to_event_seconds, max_click_age_days,
      ftd_definition, qualifying_deposit_minor, qualifying_currency, created_at, updated_at, version)
    values (${newId('programme')}, 'Standard', 1, 1, 90, 'first_deposit', 10000, 'USD', ${now}, ${now}, 1)`.execute(
    db,
  );

  await db.schema.alterTable('links').addColumn('programme_id', 'text').execute();

  await db.schema
    .createTable('clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('external_id', 'text', (c) => c.notNull().unique())
    .addColumn('partner_id', 'text')
    .addColumn('link_id', 'text')
    .addColumn('click_id', 'text')
    .addColumn('attribution', 'text', (c) => c.notNull())
    .addColumn('attributed_at', 'text')
    .addColumn('country', 'text')
    .addColumn('first_event_at', 'text', (c) => c.notNull())
    .addColumn('programme_id', 'text')
    .addColumn('ftd_at', 'text')
    .addColumn('ftd_event_id', 'text')
    .addColumn('ftd_amount_minor', 'bigint')
    .addColumn('ftd_currency', 'text')
    .addColumn('qualified_at', 'text')
    .addColumn('is_test', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clients_partner').on('clients').columns(['partner_id', 'id']).execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('txid', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('click_id', 'text')
    .addColumn('partner_id', 'text')
    .addColumn('link_id', 'text')
    .addColumn('sub1', 'text')
    .addColumn('sub2', 'text')
    .addColumn('sub3', 'text')
    .addColumn('sub4', 'text')
    .addColumn('sub5', 'text')
    .addColumn('country', 'text')
    .addColumn('attribution', 'text', (c) => c.notNull())
    .addColumn('attribution_note', 'text')
    .addColumn('amount_minor', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('lots', 'bigint')
    .addColumn('instrument_group', 'text')
    .addColumn('revenue_minor', 'bigint')
    .addColumn('is_ftd', 'integer', (c) => c.notNull())
    .addColumn('is_qualified_ftd', 'integer', (c) => c.notNull())
    .addColumn('is_test', 'integer', (c) => c.notNull())
    .addColumn('tracking_test_id', 'text')
    .addUniqueConstraint('events_source_type_txid', ['source_id', 'type', 'txid'])
    .execute();
  await db.schema.createIndex('events_partner').on('events').columns(['partner_id', 'id']).execute();
  await db.schema.createIndex('events_client').on('events').columns(['client_id', 'id']).execute();
  await db.schema.createIndex('events_click').on('events').columns(['click_id']).execute();
  await db.schema.createIndex('events_received').on('events').columns(['received_at']).execute();

  // One row per day, partner, link, sub1 and currency ('' when none). Test events never reach it.
  await db.schema
    .createTable('event_rollups')
    .$call((b) => (sqlite ? b.modifyEnd(sql`without rowid`) : b))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('partner_id', 'text', (c) => c.notNull())
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('sub1', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('registrations', 'bigint', (c) => c.notNull())
    .addColumn('kyc_approved', 'bigint', (c) => c.notNull())
    .addColumn('ftds', 'bigint', (c) => c.notNull())
    .addColumn('qualified_ftds', 'bigint', (c) => c.notNull())
    .addColumn('ftd_amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('deposits', 'bigint', (c) => c.notNull())
    .addColumn('deposit_amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('withdrawals', 'bigint', (c) => c.notNull())
    .addColumn('withdrawal_amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('trades', 'bigint', (c) => c.notNull())
    .addColumn('lots', 'bigint', (c) => c.notNull())
    .addColumn('revenue_minor', 'bigint', (c) => c.notNull())
    .addColumn('chargebacks', 'bigint', (c) => c.notNull())
    .addColumn('chargeback_amount_minor', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_rollups_pk', ['partner_id', 'day', 'link_id', 'sub1', 'currency'])
    .execute();

  await db.schema
    .createTable('event_inbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('ip', 'text')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('problem', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('resolution', 'text')
    .execute();
  await db.schema.createIndex('event_inbox_received').on('event_inbox').columns(['status', 'id']).execute();

  await db.schema
    .createTable('attribution_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('from_partner_id', 'text')
    .addColumn('to_partner_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('attribution_decisions_client')
    .on('attribution_decisions')
    .columns(['client_id', 'id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
