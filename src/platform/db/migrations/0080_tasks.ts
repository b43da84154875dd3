import { type Kysely, sql } from 'kysely';

// Tasks owed by a team for a partner's onboarding stage (with an SLA due time in business hours that can be
// paused), and the SLA policies that set how many business hours a team has per task key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('team', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('assignee_id', 'text', (c) => c.references('users.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text')
    .addColumn('sla_business_hours', 'double precision')
    .addColumn('paused_at', 'text')
    .addColumn('paused_reason', 'text')
    .addColumn('paused_business_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('cancelled_reason', 'text')
    .addColumn('completed_by', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  for (const [name, cols] of [
    ['tasks_partner_stage', ['partner_id', 'stage', 'key']],
    ['tasks_team_status_due', ['team', 'status', 'due_at', 'id']],
    ['tasks_assignee_status_due', ['assignee_id', 'status', 'due_at', 'id']],
    ['tasks_status_due', ['status', 'due_at', 'id']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('tasks')
      .columns([...cols])
      .execute();
  }
  // At most one open task per (partner, stage, key): creating stage tasks twice cannot duplicate them, even
  // when two transactions race.
  await sql`create unique index tasks_open_key on tasks (partner_id, stage, key) where status in ('open', 'in_progress')`.execute(
    db,
  );

  await db.schema
    .createTable('sla_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('team', 'text', (c) => c.notNull())
    .addColumn('task_key', 'text', (c) => c.notNull())
    .addColumn('business_hours', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sla_policies_team_key', ['team', 'task_key'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
