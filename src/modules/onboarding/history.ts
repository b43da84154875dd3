// The stage history of partners (one row per stage visit; the open row is where the partner is now) and the
// gate instance of a visit: its template version, its ticks and its handover record.
import type { Role } from '../../platform/auth/permissions.ts';
import type { PartnersTable, StageHistoryTable } from '../../platform/db/schema.ts';
import { conflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { WriteScope } from '../../platform/tx.ts';
import { createStageTasks, type Db } from './facts.ts';
import type { GateFacts, Tick } from './gate.ts';
import { isGateStage } from './stages.ts';
import type { TemplateStage } from './template.ts';
import { currentTemplate, currentTemplates, type TemplateView, templatesById } from './templates.service.ts';

export type HistoryRow = StageHistoryTable;

export async function openEntry(db: Db, partnerId: string): Promise<HistoryRow | undefined> {
  return db
    .selectFrom('stage_history')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('exited_at', 'is', null)
    .executeTakeFirst();
}

export async function openEntries(db: Db, partnerIds: string[]): Promise<Map<string, HistoryRow>> {
  const out = new Map<string, HistoryRow>();
  for (let i = 0; i < partnerIds.length; i += 500) {
    const ids = partnerIds.slice(i, i + 500);
    if (ids.length === 0) continue;
    const rows = await db
      .selectFrom('stage_history')
      .selectAll()
      .where('partner_id', 'in', ids)
      .where('exited_at', 'is', null)
      .execute();
    for (const r of rows) out.set(r.partner_id, r);
  }
  return out;
}

/**
 * The row a partner created before stage history existed gets: in intake since its creation (exact, because
 * the stage could not change before this module), or in a later stage since an unknown time (backfilled: the
 * creation time stands in and timelines leave the row out). The gate uses the template in force now.
 */
export function backfillRow(partner: PartnersTable, template: TemplateView | undefined): HistoryRow {
  return {
    id: newId('stageEntry'),
    partner_id: partner.id,
    stage: partner.stage,
    from_stage: null,
    move: 'recorded',
    entered_at: partner.created_at,
    exited_at: null,
    entered_by: 'system',
    reason:
      partner.stage === 'intake'
        ? null
        : 'Recorded when stage history started; the partner was already in this stage and its entry time is not known.',
    template_id: template?.id ?? null,
    template_version: template?.version ?? null,
    backfilled: partner.stage === 'intake' ? 0 : 1,
  };
}

/**
 * The open history row of the partner, inserted when missing (safe against a concurrent insert: at most one
 * open row per partner). Returns whether it was inserted now. A row that disagrees with the partner's stage
 * means someone moved the partner meanwhile.
 */
export async function ensureOpenEntry(
  db: Db,
  partner: PartnersTable,
): Promise<{ entry: HistoryRow; inserted: boolean }> {
  const existing = await openEntry(db, partner.id);
  if (existing) {
    if (existing.stage !== partner.stage) throw movedMeanwhile(partner.id);
    return { entry: existing, inserted: false };
  }
  const row = backfillRow(partner, await currentTemplate(db, partner.type));
  const res = await db
    .insertInto('stage_history')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  const inserted = Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
  const entry = inserted ? row : await openEntry(db, partner.id);
  if (!entry || entry.stage !== partner.stage) throw movedMeanwhile(partner.id);
  return { entry, inserted };
}

export function movedMeanwhile(partnerId: string) {
  return conflict(`Partner ${partnerId} was moved by someone else meanwhile; reload and try again.`);
}

/** The template stage a visit's gate uses: the version recorded at entry, else the current one of the type. */
export async function templateStageOf(
  db: Db,
  entry: Pick<HistoryRow, 'template_id' | 'stage'> | undefined,
  partnerType: string,
): Promise<{ template: TemplateView | undefined; stage: TemplateStage | null }> {
  let template: TemplateView | undefined;
  if (entry?.template_id) template = (await templatesById(db, [entry.template_id])).get(entry.template_id);
  template ??= await currentTemplate(db, partnerType);
  const stage = entry?.stage;
  return {
    template,
    stage: template && stage && isGateStage(stage) ? (template.stages[stage] ?? null) : null,
  };
}

/** Templates for many visits at once (by recorded id, else the current one of the type). */
export async function templatesFor(
  db: Db,
  visits: { partnerType: string; templateId: string | null }[],
): Promise<(TemplateView | undefined)[]> {
  const byId = await templatesById(
    db,
    visits.flatMap((v) => (v.templateId ? [v.templateId] : [])),
  );
  const current = await currentTemplates(db);
  return visits.map((v) => (v.templateId ? byId.get(v.templateId) : undefined) ?? current.get(v.partnerType));
}

export async function peopleNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter((id) => id !== 'system');
  const out = new Map<string, string>([['system', 'System']]);
  const users = unique.filter((id) => id.startsWith('usr_'));
  const keys = unique.filter((id) => id.startsWith('key_'));
  if (users.length > 0) {
    for (const r of await db.selectFrom('users').select(['id', 'name']).where('id', 'in', users).execute())
      out.set(r.id, r.name);
  }
  if (keys.length > 0) {
    for (const r of await db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', keys).execute())
      out.set(r.id, `API key ${r.name}`);
  }
  for (const id of unique) if (!out.has(id)) out.set(id, id);
  return out;
}

/** The live ticks of the given visits, by visit id and item key. */
export async function ticksOf(db: Db, historyIds: string[]): Promise<Map<string, Map<string, Tick>>> {
  const out = new Map<string, Map<string, Tick>>();
  if (historyIds.length === 0) return out;
  const rows = [];
  for (let i = 0; i < historyIds.length; i += 500) {
    rows.push(
      ...(await db
        .selectFrom('gate_ticks')
        .selectAll()
        .where('history_id', 'in', historyIds.slice(i, i + 500))
        .where('unticked_at', 'is', null)
        .execute()),
    );
  }
  const names = await peopleNames(
    db,
    rows.map((r) => r.ticked_by),
  );
  for (const r of rows) {
    const m = out.get(r.history_id) ?? new Map<string, Tick>();
    m.set(r.item_key, {
      tickedBy: { id: r.ticked_by, name: names.get(r.ticked_by) ?? r.ticked_by },
      tickedAt: r.ticked_at,
      comment: r.comment,
      evidence: r.evidence ? (JSON.parse(r.evidence) as Tick['evidence']) : null,
    });
    out.set(r.history_id, m);
  }
  return out;
}

/** The handover facts of the given visits (a visit without a record has exists: false). */
export async function handoverFactsOf(
  db: Db,
  historyIds: string[],
): Promise<Map<string, NonNullable<GateFacts['handover']>>> {
  const out = new Map<string, NonNullable<GateFacts['handover']>>();
  for (const id of historyIds) out.set(id, { exists: false, acknowledgedAt: null });
  if (historyIds.length === 0) return out;
  for (let i = 0; i < historyIds.length; i += 500) {
    const rows = await db
      .selectFrom('handovers')
      .select(['history_id', 'acknowledged_at'])
      .where('history_id', 'in', historyIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.history_id, { exists: true, acknowledgedAt: r.acknowledged_at });
  }
  return out;
}

/** Whether an actor of `role` may tick an item owned by `itemRole`. */
export function mayTick(role: Role, itemRole: Role): boolean {
  return role === itemRole || role === 'admin';
}

/**
 * A new partner enters its first stage (intake, or the stage the system created it in) at its creation: the
 * visit is exact from the start, and the stage's template tasks are created for the teams. Runs inside the
 * partner's creation transaction (registered with the partners module in this module's index.ts).
 */
export async function openFirstStage(w: WriteScope, partners: readonly PartnersTable[]): Promise<void> {
  for (const p of partners) {
    const template = isGateStage(p.stage) ? await currentTemplate(w.trx, p.type) : undefined;
    await w.trx
      .insertInto('stage_history')
      .values({
        id: newId('stageEntry'),
        partner_id: p.id,
        stage: p.stage,
        from_stage: null,
        move: 'created',
        entered_at: p.created_at,
        exited_at: null,
        entered_by: w.ctx.actor.id,
        reason: null,
        template_id: template?.id ?? null,
        template_version: template?.version ?? null,
        backfilled: 0,
      })
      .execute();
    if (template && isGateStage(p.stage)) {
      await createStageTasks(w, { partnerId: p.id, stage: p.stage, tasks: template.stages[p.stage]?.tasks ?? [] });
    }
  }
}
