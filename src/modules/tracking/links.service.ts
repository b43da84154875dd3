// Tracking links: create, change, pause/activate/archive (audited, under the partner's object rules), list,
// and per-day stats read from click rollups (never from raw clicks).
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { LinksTable } from '../../platform/db/schema.ts';
import { conflict, invalid, invalidField, notFound } from '../../platform/errors.ts';
import { isId, newId } from '../../platform/ids.ts';
import { nowIso, todayUtc } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { canSeePartner, loadPartnerFor } from '../partners/index.ts';
import { lintLandingUrl } from './landing.ts';
import type { LINK_STATUSES } from './links.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;
export type LinkRow = LinksTable;
export type LinkStatus = (typeof LINK_STATUSES)[number];

export function presentLink(row: LinkRow, origin: string) {
  return {
    id: row.id,
    partnerId: row.partner_id,
    code: row.code,
    name: row.name,
    landingUrl: row.landing_url,
    campaign: row.campaign,
    status: row.status as LinkStatus,
    allowedCountries: JSON.parse(row.allowed_countries) as string[],
    programmeId: row.programme_id,
    trackingUrl: `${origin}/c/${row.code}`,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

function checkLanding(url: string): void {
  const problems = lintLandingUrl(url);
  if (problems.length > 0)
    throw invalid(
      problems.map((message) => ({ field: 'body.landingUrl', message })),
      problems[0],
    );
}

function normCountries(list: string[] | undefined): string[] {
  return [...new Set((list ?? []).map((c) => c.toUpperCase()))].sort();
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
function generateCode(): string {
  const bytes = randomBytes(8);
  let s = '';
  for (const b of bytes) s += CODE_ALPHABET[b % CODE_ALPHABET.length];
  return s;
}

function isUniqueViolation(err: unknown): string | null {
  const e = err as { code?: string; message?: string; constraint?: string };
  if (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  ) {
    return `${e.constraint ?? ''} ${e.message ?? ''}`;
  }
  return null;
}

async function checkProgramme(db: Db, programmeId: string): Promise<void> {
  const p = await db.selectFrom('programmes').select('id').where('id', '=', programmeId).executeTakeFirst();
  if (!p) throw invalidField('body.programmeId', `${programmeId} is not a programme.`);
}

/** Loads a link the actor may see (404 otherwise). */
export async function loadLinkFor(db: Db, ctx: RequestContext, id: string): Promise<LinkRow> {
  const row = isId('link', id)
    ? await db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row || !canSeePartner(ctx.actor, { id: row.partner_id })) throw notFound(`Link ${id}`);
  return row;
}

export async function getLink(store: Store, ctx: RequestContext, id: string): Promise<LinkRow> {
  assertCan(ctx.actor, 'links.read');
  return loadLinkFor(store.db, ctx, id);
}

export async function listLinks(
  store: Store,
  ctx: RequestContext,
  q: { partnerId?: string; status?: LinkStatus; limit: number; cursor?: string },
): Promise<{ data: LinkRow[]; nextCursor: string | null }> {
  assertCan(ctx.actor, 'links.read');
  let query = store.db.selectFrom('links').selectAll();
  if (ctx.actor.role === 'partner' || ctx.actor.partnerId) {
    if (q.partnerId && q.partnerId !== ctx.actor.partnerId) return { data: [], nextCursor: null };
    query = query.where('partner_id', '=', ctx.actor.partnerId ?? '');
  } else if (q.partnerId) {
    query = query.where('partner_id', '=', q.partnerId);
  }
  if (q.status) query = query.where('status', '=', q.status);
  if (q.cursor) {
    if (!isId('link', q.cursor))
      throw invalidField('query.cursor', 'is not a cursor from this list; start again without it.');
    query = query.where('id', '<', q.cursor);
  }
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  return { data: page, nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null };
}

export async function createLink(
  store: Store,
  ctx: RequestContext,
  body: {
    partnerId: string;
    code?: string;
    name: string;
    landingUrl: string;
    campaign?: string | null;
    allowedCountries?: string[];
    programmeId?: string | null;
  },
): Promise<LinkRow> {
  assertCan(ctx.actor, 'links.write');
  checkLanding(body.landingUrl);
  if (body.programmeId) await checkProgramme(store.db, body.programmeId);
  const exists = await store.db
    .selectFrom('partners')
    .select('id')
    .where('id', '=', body.partnerId)
    .executeTakeFirst();
  if (!exists) throw invalidField('body.partnerId', `${body.partnerId} is not a partner.`);
  const partner = await loadPartnerFor(store.db, ctx.actor, body.partnerId, 'change');
  if (partner.archived_at) throw conflict('The partner is archived; restore it before adding links.');
  if (body.code) {
    const taken = await store.db
      .selectFrom('links')
      .select('id')
      .where('code', '=', body.code)
      .executeTakeFirst();
    if (taken)
      throw conflict(`The code "${body.code}" is already used by another link.`, { field: 'body.code' });
  }
  // seq = max + 1 inside the transaction; two instances racing on PostgreSQL hit the unique index and retry.
  for (let attempt = 0; ; attempt++) {
    const id = newId('link');
    const code = body.code ?? generateCode();
    try {
      return await writeTransaction(store, ctx, async (w) => {
        const max = await w.trx
          .selectFrom('links')
          .select((eb) => eb.fn.max('seq').as('m'))
          .executeTakeFirst();
        const now = nowIso();
        const row: LinkRow = {
          id,
          seq: Number(max?.m ?? 0) + 1,
          partner_id: partner.id,
          code,
          name: body.name,
          landing_url: body.landingUrl,
          campaign: body.campaign ?? null,
          programme_id: body.programmeId ?? null,
          status: 'active',
          allowed_countries: JSON.stringify(normCountries(body.allowedCountries)),
          created_by: ctx.actor.id,
          created_at: now,
          updated_at: now,
          version: 1,
        };
        await w.trx.insertInto('links').values(row).execute();
        w.audit({
          action: 'link.created',
          entityType: 'link',
          entityId: id,
          partnerId: partner.id,
          after: {
            code,
            name: row.name,
            landingUrl: row.landing_url,
            campaign: row.campaign,
            allowedCountries: JSON.parse(row.allowed_countries),
          },
        });
        return row;
      });
    } catch (err) {
      const which = isUniqueViolation(err);
      if (!which || attempt >= 5) throw err;
      if (/code/.test(which) && body.code)
        throw conflict(`The code "${body.code}" is already used by another link.`, { field: 'body.code' });
    }
  }
}

export async function updateLink(
  store: Store,
  ctx: RequestContext,
  id: string,
  patch: {
    name?: string;
    landingUrl?: string;
    campaign?: string | null;
    allowedCountries?: string[];
    programmeId?: string | null;
    version?: number;
  },
): Promise<LinkRow> {
  assertCan(ctx.actor, 'links.write');
  const current = await loadLinkFor(store.db, ctx, id);
  if (patch.programmeId) await checkProgramme(store.db, patch.programmeId);
  await loadPartnerFor(store.db, ctx.actor, current.partner_id, 'change');
  if (patch.landingUrl !== undefined) checkLanding(patch.landingUrl);
  if (patch.version !== undefined && patch.version !== current.version) {
    throw conflict(
      `The link changed since you read it (version ${current.version}, you sent ${patch.version}); reload and retry.`,
    );
  }
  const next: Partial<LinkRow> = {};
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.landingUrl !== undefined) next.landing_url = patch.landingUrl;
  if (patch.campaign !== undefined) next.campaign = patch.campaign ?? null;
  if (patch.allowedCountries !== undefined)
    next.allowed_countries = JSON.stringify(normCountries(patch.allowedCountries));
  if (patch.programmeId !== undefined) next.programme_id = patch.programmeId ?? null;
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next) as [keyof LinkRow, unknown][]) {
    if (current[k] !== v) {
      before[k] = current[k];
      after[k] = v;
    }
  }
  if (Object.keys(after).length === 0) return current;
  return writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    const res = await w.trx
      .updateTable('links')
      .set({ ...next, updated_at: now, version: current.version + 1 })
      .where('id', '=', id)
      .where('version', '=', current.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw conflict('The link changed while you were saving; reload and retry.');
    w.audit({
      action: 'link.updated',
      entityType: 'link',
      entityId: id,
      partnerId: current.partner_id,
      before,
      after,
    });
    return { ...current, ...next, updated_at: now, version: current.version + 1 };
  });
}

