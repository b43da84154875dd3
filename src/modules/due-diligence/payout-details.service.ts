// Payout details: a new version on every change (a verified version is never edited), verification by Finance
// with four eyes (whoever made the current version cannot verify it), and masking of account numbers for
// roles that may not verify.
import type { Kysely, Transaction } from 'kysely';
import { assertCan, can, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { PayoutDetailsTable } from '../../platform/db/schema.ts';
import { conflict, forbidden } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { canChangePartner, loadPartnerFor, type PartnerRow } from '../partners/index.ts';
import type { PayoutDetailsInput, PayoutMethod } from './payout-details.schemas.ts';
import { maskEmail, maskMiddle } from './payout-validation.ts';

type Db = Kysely<DB> | Transaction<DB>;
type Row = PayoutDetailsTable;

function parseDetails(text: string): Record<string, string> {
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return {};
  }
}

/** Account identifiers shortened to what lets a person recognise them, never enough to pay into them. */
export function maskDetails(method: PayoutMethod, details: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...details };
  if (out.iban) out.iban = maskMiddle(out.iban, 4);
  if (out.accountNumber) out.accountNumber = maskMiddle(out.accountNumber, 0);
  if (out.routingCode) out.routingCode = maskMiddle(out.routingCode, 0);
  if (out.email) out.email = maskEmail(out.email);
  if (out.address) out.address = maskMiddle(out.address, 4);
  if (method === 'other' && out.instructions) out.instructions = '•••• (hidden)';
  return out;
}

async function people(db: Db, ids: (string | null)[]) {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  const out = new Map<string, { id: string; name: string }>();
  if (wanted.length === 0) return out;
  for (const u of await db.selectFrom('users').select(['id', 'name']).where('id', 'in', wanted).execute()) {
    out.set(u.id, { id: u.id, name: u.name });
  }
  const missing = wanted.filter((id) => !out.has(id));
  if (missing.length > 0) {
    for (const k of await db
      .selectFrom('api_keys')
      .select(['id', 'name'])
      .where('id', 'in', missing)
      .execute()) {
      out.set(k.id, { id: k.id, name: `API key ${k.name}` });
    }
  }
  for (const id of wanted) if (!out.has(id)) out.set(id, { id, name: id });
  return out;
}

async function present(db: Db, ctx: RequestContext, rows: Row[]) {
  const unmasked = can(ctx.actor, 'payouts.verify');
  const names = await people(
    db,
    rows.flatMap((r) => [r.changed_by, r.verified_by]),
  );
  return rows.map((r) => {
    const method = r.method as PayoutMethod;
    const details = parseDetails(r.details);
    return {
      id: r.id,
      partnerId: r.partner_id,
      version: Number(r.version),
      method,
      currency: r.currency,
      accountHolder: r.account_holder,
      details: unmasked ? details : maskDetails(method, details),
      masked: !unmasked,
      changedBy: names.get(r.changed_by) ?? { id: r.changed_by, name: r.changed_by },
      changedAt: r.changed_at,
      verified: r.verified_at !== null,
      verifiedBy: r.verified_by ? (names.get(r.verified_by) ?? null) : null,
      verifiedAt: r.verified_at,
      verifyNote: r.verify_note,
    };
  });
}

async function state(db: Db, ctx: RequestContext, partnerId: string) {
  const rows = await db
    .selectFrom('payout_details')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('version', 'desc')
    .execute();
  const history = await present(db, ctx, rows);
  return { current: history[0] ?? null, history };
}

export async function getPayoutDetails(store: Store, ctx: RequestContext, partnerId: string) {
  assertCan(ctx.actor, 'payouts.details_read');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  return state(store.db, ctx, partner.id);
}

/** The partner itself, staff who may change the partner (its owner BDM, Ops, Team Leads) and Finance. */
function mayChangeDetails(ctx: RequestContext, partner: PartnerRow): boolean {
  if (ctx.actor.role === 'partner' || ctx.actor.partnerId) return ctx.actor.partnerId === partner.id;
  return canChangePartner(ctx.actor, partner) || can(ctx.actor, 'payouts.verify');
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

export async function putPayoutDetails(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  body: PayoutDetailsInput,
) {
  assertCan(ctx.actor, 'payouts.details_write');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  if (!mayChangeDetails(ctx, partner)) {
    throw forbidden("Payout details are changed by the partner's owner BDM, the partner itself or Finance.");
  }
  const details = JSON.stringify(body.details);
  try {
    await writeTransaction(store, ctx, async (w) => {
      const current = await w.trx
        .selectFrom('payout_details')
        .selectAll()
        .where('partner_id', '=', partner.id)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      const same =
        current &&
        current.method === body.method &&
        current.currency === body.currency &&
        current.account_holder === body.accountHolder &&
        current.details === details;
      if (same)
        throw conflict(
          `These are already the current payout details (version ${current.version}); nothing changed.`,
        );
      const version = current ? Number(current.version) + 1 : 1;
      const id = newId('payoutDetails');
      await w.trx
        .insertInto('payout_details')
        .values({
          id,
          partner_id: partner.id,
          version,
          method: body.method,
          currency: body.currency,
          account_holder: body.accountHolder,
          details,
          changed_by: ctx.actor.id,
          changed_at: nowIso(),
          verified_by: null,
          verified_at: null,
          verify_note: null,
        })
        .execute();
      // Account identifiers are personal data: they go into before/after (erasable), masked all the same.
      w.audit({
        action: 'payout_details.changed',
        entityType: 'payout_details',
        entityId: id,
        partnerId: partner.id,
        before: current
          ? {
              version: Number(current.version),
              method: current.method,
              currency: current.currency,
              details: maskDetails(current.method as PayoutMethod, parseDetails(current.details)),
              verified: current.verified_at !== null,
            }
          : null,
        after: {
          version,
          method: body.method,
          currency: body.currency,
          details: maskDetails(body.method, body.details as Record<string, string>),
          verified: false,
        },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('The payout details were changed at the same moment; reload and retry.');
    throw err;
  }
  return state(store.db, ctx, partner.id);
}

export async function verifyPayoutDetails(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  body: { note?: string | null; version?: number },
) {
  assertCan(ctx.actor, 'payouts.verify');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  await writeTransaction(store, ctx, async (w) => {
    const current = await w.trx
      .selectFrom('payout_details')
      .selectAll()
      .where('partner_id', '=', partner.id)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!current) throw conflict('This partner has no payout details to verify.');
    if (body.version !== undefined && body.version !== Number(current.version)) {
      throw conflict(
        `Version ${body.version} is no longer current (the current version is ${current.version}).`,
      );
    }
    if (current.verified_at !== null) throw conflict(`Version ${current.version} is already verified.`);
    if (current.changed_by === ctx.actor.id) {
      throw forbidden('You made these payout details, so someone else must verify them (four eyes).');
    }
    const now = nowIso();
    const res = await w.trx
      .updateTable('payout_details')
      .set({ verified_by: ctx.actor.id, verified_at: now, verify_note: body.note ?? null })
      .where('id', '=', current.id)
      .where('verified_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw conflict('The details were verified at the same moment.');
    w.audit({
      action: 'payout_details.verified',
      entityType: 'payout_details',
      entityId: current.id,
      partnerId: partner.id,
      before: { verified: false },
      after: { verified: true, version: Number(current.version) },
      reason: body.note ?? null,
    });
  });
  return state(store.db, ctx, partner.id);
}
