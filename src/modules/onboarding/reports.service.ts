// Views across partners: the pipeline board, stalled partners, activation timelines and the list of
// terminated (offboarded) partners. Staff see every partner; a partner user only its own. Facts are loaded once per partner and only for the items its current
// gate has; lists of rows (history, ticks, handovers, templates, owners) are read in batches.
import type { RequestContext } from '../../platform/auth/actor.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import { invalidField } from '../../platform/errors.ts';
import { nowMs } from '../../platform/time.ts';
import type { Store } from '../../platform/tx.ts';
import { type Db, loadGateFacts, taskFacts } from './facts.ts';
import { evaluateGate, type GateEvaluation } from './gate.ts';
import {
  backfillRow,
  type HistoryRow,
  handoverFactsOf,
  openEntries,
  peopleNames,
  templatesFor,
  ticksOf,
} from './history.ts';
import { daysBetween } from './onboarding.service.ts';
import { type GATE_STAGES, isGateStage, PATH, STAGE_LABELS, STAGES, type Stage } from './stages.ts';
import { partnerTimelines, summarizeTimelines, type TimelineRow } from './timelines.ts';

const DAY_MS = 86_400_000;

/**
 * The partners an actor may see in these views: every partner for staff, only its own partner for a partner
 * user (who reaches them with onboarding.read, like its own onboarding page).
 */
function ownPartnerOnly(ctx: RequestContext): string | null {
  if (ctx.actor.role === 'partner' || ctx.actor.partnerId !== null) return ctx.actor.partnerId ?? 'none';
  return null;
}

