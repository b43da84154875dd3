import { type Kysely, sql } from 'kysely';

// Access administration: a lower-cased search column on users (name + email, for the user list search), a flag
// that forces a user to choose their own password after an administrator set or generated one, and an index for
// the audit API's actor filter.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Lower-cased in JavaScript (not SQL lower()) so non-ASCII names fold the same way as the search input.
  const users = await sql<{
    id: string;
    name: string;
    email: string;
  }>`select id, name, email from users`.execute(db);
  for (const u of users.rows) {
    const text = `${u.name} ${u.email}`.toLowerCase();
    await sql`update users set search_text = ${text} where id = ${u.id}`.execute(db);
  }
  await db.schema.createIndex('users_role_status').on('users').columns(['role', 'status', 'id']).execute();
  await db.schema.createIndex('audit_actor').on('audit_log').columns(['actor_id', 'seq']).execute();
  await db.schema.createIndex('audit_action').on('audit_log').columns(['action', 'seq']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
