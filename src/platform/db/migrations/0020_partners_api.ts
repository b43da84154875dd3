import { type Kysely, sql } from 'kysely';

// Partners API: referral codes are unique regardless of case (the table's own unique constraint is
// case-sensitive), and a partner has at most one primary contact. Both are enforced by the database so that
// two concurrent writes cannot both win.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('partners_referral_code_ci')
    .on('partners')
    .expression(sql`lower(referral_code)`)
    .unique()
    .execute();
  await db.schema
    .createIndex('contacts_one_primary')
    .on('contacts')
    .column('partner_id')
    .unique()
    .where(sql.ref('is_primary'), '=', 1)
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