interface PartnerState {
  partner: PartnersTable;
  entry: HistoryRow;
  /** False when the entry was never recorded (a partner created before stage history): days count from creation. */
  recorded: boolean;
  evaluation: GateEvaluation | null;
  tasks: { total: number; open: number; overdue: number } | null;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Gate and task state of many partners: batched reads, then per-partner facts for gate stages only. */
async function partnerStates(db: Db, partners: PartnersTable[], withGate: boolean): Promise<PartnerState[]> {
  const open = await openEntries(
    db,
    partners.map((p) => p.id),
  );
  const states = partners.map((partner) => {
    const recorded = open.get(partner.id);
    return { partner, entry: recorded ?? backfillRow(partner, undefined), recorded: !!recorded };
  });
  if (!withGate) return states.map((s) => ({ ...s, evaluation: null, tasks: null }));
  const gated = states.filter((s) => isGateStage(s.partner.stage));
  const templates = await templatesFor(
    db,
    gated.map((s) => ({ partnerType: s.partner.type, templateId: s.entry.template_id })),
  );
  const recordedIds = gated.filter((s) => s.recorded).map((s) => s.entry.id);
  const ticks = await ticksOf(db, recordedIds);
  const handovers = await handoverFactsOf(db, recordedIds);
  const results = new Map<string, { evaluation: GateEvaluation; tasks: PartnerState['tasks'] }>();
  await mapLimit(gated, 8, async (s) => {
    const i = gated.indexOf(s);
    const template = templates[i];
    const stage = s.partner.stage as (typeof GATE_STAGES)[number];
    const ts = template?.stages[stage] ?? null;
    const facts = await loadGateFacts(
      db,
      s.partner,
      stage,
      ts,
      handovers.get(s.entry.id) ?? { exists: false, acknowledgedAt: null },
    );
    const tasks = facts.tasks ?? (await taskFacts(db, s.partner.id, stage));
    results.set(s.partner.id, {
      evaluation: evaluateGate(stage, ts, facts, ticks.get(s.entry.id) ?? new Map()),
      tasks,
    });
  });
  return states.map((s) => ({
    ...s,
    evaluation: results.get(s.partner.id)?.evaluation ?? null,
    tasks: results.get(s.partner.id)?.tasks ?? null,
  }));
}

function filteredPartners(
  db: Db,
  ctx: RequestContext,
  f: { ownerId?: string | undefined; type?: string | undefined },
) {
  let q = db.selectFrom('partners').selectAll().where('archived_at', 'is', null);
  const own = ownPartnerOnly(ctx);
  if (own !== null) q = q.where('id', '=', own);
  if (f.ownerId) q = q.where('owner_id', '=', f.ownerId);
  if (f.type) q = q.where('type', '=', f.type);
  return q.orderBy('created_at', 'asc').orderBy('id', 'asc');
}

export interface PipelineCard {
  id: string;
  displayName: string;
  type: string;
  owner: { id: string; name: string } | null;
  daysInStage: number;
  enteredAtExact: boolean;
  blockingCount: number;
  openTasks: number;
  overdueTasks: number;
}

export async function pipeline(
  store: Store,
  ctx: RequestContext,
  q: { ownerId?: string | undefined; type?: string | undefined; team?: string | undefined },
): Promise<{ columns: { stage: Stage; label: string; count: number; partners: PipelineCard[] }[] }> {
  const partners = await filteredPartners(store.db, ctx, q).execute();
  const states = await partnerStates(store.db, partners, true);
  const owners = await peopleNames(
    store.db,
    partners.flatMap((p) => (p.owner_id ? [p.owner_id] : [])),
  );
  const now = nowMs();
  const teamOwes = (s: PartnerState) =>
    !q.team ||
    (s.evaluation?.blockers ?? []).some((b) =>
      'role' in b.owner ? b.owner.role === q.team : b.owner.actionBy === q.team,
    );
  const columns = STAGES.map((stage) => {
    const cards = states
      .filter((s) => s.partner.stage === stage && teamOwes(s))
      .map((s) => ({
        id: s.partner.id,
        displayName: s.partner.display_name,
        type: s.partner.type,
        owner: s.partner.owner_id
          ? { id: s.partner.owner_id, name: owners.get(s.partner.owner_id) ?? s.partner.owner_id }
          : null,
        daysInStage: daysBetween(s.entry.entered_at, now),
        enteredAtExact: s.recorded ? s.entry.backfilled === 0 : s.partner.stage === 'intake',
        blockingCount: s.evaluation?.blockers.length ?? 0,
        openTasks: s.tasks?.open ?? 0,
        overdueTasks: s.tasks?.overdue ?? 0,
      }))
      .sort((a, b) => b.daysInStage - a.daysInStage || a.displayName.localeCompare(b.displayName));
    return { stage, label: STAGE_LABELS[stage], count: cards.length, partners: cards };
  });
  return { columns };
}

export async function stalled(
  store: Store,
  ctx: RequestContext,
  q: { days: number; ownerId?: string | undefined; type?: string | undefined },
): Promise<{
  days: number;
  data: (PipelineCard & { stage: Stage; stageLabel: string; enteredAt: string })[];
}> {
  const now = nowMs();
  const cutoff = new Date(now - q.days * DAY_MS).toISOString();
  const candidates = (await filteredPartners(store.db, ctx, q).execute()).filter(
    (p) => isGateStage(p.stage) || p.stage === 'suspended',
  );
  const open = await openEntries(
    store.db,
    candidates.map((p) => p.id),
  );
  // Over N days: entered before now − N days (the entry of a partner without history is its creation).
  const over = candidates.filter((p) => (open.get(p.id)?.entered_at ?? p.created_at) < cutoff);
  const states = await partnerStates(store.db, over, true);
  const owners = await peopleNames(
    store.db,
    over.flatMap((p) => (p.owner_id ? [p.owner_id] : [])),
  );
  const data = states
    .map((s) => ({
      id: s.partner.id,
      displayName: s.partner.display_name,
      type: s.partner.type,
      stage: s.partner.stage as Stage,
      stageLabel: STAGE_LABELS[s.partner.stage as Stage],
      owner: s.partner.owner_id
        ? { id: s.partner.owner_id, name: owners.get(s.partner.owner_id) ?? s.partner.owner_id }
        : null,
      enteredAt: s.entry.entered_at,
      enteredAtExact: s.recorded ? s.entry.backfilled === 0 : s.partner.stage === 'intake',
      daysInStage: daysBetween(s.entry.entered_at, now),
      blockingCount: s.evaluation?.blockers.length ?? 0,
      openTasks: s.tasks?.open ?? 0,
      overdueTasks: s.tasks?.overdue ?? 0,
    }))
    .sort((a, b) => (a.enteredAt < b.enteredAt ? -1 : a.enteredAt > b.enteredAt ? 1 : a.id < b.id ? -1 : 1));
  return { days: q.days, data };
}

/** An instant from a query value: an ISO date (its 00:00 UTC) or an ISO date-time. */
export function parseInstant(value: string | undefined, field: string): number | null {
  if (value === undefined || value === '') return null;
  const v = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v)
    ? Date.parse(v)
    : Number.NaN;
  if (Number.isNaN(ms)) {
    throw invalidField(
      field,
      'must be a date (YYYY-MM-DD, meaning 00:00 UTC) or an ISO-8601 date-time with a zone',
    );
  }
  return ms;
}

