// Versioned commercial terms: propose, approve or reject (four eyes, within the authority matrix), withdraw,
// record the partner's acceptance, and answer "which terms are in force on a date". A version is never
// edited once decided; a change is a new version.
import type { Kysely, Transaction } from 'kysely';
import type { ZodError } from 'zod';
import { type Actor, assertCan, can, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { TermsVersionsTable } from '../../platform/db/schema.ts';
import {
  AppError,
  conflict,
  type FieldError,
  forbidden,
  invalid,
  invalidField,
  notFound,
} from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { currencySchema } from '../../platform/money.ts';
import { isValidIsoDate, nowIso, todayUtc } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { canSeePartner, loadPartnerFor } from '../partners/index.ts';
import { loadAuthorityRows } from './authority.service.ts';
import {
  type ApproverRole,
  authorityRank,
  exceededLimits,
  requiredApproverRole,
  roleCovers,
} from './authority-matrix.ts';
import { type Plan, planSchema } from './plan.schemas.ts';
import { diffPlans, type PlanChange, summarizePlan } from './plan-summary.ts';
import type { TermsStatus } from './terms.schemas.ts';

type TermsRow = TermsVersionsTable;
type Db = Kysely<DB> | Transaction<DB>;

export interface PersonRef {
  id: string;
  name: string;
}

export interface TermsView {
  id: string;
  partnerId: string;
  version: number;
  status: TermsStatus;
  model: Plan['model'];
  plan: Plan;
  currency: string;
  effectiveFrom: string;
  summary: string;
  requiredRole: ApproverRole;
  note: string | null;
  proposedBy: PersonRef;
  proposedAt: string;
  decidedBy: PersonRef | null;
  decidedAt: string | null;
  decisionReason: string | null;
  acceptedAt: string | null;
  acceptedBy: PersonRef | null;
  acceptedVia: 'partner' | 'on_behalf' | null;
  acceptanceNote: string | null;
  diffFromPrevious: { previousVersion: number | null; changes: PlanChange[] };
  createdAt: string;
  updatedAt: string;
}

const ROLE_LABELS: Record<ApproverRole, string> = {
  bdm: 'a BDM',
  team_lead: 'a Team Lead',
  leadership: 'Leadership',
};

/** Zod issues as field errors under a prefix, in the same dotted form the HTTP layer uses (body.plan.rebates.2.group). */
function fieldErrors(prefix: string, error: ZodError): FieldError[] {
  return error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

function parseStoredPlan(row: Pick<TermsRow, 'plan'>): Plan {
  return planSchema.parse(JSON.parse(row.plan));
}

/** Display names of users and API keys by id, in two queries. */
async function peopleByIds(db: Db, ids: Iterable<string | null>): Promise<Map<string, PersonRef>> {
  const wanted = [...new Set([...ids].filter((x): x is string => !!x))];
  const out = new Map<string, PersonRef>();
  if (wanted.length === 0) return out;
  const users = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', wanted).execute();
  for (const u of users) out.set(u.id, { id: u.id, name: u.name });
  const missing = wanted.filter((id) => !out.has(id));
  if (missing.length > 0) {
    const keys = await db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', missing).execute();
    for (const k of keys) out.set(k.id, { id: k.id, name: `API key ${k.name}` });
  }
  for (const id of wanted) if (!out.has(id)) out.set(id, { id, name: id === 'system' ? 'System' : id });
  return out;
}

/** Views of rows of one partner, each with its difference from the version before it. */
async function present(db: Db, rows: TermsRow[]): Promise<TermsView[]> {
  if (rows.length === 0) return [];
  const byKey = new Map(rows.map((r) => [`${r.partner_id}|${r.version}`, r]));
  const missing = rows.filter((r) => r.version > 1 && !byKey.has(`${r.partner_id}|${r.version - 1}`));
  for (const r of missing) {
    const prev = await db
      .selectFrom('terms_versions')
      .selectAll()
      .where('partner_id', '=', r.partner_id)
      .where('version', '<', r.version)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (prev) byKey.set(`${r.partner_id}|${r.version - 1}`, prev);
  }
  const people = await peopleByIds(
    db,
    rows.flatMap((r) => [r.proposed_by, r.decided_by, r.accepted_by]),
  );
  const person = (id: string | null) => (id ? (people.get(id) ?? { id, name: id }) : null);
  return rows.map((r) => {
    const plan = parseStoredPlan(r);
    const prev = byKey.get(`${r.partner_id}|${r.version - 1}`);
    return {
      id: r.id,
      partnerId: r.partner_id,
      version: r.version,
      status: r.status as TermsStatus,
      model: plan.model,
      plan,
      currency: r.currency,
      effectiveFrom: r.effective_from,
      summary: summarizePlan(plan, r.currency),
      requiredRole: r.required_role as ApproverRole,
      note: r.note,
      proposedBy: person(r.proposed_by) as PersonRef,
      proposedAt: r.proposed_at,
      decidedBy: person(r.decided_by),
      decidedAt: r.decided_at,
      decisionReason: r.decision_reason,
      acceptedAt: r.accepted_at,
      acceptedBy: person(r.accepted_by),
      acceptedVia: (r.accepted_via as 'partner' | 'on_behalf' | null) ?? null,
      acceptanceNote: r.acceptance_note,
      diffFromPrevious: prev
        ? {
            previousVersion: prev.version,
            changes: diffPlans(
              { plan: parseStoredPlan(prev), currency: prev.currency },
              { plan, currency: r.currency },
            ),
          }
        : { previousVersion: null, changes: [] },
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  });
}

async function presentOne(db: Db, row: TermsRow): Promise<TermsView> {
  const [view] = await present(db, [row]);
  return view as TermsView;
}

async function loadTerms(db: Db, partnerId: string, termsId: string): Promise<TermsRow> {
  const row = await db
    .selectFrom('terms_versions')
    .selectAll()
    .where('id', '=', termsId)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
  if (!row) throw notFound(`Terms version ${termsId} of partner ${partnerId}`);
  return row;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

export interface ProposeTermsInput {
  plan: unknown;
  currency: string;
  effectiveFrom: string;
  note?: string | null;
}

/** Proposes the next version of a partner's terms; it waits for approval by the role the authority matrix names. */
export async function createTermsProposal(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  input: ProposeTermsInput,
): Promise<TermsView> {
  assertCan(ctx.actor, 'terms.propose');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'change');
  if (partner.archived_at)
    throw conflict(`Partner ${partnerId} is archived; restore it before proposing terms.`);

  const errors: FieldError[] = [];
  const plan = planSchema.safeParse(input.plan);
  if (!plan.success) errors.push(...fieldErrors('body.plan', plan.error));
  const currency = currencySchema.safeParse(input.currency);
  if (!currency.success) errors.push(...fieldErrors('body.currency', currency.error));
  const today = todayUtc();
  if (!isValidIsoDate(input.effectiveFrom)) {
    errors.push({ field: 'body.effectiveFrom', message: 'must be a real calendar date as YYYY-MM-DD' });
  } else if (input.effectiveFrom < today) {
    errors.push({
      field: 'body.effectiveFrom',
      message: `must be today (${today}) or later: terms never apply retroactively`,
    });
  }
  const note = input.note?.trim() || null;
  if (note && note.length > 2000)
    errors.push({ field: 'body.note', message: 'must be at most 2000 characters' });
  if (errors.length > 0 || !plan.success || !currency.success)
    throw invalid(errors, 'The proposed terms are not valid.');

  try {
    return await writeTransaction(store, ctx, async (w) => {
      const rows = await loadAuthorityRows(w.trx);
      const requiredRole = requiredApproverRole(plan.data, currency.data, rows);
      const last = await w.trx
        .selectFrom('terms_versions')
        .select('version')
        .where('partner_id', '=', partnerId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      const now = nowIso();
      const row: TermsRow = {
        id: newId('terms'),
        partner_id: partnerId,
        version: (last?.version ?? 0) + 1,
        status: 'pending_approval',
        plan: JSON.stringify(plan.data),
        currency: currency.data,
        effective_from: input.effectiveFrom,
        required_role: requiredRole,
        note,
        proposed_by: ctx.actor.id,
        proposed_at: now,
        decided_by: null,
        decided_at: null,
        decision_reason: null,
        accepted_at: null,
        accepted_by: null,
        acceptance_note: null,
        created_at: now,
        updated_at: now,
        accepted_via: null,
      };
      await w.trx.insertInto('terms_versions').values(row).execute();
      const bdmExceeds = requiredRole === 'bdm' ? [] : exceededLimits(plan.data, currency.data, 'bdm', rows);
      w.audit({
        action: 'terms.proposed',
        entityType: 'terms',
        entityId: row.id,
        partnerId,
        after: {
          version: row.version,
          plan: plan.data,
          currency: row.currency,
          effectiveFrom: row.effective_from,
          requiredRole,
          summary: summarizePlan(plan.data, row.currency),
        },
        reason: note,
        meta: bdmExceeds.length > 0 ? { aboveBdmAuthority: bdmExceeds } : undefined,
      });
      return presentOne(w.trx, row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflict('Another version of these terms was proposed at the same moment; reload and try again.');
    }
    throw err;
  }
}

/** Why this actor may not decide the version, or null when it may (four eyes, then the authority ladder). */
export function decisionBlocker(
  actor: Actor,
  row: Pick<TermsRow, 'proposed_by' | 'required_role'>,
): string | null {
  if (!can(actor, 'terms.approve'))
    return `Your role (${actor.role}) does not have the "terms.approve" permission.`;
  if (actor.type !== 'user') return 'Terms are decided by a signed-in person, not by an API key.';
  if (row.proposed_by === actor.id) {
    return 'Four eyes: you proposed this version, so someone else must approve or reject it.';
  }
  const required = row.required_role as ApproverRole;
  if (!roleCovers(actor.role, required)) {
    return `This version needs approval by ${ROLE_LABELS[required] ?? required} (required role: ${required}) or above; your role (${actor.role}) is below that.`;
  }
  return null;
}

async function decide(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  termsId: string,
  outcome: 'approved' | 'rejected',
  reason: string | null,
): Promise<TermsView> {
  assertCan(ctx.actor, 'terms.approve');
  await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  const row = await loadTerms(store.db, partnerId, termsId);
  const blocker = decisionBlocker(ctx.actor, row);
  if (blocker) throw new AppError('forbidden', blocker, [], { requiredRole: row.required_role });
  if (row.status !== 'pending_approval') {
    throw conflict(
      `Version ${row.version} is ${row.status.replace('_', ' ')}; only a version pending approval can be ${outcome}.`,
    );
  }
  if (outcome === 'approved' && row.effective_from < todayUtc()) {
    throw conflict(
      `Version ${row.version} was to take effect on ${row.effective_from}, which has passed; terms never apply retroactively. Reject it and propose a new version with a current date.`,
    );
  }
  return writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    const res = await w.trx
      .updateTable('terms_versions')
      .set({
        status: outcome,
        decided_by: ctx.actor.id,
        decided_at: now,
        decision_reason: reason,
        updated_at: now,
      })
      .where('id', '=', termsId)
      .where('status', '=', 'pending_approval')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw conflict(`Version ${row.version} was decided by someone else just now.`);
    w.audit({
      action: outcome === 'approved' ? 'terms.approved' : 'terms.rejected',
      entityType: 'terms',
      entityId: termsId,
      partnerId,
      before: { status: row.status },
      after: {
        status: outcome,
        version: row.version,
        requiredRole: row.required_role,
        approverRole: ctx.actor.role,
      },
      reason,
    });
    return presentOne(w.trx, await loadTerms(w.trx, partnerId, termsId));
  });
}

export async function approveTerms(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  termsId: string,
  input: { reason?: string | null } = {},
): Promise<TermsView> {
  return decide(store, ctx, partnerId, termsId, 'approved', input.reason?.trim() || null);
}

export async function rejectTerms(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  termsId: string,
  input: { reason: string },
): Promise<TermsView> {
  const reason = input.reason?.trim();
  if (!reason) throw invalidField('body.reason', 'Say why the terms are rejected.');
  return decide(store, ctx, partnerId, termsId, 'rejected', reason);
}

/** The proposer (or someone who may change any partner) takes back a version still pending approval. */
export async function withdrawTerms(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  termsId: string,
  input: { reason?: string | null } = {},
): Promise<TermsView> {
  await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  const row = await loadTerms(store.db, partnerId, termsId);
  if (row.proposed_by !== ctx.actor.id && !can(ctx.actor, 'partners.update_any')) {
    throw forbidden(
      'Only the person who proposed this version (or someone who may change any partner) can withdraw it.',
    );
  }
  if (row.status !== 'pending_approval') {
    throw conflict(
      `Version ${row.version} is ${row.status.replace('_', ' ')}; only a version pending approval can be withdrawn.`,
    );
  }
  const reason = input.reason?.trim() || null;
  return writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    const res = await w.trx
      .updateTable('terms_versions')
      .set({
        status: 'withdrawn',
        decided_by: ctx.actor.id,
        decided_at: now,
        decision_reason: reason,
        updated_at: now,
      })
      .where('id', '=', termsId)
      .where('status', '=', 'pending_approval')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw conflict(`Version ${row.version} was decided by someone else just now.`);
    w.audit({
      action: 'terms.withdrawn',
      entityType: 'terms',
      entityId: termsId,
      partnerId,
      before: { status: row.status },
      after: { status: 'withdrawn', version: row.version },
      reason,
    });
    return presentOne(w.trx, await loadTerms(w.trx, partnerId, termsId));
  });
}

function isPartnerActor(actor: Actor): boolean {
  return actor.role === 'partner' || actor.partnerId !== null;
}

/**
 * Records that the partner accepted an approved version: a partner user accepts its own partner's terms
 * itself; staff record an acceptance received another way (signed PDF, e-mail) with a note saying how.
 */
export async function acceptTerms(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  termsId: string,
  input: { note?: string | null; acceptedAt?: string | null } = {},
): Promise<TermsView> {
  assertCan(ctx.actor, 'terms.record_acceptance');
  const byPartner = isPartnerActor(ctx.actor);
  await loadPartnerFor(store.db, ctx.actor, partnerId, byPartner ? 'see' : 'change');
  const row = await loadTerms(store.db, partnerId, termsId);
  if (row.status !== 'approved') {
    throw conflict(
      `Version ${row.version} is ${row.status.replace('_', ' ')}; only approved terms can be accepted.`,
    );
  }
  if (row.accepted_at) throw conflict(`Version ${row.version} was already accepted on ${row.accepted_at}.`);

  const note = input.note?.trim() || null;
  const now = nowIso();
  let acceptedAt = now;
  if (byPartner) {
    if (input.acceptedAt) {
      throw invalidField('body.acceptedAt', 'is recorded by the system when you accept; leave it out.');
    }
  } else {
    if (!note) {
      throw invalidField(
        'body.note',
        'Say how the partner accepted (for example "signed PDF received by e-mail on 3 March").',
      );
    }
    if (input.acceptedAt) {
      const t = Date.parse(input.acceptedAt);
      if (Number.isNaN(t)) throw invalidField('body.acceptedAt', 'must be an ISO-8601 date-time.');
      acceptedAt = new Date(t).toISOString();
      if (acceptedAt > now) throw invalidField('body.acceptedAt', 'cannot be in the future.');
      if (row.decided_at && acceptedAt < row.decided_at) {
        throw invalidField(
          'body.acceptedAt',
          `cannot be before the terms were approved (${row.decided_at}).`,
        );
      }
    }
  }
  const via = byPartner ? 'partner' : 'on_behalf';
  return writeTransaction(store, ctx, async (w) => {
    const res = await w.trx
      .updateTable('terms_versions')
      .set({
        accepted_at: acceptedAt,
        accepted_by: ctx.actor.id,
        accepted_via: via,
        acceptance_note: note,
        updated_at: now,
      })
      .where('id', '=', termsId)
      .where('status', '=', 'approved')
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw conflict(`Version ${row.version} was accepted by someone else just now.`);
    w.audit({
      action: 'terms.accepted',
      entityType: 'terms',
      entityId: termsId,
      partnerId,
      before: { acceptedAt: null },
      after: { acceptedAt, acceptedVia: via, version: row.version, effectiveFrom: row.effective_from },
      reason: note,
    });
    return presentOne(w.trx, await loadTerms(w.trx, partnerId, termsId));
  });
}

export async function listTerms(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  opts: { limit: number; cursor?: string | null },
): Promise<{ data: TermsView[]; nextCursor: string | null }> {
  assertCan(ctx.actor, 'terms.read');
  await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  let below: number | null = null;
  if (opts.cursor) {
    const decoded = Number(Buffer.from(opts.cursor, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 1)
      throw invalidField('query.cursor', 'is not a cursor from this list.');
    below = decoded;
  }
  let q = store.db.selectFrom('terms_versions').selectAll().where('partner_id', '=', partnerId);
  if (below !== null) q = q.where('version', '<', below);
  const rows = await q
    .orderBy('version', 'desc')
    .limit(opts.limit + 1)
    .execute();
  const page = rows.slice(0, opts.limit);
  const views = await present(store.db, rows);
  const last = page[page.length - 1];
  return {
    data: views.slice(0, opts.limit),
    nextCursor:
      rows.length > opts.limit && last ? Buffer.from(String(last.version)).toString('base64url') : null,
  };
}

export async function getTerms(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  termsId: string,
): Promise<TermsView> {
  assertCan(ctx.actor, 'terms.read');
  await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  return presentOne(store.db, await loadTerms(store.db, partnerId, termsId));
}

/**
 * The version in force on a date: approved and accepted, effective on or before the date, and the newest
 * such version. A newer version therefore replaces an older one from its own effective date; if it was
 * given the same or an earlier effective date, the older one is simply never in force again (no edit).
 */
async function inForceRow(db: Db, partnerId: string, at: string): Promise<TermsRow | undefined> {
  return db
    .selectFrom('terms_versions')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('status', '=', 'approved')
    .where('accepted_at', 'is not', null)
    .where('effective_from', '<=', at)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function currentTerms(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  at?: string | null,
): Promise<TermsView> {
  assertCan(ctx.actor, 'terms.read');
  await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  const date = at ?? todayUtc();
  if (!isValidIsoDate(date)) throw invalidField('query.at', 'must be a real calendar date as YYYY-MM-DD.');
  const row = await inForceRow(store.db, partnerId, date);
  if (!row) {
    throw new AppError(
      'not_found',
      `Partner ${partnerId} has no terms in force on ${date}: no version is approved, accepted by the partner and effective by then.`,
    );
  }
  return presentOne(store.db, row);
}

export interface TermsFacts {
  /** True when an approved version the partner accepted is in force today. */
  hasTermsInForce: boolean;
  inForce: { id: string; version: number; effectiveFrom: string; summary: string } | null;
  pendingApproval: number;
  /** Approved versions the partner has not accepted yet. */
  awaitingAcceptance: number;
}

/** What the onboarding gate needs to know about a partner's terms (no permission check: internal use). */
export async function termsFacts(db: Db, partnerId: string, at: string = todayUtc()): Promise<TermsFacts> {
  const row = await inForceRow(db, partnerId, at);
  const open = await db
    .selectFrom('terms_versions')
    .select(['status', 'accepted_at'])
    .where('partner_id', '=', partnerId)
    .where('status', 'in', ['pending_approval', 'approved'])
    .execute();
  return {
    hasTermsInForce: !!row,
    inForce: row
      ? {
          id: row.id,
          version: row.version,
          effectiveFrom: row.effective_from,
          summary: summarizePlan(parseStoredPlan(row), row.currency),
        }
      : null,
    pendingApproval: open.filter((r) => r.status === 'pending_approval').length,
    awaitingAcceptance: open.filter((r) => r.status === 'approved' && !r.accepted_at).length,
  };
}

export interface TermsAwaitingDecision {
  id: string;
  partner: { id: string; displayName: string };
  version: number;
  summary: string;
  currency: string;
  effectiveFrom: string;
  requiredRole: ApproverRole;
  proposedBy: PersonRef;
  proposedAt: string;
}

/** Versions pending approval that this actor may decide: may see the partner, high enough, not the proposer. */
export async function termsAwaitingDecisionBy(db: Db, actor: Actor): Promise<TermsAwaitingDecision[]> {
  if (!can(actor, 'terms.approve') || actor.type !== 'user' || authorityRank(actor.role) < 0) return [];
  const rows = await db
    .selectFrom('terms_versions')
    .innerJoin('partners', 'partners.id', 'terms_versions.partner_id')
    .selectAll('terms_versions')
    .select(['partners.display_name as partner_name'])
    .where('terms_versions.status', '=', 'pending_approval')
    .where('terms_versions.proposed_by', '!=', actor.id)
    .orderBy('terms_versions.proposed_at', 'asc')
    .execute();
  const mine = rows.filter(
    (r) => canSeePartner(actor, { id: r.partner_id }) && decisionBlocker(actor, r) === null,
  );
  const people = await peopleByIds(
    db,
    mine.map((r) => r.proposed_by),
  );
  return mine.map((r) => ({
    id: r.id,
    partner: { id: r.partner_id, displayName: r.partner_name },
    version: r.version,
    summary: summarizePlan(parseStoredPlan(r), r.currency),
    currency: r.currency,
    effectiveFrom: r.effective_from,
    requiredRole: r.required_role as ApproverRole,
    proposedBy: people.get(r.proposed_by) ?? { id: r.proposed_by, name: r.proposed_by },
    proposedAt: r.proposed_at,
  }));
}
