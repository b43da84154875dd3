// A partner's onboarding: reading its stage, gate and history; moving it (advance through the gate, back with
// a reason, reject, suspend, resume, offboard); ticking and unticking manual gate items; the handover record
// and its acknowledgement. Each write is one transaction: the partner's stage (a conditional update on its
// version, so two concurrent moves cannot both succeed), the stage history, the stage's tasks, the audit.
import { type RequestContext, systemActor } from '../../platform/auth/actor.ts';
import type { Role } from '../../platform/auth/permissions.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import { AppError, conflict, forbidden, invalidField, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, nowMs } from '../../platform/time.ts';
import { type Store, type WriteScope, writeTransaction } from '../../platform/tx.ts';
import { loadPartnerFor } from '../partners/index.ts';
import { cancelStageTasks, createStageTasks, type Db, loadGateFacts, taskFacts } from './facts.ts';
import { evaluateGate, type GateEvaluation, type GateItem } from './gate.ts';
import { createHandover } from './handover.ts';
import {
  ensureOpenEntry,
  type HistoryRow,
  handoverFactsOf,
  mayTick,
  movedMeanwhile,
  peopleNames,
  templateStageOf,
  ticksOf,
} from './history.ts';
import {
  allowedTransitions,
  describeAllowed,
  earlierStages,
  isGateStage,
  type MoveKind,
  nextStage,
  STAGE_LABELS,
  type Stage,
  type Transition,
} from './stages.ts';
import { currentTemplate, type TemplateView } from './templates.service.ts';

const DAY_MS = 86_400_000;

const MOVE_RECORD: Record<
  MoveKind,
  { history: string; audit: Parameters<WriteScope['audit']>[0]['action'] }
> = {
  advance: { history: 'advanced', audit: 'onboarding.advanced' },
  back: { history: 'moved_back', audit: 'onboarding.moved_back' },
  reject: { history: 'rejected', audit: 'onboarding.rejected' },
  suspend: { history: 'suspended', audit: 'onboarding.suspended' },
  resume: { history: 'resumed', audit: 'onboarding.resumed' },
  offboard: { history: 'offboarded', audit: 'onboarding.offboarded' },
};

export interface HistoryEntryView {
  id: string;
  stage: Stage;
  fromStage: Stage | null;
  move: string;
  enteredAt: string;
  exitedAt: string | null;
  enteredAtExact: boolean;
  enteredBy: { id: string; name: string };
  reason: string | null;
  templateVersion: number | null;
}

export interface OnboardingView {
  partnerId: string;
  displayName: string;
  partnerType: string;
  stage: Stage;
  stageLabel: string;
  enteredAt: string;
  enteredAtExact: boolean;
  daysInStage: number;
  template: { id: string; partnerType: string; version: number } | null;
  gate: {
    stage: Stage;
    items: GateItem[];
    canAdvance: boolean;
    blockers: { key: string; label: string; state: string; reason: string | null }[];
  };
  next: { stage: Stage; label: string } | null;
  allowedMoves: Transition[];
  tasks: { total: number; open: number; overdue: number };
  history: HistoryEntryView[];
}

const backfillCtx: RequestContext = { actor: systemActor([], 'onboarding history'), requestId: null };

function isPartnerActor(ctx: RequestContext): boolean {
  return ctx.actor.role === 'partner' || ctx.actor.partnerId !== null;
}

export function daysBetween(fromIso: string, toMs: number): number {
  return Math.max(0, Math.floor((toMs - Date.parse(fromIso)) / DAY_MS));
}

/** The gate of the partner's current visit, read through `db` (a transaction's handle inside a write). */
export async function gateOf(
  db: Db,
  partner: PartnersTable,
  entry: HistoryRow,
): Promise<{ evaluation: GateEvaluation; template: TemplateView | undefined }> {
  const { template, stage } = await templateStageOf(db, entry, partner.type);
  const ticks = (await ticksOf(db, [entry.id])).get(entry.id) ?? new Map();
  const handover = (await handoverFactsOf(db, [entry.id])).get(entry.id);
  const facts = await loadGateFacts(db, partner, partner.stage, stage, handover);
  return { evaluation: evaluateGate(partner.stage as Stage, stage, facts, ticks), template };
}

