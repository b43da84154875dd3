import type { Kysely } from 'kysely';

// Partner documents: the uploader's note, who archived a document and why (the file itself is kept, records
// are retained at least five years), and an index for the per-partner list filtered by type.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
  await db.schema.alterTable('documents').addColumn('note', 'text').execute();
  await db.schema.alterTable('documents').addColumn('archived_by', 'text').execute();
  await db.schema.alterTable('documents').addColumn('archive_reason', 'text').execute();
  await db.schema
    .createIndex('documents_partner_type')
    .on('documents')
    .columns(['partner_id', 'type', 'created_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
