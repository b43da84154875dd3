// SLA policies (business hours a team has per task key, '*' for any key) and the business calendar they are
// counted in (stored in settings). Admin reads and replaces both; defaults are seeded on first start.
import type { Kysely, Transaction } from 'kysely';
import { assertCan, type RequestContext, systemActor } from '../../platform/auth/actor.ts';
import { type BusinessCalendar, calendarProblems, DEFAULT_CALENDAR } from '../../platform/business-hours.ts';
import type { DB } from '../../platform/db/index.ts';
import { type FieldError, invalid } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { TEAMS, type Team } from './teams.ts';

export const CALENDAR_SETTING = 'business_calendar';

export interface SlaPolicy {
  team: Team;
  taskKey: string;
  businessHours: number;
}

export const DEFAULT_SLA_POLICIES: SlaPolicy[] = [
  { team: 'compliance', taskKey: 'dd_review', businessHours: 16 },
  { team: 'compliance', taskKey: '*', businessHours: 16 },
  { team: 'finance', taskKey: 'payout_verify', businessHours: 8 },
  { team: 'finance', taskKey: '*', businessHours: 16 },
  { team: 'support', taskKey: 'handover', businessHours: 8 },
  { team: 'support', taskKey: '*', businessHours: 16 },
  { team: 'ops', taskKey: '*', businessHours: 8 },
];

type Db = Kysely<DB> | Transaction<DB>;

export async function loadCalendar(db: Db): Promise<BusinessCalendar> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', CALENDAR_SETTING)
    .executeTakeFirst();
  if (!row) return DEFAULT_CALENDAR;
  try {
    const parsed = JSON.parse(row.value) as BusinessCalendar;
    // A stored calendar was validated when it was saved; an unreadable one falls back to the default.
    return calendarProblems(parsed).length === 0 ? parsed : DEFAULT_CALENDAR;
  } catch {
    return DEFAULT_CALENDAR;
  }
}

export async function loadPolicies(db: Db): Promise<SlaPolicy[]> {
  const rows = await db
    .selectFrom('sla_policies')
    .select(['team', 'task_key', 'business_hours'])
    .orderBy('team')
    .orderBy('task_key')
    .execute();
  return rows.map((r) => ({
    team: r.team as Team,
    taskKey: r.task_key,
    businessHours: Number(r.business_hours),
  }));
}

/** The SLA (business hours) for a task: the exact key's policy, else the team's '*' policy, else none. */
export function slaFor(policies: SlaPolicy[], team: string, key: string): number | null {
  const exact = policies.find((p) => p.team === team && p.taskKey === key);
  if (exact) return exact.businessHours;
  const any = policies.find((p) => p.team === team && p.taskKey === '*');
  return any ? any.businessHours : null;
}

/** Seeds the default SLA policies and calendar when none exist; does nothing afterwards. */
export async function ensureDefaultSlaPolicies(store: Store): Promise<boolean> {
  const any = await store.db.selectFrom('sla_policies').select('id').limit(1).executeTakeFirst();
  const hasCalendar = await store.db
    .selectFrom('settings')
    .select('key')
    .where('key', '=', CALENDAR_SETTING)
    .executeTakeFirst();
  if (any && hasCalendar) return false;
  const ctx: RequestContext = { actor: systemActor(['sla.manage'], 'workspace setup'), requestId: null };
  await writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    if (!any) {
      await w.trx
        .insertInto('sla_policies')
        .values(
          DEFAULT_SLA_POLICIES.map((p) => ({
            id: newId('slaPolicy'),
            team: p.team,
            task_key: p.taskKey,
            business_hours: p.businessHours,
            updated_at: now,
          })),
        )
        .onConflict((oc) => oc.columns(['team', 'task_key']).doNothing())
        .execute();
      w.audit({
        action: 'sla.policies_updated',
        entityType: 'sla_policies',
        entityId: 'default',
        after: { policies: DEFAULT_SLA_POLICIES },
        reason: 'Default SLA policies',
      });
    }
    if (!hasCalendar) {
      await w.trx
        .insertInto('settings')
        .values({ key: CALENDAR_SETTING, value: JSON.stringify(DEFAULT_CALENDAR), updated_at: now })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      w.audit({
        action: 'sla.calendar_updated',
        entityType: 'business_calendar',
        entityId: CALENDAR_SETTING,
        after: { ...DEFAULT_CALENDAR },
        reason: 'Default business calendar',
      });
    }
  });
  return true;
}

export async function getPolicies(store: Store, ctx: RequestContext): Promise<{ data: SlaPolicy[] }> {
  assertCan(ctx.actor, 'sla.manage');
  return { data: await loadPolicies(store.db) };
}

/** Replaces the whole policy table. Every team must keep a '*' policy so no task is left without an SLA. */
export async function replacePolicies(
  store: Store,
  ctx: RequestContext,
  body: { policies: SlaPolicy[] },
): Promise<{ data: SlaPolicy[] }> {
  assertCan(ctx.actor, 'sla.manage');
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  body.policies.forEach((p, i) => {
    const k = `${p.team}\u0000${p.taskKey}`;
    if (seen.has(k))
      errors.push({
        field: `body.policies.${i}.taskKey`,
        message: `${p.team} already has a policy for "${p.taskKey}".`,
      });
    seen.add(k);
  });
  for (const team of TEAMS) {
    if (!body.policies.some((p) => p.team === team && p.taskKey === '*')) {
      errors.push({ field: 'body.policies', message: `Keep a default ("*") policy for the ${team} team.` });
    }
  }
  if (errors.length > 0) throw invalid(errors);
  return writeTransaction(store, ctx, async (w) => {
    const before = await loadPolicies(w.trx);
    await w.trx.deleteFrom('sla_policies').execute();
    const now = nowIso();
    await w.trx
      .insertInto('sla_policies')
      .values(
        body.policies.map((p) => ({
          id: newId('slaPolicy'),
          team: p.team,
          task_key: p.taskKey,
          business_hours: p.businessHours,
          updated_at: now,
        })),
      )
      .execute();
    const after = await loadPolicies(w.trx);
    w.audit({
      action: 'sla.policies_updated',
      entityType: 'sla_policies',
      entityId: 'all',
      before: { policies: before },
      after: { policies: after },
    });
    return { data: after };
  });
}

export async function getCalendar(store: Store, ctx: RequestContext): Promise<BusinessCalendar> {
  assertCan(ctx.actor, 'sla.manage');
  return loadCalendar(store.db);
}

export async function replaceCalendar(
  store: Store,
  ctx: RequestContext,
  body: BusinessCalendar,
): Promise<BusinessCalendar> {
  assertCan(ctx.actor, 'sla.manage');
  const next: BusinessCalendar = {
    timeZone: body.timeZone,
    workingDays: [...body.workingDays].sort((a, b) => a - b),
    start: body.start,
    end: body.end,
    holidays: [...new Set(body.holidays)].sort(),
  };
  const problems = calendarProblems(next);
  if (problems.length > 0)
    throw invalid(problems.map((p) => ({ field: `body.${p.field}`, message: p.message })));
  return writeTransaction(store, ctx, async (w) => {
    const before = await loadCalendar(w.trx);
    const now = nowIso();
    await w.trx
      .insertInto('settings')
      .values({ key: CALENDAR_SETTING, value: JSON.stringify(next), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(next), updated_at: now }))
      .execute();
    w.audit({
      action: 'sla.calendar_updated',
      entityType: 'business_calendar',
      entityId: CALENDAR_SETTING,
      before: { ...before },
      after: { ...next },
    });
    return next;
  });
}
