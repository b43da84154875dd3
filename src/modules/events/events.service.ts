// Event sources (token shown once, optional signing), reading events and clients, the inbox of malformed
// requests, manual attribution decisions (requested by one person, approved by another, audited; the client
// and its past events move, and rollups move with them) and programmes (attribution windows, FTD
// definition, qualification).
import { randomBytes } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type {
  AttributionDecisionsTable,
  ClientsTable,
  EventInboxTable,
  EventSourcesTable,
  EventsTable,
  ProgrammesTable,
} from '../../platform/db/schema.ts';
import { conflict, forbidden, invalidField, notFound } from '../../platform/errors.ts';
import { isId, newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { loadPartnerFor } from '../partners/index.ts';
import { attemptsForEvent } from '../postbacks/index.ts';
import { EVENTS_LOCK_KEY } from './ingest-kind.ts';
import type { EventType } from './ingest-plan.ts';
import { hashToken } from './resolver.ts';

type Db = Kysely<DB> | Transaction<DB>;
type Attribution = 'click' | 'referral' | 'client' | 'manual' | 'none';

const isPartnerActor = (ctx: RequestContext) => ctx.actor.role === 'partner' || ctx.actor.partnerId !== null;

function versionCheck(current: number, expected: number | undefined, what: string): void {
  if (expected !== undefined && expected !== Number(current))
    throw conflict(`${what} was changed by someone else (now version ${current}); reload and try again.`, {
      currentVersion: Number(current),
    });
}

function page<T extends { id: string }>(rows: T[], limit: number) {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
}

function checkCursor(kind: Parameters<typeof isId>[0], cursor: string | undefined): void {
  if (cursor && !isId(kind, cursor))
    throw invalidField('query.cursor', 'is not a cursor from this list; start again without it.');
}

// ---------- Event sources ----------

export function presentSource(r: EventSourcesTable, origin: string) {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as 'back_office' | 'crm' | 'payments' | 'other',
    description: r.description,
    status: r.status as 'active' | 'disabled',
    tokenHint: r.token_hint,
    signed: r.signing_secret !== null,
    lastEventAt: r.last_event_at,
    postbackUrl: `${origin}/postback?token=<token>&event={event}&txid={txid}&click_id={click_id}&client_id={client_id}&amount={amount}&currency={currency}`,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: Number(r.version),
  };
}

const newToken = () => `pds_${randomBytes(24).toString('base64url')}`;
const newSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

export async function listSources(store: Store, ctx: RequestContext): Promise<EventSourcesTable[]> {
  assertCan(ctx.actor, 'event_sources.manage');
  return store.db.selectFrom('event_sources').selectAll().orderBy('id').execute();
}

async function loadSource(db: Db, id: string): Promise<EventSourcesTable> {
  const r = isId('eventSource', id)
    ? await db.selectFrom('event_sources').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!r) throw notFound(`Event source ${id}`);
  return r;
}

export async function getSource(store: Store, ctx: RequestContext, id: string) {
  assertCan(ctx.actor, 'event_sources.manage');
  return loadSource(store.db, id);
}

export async function createSource(
  store: Store,
  ctx: RequestContext,
  body: { name: string; kind: string; description?: string | null; signed: boolean },
): Promise<{ row: EventSourcesTable; token: string; signingSecret: string | null }> {
  assertCan(ctx.actor, 'event_sources.manage');
  const token = newToken();
  const signingSecret = body.signed ? newSecret() : null;
  const now = nowIso();
  const row: EventSourcesTable = {
    id: newId('eventSource'),
    name: body.name,
    kind: body.kind,
    description: body.description ?? null,
    token_hash: hashToken(token),
    token_hint: token.slice(-4),
    signing_secret: signingSecret,
    status: 'active',
    last_event_at: null,
    created_by: ctx.actor.id,
    created_at: now,
    updated_at: now,
    version: 1,
  };
  await writeTransaction(store, ctx, async (w) => {
    await w.trx.insertInto('event_sources').values(row).execute();
    w.audit({
      action: 'event_source.created',
      entityType: 'event_source',
      entityId: row.id,
      after: { name: row.name, kind: row.kind, signed: signingSecret !== null, tokenHint: row.token_hint },
    });
  });
  return { row, token, signingSecret };
}

