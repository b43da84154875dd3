import type { Kysely } from 'kysely';

// Terms: how a version was accepted (by the partner itself in the portal, or recorded by staff on the
// partner's behalf, e.g. a signed PDF), and an index for "versions of this partner by effective date".
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('terms_versions').addColumn('accepted_via', 'text').execute();
  await db.schema
    .createIndex('terms_partner_effective')
    .on('terms_versions')
    .columns(['partner_id', 'effective_from', 'version'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