/**
 * Inserts the open history row of a partner created before stage history existed (and, in Handover, its
 * missing handover record). Not a change of the partner: no audit entry unless a handover record is made.
 */
async function ensureEntryOutside(store: Store, partner: PartnersTable): Promise<HistoryRow> {
  return writeTransaction(
    store,
    backfillCtx,
    async (w) => {
      const { entry } = await ensureOpenEntry(w.trx, partner);
      await ensureHandoverRecord(w, partner, entry);
      return entry;
    },
    {
      unauditedBecause:
        'records when a partner already in a stage entered it; nothing about the partner changes',
    },
  );
}

async function ensureHandoverRecord(w: WriteScope, partner: PartnersTable, entry: HistoryRow): Promise<void> {
  if (entry.stage !== 'handover') return;
  const existing = await w.trx
    .selectFrom('handovers')
    .select('id')
    .where('history_id', '=', entry.id)
    .executeTakeFirst();
  if (!existing) await createHandover(w, partner, entry.id);
}

export async function getOnboarding(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
): Promise<OnboardingView> {
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  const entry = await ensureEntryOutside(store, partner);
  const { evaluation, template } = await gateOf(store.db, partner, entry);
  const tasks = await taskFacts(store.db, partner.id, partner.stage);
  const rows = await store.db
    .selectFrom('stage_history')
    .selectAll()
    .where('partner_id', '=', partner.id)
    .orderBy('entered_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  const names = await peopleNames(
    store.db,
    rows.map((r) => r.entered_by),
  );
  const internal = !isPartnerActor(ctx);
  const next = nextStage(partner.stage);
  return {
    partnerId: partner.id,
    displayName: partner.display_name,
    partnerType: partner.type,
    stage: partner.stage as Stage,
    stageLabel: STAGE_LABELS[partner.stage as Stage] ?? partner.stage,
    enteredAt: entry.entered_at,
    enteredAtExact: entry.backfilled === 0,
    daysInStage: daysBetween(entry.entered_at, nowMs()),
    template: template
      ? { id: template.id, partnerType: template.partnerType, version: template.version }
      : null,
    gate: {
      stage: evaluation.stage,
      items: internal ? evaluation.items : evaluation.items.map(forPartner),
      canAdvance: evaluation.canAdvance,
      blockers: evaluation.blockers.map((b) => ({
        key: b.key,
        label: b.label,
        state: b.state,
        reason: b.reason,
      })),
    },
    next: next ? { stage: next, label: STAGE_LABELS[next] } : null,
    allowedMoves: allowedTransitions(partner.stage),
    tasks,
    history: rows.map((r) => ({
      id: r.id,
      stage: r.stage as Stage,
      fromStage: (r.from_stage as Stage | null) ?? null,
      move: r.move,
      enteredAt: r.entered_at,
      exitedAt: r.exited_at,
      enteredAtExact: r.backfilled === 0,
      enteredBy: internal
        ? { id: r.entered_by, name: names.get(r.entered_by) ?? r.entered_by }
        : {
            id: r.entered_by === 'system' ? 'system' : 'staff',
            name: r.entered_by === 'system' ? 'System' : 'Partner team',
          },
      // Reasons of moves are internal notes (a rejection may cite screening results).
      reason: internal ? r.reason : null,
      templateVersion: r.template_version,
    })),
  };
}

/** A partner user sees its gate, but not the internal detail of risk checks. */
function forPartner(item: GateItem): GateItem {
  if (item.check === 'no_blocking_risk' && item.state !== 'met') {
    return { ...item, reason: 'Waiting for an internal check by Compliance' };
  }
  return item;
}

function moveNotAllowed(partner: PartnersTable, what: string): AppError {
  const stage = partner.stage as Stage;
  return conflict(
    `Partner ${partner.id} is in ${STAGE_LABELS[stage] ?? stage}; ${what} is not allowed from there. Allowed: ${describeAllowed(stage)}.`,
    { currentStage: stage, allowed: allowedTransitions(stage) },
  );
}