export async function updateSource(
  store: Store,
  ctx: RequestContext,
  id: string,
  body: { name?: string; description?: string | null; status?: string; version?: number },
): Promise<EventSourcesTable> {
  assertCan(ctx.actor, 'event_sources.manage');
  return writeTransaction(store, ctx, async (w) => {
    const cur = await loadSource(w.trx, id);
    versionCheck(cur.version, body.version, 'This event source');
    const next = {
      name: body.name ?? cur.name,
      description: body.description === undefined ? cur.description : body.description,
      status: body.status ?? cur.status,
    };
    const now = nowIso();
    await w.trx
      .updateTable('event_sources')
      .set({ ...next, updated_at: now, version: Number(cur.version) + 1 })
      .where('id', '=', id)
      .execute();
    w.audit({
      action: 'event_source.updated',
      entityType: 'event_source',
      entityId: id,
      before: { name: cur.name, description: cur.description, status: cur.status },
      after: next,
    });
    return { ...cur, ...next, updated_at: now, version: Number(cur.version) + 1 };
  });
}

export async function rotateSource(
  store: Store,
  ctx: RequestContext,
  id: string,
  signed: boolean | undefined,
): Promise<{ row: EventSourcesTable; token: string; signingSecret: string | null }> {
  assertCan(ctx.actor, 'event_sources.manage');
  const token = newToken();
  return writeTransaction(store, ctx, async (w) => {
    const cur = await loadSource(w.trx, id);
    const on = signed ?? cur.signing_secret !== null;
    const signingSecret = on ? newSecret() : null;
    const now = nowIso();
    const patch = {
      token_hash: hashToken(token),
      token_hint: token.slice(-4),
      signing_secret: signingSecret,
      updated_at: now,
      version: Number(cur.version) + 1,
    };
    await w.trx.updateTable('event_sources').set(patch).where('id', '=', id).execute();
    w.audit({
      action: 'event_source.token_rotated',
      entityType: 'event_source',
      entityId: id,
      before: { tokenHint: cur.token_hint, signed: cur.signing_secret !== null },
      after: { tokenHint: patch.token_hint, signed: on },
    });
    return { row: { ...cur, ...patch }, token, signingSecret };
  });
}

// ---------- Events and clients ----------

export function presentEvent(r: EventsTable, clientExternalId: string | null = null) {
  return {
    id: r.id,
    sourceId: r.source_id,
    type: r.type as EventType,
    txid: r.txid,
    occurredAt: r.occurred_at,
    receivedAt: r.received_at,
    clientId: r.client_id,
    clientExternalId,
    clickId: r.click_id,
    partnerId: r.partner_id,
    linkId: r.link_id,
    subs: [r.sub1, r.sub2, r.sub3, r.sub4, r.sub5],
    country: r.country,
    attribution: r.attribution as Attribution,
    attributionNote: r.attribution_note,
    amountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
    currency: r.currency,
    lots: r.lots === null ? null : Number(r.lots),
    instrumentGroup: r.instrument_group,
    revenueMinor: r.revenue_minor === null ? null : Number(r.revenue_minor),
    isFtd: Number(r.is_ftd) === 1,
    isQualifiedFtd: Number(r.is_qualified_ftd) === 1,
    isTest: Number(r.is_test) === 1,
    trackingTestId: r.tracking_test_id,
  };
}

