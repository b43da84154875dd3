// Working tasks: list them with their SLA state, assign, start, complete and reopen (team members or team
// leads/admins only, with optimistic concurrency on version), and "My work" for the signed-in person.
import { sql, type Transaction } from 'kysely';
import { assertCan, can, type RequestContext } from '../../platform/auth/actor.ts';
import { type BusinessCalendar, businessMsBetween, HOUR_MS } from '../../platform/business-hours.ts';
import type { DB } from '../../platform/db/index.ts';
import type { TasksTable } from '../../platform/db/schema.ts';
import { conflict, forbidden, invalidField, notFound } from '../../platform/errors.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { approvalsInbox, type InboxItem } from '../approvals/index.ts';
import { canSeePartner } from '../partners/index.ts';
import { loadCalendar } from './sla.service.ts';
import type { SlaState, TaskListQuery, TaskView } from './tasks.schemas.ts';
import { mayWorkForTeam, OPEN_STATUSES, type Team, teamOfRole } from './teams.ts';

type TaskRow = TasksTable;
const LAST = '9999-12-31T23:59:59.999Z';
/** Less than this share of the SLA left: due soon. */
const DUE_SOON_SHARE = 0.25;

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The SLA state of a task at an instant, and the business hours left until it is due. */
export function slaStateOf(
  t: Pick<TaskRow, 'status' | 'due_at' | 'paused_at' | 'sla_business_hours'>,
  nowIsoValue: string,
  calendar: BusinessCalendar,
): { slaState: SlaState; businessHoursLeft: number | null } {
  if (!(OPEN_STATUSES as string[]).includes(t.status)) return { slaState: 'done', businessHoursLeft: null };
  if (t.due_at === null) return { slaState: t.paused_at ? 'paused' : 'on_track', businessHoursLeft: null };
  if (t.paused_at !== null) {
    return {
      slaState: 'paused',
      businessHoursLeft: round2(businessMsBetween(t.paused_at, t.due_at, calendar) / HOUR_MS),
    };
  }
  const leftMs = businessMsBetween(nowIsoValue, t.due_at, calendar);
  const businessHoursLeft = round2(leftMs / HOUR_MS);
  if (t.due_at < nowIsoValue) return { slaState: 'overdue', businessHoursLeft };
  const sla = t.sla_business_hours === null ? null : Number(t.sla_business_hours);
  if (sla !== null && leftMs < sla * HOUR_MS * DUE_SOON_SHARE)
    return { slaState: 'due_soon', businessHoursLeft };
  return { slaState: 'on_track', businessHoursLeft };
}

async function present(store: Store, rows: TaskRow[]): Promise<TaskView[]> {
  if (rows.length === 0) return [];
  const partnerIds = [...new Set(rows.map((r) => r.partner_id))];
  const userIds = [...new Set(rows.map((r) => r.assignee_id).filter((x): x is string => x !== null))];
  const partners = new Map(
    (
      await store.db
        .selectFrom('partners')
        .select(['id', 'display_name'])
        .where('id', 'in', partnerIds)
        .execute()
    ).map((p) => [p.id, p.display_name]),
  );
  const users =
    userIds.length === 0
      ? new Map<string, string>()
      : new Map(
          (
            await store.db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute()
          ).map((u) => [u.id, u.name]),
        );
  const calendar = await loadCalendar(store.db);
  const now = nowIso();
  return rows.map((r) => ({
    id: r.id,
    partner: { id: r.partner_id, displayName: partners.get(r.partner_id) ?? r.partner_id },
    stage: r.stage,
    key: r.key,
    team: r.team as Team,
    title: r.title,
    description: r.description,
    assignee: r.assignee_id ? { id: r.assignee_id, name: users.get(r.assignee_id) ?? r.assignee_id } : null,
    status: r.status as TaskView['status'],
    dueAt: r.due_at,
    slaBusinessHours: r.sla_business_hours === null ? null : Number(r.sla_business_hours),
    ...slaStateOf(r, now, calendar),
    pausedAt: r.paused_at,
    pausedReason: r.paused_reason,
    createdAt: r.created_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    completedBy: r.completed_by,
    cancelledReason: r.cancelled_reason,
    version: r.version,
  }));
}

