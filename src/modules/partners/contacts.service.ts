// A partner's contacts. Seeing them follows the partner's visibility; changing them needs contacts.write and
// the right to change the partner. A partner has at most one primary contact: making one primary unsets the
// previous one in the same transaction (audited as its own change); the database enforces it too.
import type { Kysely, Transaction } from 'kysely';
import { diff } from '../../platform/audit/audit.ts';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { ContactsTable } from '../../platform/db/schema.ts';
import { conflict, invalidField, notFound } from '../../platform/errors.ts';
import { isId, newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, type WriteScope, writeTransaction } from '../../platform/tx.ts';
import {
  type ContactCreate,
  type ContactPatch,
  type ContactView,
  contactCreateSchema,
  contactPatchSchema,
} from './contacts.schemas.ts';
import { isUniqueViolation, NoChange, parseOrInvalid, unlessNoChange } from './parse.ts';
import { loadPartnerFor } from './partner-access.ts';
import type { ContactRole } from './reference-data.ts';

type Db = Kysely<DB> | Transaction<DB>;

export function presentContact(c: ContactsTable): ContactView {
  return {
    id: c.id,
    partnerId: c.partner_id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    role: c.role as ContactRole,
    isPrimary: c.is_primary === 1,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}

const record = (c: ContactsTable) => ({
  name: c.name,
  email: c.email,
  phone: c.phone,
  role: c.role,
  isPrimary: c.is_primary === 1,
});

export async function listContacts(
  db: Db,
  ctx: RequestContext,
  partnerId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ data: ContactView[]; nextCursor: string | null }> {
  assertCan(ctx.actor, 'partners.read');
  await loadPartnerFor(db, ctx.actor, partnerId, 'see');
  let q = db.selectFrom('contacts').selectAll().where('partner_id', '=', partnerId);
  if (page.cursor) {
    if (!isId('contact', page.cursor)) throw invalidField('query.cursor', 'is not a cursor from this list');
    q = q.where('id', '>', page.cursor);
  }
  const rows = await q
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  const data = rows.slice(0, page.limit);
  const last = data[data.length - 1];
  return { data: data.map(presentContact), nextCursor: rows.length > page.limit && last ? last.id : null };
}

/** Unsets the partner's current primary contact (other than `except`), auditing it. */
async function demoteOtherPrimary(
  w: WriteScope,
  partnerId: string,
  except: string | null,
  now: string,
): Promise<void> {
  let q = w.trx
    .selectFrom('contacts')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('is_primary', '=', 1);
  if (except) q = q.where('id', '!=', except);
  const previous = await q.executeTakeFirst();
  if (!previous) return;
  await w.trx
    .updateTable('contacts')
    .set({ is_primary: 0, updated_at: now })
    .where('id', '=', previous.id)
    .execute();
  w.audit({
    action: 'contact.updated',
    entityType: 'contact',
    entityId: previous.id,
    partnerId,
    before: { isPrimary: true },
    after: { isPrimary: false },
    reason: 'Another contact was made primary.',
  });
}

function primaryConflict(err: unknown): never {
  if (isUniqueViolation(err)) {
    throw conflict('Another primary contact was set at the same moment; reload and try again.', {
      errors: [{ field: 'body.isPrimary', message: 'another contact is primary' }],
    });
  }
  throw err;
}

export async function createContact(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  input: ContactCreate,
): Promise<ContactView> {
  assertCan(ctx.actor, 'contacts.write');
  const body = parseOrInvalid(contactCreateSchema, input, 'body');
  return writeTransaction(store, ctx, async (w) => {
    await loadPartnerFor(w.trx, ctx.actor, partnerId, 'change');
    const now = nowIso();
    if (body.isPrimary) await demoteOtherPrimary(w, partnerId, null, now);
    const row: ContactsTable = {
      id: newId('contact'),
      partner_id: partnerId,
      name: body.name,
      email: body.email ?? null,
      phone: body.phone ?? null,
      role: body.role,
      is_primary: body.isPrimary ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await w.trx.insertInto('contacts').values(row).execute().catch(primaryConflict);
    w.audit({
      action: 'contact.created',
      entityType: 'contact',
      entityId: row.id,
      partnerId,
      after: record(row),
    });
    return presentContact(row);
  });
}

async function loadContact(db: Db, partnerId: string, contactId: string): Promise<ContactsTable> {
  const row = await db
    .selectFrom('contacts')
    .selectAll()
    .where('id', '=', contactId)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
  if (!row) throw notFound(`Contact ${contactId}`);
  return row;
}

export async function updateContact(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  contactId: string,
  patch: ContactPatch,
): Promise<ContactView> {
  assertCan(ctx.actor, 'contacts.write');
  const body = parseOrInvalid(contactPatchSchema, patch, 'body');
  const write = writeTransaction(store, ctx, async (w) => {
    await loadPartnerFor(w.trx, ctx.actor, partnerId, 'change');
    const current = await loadContact(w.trx, partnerId, contactId);
    const now = nowIso();
    const next: ContactsTable = {
      ...current,
      name: body.name ?? current.name,
      email: body.email !== undefined ? body.email : current.email,
      phone: body.phone !== undefined ? body.phone : current.phone,
      role: body.role ?? current.role,
      is_primary: body.isPrimary === undefined ? current.is_primary : body.isPrimary ? 1 : 0,
    };
    const changes = diff(record(current), record(next));
    if (!changes) throw new NoChange(presentContact(current));
    next.updated_at = now;
    if (next.is_primary === 1 && current.is_primary === 0)
      await demoteOtherPrimary(w, partnerId, contactId, now);
    await w.trx
      .updateTable('contacts')
      .set({
        name: next.name,
        email: next.email,
        phone: next.phone,
        role: next.role,
        is_primary: next.is_primary,
        updated_at: now,
      })
      .where('id', '=', contactId)
      .execute()
      .catch(primaryConflict);
    w.audit({ action: 'contact.updated', entityType: 'contact', entityId: contactId, partnerId, ...changes });
    return presentContact(next);
  });
  return unlessNoChange(write);
}

export async function deleteContact(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  contactId: string,
): Promise<void> {
  assertCan(ctx.actor, 'contacts.write');
  await writeTransaction(store, ctx, async (w) => {
    await loadPartnerFor(w.trx, ctx.actor, partnerId, 'change');
    const current = await loadContact(w.trx, partnerId, contactId);
    await w.trx.deleteFrom('contacts').where('id', '=', contactId).execute();
    w.audit({
      action: 'contact.deleted',
      entityType: 'contact',
      entityId: contactId,
      partnerId,
      before: record(current),
    });
  });
}