export function presentClient(r: ClientsTable) {
  return {
    id: r.id,
    externalId: r.external_id,
    partnerId: r.partner_id,
    linkId: r.link_id,
    clickId: r.click_id,
    attribution: r.attribution as Attribution,
    attributedAt: r.attributed_at,
    country: r.country,
    firstEventAt: r.first_event_at,
    programmeId: r.programme_id,
    ftdAt: r.ftd_at,
    ftdAmountMinor: r.ftd_amount_minor === null ? null : Number(r.ftd_amount_minor),
    ftdCurrency: r.ftd_currency,
    qualifiedAt: r.qualified_at,
    isTest: Number(r.is_test) === 1,
    version: Number(r.version),
  };
}

export function presentDecision(r: AttributionDecisionsTable) {
  return {
    id: r.id,
    clientId: r.client_id,
    fromPartnerId: r.from_partner_id,
    toPartnerId: r.to_partner_id,
    reason: r.reason,
    status: r.status as 'pending' | 'approved' | 'rejected',
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    version: Number(r.version),
  };
}

export async function listEvents(
  store: Store,
  ctx: RequestContext,
  q: {
    partnerId?: string;
    sourceId?: string;
    clientId?: string;
    clickId?: string;
    type?: string;
    attribution?: string;
    test?: boolean;
    limit: number;
    cursor?: string;
  },
) {
  assertCan(ctx.actor, 'events.read');
  checkCursor('event', q.cursor);
  let query = store.db.selectFrom('events').selectAll();
  if (isPartnerActor(ctx)) {
    if (q.partnerId && q.partnerId !== ctx.actor.partnerId) return { data: [], nextCursor: null };
    query = query.where('partner_id', '=', ctx.actor.partnerId ?? '');
  } else if (q.partnerId) query = query.where('partner_id', '=', q.partnerId);
  if (q.sourceId) query = query.where('source_id', '=', q.sourceId);
  if (q.clientId) query = query.where('client_id', '=', q.clientId);
  if (q.clickId) query = query.where('click_id', '=', q.clickId);
  if (q.type) query = query.where('type', '=', q.type);
  if (q.attribution) query = query.where('attribution', '=', q.attribution);
  if (q.test !== undefined) query = query.where('is_test', '=', q.test ? 1 : 0);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  return page(rows, q.limit);
}

export async function getEvent(store: Store, ctx: RequestContext, id: string): Promise<EventsTable> {
  assertCan(ctx.actor, 'events.read');
  const r = isId('event', id)
    ? await store.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!r) throw notFound(`Event ${id}`);
  if (isPartnerActor(ctx) && r.partner_id !== ctx.actor.partnerId) throw notFound(`Event ${id}`);
  return r;
}

export async function listClients(
  store: Store,
  ctx: RequestContext,
  q: { partnerId?: string; externalId?: string; attribution?: string; limit: number; cursor?: string },
) {
  assertCan(ctx.actor, 'events.read');
  checkCursor('client', q.cursor);
  let query = store.db.selectFrom('clients').selectAll();
  if (isPartnerActor(ctx)) {
    if (q.partnerId && q.partnerId !== ctx.actor.partnerId) return { data: [], nextCursor: null };
    query = query.where('partner_id', '=', ctx.actor.partnerId ?? '');
  } else if (q.partnerId) query = query.where('partner_id', '=', q.partnerId);
  if (q.externalId) query = query.where('external_id', '=', q.externalId);
  if (q.attribution) query = query.where('attribution', '=', q.attribution);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  return page(rows, q.limit);
}

async function loadClient(db: Db, ctx: RequestContext, id: string): Promise<ClientsTable> {
  const r = isId('client', id)
    ? await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!r) throw notFound(`Client ${id}`);
  if (isPartnerActor(ctx) && r.partner_id !== ctx.actor.partnerId) throw notFound(`Client ${id}`);
  return r;
}