const days = (ms: number | null) => (ms === null ? null : Math.round((ms / DAY_MS) * 100) / 100);

export async function timelines(
  store: Store,
  ctx: RequestContext,
  q: {
    from?: string | undefined;
    to?: string | undefined;
    asOf?: string | undefined;
    ownerId?: string | undefined;
    type?: string | undefined;
  },
) {
  const asOf = parseInstant(q.asOf, 'query.asOf') ?? nowMs();
  const from = parseInstant(q.from, 'query.from');
  const to = parseInstant(q.to, 'query.to');
  if (from !== null && to !== null && from > to)
    throw invalidField('query.from', 'must not be after query.to');
  let pq = store.db.selectFrom('partners').select(['id', 'display_name', 'type', 'owner_id']);
  const own = ownPartnerOnly(ctx);
  if (own !== null) pq = pq.where('id', '=', own);
  if (q.ownerId) pq = pq.where('owner_id', '=', q.ownerId);
  if (q.type) pq = pq.where('type', '=', q.type);
  const partners = await pq.execute();
  const byId = new Map(partners.map((p) => [p.id, p]));
  const rows: TimelineRow[] = [];
  const ids = partners.map((p) => p.id);
  for (let i = 0; i < ids.length; i += 500) {
    const batch = await store.db
      .selectFrom('stage_history')
      .select(['partner_id', 'stage', 'entered_at', 'exited_at', 'backfilled'])
      .where('partner_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of batch) {
      rows.push({
        partnerId: r.partner_id,
        stage: r.stage as Stage,
        enteredAt: Date.parse(r.entered_at),
        exitedAt: r.exited_at ? Date.parse(r.exited_at) : null,
        backfilled: r.backfilled === 1,
      });
    }
  }
  const ownerOf = new Map(partners.map((p) => [p.id, p.owner_id]));
  const lo = from ?? Number.NEGATIVE_INFINITY;
  const hi = to ?? Number.POSITIVE_INFINITY;
  const perPartner = partnerTimelines(rows, asOf).filter((p) => p.firstAt < hi && p.lastAt >= lo);
  const summary = summarizeTimelines(rows, ownerOf, { asOf, from, to }, PATH);
  const names = await peopleNames(
    store.db,
    partners.flatMap((p) => (p.owner_id ? [p.owner_id] : [])),
  );
  const ownerRef = (id: string | null) => (id ? { id, name: names.get(id) ?? id } : null);
  return {
    asOf: new Date(asOf).toISOString(),
    from: from === null ? null : new Date(from).toISOString(),
    to: to === null ? null : new Date(to).toISOString(),
    partners: perPartner.map((p) => {
      const partner = byId.get(p.partnerId);
      return {
        partnerId: p.partnerId,
        displayName: partner?.display_name ?? p.partnerId,
        type: partner?.type ?? '',
        owner: ownerRef(partner?.owner_id ?? null),
        currentStage: p.currentStage,
        intakeAt: p.intakeAt === null ? null : new Date(p.intakeAt).toISOString(),
        activatedAt: p.activatedAt === null ? null : new Date(p.activatedAt).toISOString(),
        intakeToActiveMs: p.intakeToActiveMs,
        intakeToActiveDays: days(p.intakeToActiveMs),
        stages: PATH.concat(['suspended', 'rejected', 'offboarded'])
          .filter((s) => p.stages[s])
          .map((s) => {
            const span = p.stages[s] as NonNullable<(typeof p.stages)[Stage]>;
            return {
              stage: s,
              durationMs: span.durationMs,
              days: days(span.durationMs),
              visits: span.visits,
              open: span.open,
              exact: span.exact,
            };
          }),
      };
    }),
    summary: {
      stages: summary.stages.map((s) => ({ ...s, medianDays: days(s.medianMs) })),
      intakeToActive: { ...summary.intakeToActive, medianDays: days(summary.intakeToActive.medianMs) },
      byOwner: summary.byOwner.map((o) => ({
        owner: ownerRef(o.ownerId),
        activations: o.activations,
        medianIntakeToActiveMs: o.medianIntakeToActiveMs,
        medianIntakeToActiveDays: days(o.medianIntakeToActiveMs),
        stages: o.stages.map((s) => ({ ...s, medianDays: days(s.medianMs) })),
      })),
    },
  };
}