function encodeCursor(due: string, id: string): string {
  return Buffer.from(JSON.stringify([due, id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { due: string; id: string } {
  const bad = () =>
    invalidField('query.cursor', 'The cursor is not one this list gave out; start again without it.');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string' &&
      /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(v[0]) &&
      /^tsk_[0-9A-Z]{26}$/.test(v[1])
    ) {
      return { due: v[0], id: v[1] };
    }
  } catch {
    // fall through
  }
  throw bad();
}

export async function listTasks(
  store: Store,
  ctx: RequestContext,
  q: TaskListQuery,
): Promise<{ data: TaskView[]; nextCursor: string | null }> {
  assertCan(ctx.actor, 'tasks.read');
  const dueKey = sql<string>`coalesce(tasks.due_at, ${LAST})`;
  let query = store.db.selectFrom('tasks').selectAll();
  if (ctx.actor.role === 'partner' || ctx.actor.partnerId)
    query = query.where('partner_id', '=', ctx.actor.partnerId ?? '');
  if (q.team) query = query.where('team', '=', q.team);
  if (q.assigneeId === 'none') query = query.where('assignee_id', 'is', null);
  else if (q.assigneeId) query = query.where('assignee_id', '=', q.assigneeId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.partnerId) query = query.where('partner_id', '=', q.partnerId);
  if (q.stage) query = query.where('stage', '=', q.stage);
  const now = nowIso();
  if (q.overdue === 'true') {
    query = query
      .where('status', 'in', OPEN_STATUSES)
      .where('paused_at', 'is', null)
      .where('due_at', 'is not', null)
      .where('due_at', '<', now);
  } else if (q.overdue === 'false') {
    query = query.where((eb) =>
      eb.or([
        eb('status', 'not in', OPEN_STATUSES),
        eb('paused_at', 'is not', null),
        eb('due_at', 'is', null),
        eb('due_at', '>=', now),
      ]),
    );
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    query = query.where((eb) =>
      eb.or([eb(dueKey, '>', c.due), eb.and([eb(dueKey, '=', c.due), eb('id', '>', c.id)])]),
    );
  }
  const rows = await query
    .orderBy(dueKey, 'asc')
    .orderBy('id', 'asc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > q.limit && last ? encodeCursor(last.due_at ?? LAST, last.id) : null;
  return { data: await present(store, page), nextCursor };
}

async function loadTaskFor(store: Store, ctx: RequestContext, id: string): Promise<TaskRow> {
  const task = await store.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!task || !canSeePartner(ctx.actor, { id: task.partner_id })) throw notFound(`Task ${id}`);
  return task;
}

export async function getTask(store: Store, ctx: RequestContext, id: string): Promise<TaskView> {
  assertCan(ctx.actor, 'tasks.read');
  const task = await loadTaskFor(store, ctx, id);
  return (await present(store, [task]))[0] as TaskView;
}

/** Loads a task the actor may work on: visible, of the actor's team (or a team lead/admin), version current. */
async function loadForWork(
  store: Store,
  ctx: RequestContext,
  id: string,
  version: number | undefined,
): Promise<TaskRow> {
  assertCan(ctx.actor, 'tasks.work');
  const task = await loadTaskFor(store, ctx, id);
  if (!mayWorkForTeam(ctx.actor.role, task.team)) {
    throw forbidden(`Only the ${task.team} team, a team lead or an admin can work on this task.`);
  }
  if (version !== undefined && version !== task.version) {
    throw conflict(
      `The task changed since you read it (you sent version ${version}, it is now ${task.version}). Reload and try again.`,
      { currentVersion: task.version },
    );
  }
  return task;
}

/** Applies a change to a task if it still has the version read; 409 when someone changed it meanwhile. */
async function updateTask(trx: Transaction<DB>, task: TaskRow, set: Partial<TaskRow>): Promise<void> {
  const res = await trx
    .updateTable('tasks')
    .set({ ...set, version: task.version + 1 })
    .where('id', '=', task.id)
    .where('version', '=', task.version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) {
    throw conflict('The task changed while you were working on it. Reload and try again.');
  }
}

function requireOpen(task: TaskRow, doing: string): void {
  if (!(OPEN_STATUSES as string[]).includes(task.status)) {
    throw conflict(`The task is ${task.status}; it cannot be ${doing}.`, { status: task.status });
  }
}

export async function assignTask(
  store: Store,
  ctx: RequestContext,
  id: string,
  body: { assigneeId: string | null; version?: number | undefined },
): Promise<TaskView> {
  const task = await loadForWork(store, ctx, id, body.version);
  requireOpen(task, 'assigned');
  if (body.assigneeId !== null) {
    const user = await store.db
      .selectFrom('users')
      .select(['id', 'role', 'status', 'partner_id'])
      .where('id', '=', body.assigneeId)
      .executeTakeFirst();
    if (user?.status !== 'active' || user.partner_id !== null) {
      throw invalidField('body.assigneeId', 'There is no active staff user with this id.');
    }
    if (!mayWorkForTeam(user.role, task.team)) {
      throw invalidField(
        'body.assigneeId',
        `This user's role (${user.role}) is not in the ${task.team} team; assign someone of that team or a team lead.`,
      );
    }
  }
  if (body.assigneeId === task.assignee_id) return (await present(store, [task]))[0] as TaskView;
  await writeTransaction(store, ctx, async (w) => {
    await updateTask(w.trx, task, { assignee_id: body.assigneeId });
    w.audit({
      action: 'task.assigned',
      entityType: 'task',
      entityId: task.id,
      partnerId: task.partner_id,
      before: { assigneeId: task.assignee_id },
      after: { assigneeId: body.assigneeId },
    });
  });
  return getTask(store, ctx, id);
}

export async function startTask(
  store: Store,
  ctx: RequestContext,
  id: string,
  body: { version?: number | undefined },
): Promise<TaskView> {
  const task = await loadForWork(store, ctx, id, body.version);
  if (task.status !== 'open')
    throw conflict(`The task is ${task.status}; only an open task can be started.`, { status: task.status });
  // Starting an unassigned task takes it.
  const assignee = task.assignee_id ?? (ctx.actor.type === 'user' ? ctx.actor.id : null);
  await writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    await updateTask(w.trx, task, { status: 'in_progress', started_at: now, assignee_id: assignee });
    w.audit({
      action: 'task.started',
      entityType: 'task',
      entityId: task.id,
      partnerId: task.partner_id,
      before: { status: task.status, assigneeId: task.assignee_id },
      after: { status: 'in_progress', assigneeId: assignee },
    });
  });
  return getTask(store, ctx, id);
}