export async function getClientDetail(store: Store, ctx: RequestContext, id: string) {
  assertCan(ctx.actor, 'events.read');
  const client = await loadClient(store.db, ctx, id);
  const events = await store.db
    .selectFrom('events')
    .selectAll()
    .where('client_id', '=', id)
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  const decisions = isPartnerActor(ctx)
    ? []
    : await store.db
        .selectFrom('attribution_decisions')
        .selectAll()
        .where('client_id', '=', id)
        .orderBy('id', 'desc')
        .execute();
  return {
    ...presentClient(client),
    events: events.map((e) => presentEvent(e, client.external_id)),
    decisions: decisions.map(presentDecision),
  };
}

// ---------- Manual attribution ----------

export async function requestDecision(
  store: Store,
  ctx: RequestContext,
  clientId: string,
  body: { partnerId: string; reason: string },
): Promise<AttributionDecisionsTable> {
  assertCan(ctx.actor, 'attribution.request');
  return writeTransaction(store, ctx, async (w) => {
    const client = await loadClient(w.trx, ctx, clientId);
    const exists = await w.trx
      .selectFrom('partners')
      .select('id')
      .where('id', '=', body.partnerId)
      .executeTakeFirst();
    if (!exists) throw invalidField('body.partnerId', `${body.partnerId} is not a partner.`);
    await loadPartnerFor(w.trx, ctx.actor, body.partnerId, 'see');
    if (client.partner_id === body.partnerId)
      throw invalidField('body.partnerId', 'The client already belongs to this partner.');
    const pending = await w.trx
      .selectFrom('attribution_decisions')
      .select('id')
      .where('client_id', '=', clientId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (pending)
      throw conflict(`Decision ${pending.id} for this client is still pending; approve or reject it first.`);
    const row: AttributionDecisionsTable = {
      id: newId('attributionDecision'),
      client_id: clientId,
      from_partner_id: client.partner_id,
      to_partner_id: body.partnerId,
      reason: body.reason,
      status: 'pending',
      requested_by: ctx.actor.id,
      requested_at: nowIso(),
      decided_by: null,
      decided_at: null,
      decision_note: null,
      version: 1,
    };
    await w.trx.insertInto('attribution_decisions').values(row).execute();
    w.audit({
      action: 'attribution.requested',
      entityType: 'client',
      entityId: clientId,
      partnerId: body.partnerId,
      after: { decisionId: row.id, fromPartnerId: client.partner_id, toPartnerId: body.partnerId },
      reason: body.reason,
    });
    return row;
  });
}

export async function listDecisions(
  store: Store,
  ctx: RequestContext,
  q: { status?: string; limit: number; cursor?: string },
) {
  assertCan(ctx.actor, 'attribution.request');
  checkCursor('attributionDecision', q.cursor);
  let query = store.db.selectFrom('attribution_decisions').selectAll();
  if (q.status) query = query.where('status', '=', q.status);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  return page(rows, q.limit);
}

/**
 * Approve (the client and every one of its real past events move to the new partner, with their rollups) or
 * reject a pending decision. The approver must not be the requester. On PostgreSQL the transaction takes the
 * events lock first, so no event batch decides this client at the same time.
 */
export async function decide(
  store: Store,
  ctx: RequestContext,
  decisionId: string,
  verdict: 'approve' | 'reject',
  body: { note?: string | null; version?: number } | null | undefined,
): Promise<AttributionDecisionsTable> {
  assertCan(ctx.actor, 'attribution.approve');
  return writeTransaction(store, ctx, async (w) => {
    if (store.dialect === 'postgres')
      await sql`select pg_advisory_xact_lock(${EVENTS_LOCK_KEY})`.execute(w.trx);
    const d = isId('attributionDecision', decisionId)
      ? await w.trx
          .selectFrom('attribution_decisions')
          .selectAll()
          .where('id', '=', decisionId)
          .executeTakeFirst()
      : undefined;
    if (!d) throw notFound(`Attribution decision ${decisionId}`);
    versionCheck(d.version, body?.version, 'This decision');
    if (d.status !== 'pending') throw conflict(`This decision is already ${d.status}.`);
    if (d.requested_by === ctx.actor.id)
      throw forbidden('Four eyes: someone other than the requester must approve or reject this decision.');
    const now = nowIso();
    const status = verdict === 'approve' ? 'approved' : 'rejected';
    await w.trx
      .updateTable('attribution_decisions')
      .set({
        status,
        decided_by: ctx.actor.id,
        decided_at: now,
        decision_note: body?.note ?? null,
        version: Number(d.version) + 1,
      })
      .where('id', '=', d.id)
      .execute();
    let moved = 0;
    if (verdict === 'approve') {
      const client = await w.trx
        .selectFrom('clients')
        .selectAll()
        .where('id', '=', d.client_id)
        .executeTakeFirstOrThrow();
      if (client.partner_id !== d.from_partner_id)
        throw conflict(
          'The client was attributed differently since this decision was requested; request it again.',
        );
      await w.trx
        .updateTable('clients')
        .set({
          partner_id: d.to_partner_id,
          link_id: null,
          click_id: null,
          attribution: 'manual',
          attributed_at: now,
          updated_at: now,
          version: Number(client.version) + 1,
        })
        .where('id', '=', client.id)
        .execute();
      moved = await moveEvents(w.trx, client.id, d.to_partner_id);
    }
    w.audit({
      action: verdict === 'approve' ? 'attribution.approved' : 'attribution.rejected',
      entityType: 'client',
      entityId: d.client_id,
      partnerId: d.to_partner_id,
      before: { partnerId: d.from_partner_id },
      after:
        verdict === 'approve'
          ? { partnerId: d.to_partner_id, attribution: 'manual', eventsMoved: moved }
          : null,
      reason: body?.note ?? d.reason,
      meta: { decisionId: d.id, requestedBy: d.requested_by },
    });
    return {
      ...d,
      status,
      decided_by: ctx.actor.id,
      decided_at: now,
      decision_note: body?.note ?? null,
      version: Number(d.version) + 1,
    };
  });
}

/**
 * Moves a client's events to a partner; real events' rollups (event_rollups and partner_day_event_rollups) move
 * from their old key to the new one. Runs under the events lock, so no event batch writes rollups meanwhile.
 */
async function moveEvents(trx: Transaction<DB>, clientId: string, to: string): Promise<number> {
  const events = await trx.selectFrom('events').selectAll().where('client_id', '=', clientId).execute();
  for (const e of events) {
    if (Number(e.is_test) === 0) {
      if (e.partner_id) await addRollup(trx, e, e.partner_id, e.link_id ?? '', e.sub1 ?? '', -1);
      await addRollup(trx, e, to, '', '', 1);
    }
  }
  if (events.length > 0)
    await trx
      .updateTable('events')
      .set({ partner_id: to, link_id: null, attribution: 'manual', attribution_note: null })
      .where('client_id', '=', clientId)
      .execute();
  return events.length;
}

async function addRollup(
  trx: Transaction<DB>,
  e: EventsTable,
  partnerId: string,
  linkId: string,
  sub1: string,
  sign: 1 | -1,
) {
  const amt = Number(e.amount_minor ?? 0) * sign;
  const one = sign;
  const v = {
    registrations: e.type === 'registration' ? one : 0,
    kyc_approved: e.type === 'kyc_approved' ? one : 0,
    ftds: Number(e.is_ftd) === 1 ? one : 0,
    qualified_ftds: Number(e.is_qualified_ftd) === 1 ? one : 0,
    ftd_amount_minor: Number(e.is_ftd) === 1 ? amt : 0,
    deposits: e.type === 'deposit' || e.type === 'ftd' ? one : 0,
    deposit_amount_minor: e.type === 'deposit' || e.type === 'ftd' ? amt : 0,
    withdrawals: e.type === 'withdrawal' ? one : 0,
    withdrawal_amount_minor: e.type === 'withdrawal' ? amt : 0,
    trades: e.type === 'trade' ? one : 0,
    lots: e.type === 'trade' ? Number(e.lots ?? 0) * sign : 0,
    revenue_minor: e.type === 'trade' ? Number(e.revenue_minor ?? 0) * sign : 0,
    chargebacks: e.type === 'chargeback' ? one : 0,
    chargeback_amount_minor: e.type === 'chargeback' ? amt : 0,
  };
  // The currency key as the ingest planner sets it: the event's currency when it has an amount or a revenue, else ''.
  const day = e.occurred_at.slice(0, 10);
  const currency = e.amount_minor !== null || e.revenue_minor !== null ? (e.currency ?? '') : '';
  await trx
    .insertInto('event_rollups')
    .values({ day, partner_id: partnerId, link_id: linkId, sub1, currency, ...v })
    .onConflict((oc) =>
      oc
        .columns(['partner_id', 'day', 'link_id', 'sub1', 'currency'])
        .doUpdateSet(
          Object.fromEntries(
            Object.keys(v).map((k) => [k, sql`event_rollups.${sql.ref(k)} + excluded.${sql.ref(k)}`]),
          ),
        ),
    )
    .execute();
  await trx
    .insertInto('partner_day_event_rollups')
    .values({ day, partner_id: partnerId, currency, ...v })
    .onConflict((oc) =>
      oc
        .columns(['day', 'partner_id', 'currency'])
        .doUpdateSet(
          Object.fromEntries(
            Object.keys(v).map((k) => [
              k,
              sql`partner_day_event_rollups.${sql.ref(k)} + excluded.${sql.ref(k)}`,
            ]),
          ),
        ),
    )
    .execute();
}

// ---------- Inbox ----------

export function presentInbox(r: EventInboxTable) {
  let problem: unknown = r.problem;
  try {
    problem = JSON.parse(r.problem);
  } catch {
    // kept as text
  }
  return {
    id: r.id,
    receivedAt: r.received_at,
    channel: r.channel as 'postback' | 'api',
    sourceId: r.source_id,
    method: r.method,
    path: r.path,
    contentType: r.content_type,
    ip: r.ip,
    raw: r.raw,
    problem,
    status: r.status as 'open' | 'resolved',
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
  };
}

export const MAX_RAW = 64 * 1024;

export async function keepInInbox(
  store: Store,
  ctx: RequestContext,
  item: {
    channel: 'postback' | 'api';
    sourceId: string | null;
    method: string;
    path: string;
    contentType: string | null;
    ip: string | null;
    raw: string;
    problem: unknown;
  },
): Promise<string> {
  const id = newId('inbox');
  await writeTransaction(
    store,
    ctx,
    async (w) => {
      await w.trx
        .insertInto('event_inbox')
        .values({
          id,
          received_at: nowIso(),
          channel: item.channel,
          source_id: item.sourceId,
          method: item.method,
          path: item.path.slice(0, 2048),
          content_type: item.contentType?.slice(0, 200) ?? null,
          ip: item.ip,
          raw: item.raw.length > MAX_RAW ? `${item.raw.slice(0, MAX_RAW)}…[truncated]` : item.raw,
          problem: JSON.stringify(item.problem),
          status: 'open',
          resolved_by: null,
          resolved_at: null,
          resolution: null,
        })
        .execute();
    },
    { unauditedBecause: 'the raw malformed request is itself the record, kept for investigation' },
  );
  return id;
}

export async function listInbox(
  store: Store,
  ctx: RequestContext,
  q: { status?: string; sourceId?: string; limit: number; cursor?: string },
) {
  assertCan(ctx.actor, 'event_sources.manage');
  checkCursor('inbox', q.cursor);
  let query = store.db.selectFrom('event_inbox').selectAll();
  if (q.status) query = query.where('status', '=', q.status);
  if (q.sourceId) query = query.where('source_id', '=', q.sourceId);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  return page(rows, q.limit);
}

export async function resolveInbox(store: Store, ctx: RequestContext, id: string, resolution: string) {
  assertCan(ctx.actor, 'event_sources.manage');
  return writeTransaction(store, ctx, async (w) => {
    const r = isId('inbox', id)
      ? await w.trx.selectFrom('event_inbox').selectAll().where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!r) throw notFound(`Inbox item ${id}`);
    if (r.status === 'resolved') throw conflict('This inbox item is already resolved.');
    const now = nowIso();
    await w.trx
      .updateTable('event_inbox')
      .set({ status: 'resolved', resolved_by: ctx.actor.id, resolved_at: now, resolution })
      .where('id', '=', id)
      .execute();
    w.audit({
      action: 'event_inbox.resolved',
      entityType: 'event_inbox',
      entityId: id,
      after: { status: 'resolved' },
      reason: resolution,
    });
    return { ...r, status: 'resolved', resolved_by: ctx.actor.id, resolved_at: now, resolution };
  });
}