function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify([id])).toString('base64url');
}
function decodeCursor(cursor: string): string {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && v[0].length <= 64) return v[0];
  } catch {
    /* fall through */
  }
  throw invalidField('query.cursor', 'is not a cursor this list gave out');
}

/** Offboarded partners (current and archived), with when and why they were offboarded and whether they had been active. */
export async function terminated(
  store: Store,
  ctx: RequestContext,
  q: { limit: number; cursor?: string | undefined; everActive?: boolean | undefined },
) {
  let pq = store.db.selectFrom('partners').selectAll().where('stage', '=', 'offboarded');
  const own = ownPartnerOnly(ctx);
  if (own !== null) pq = pq.where('id', '=', own);
  if (q.cursor) pq = pq.where('id', '>', decodeCursor(q.cursor));
  const everActiveIds = store.db
    .selectFrom('stage_history')
    .select('partner_id')
    .where('stage', '=', 'active');
  if (q.everActive === true) pq = pq.where('id', 'in', everActiveIds);
  if (q.everActive === false) pq = pq.where('id', 'not in', everActiveIds);
  const rows = await pq
    .orderBy('id', 'asc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  const ids = page.map((p) => p.id);
  const history = ids.length
    ? await store.db
        .selectFrom('stage_history')
        .select(['partner_id', 'stage', 'entered_at', 'exited_at', 'reason', 'backfilled'])
        .where('partner_id', 'in', ids)
        .orderBy('entered_at', 'asc')
        .execute()
    : [];
  return {
    data: page.map((p) => {
      const mine = history.filter((h) => h.partner_id === p.id);
      const off = mine.find((h) => h.stage === 'offboarded' && h.exited_at === null);
      const actives = mine.filter((h) => h.stage === 'active');
      return {
        id: p.id,
        displayName: p.display_name,
        legalName: p.legal_name,
        type: p.type,
        country: p.country,
        websites: JSON.parse(p.websites) as string[],
        offboardedAt: off && off.backfilled === 0 ? off.entered_at : null,
        reason: off?.reason ?? null,
        wasActive: actives.length > 0,
        activeFrom: actives[0]?.entered_at ?? null,
        activeUntil: actives.length > 0 ? (actives[actives.length - 1]?.exited_at ?? null) : null,
        archived: p.archived_at !== null,
      };
    }),
    nextCursor:
      rows.length > q.limit && page.length > 0 ? encodeCursor(page[page.length - 1]?.id as string) : null,
  };
}
