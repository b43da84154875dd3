// Risk flags on a partner: raised with a category, severity and whether they block, resolved with a reason.
// Minimal on purpose; the compliance module extends them (cases, holds) later.
import type { Kysely, Transaction } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { RiskFlagsTable } from '../../platform/db/schema.ts';
import { conflict, invalidField, notFound } from '../../platform/errors.ts';
import { isId, newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { loadPartnerFor } from '../partners/index.ts';
import type { RISK_CATEGORIES, RISK_SEVERITIES, RISK_STATUSES } from './risk-flags.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

async function present(db: Db, rows: RiskFlagsTable[]) {
  const ids = [...new Set(rows.flatMap((r) => [r.raised_by, r.resolved_by]).filter((x): x is string => !!x))];
  const names = new Map<string, { id: string; name: string }>();
  if (ids.length > 0) {
    for (const u of await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute()) {
      names.set(u.id, { id: u.id, name: u.name });
    }
    const missing = ids.filter((id) => !names.has(id));
    if (missing.length > 0) {
      for (const k of await db
        .selectFrom('api_keys')
        .select(['id', 'name'])
        .where('id', 'in', missing)
        .execute()) {
        names.set(k.id, { id: k.id, name: `API key ${k.name}` });
      }
    }
  }
  const ref = (id: string) => names.get(id) ?? { id, name: id };
  const partnerIds = [...new Set(rows.map((r) => r.partner_id))];
  const partners = new Map<string, string>();
  if (partnerIds.length > 0) {
    for (const p of await db.selectFrom('partners').select(['id', 'display_name']).where('id', 'in', partnerIds).execute()) {
      partners.set(p.id, p.display_name);
    }
  }
  return rows.map((r) => ({
    id: r.id,
    partnerId: r.partner_id,
    partner: { id: r.partner_id, displayName: partners.get(r.partner_id) ?? r.partner_id },
    category: r.category as (typeof RISK_CATEGORIES)[number],
    severity: r.severity as (typeof RISK_SEVERITIES)[number],
    blocking: Number(r.blocking) === 1,
    title: r.title,
    details: r.details,
    status: r.status as (typeof RISK_STATUSES)[number],
    raisedBy: ref(r.raised_by),
    raisedAt: r.raised_at,
    resolution: r.resolution,
    resolvedBy: r.resolved_by ? ref(r.resolved_by) : null,
    resolvedAt: r.resolved_at,
  }));
}

async function loadView(db: Db, id: string) {
  const row = await db.selectFrom('risk_flags').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const [view] = await present(db, [row]);
  if (!view) throw notFound(`Risk flag ${id}`);
  return view;
}

export async function listRiskFlags(
  store: Store,
  ctx: RequestContext,
  q: { partnerId?: string; status?: string; severity?: string; limit: number; cursor?: string },
) {
  assertCan(ctx.actor, 'risk.read');
  let query = store.db.selectFrom('risk_flags').selectAll();
  if (q.partnerId) {
    const partner = await loadPartnerFor(store.db, ctx.actor, q.partnerId, 'see');
    query = query.where('partner_id', '=', partner.id);
  }
  if (q.status) query = query.where('status', '=', q.status);
  if (q.severity) query = query.where('severity', '=', q.severity);
  if (q.cursor) {
    // Ids are time-sortable, so "older than the last one seen" is the next page.
    if (!isId('riskFlag', q.cursor)) throw invalidField('query.cursor', 'is not a cursor from this list.');
    query = query.where('id', '<', q.cursor);
  }
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  return {
    data: await present(store.db, page),
    nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

export async function raiseRiskFlag(
  store: Store,
  ctx: RequestContext,
  body: {
    partnerId: string;
    category: (typeof RISK_CATEGORIES)[number];
    severity: (typeof RISK_SEVERITIES)[number];
    blocking: boolean;
    title: string;
    details?: string | null;
  },
) {
  assertCan(ctx.actor, 'risk.manage');
  const partner = await store.db
    .selectFrom('partners')
    .select('id')
    .where('id', '=', body.partnerId)
    .executeTakeFirst();
  if (!partner) throw invalidField('body.partnerId', `${body.partnerId} is not a partner.`);
  await loadPartnerFor(store.db, ctx.actor, partner.id, 'see');
  const id = newId('riskFlag');
  await writeTransaction(store, ctx, async (w) => {
    const v = {
      category: body.category,
      severity: body.severity,
      blocking: body.blocking,
      title: body.title,
      details: body.details ?? null,
    };
    await w.trx
      .insertInto('risk_flags')
      .values({
        id,
        partner_id: partner.id,
        category: v.category,
        severity: v.severity,
        blocking: v.blocking ? 1 : 0,
        title: v.title,
        details: v.details,
        status: 'open',
        raised_by: ctx.actor.id,
        raised_at: nowIso(),
        resolution: null,
        resolved_by: null,
        resolved_at: null,
      })
      .execute();
    w.audit({
      action: 'risk_flag.raised',
      entityType: 'risk_flag',
      entityId: id,
      partnerId: partner.id,
      after: { ...v, status: 'open' },
    });
  });
  return loadView(store.db, id);
}

export async function resolveRiskFlag(
  store: Store,
  ctx: RequestContext,
  id: string,
  body: { resolution: string },
) {
  assertCan(ctx.actor, 'risk.manage');
  await writeTransaction(store, ctx, async (w) => {
    const row = await w.trx.selectFrom('risk_flags').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Risk flag ${id}`);
    await loadPartnerFor(w.trx, ctx.actor, row.partner_id, 'see');
    if (row.status !== 'open') throw conflict(`The flag was already resolved on ${row.resolved_at}.`);
    const res = await w.trx
      .updateTable('risk_flags')
      .set({
        status: 'resolved',
        resolution: body.resolution,
        resolved_by: ctx.actor.id,
        resolved_at: nowIso(),
      })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw conflict('The flag was resolved at the same moment.');
    w.audit({
      action: 'risk_flag.resolved',
      entityType: 'risk_flag',
      entityId: id,
      partnerId: row.partner_id,
      before: { status: 'open' },
      after: { status: 'resolved' },
      reason: body.resolution,
    });
  });
  return loadView(store.db, id);
}