const TRANSITIONS: Record<
  'pause' | 'activate' | 'archive',
  { from: LinkStatus[]; to: LinkStatus; action: 'link.paused' | 'link.activated' | 'link.archived' }
> = {
  pause: { from: ['active'], to: 'paused', action: 'link.paused' },
  activate: { from: ['paused'], to: 'active', action: 'link.activated' },
  archive: { from: ['active', 'paused'], to: 'archived', action: 'link.archived' },
};

export async function setLinkStatus(
  store: Store,
  ctx: RequestContext,
  id: string,
  op: 'pause' | 'activate' | 'archive',
  reason?: string | null,
): Promise<LinkRow> {
  assertCan(ctx.actor, 'links.write');
  const current = await loadLinkFor(store.db, ctx, id);
  await loadPartnerFor(store.db, ctx.actor, current.partner_id, 'change');
  const t = TRANSITIONS[op];
  if (!t.from.includes(current.status as LinkStatus)) {
    throw conflict(
      current.status === 'archived'
        ? 'The link is archived; archived links stay archived (create a new link).'
        : `The link is already ${current.status}.`,
    );
  }
  return writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    const res = await w.trx
      .updateTable('links')
      .set({ status: t.to, updated_at: now, version: current.version + 1 })
      .where('id', '=', id)
      .where('version', '=', current.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw conflict('The link changed meanwhile; reload and retry.');
    w.audit({
      action: t.action,
      entityType: 'link',
      entityId: id,
      partnerId: current.partner_id,
      before: { status: current.status },
      after: { status: t.to },
      ...(reason ? { reason } : {}),
    });
    return { ...current, status: t.to, updated_at: now, version: current.version + 1 };
  });
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function validDay(field: string, s: string): string {
  const d = new Date(`${s}T00:00:00.000Z`);
  if (Number.isNaN(d.getTime()) || !d.toISOString().startsWith(s))
    throw invalidField(field, `${s} is not a calendar date.`);
  return s;
}

