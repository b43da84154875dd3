// Object-level access to one partner, shared by every module that hangs records off a partner (contacts,
// documents, terms, onboarding). Reading: a partner-role actor sees only its own partner; anything else it
// asks for is "not found", so ids of other partners leak nothing. Changing: a BDM changes only the partners
// they own unless their role also has partners.update_any.
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import { forbidden, notFound } from '../../platform/errors.ts';

export type PartnerRow = PartnersTable;

export function canSeePartner(actor: Actor, partner: Pick<PartnerRow, 'id'>): boolean {
  if (actor.role === 'partner' || actor.partnerId) return actor.partnerId === partner.id;
  return actor.permissions.has('partners.read');
}

export function canChangePartner(actor: Actor, partner: Pick<PartnerRow, 'id' | 'owner_id'>): boolean {
  if (!canSeePartner(actor, partner)) return false;
  if (actor.role === 'partner' || actor.partnerId) return false;
  if (actor.permissions.has('partners.update_any')) return true;
  return actor.type === 'user' && partner.owner_id === actor.id;
}

/**
 * Loads a partner the actor may see (404 otherwise). With mode 'change', also requires the right to change
 * it (403 naming the owner rule otherwise).
 */
export async function loadPartnerFor(
  db: Kysely<DB> | Transaction<DB>,
  actor: Actor,
  partnerId: string,
  mode: 'see' | 'change',
): Promise<PartnerRow> {
  const partner = await db.selectFrom('partners').selectAll().where('id', '=', partnerId).executeTakeFirst();
  if (!partner || !canSeePartner(actor, partner)) throw notFound(`Partner ${partnerId}`);
  if (mode === 'change' && !canChangePartner(actor, partner)) {
    throw forbidden(
      actor.role === 'partner'
        ? 'Partner users cannot change their partner record.'
        : 'You can change only the partners you own; ask a Team Lead or Ops to reassign the owner.',
    );
  }
  return partner;
}
