// The functions other modules call inside their own write transaction: create the tasks a stage owes,
// cancel them when the partner leaves the stage, count them for a gate, and pause / resume a task's SLA.
import type { Kysely, Transaction } from 'kysely';
import { addBusinessMs, businessMsBetween, HOUR_MS } from '../../platform/business-hours.ts';
import type { DB } from '../../platform/db/index.ts';
import { conflict, type FieldError, invalid, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import type { WriteScope } from '../../platform/tx.ts';
import { loadCalendar, loadPolicies, slaFor } from './sla.service.ts';
import { OPEN_STATUSES, TEAMS } from './teams.ts';

export type StageTaskTemplate = {
  key: string;
  team: 'compliance' | 'finance' | 'support' | 'ops';
  title: string;
  description?: string;
  slaBusinessHours?: number;
};

const keyRe = /^[a-z][a-z0-9_]{0,63}$/;

function templateProblems(input: {
  partnerId: string;
  stage: string;
  tasks: StageTaskTemplate[];
}): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof input.stage !== 'string' || input.stage.trim() === '' || input.stage.length > 64) {
    errors.push({ field: 'stage', message: 'Name the stage (1 to 64 characters).' });
  }
  const keys = new Set<string>();
  input.tasks.forEach((t, i) => {
    if (typeof t.key !== 'string' || !keyRe.test(t.key)) {
      errors.push({
        field: `tasks.${i}.key`,
        message: 'Use lower-case letters, digits and _ (up to 64), starting with a letter.',
      });
    } else if (keys.has(t.key)) {
      errors.push({ field: `tasks.${i}.key`, message: `The key "${t.key}" appears twice.` });
    }
    keys.add(t.key);
    if (!(TEAMS as readonly string[]).includes(t.team)) {
      errors.push({ field: `tasks.${i}.team`, message: `Use one of ${TEAMS.join(', ')}.` });
    }
    if (typeof t.title !== 'string' || t.title.trim() === '' || t.title.length > 200) {
      errors.push({ field: `tasks.${i}.title`, message: 'Give a title (1 to 200 characters).' });
    }
    if (t.description !== undefined && (typeof t.description !== 'string' || t.description.length > 4000)) {
      errors.push({ field: `tasks.${i}.description`, message: 'Up to 4000 characters.' });
    }
    if (
      t.slaBusinessHours !== undefined &&
      (typeof t.slaBusinessHours !== 'number' ||
        !Number.isFinite(t.slaBusinessHours) ||
        t.slaBusinessHours <= 0 ||
        t.slaBusinessHours > 2000)
    ) {
      errors.push({
        field: `tasks.${i}.slaBusinessHours`,
        message: 'Use a number of business hours above 0 and up to 2000.',
      });
    }
  });
  return errors;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

/**
 * Creates the open tasks of a stage for a partner, each due SLA business hours from now (the template's
 * slaBusinessHours, else the team's policy for the key, else the team's '*' policy). Idempotent: a key that
 * already has an open task for this partner and stage keeps it. Returns the task ids in template order.
 */
export async function createStageTasks(
  w: WriteScope,
  input: { partnerId: string; stage: string; tasks: StageTaskTemplate[] },
): Promise<string[]> {
  const errors = templateProblems(input);
  if (errors.length > 0) throw invalid(errors, 'The stage task templates are not valid.');
  const partner = await w.trx
    .selectFrom('partners')
    .select('id')
    .where('id', '=', input.partnerId)
    .executeTakeFirst();
  if (!partner) throw notFound(`Partner ${input.partnerId}`);
  if (input.tasks.length === 0) return [];

  const existing = await w.trx
    .selectFrom('tasks')
    .select(['id', 'key'])
    .where('partner_id', '=', input.partnerId)
    .where('stage', '=', input.stage)
    .where('status', 'in', OPEN_STATUSES)
    .execute();
  const openByKey = new Map(existing.map((r) => [r.key, r.id]));
  const calendar = await loadCalendar(w.trx);
  const policies = await loadPolicies(w.trx);
  const now = nowIso();
  const ids: string[] = [];
  for (const t of input.tasks) {
    const have = openByKey.get(t.key);
    if (have) {
      ids.push(have);
      continue;
    }
    const sla = t.slaBusinessHours ?? slaFor(policies, t.team, t.key);
    const dueAt =
      sla === null ? null : new Date(addBusinessMs(Date.parse(now), sla * HOUR_MS, calendar)).toISOString();
    const id = newId('task');
    const row = {
      id,
      partner_id: input.partnerId,
      stage: input.stage,
      key: t.key,
      team: t.team,
      title: t.title.trim(),
      description: t.description?.trim() || null,
      assignee_id: null,
      status: 'open',
      due_at: dueAt,
      sla_business_hours: sla,
      paused_at: null,
      paused_reason: null,
      paused_business_ms: 0,
      created_at: now,
      started_at: null,
      completed_at: null,
      cancelled_reason: null,
      completed_by: null,
      version: 1,
    };
    try {
      await w.trx.insertInto('tasks').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict(
          `The "${t.key}" task of stage ${input.stage} was created at the same time by someone else; try again.`,
        );
      }
      throw err;
    }
    w.audit({
      action: 'task.created',
      entityType: 'task',
      entityId: id,
      partnerId: input.partnerId,
      after: { stage: input.stage, key: t.key, team: t.team, title: row.title, dueAt, slaBusinessHours: sla },
    });
    ids.push(id);
  }
  return ids;
}