// ---------- Programmes ----------

export function presentProgramme(r: ProgrammesTable) {
  return {
    id: r.id,
    name: r.name,
    isDefault: Number(r.is_default) === 1,
    minClickToEventSeconds: Number(r.min_click_to_event_seconds),
    maxClickAgeDays: Number(r.max_click_age_days),
    ftdDefinition: r.ftd_definition as 'first_deposit' | 'deposits_24h',
    qualifyingDeposit: { amountMinor: Number(r.qualifying_deposit_minor), currency: r.qualifying_currency },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: Number(r.version),
  };
}

export async function listProgrammes(store: Store, ctx: RequestContext): Promise<ProgrammesTable[]> {
  assertCan(ctx.actor, 'events.read');
  return store.db.selectFrom('programmes').selectAll().orderBy('name').execute();
}

interface ProgrammeInput {
  name?: string;
  minClickToEventSeconds?: number;
  maxClickAgeDays?: number;
  ftdDefinition?: string;
  qualifyingDeposit?: { amountMinor: number; currency: string };
  isDefault?: boolean;
  version?: number;
}

async function nameTaken(db: Db, name: string, except: string | null): Promise<void> {
  const other = await db.selectFrom('programmes').select('id').where('name', '=', name).executeTakeFirst();
  if (other && other.id !== except)
    throw conflict(`A programme named "${name}" already exists.`, { field: 'body.name' });
}