/** Per-day and per-sub1 counts of one link between two days (inclusive), from the rollups. Default: the last 30 days. */
export async function linkStats(
  store: Store,
  ctx: RequestContext,
  id: string,
  q: { from?: string; to?: string },
) {
  assertCan(ctx.actor, 'links.read');
  const link = await loadLinkFor(store.db, ctx, id);
  const to = q.to ? validDay('query.to', q.to) : todayUtc();
  const from = q.from ? validDay('query.from', q.from) : addDays(to, -29);
  if (from > to) throw invalidField('query.from', 'must be on or before query.to.');
  if (Date.parse(to) - Date.parse(from) > 366 * 86_400_000)
    throw invalidField('query.from', 'the range is limited to 366 days.');
  const rows = await store.db
    .selectFrom('click_rollups')
    .select(['day', 'sub1', 'clicks', 'unique_clicks', 'bots'])
    .where('link_id', '=', link.id)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  const byDay = new Map<string, { clicks: number; uniqueClicks: number; bots: number }>();
  const bySub = new Map<string, { clicks: number; uniqueClicks: number; bots: number }>();
  const totals = { clicks: 0, uniqueClicks: 0, bots: 0 };
  for (const r of rows) {
    const c = Number(r.clicks);
    const u = Number(r.unique_clicks);
    const b = Number(r.bots);
    for (const [map, key] of [
      [byDay, r.day],
      [bySub, r.sub1],
    ] as const) {
      const e = map.get(key) ?? { clicks: 0, uniqueClicks: 0, bots: 0 };
      e.clicks += c;
      e.uniqueClicks += u;
      e.bots += b;
      map.set(key, e);
    }
    totals.clicks += c;
    totals.uniqueClicks += u;
    totals.bots += b;
  }
  const days: { day: string; clicks: number; uniqueClicks: number; bots: number }[] = [];
  for (let d = from; d <= to; d = addDays(d, 1))
    days.push({ day: d, ...(byDay.get(d) ?? { clicks: 0, uniqueClicks: 0, bots: 0 }) });
  const bySub1 = [...bySub.entries()]
    .map(([sub1, c]) => ({ sub1, ...c }))
    .sort((a, b) => b.clicks - a.clicks || (a.sub1 < b.sub1 ? -1 : 1));
  return { linkId: link.id, from, to, totals, days, bySub1 };
}