/** Cancels every open task of a partner's stage (the partner left the stage). Returns how many. */
export async function cancelStageTasks(
  w: WriteScope,
  input: { partnerId: string; stage: string; reason: string },
): Promise<number> {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason === '' || reason.length > 1000)
    throw invalid([{ field: 'reason', message: 'Give a reason (1 to 1000 characters).' }]);
  const open = await w.trx
    .selectFrom('tasks')
    .select(['id', 'status', 'version'])
    .where('partner_id', '=', input.partnerId)
    .where('stage', '=', input.stage)
    .where('status', 'in', OPEN_STATUSES)
    .execute();
  const now = nowIso();
  for (const t of open) {
    await w.trx
      .updateTable('tasks')
      .set({
        status: 'cancelled',
        cancelled_reason: reason,
        completed_at: now,
        paused_at: null,
        version: t.version + 1,
      })
      .where('id', '=', t.id)
      .execute();
    w.audit({
      action: 'task.cancelled',
      entityType: 'task',
      entityId: t.id,
      partnerId: input.partnerId,
      before: { status: t.status },
      after: { status: 'cancelled' },
      reason,
    });
  }
  return open.length;
}

/** Counts of a partner's tasks in a stage (cancelled tasks are not counted); overdue excludes paused ones. */
export async function taskFacts(
  db: Kysely<DB> | Transaction<DB>,
  partnerId: string,
  stage: string,
): Promise<{ total: number; open: number; overdue: number }> {
  const rows = await db
    .selectFrom('tasks')
    .select(['status', 'due_at', 'paused_at'])
    .where('partner_id', '=', partnerId)
    .where('stage', '=', stage)
    .where('status', '!=', 'cancelled')
    .execute();
  const now = nowIso();
  const open = rows.filter((r) => (OPEN_STATUSES as string[]).includes(r.status));
  return {
    total: rows.length,
    open: open.length,
    overdue: open.filter((r) => r.paused_at === null && r.due_at !== null && r.due_at < now).length,
  };
}

async function openTaskByKey(w: WriteScope, partnerId: string, key: string) {
  return w.trx
    .selectFrom('tasks')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('key', '=', key)
    .where('status', 'in', OPEN_STATUSES)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/**
 * Stops the SLA clock of the partner's open task with this key (e.g. due diligence waiting for documents).
 * True when such a task exists (already paused stays paused, unchanged); false when there is none.
 */
export async function pauseTaskSla(
  w: WriteScope,
  input: { partnerId: string; key: string; reason: string },
): Promise<boolean> {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason === '' || reason.length > 1000)
    throw invalid([{ field: 'reason', message: 'Give a reason (1 to 1000 characters).' }]);
  const task = await openTaskByKey(w, input.partnerId, input.key);
  if (!task) return false;
  if (task.paused_at !== null) return true;
  const now = nowIso();
  await w.trx
    .updateTable('tasks')
    .set({ paused_at: now, paused_reason: reason, version: task.version + 1 })
    .where('id', '=', task.id)
    .execute();
  w.audit({
    action: 'task.sla_paused',
    entityType: 'task',
    entityId: task.id,
    partnerId: task.partner_id,
    before: { pausedAt: null },
    after: { pausedAt: now },
    reason,
  });
  return true;
}

/**
 * Restarts the SLA clock of the partner's open task with this key. The business time spent paused is added
 * to the task's paused total and the due time moves by it. True when such a task exists; false when none.
 */
export async function resumeTaskSla(
  w: WriteScope,
  input: { partnerId: string; key: string },
): Promise<boolean> {
  const task = await openTaskByKey(w, input.partnerId, input.key);
  if (!task) return false;
  if (task.paused_at === null) return true;
  const calendar = await loadCalendar(w.trx);
  const now = nowIso();
  const pausedMs = Math.max(0, businessMsBetween(task.paused_at, now, calendar));
  const totalPaused = Number(task.paused_business_ms) + pausedMs;
  const dueAt =
    task.sla_business_hours === null
      ? null
      : new Date(
          addBusinessMs(
            Date.parse(task.created_at),
            Number(task.sla_business_hours) * HOUR_MS + totalPaused,
            calendar,
          ),
        ).toISOString();
  await w.trx
    .updateTable('tasks')
    .set({
      paused_at: null,
      paused_reason: null,
      paused_business_ms: totalPaused,
      due_at: dueAt,
      version: task.version + 1,
    })
    .where('id', '=', task.id)
    .execute();
  w.audit({
    action: 'task.sla_resumed',
    entityType: 'task',
    entityId: task.id,
    partnerId: task.partner_id,
    before: { pausedAt: task.paused_at, dueAt: task.due_at },
    after: { pausedAt: null, dueAt, pausedBusinessMs: totalPaused },
    reason: task.paused_reason,
  });
  return true;
}