export async function completeTask(
  store: Store,
  ctx: RequestContext,
  id: string,
  body: { note?: string | undefined; version?: number | undefined },
): Promise<TaskView> {
  const task = await loadForWork(store, ctx, id, body.version);
  requireOpen(task, 'completed');
  await writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    await updateTask(w.trx, task, { status: 'done', completed_at: now, completed_by: ctx.actor.id });
    w.audit({
      action: 'task.completed',
      entityType: 'task',
      entityId: task.id,
      partnerId: task.partner_id,
      before: { status: task.status },
      after: { status: 'done', late: task.paused_at === null && task.due_at !== null && task.due_at < now },
      reason: body.note ?? null,
    });
  });
  return getTask(store, ctx, id);
}

export async function reopenTask(
  store: Store,
  ctx: RequestContext,
  id: string,
  body: { reason: string; version?: number | undefined },
): Promise<TaskView> {
  const task = await loadForWork(store, ctx, id, body.version);
  if (task.status !== 'done')
    throw conflict(`The task is ${task.status}; only a done task can be reopened.`, { status: task.status });
  const other = await store.db
    .selectFrom('tasks')
    .select('id')
    .where('partner_id', '=', task.partner_id)
    .where('stage', '=', task.stage)
    .where('key', '=', task.key)
    .where('status', 'in', OPEN_STATUSES)
    .executeTakeFirst();
  if (other)
    throw conflict(`Task ${other.id} is already open for the same work; reopen is not needed.`, {
      openTaskId: other.id,
    });
  await writeTransaction(store, ctx, async (w) => {
    await updateTask(w.trx, task, { status: 'open', completed_at: null, completed_by: null });
    w.audit({
      action: 'task.reopened',
      entityType: 'task',
      entityId: task.id,
      partnerId: task.partner_id,
      before: { status: 'done' },
      after: { status: 'open' },
      reason: body.reason,
    });
  });
  return getTask(store, ctx, id);
}

const MY_WORK_CAP = 500;

function byUrgency(a: TaskView, b: TaskView): number {
  const ao = a.slaState === 'overdue' ? 0 : 1;
  const bo = b.slaState === 'overdue' ? 0 : 1;
  if (ao !== bo) return ao - bo;
  return (a.dueAt ?? LAST).localeCompare(b.dueAt ?? LAST) || a.id.localeCompare(b.id);
}

export async function myWork(
  store: Store,
  ctx: RequestContext,
  opts: { limit: number },
): Promise<{
  tasks: (TaskView & { reason: 'assigned' | 'team' })[];
  approvals: InboxItem[];
  counts: { overdue: number; dueSoon: number; open: number; approvals: number };
}> {
  assertCan(ctx.actor, 'tasks.read');
  const visible = (r: TaskRow) => canSeePartner(ctx.actor, { id: r.partner_id });
  const mine =
    ctx.actor.type === 'user'
      ? (
          await store.db
            .selectFrom('tasks')
            .selectAll()
            .where('assignee_id', '=', ctx.actor.id)
            .where('status', 'in', OPEN_STATUSES)
            .orderBy('due_at')
            .limit(MY_WORK_CAP)
            .execute()
        ).filter(visible)
      : [];
  const team = teamOfRole(ctx.actor.role);
  const teamRows = team
    ? (
        await store.db
          .selectFrom('tasks')
          .selectAll()
          .where('team', '=', team)
          .where('assignee_id', 'is', null)
          .where('status', 'in', OPEN_STATUSES)
          .orderBy('due_at')
          .limit(MY_WORK_CAP)
          .execute()
      ).filter(visible)
    : [];
  const assigned = (await present(store, mine))
    .sort(byUrgency)
    .map((t) => ({ ...t, reason: 'assigned' as const }));
  const unassigned = (await present(store, teamRows))
    .sort(byUrgency)
    .map((t) => ({ ...t, reason: 'team' as const }));
  const all = [...assigned, ...unassigned];
  const approvals = can(ctx.actor, 'approvals.read')
    ? await approvalsInbox(store, ctx, { limit: opts.limit })
    : { data: [] as InboxItem[], counts: { terms: 0, documents: 0 } };
  return {
    tasks: all.slice(0, opts.limit),
    approvals: approvals.data,
    counts: {
      overdue: all.filter((t) => t.slaState === 'overdue').length,
      dueSoon: all.filter((t) => t.slaState === 'due_soon').length,
      open: all.length,
      approvals: approvals.counts.terms + approvals.counts.documents,
    },
  };
}