export async function createProgramme(
  store: Store,
  ctx: RequestContext,
  body: Required<Omit<ProgrammeInput, 'version'>>,
) {
  assertCan(ctx.actor, 'programmes.manage');
  return writeTransaction(store, ctx, async (w) => {
    await nameTaken(w.trx, body.name, null);
    const now = nowIso();
    if (body.isDefault) await w.trx.updateTable('programmes').set({ is_default: 0 }).execute();
    const row: ProgrammesTable = {
      id: newId('programme'),
      name: body.name,
      is_default: body.isDefault ? 1 : 0,
      min_click_to_event_seconds: body.minClickToEventSeconds,
      max_click_age_days: body.maxClickAgeDays,
      ftd_definition: body.ftdDefinition,
      qualifying_deposit_minor: body.qualifyingDeposit.amountMinor,
      qualifying_currency: body.qualifyingDeposit.currency,
      created_at: now,
      updated_at: now,
      version: 1,
    };
    await w.trx.insertInto('programmes').values(row).execute();
    w.audit({
      action: 'programme.created',
      entityType: 'programme',
      entityId: row.id,
      after: presentProgramme(row),
    });
    return row;
  });
}

export async function updateProgramme(store: Store, ctx: RequestContext, id: string, body: ProgrammeInput) {
  assertCan(ctx.actor, 'programmes.manage');
  return writeTransaction(store, ctx, async (w) => {
    const cur = isId('programme', id)
      ? await w.trx.selectFrom('programmes').selectAll().where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!cur) throw notFound(`Programme ${id}`);
    versionCheck(cur.version, body.version, 'This programme');
    if (body.name) await nameTaken(w.trx, body.name, id);
    const now = nowIso();
    if (body.isDefault) await w.trx.updateTable('programmes').set({ is_default: 0 }).execute();
    const next: ProgrammesTable = {
      ...cur,
      name: body.name ?? cur.name,
      is_default: body.isDefault ? 1 : Number(cur.is_default),
      min_click_to_event_seconds: body.minClickToEventSeconds ?? Number(cur.min_click_to_event_seconds),
      max_click_age_days: body.maxClickAgeDays ?? Number(cur.max_click_age_days),
      ftd_definition: body.ftdDefinition ?? cur.ftd_definition,
      qualifying_deposit_minor: body.qualifyingDeposit?.amountMinor ?? Number(cur.qualifying_deposit_minor),
      qualifying_currency: body.qualifyingDeposit?.currency ?? cur.qualifying_currency,
      updated_at: now,
      version: Number(cur.version) + 1,
    };
    await w.trx.updateTable('programmes').set(next).where('id', '=', id).execute();
    w.audit({
      action: 'programme.updated',
      entityType: 'programme',
      entityId: id,
      before: presentProgramme(cur),
      after: presentProgramme(next),
    });
    return next;
  });
}

