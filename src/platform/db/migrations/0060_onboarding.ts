import { type Kysely, sql } from 'kysely';

// Onboarding: versioned checklist templates per partner type, the stage history of every partner (entry and
// exit of each stage, the template version its gate uses), ticks of manual gate items (per stage visit), and
// handover records. At most one open stage-history row per partner (a partial unique index), so two writers
// can never both open a stage.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('checklist_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_type', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('stages', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('checklist_templates_type_version', ['partner_type', 'version'])
    .execute();

  await db.schema
    .createTable('stage_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('from_stage', 'text')
    .addColumn('move', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'text', (c) => c.notNull())
    .addColumn('exited_at', 'text')
    .addColumn('entered_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('template_id', 'text')
    .addColumn('template_version', 'integer')
    .addColumn('backfilled', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('stage_history_partner')
    .on('stage_history')
    .columns(['partner_id', 'entered_at'])
    .execute();
  await db.schema.createIndex('stage_history_entered').on('stage_history').columns(['entered_at']).execute();
  await db.schema
    .createIndex('stage_history_one_open')
    .on('stage_history')
    .column('partner_id')
    .unique()
    .where(sql.ref('exited_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('gate_ticks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('history_id', 'text', (c) => c.notNull().references('stage_history.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('ticked_by', 'text', (c) => c.notNull())
    .addColumn('ticked_at', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('evidence', 'text')
    .addColumn('unticked_by', 'text')
    .addColumn('unticked_at', 'text')
    .addColumn('untick_reason', 'text')
    .execute();
  await db.schema
    .createIndex('gate_ticks_history')
    .on('gate_ticks')
    .columns(['history_id', 'item_key'])
    .execute();
  await db.schema
    .createIndex('gate_ticks_one_live')
    .on('gate_ticks')
    .columns(['history_id', 'item_key'])
    .unique()
    .where(sql.ref('unticked_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('handovers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('history_id', 'text', (c) => c.notNull().unique().references('stage_history.id'))
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('acknowledgement_note', 'text')
    .execute();
  await db.schema
    .createIndex('handovers_partner')
    .on('handovers')
    .columns(['partner_id', 'created_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