function gateBlocked(partner: PartnersTable, evaluation: GateEvaluation, lead?: string): AppError {
  const stage = partner.stage as Stage;
  const unmetItems = evaluation.blockers.map((b) => ({
    key: b.key,
    label: b.label,
    state: b.state,
    reason: b.reason,
    owner: b.owner,
  }));
  return new AppError(
    'conflict',
    `${lead ?? `The ${STAGE_LABELS[stage]} gate does not hold`}: ${unmetItems.length} blocking item(s) not met — ${unmetItems
      .map((u) => `${u.label} (${u.reason ?? u.state})`)
      .join('; ')}.`,
    unmetItems.map((u) => ({ field: `gate.${u.key}`, message: u.reason ?? u.state })),
    { currentStage: stage, unmetItems },
  );
}

/** Moves the partner inside `w`: stage (conditional on its version), history, tasks, handover record, audit. */
async function performMove(
  w: WriteScope,
  partner: PartnersTable,
  entry: HistoryRow,
  move: MoveKind,
  to: Stage,
  reason: string | null,
  meta: Record<string, unknown> = {},
): Promise<void> {
  const now = nowIso();
  const res = await w.trx
    .updateTable('partners')
    .set({ stage: to, version: partner.version + 1, updated_at: now })
    .where('id', '=', partner.id)
    .where('stage', '=', partner.stage)
    .where('version', '=', partner.version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw movedMeanwhile(partner.id);
  const closed = await w.trx
    .updateTable('stage_history')
    .set({ exited_at: now })
    .where('id', '=', entry.id)
    .where('exited_at', 'is', null)
    .executeTakeFirst();
  if (Number(closed.numUpdatedRows) !== 1) throw movedMeanwhile(partner.id);
  const template = isGateStage(to) ? await currentTemplate(w.trx, partner.type) : undefined;
  const row: HistoryRow = {
    id: newId('stageEntry'),
    partner_id: partner.id,
    stage: to,
    from_stage: partner.stage,
    move: MOVE_RECORD[move].history,
    entered_at: now,
    exited_at: null,
    entered_by: w.ctx.actor.id,
    reason,
    template_id: template?.id ?? null,
    template_version: template?.version ?? null,
    backfilled: 0,
  };
  await w.trx.insertInto('stage_history').values(row).execute();
  // The move is recorded first (it reads first on the timeline); the task counts are filled in below, before
  // the transaction writes its audit entries.
  const counts = { templateVersion: template?.version ?? null, tasksCreated: 0, tasksCancelled: 0 };
  w.audit({
    action: MOVE_RECORD[move].audit,
    entityType: 'partner',
    entityId: partner.id,
    partnerId: partner.id,
    before: { stage: partner.stage },
    after: { stage: to },
    reason,
    meta: Object.assign(counts, meta),
  });
  if (move !== 'advance' && isGateStage(partner.stage)) {
    counts.tasksCancelled = await cancelStageTasks(w, {
      partnerId: partner.id,
      stage: partner.stage,
      reason:
        `The partner left ${STAGE_LABELS[partner.stage as Stage]} (${MOVE_RECORD[move].history.replace('_', ' ')}): ${reason ?? ''}`.slice(
          0,
          1000,
        ),
    });
  }
  if (isGateStage(to) && template) {
    const created = await createStageTasks(w, {
      partnerId: partner.id,
      stage: to,
      tasks: template.stages[to]?.tasks ?? [],
    });
    counts.tasksCreated = created.length;
  }
  if (to === 'handover') await createHandover(w, { ...partner, stage: to }, row.id);
}

function assertNotArchived(partner: PartnersTable, what: string): void {
  if (partner.archived_at) {
    throw conflict(`Partner ${partner.id} is archived; restore it before you ${what}.`, {
      currentStage: partner.stage,
    });
  }
}

/** Moves the partner to the next stage when its gate holds; otherwise 409 naming every unmet blocking item. */
export async function advancePartner(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  body: { expectedStage?: Stage | undefined; note?: string | null | undefined },
): Promise<OnboardingView> {
  await writeTransaction(store, ctx, async (w) => {
    const partner = await loadPartnerFor(w.trx, ctx.actor, partnerId, 'change');
    assertNotArchived(partner, 'advance it');
    if (body.expectedStage && body.expectedStage !== partner.stage) {
      throw conflict(
        `Partner ${partnerId} is in ${STAGE_LABELS[partner.stage as Stage] ?? partner.stage}, not ${STAGE_LABELS[body.expectedStage]}; reload and try again.`,
        { currentStage: partner.stage, allowed: allowedTransitions(partner.stage) },
      );
    }
    const to = nextStage(partner.stage);
    if (!to || !isGateStage(partner.stage)) throw moveNotAllowed(partner, 'advancing');
    const { entry } = await ensureOpenEntry(w.trx, partner);
    const { evaluation } = await gateOf(w.trx, partner, entry);
    if (!evaluation.canAdvance) throw gateBlocked(partner, evaluation);
    await performMove(w, partner, entry, 'advance', to, body.note ?? null, {
      gate: evaluation.items.map((i) => ({ key: i.key, state: i.state })),
    });
  });
  return getOnboarding(store, ctx, partnerId);
}

export async function movePartnerBack(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  body: { toStage: Stage; reason: string },
): Promise<OnboardingView> {
  await writeTransaction(store, ctx, async (w) => {
    const partner = await loadPartnerFor(w.trx, ctx.actor, partnerId, 'change');
    assertNotArchived(partner, 'move it back');
    if (!earlierStages(partner.stage).includes(body.toStage)) {
      throw moveNotAllowed(partner, `moving back to ${STAGE_LABELS[body.toStage] ?? body.toStage}`);
    }
    const { entry } = await ensureOpenEntry(w.trx, partner);
    await performMove(w, partner, entry, 'back', body.toStage, body.reason);
  });
  return getOnboarding(store, ctx, partnerId);
}

const MOVE_GERUND = {
  reject: 'rejecting',
  suspend: 'suspending',
  resume: 'resuming',
  offboard: 'offboarding',
} as const;

const SIDE_TARGET: Record<'reject' | 'suspend' | 'resume' | 'offboard', Stage> = {
  reject: 'rejected',
  suspend: 'suspended',
  resume: 'active',
  offboard: 'offboarded',
};

/** Reject, suspend, resume or offboard, with a reason. */
export async function decidePartner(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  move: 'reject' | 'suspend' | 'resume' | 'offboard',
  body: { reason: string },
): Promise<OnboardingView> {
  await writeTransaction(store, ctx, async (w) => {
    const partner = await loadPartnerFor(w.trx, ctx.actor, partnerId, 'see');
    if (move !== 'offboard') assertNotArchived(partner, `${move} it`);
    const to = SIDE_TARGET[move];
    if (!allowedTransitions(partner.stage).some((t) => t.move === move && t.to === to)) {
      throw moveNotAllowed(partner, MOVE_GERUND[move]);
    }
    const { entry } = await ensureOpenEntry(w.trx, partner);
    await performMove(w, partner, entry, move, to, body.reason);
  });
  return getOnboarding(store, ctx, partnerId);
}

async function loadForTick(w: WriteScope, ctx: RequestContext, partnerId: string, itemKey: string) {
  // A BDM ticks only on partners they own; other roles tick on any partner they see.
  const partner = await loadPartnerFor(
    w.trx,
    ctx.actor,
    partnerId,
    ctx.actor.role === 'bdm' ? 'change' : 'see',
  );
  assertNotArchived(partner, 'tick its gate');
  if (!isGateStage(partner.stage)) {
    throw conflict(
      `Partner ${partnerId} is in ${STAGE_LABELS[partner.stage as Stage] ?? partner.stage}, which has no gate to tick.`,
      { currentStage: partner.stage },
    );
  }
  const { entry } = await ensureOpenEntry(w.trx, partner);
  const { stage } = await templateStageOf(w.trx, entry, partner.type);
  const item = stage?.items.find((i) => i.key === itemKey);
  if (!item) throw notFound(`Item "${itemKey}" in the ${STAGE_LABELS[partner.stage as Stage]} gate`);
  if (item.kind !== 'manual') {
    throw conflict(
      `"${item.label}" is checked by the system from the facts it holds; it cannot be ticked by hand.`,
      {
        currentStage: partner.stage,
      },
    );
  }
  if (!mayTick(ctx.actor.role, item.role as Role)) {
    throw forbidden(`"${item.label}" is ticked by the ${item.role} role; your role is ${ctx.actor.role}.`);
  }
  return { partner, entry, item };
}

export async function tickItem(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  itemKey: string,
  body: {
    comment?: string | null | undefined;
    evidence?: { documentId?: string | undefined; url?: string | undefined } | undefined;
  },
): Promise<OnboardingView> {
  await writeTransaction(store, ctx, async (w) => {
    const { partner, entry, item } = await loadForTick(w, ctx, partnerId, itemKey);
    const evidence = body.evidence && (body.evidence.documentId || body.evidence.url) ? body.evidence : null;
    if (item.evidence === 'required' && !evidence) {
      throw invalidField(
        'body.evidence',
        `"${item.label}" needs evidence: a document of this partner or a link.`,
      );
    }
    if (evidence?.documentId) {
      const doc = await w.trx
        .selectFrom('documents')
        .select(['id'])
        .where('id', '=', evidence.documentId)
        .where('partner_id', '=', partner.id)
        .where('archived_at', 'is', null)
        .executeTakeFirst();
      if (!doc)
        throw invalidField('body.evidence.documentId', `is not a current document of partner ${partner.id}`);
    }
    const live = await w.trx
      .selectFrom('gate_ticks')
      .select(['ticked_by', 'ticked_at'])
      .where('history_id', '=', entry.id)
      .where('item_key', '=', item.key)
      .where('unticked_at', 'is', null)
      .executeTakeFirst();
    if (live) {
      throw conflict(
        `"${item.label}" was already ticked at ${live.ticked_at}; untick it first to tick it again.`,
        {
          currentStage: partner.stage,
        },
      );
    }
    const id = newId('gateTick');
    const tick = {
      id,
      partner_id: partner.id,
      history_id: entry.id,
      stage: partner.stage,
      item_key: item.key,
      ticked_by: ctx.actor.id,
      ticked_at: nowIso(),
      comment: body.comment ?? null,
      evidence: evidence ? JSON.stringify(evidence) : null,
      unticked_by: null,
      unticked_at: null,
      untick_reason: null,
    };
    await w.trx.insertInto('gate_ticks').values(tick).execute();
    w.audit({
      action: 'onboarding.item_ticked',
      entityType: 'gate_tick',
      entityId: id,
      partnerId: partner.id,
      after: { stage: partner.stage, itemKey: item.key, comment: tick.comment, evidence },
    });
  });
  return getOnboarding(store, ctx, partnerId);
}

export async function untickItem(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  itemKey: string,
  body: { reason: string },
): Promise<OnboardingView> {
  await writeTransaction(store, ctx, async (w) => {
    const { partner, entry, item } = await loadForTick(w, ctx, partnerId, itemKey);
    const live = await w.trx
      .selectFrom('gate_ticks')
      .selectAll()
      .where('history_id', '=', entry.id)
      .where('item_key', '=', item.key)
      .where('unticked_at', 'is', null)
      .executeTakeFirst();
    if (!live) throw conflict(`"${item.label}" is not ticked.`, { currentStage: partner.stage });
    const res = await w.trx
      .updateTable('gate_ticks')
      .set({ unticked_at: nowIso(), unticked_by: ctx.actor.id, untick_reason: body.reason })
      .where('id', '=', live.id)
      .where('unticked_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw conflict(`"${item.label}" was unticked by someone else meanwhile.`);
    w.audit({
      action: 'onboarding.item_unticked',
      entityType: 'gate_tick',
      entityId: live.id,
      partnerId: partner.id,
      before: { stage: partner.stage, itemKey: item.key, tickedBy: live.ticked_by, tickedAt: live.ticked_at },
      reason: body.reason,
    });
  });
  return getOnboarding(store, ctx, partnerId);
}

// ---------------------------------------------------------------------------------------------------------
// Handover

export interface HandoverView {
  id: string;
  partnerId: string;
  stage: Stage;
  current: boolean;
  snapshot: Record<string, unknown>;
  createdAt: string;
  createdBy: { id: string; name: string };
  acknowledgedAt: string | null;
  acknowledgedBy: { id: string; name: string } | null;
  acknowledgementNote: string | null;
}

/** Handover records are internal to the broker's staff: to a partner user they do not exist. */
function assertStaff(ctx: RequestContext, partnerId: string): void {
  if (isPartnerActor(ctx)) throw notFound(`A handover record of partner ${partnerId}`);
}

export async function getHandover(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
): Promise<HandoverView> {
  assertStaff(ctx, partnerId);
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  const entry = await ensureEntryOutside(store, partner);
  const row = await store.db
    .selectFrom('handovers')
    .selectAll()
    .where('partner_id', '=', partner.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row)
    throw notFound(`A handover record of partner ${partnerId} (one is generated on entering Handover)`);
  const names = await peopleNames(store.db, [
    row.created_by,
    ...(row.acknowledged_by ? [row.acknowledged_by] : []),
  ]);
  return {
    id: row.id,
    partnerId: partner.id,
    stage: partner.stage as Stage,
    current: row.history_id === entry.id,
    snapshot: JSON.parse(row.snapshot) as Record<string, unknown>,
    createdAt: row.created_at,
    createdBy: { id: row.created_by, name: names.get(row.created_by) ?? row.created_by },
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by
      ? { id: row.acknowledged_by, name: names.get(row.acknowledged_by) ?? row.acknowledged_by }
      : null,
    acknowledgementNote: row.acknowledgement_note,
  };
}

/**
 * Records the acknowledgement of the current handover and, in the same transaction, moves the partner to
 * active. When anything else in the Handover gate still blocks, nothing is recorded and the answer is a 409
 * naming it: the acknowledgement is the last step of the handover, and it activates the partner.
 */
export async function acknowledgeHandover(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  body: { note?: string | null | undefined },
): Promise<{ handover: HandoverView; onboarding: OnboardingView }> {
  assertStaff(ctx, partnerId);
  await writeTransaction(store, ctx, async (w) => {
    const partner = await loadPartnerFor(w.trx, ctx.actor, partnerId, 'see');
    assertNotArchived(partner, 'acknowledge its handover');
    if (partner.stage !== 'handover') throw moveNotAllowed(partner, 'acknowledging a handover');
    const { entry } = await ensureOpenEntry(w.trx, partner);
    await ensureHandoverRecord(w, partner, entry);
    const handover = await w.trx
      .selectFrom('handovers')
      .selectAll()
      .where('history_id', '=', entry.id)
      .executeTakeFirstOrThrow();
    if (handover.acknowledged_at) {
      throw conflict(
        `The handover of partner ${partnerId} was already acknowledged at ${handover.acknowledged_at}.`,
        {
          currentStage: partner.stage,
        },
      );
    }
    const now = nowIso();
    const res = await w.trx
      .updateTable('handovers')
      .set({ acknowledged_at: now, acknowledged_by: ctx.actor.id, acknowledgement_note: body.note ?? null })
      .where('id', '=', handover.id)
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw movedMeanwhile(partnerId);
    w.audit({
      action: 'handover.acknowledged',
      entityType: 'handover',
      entityId: handover.id,
      partnerId: partner.id,
      after: { acknowledgedBy: ctx.actor.id, note: body.note ?? null },
    });
    const { evaluation } = await gateOf(w.trx, partner, entry);
    if (!evaluation.canAdvance) {
      throw gateBlocked(
        partner,
        evaluation,
        'Acknowledging would not activate the partner; the Handover gate still has blocking items',
      );
    }
    await performMove(w, partner, entry, 'advance', 'active', body.note ?? null, {
      via: 'handover.acknowledged',
    });
  });
  return {
    handover: await getHandover(store, ctx, partnerId),
    onboarding: await getOnboarding(store, ctx, partnerId),
  };
}