// ---------- The click story's evidence ----------

/**
 * What happened after a click: the events that carried its id or belong to a client it attributed, each with
 * the partner postback deliveries and attempts it caused, the client(s) and their attribution decisions. A
 * partner user sees only what is attributed to its own partner (and no decisions).
 */
export async function clickEvidence(store: Store, ctx: RequestContext, clickId: string) {
  const partnerOnly = isPartnerActor(ctx);
  const direct = await store.db.selectFrom('events').selectAll().where('click_id', '=', clickId).execute();
  const clients = await store.db.selectFrom('clients').selectAll().where('click_id', '=', clickId).execute();
  const clientIds = [...new Set([...clients.map((c) => c.id), ...direct.map((e) => e.client_id).filter((x): x is string => !!x)])];
  const followed =
    clientIds.length > 0
      ? await store.db.selectFrom('events').selectAll().where('client_id', 'in', clientIds).execute()
      : [];
  const byId = new Map<string, EventsTable>();
  for (const e of [...direct, ...followed]) byId.set(e.id, e);
  let events = [...byId.values()].sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : a.id < b.id ? -1 : 1));
  if (partnerOnly) events = events.filter((e) => e.partner_id === ctx.actor.partnerId);
  const allClients =
    clientIds.length > 0 ? await store.db.selectFrom('clients').selectAll().where('id', 'in', clientIds).execute() : [];
  const ext = new Map(allClients.map((c) => [c.id, c.external_id]));
  const deliveries = await attemptsForEvents(store, events.map((e) => e.id));
  const decisions =
    partnerOnly || clientIds.length === 0
      ? []
      : await store.db
          .selectFrom('attribution_decisions')
          .selectAll()
          .where('client_id', 'in', clientIds)
          .orderBy('id')
          .execute();
  return {
    events: events.map((e) => ({
      ...presentEvent(e, e.client_id ? (ext.get(e.client_id) ?? null) : null),
      postbacks: deliveries.get(e.id) ?? [],
    })),
    clients: allClients
      .filter((c) => !partnerOnly || c.partner_id === ctx.actor.partnerId)
      .map(presentClient),
    decisions: decisions.map(presentDecision),
  };
}

async function attemptsForEvents(store: Store, eventIds: string[]) {
  const out = new Map<string, Awaited<ReturnType<typeof attemptsForEvent>>>();
  for (const id of eventIds) {
    const d = await attemptsForEvent(store, id);
    if (d.length > 0) out.set(id, d);
  }
  return out;
}
