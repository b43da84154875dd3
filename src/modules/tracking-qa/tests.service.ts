// Tracking tests: starting one (checks, the stored running row with its audit entry, the run in the
// background of this instance), reading them, the facts the onboarding gate reads ("tracking QA passed"), and
// closing runs an instance did not live to finish.
import type { Kysely, Transaction } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { TrackingTestsTable } from '../../platform/db/schema.ts';
import { conflict, invalidField, notFound } from '../../platform/errors.ts';
import { isId, newId } from '../../platform/ids.ts';
import { nowIso, nowMs } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { canSeePartner, loadPartnerFor } from '../partners/index.ts';
import { emptySteps, executeTest, type QaRuntime } from './run.ts';
import type { RunTestBody, Setup, Step, StepKey, TrackingTestView } from './tracking-qa.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** A run older than this while still "running" belongs to an instance that stopped: it is closed as error. */
export const STALE_RUN_MS = 10 * 60_000;

export type TestRow = TrackingTestsTable & { link_code: string };

export function presentTest(r: TestRow): TrackingTestView {
  return {
    id: r.id,
    partnerId: r.partner_id,
    linkId: r.link_id,
    linkCode: r.link_code,
    trigger: r.trigger as TrackingTestView['trigger'],
    requestedBy: { id: r.requested_by, name: r.requested_by_name },
    status: r.status as TrackingTestView['status'],
    failedStep: (r.failed_step as StepKey | null) ?? null,
    summary: r.summary,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    clickId: r.click_id,
    clientExternalId: r.client_external_id,
    options: JSON.parse(r.options) as TrackingTestView['options'],
    setup: r.setup ? (JSON.parse(r.setup) as Setup) : null,
    steps: JSON.parse(r.steps) as Step[],
  };
}

/** Tests running in this process, so a caller can wait for one. */
export class TestRunner {
  private readonly running = new Map<string, Promise<void>>();
  constructor(readonly rt: QaRuntime) {}

  /** Starts the run of a stored test in the background. */
  launch(row: TrackingTestsTable, origin: string | null = null): Promise<void> {
    const p = executeTest(this.rt, row, origin).finally(() => this.running.delete(row.id));
    this.running.set(row.id, p);
    return p;
  }

  /** Resolves when the test has finished in this process, or after `ms`. */
  async wait(id: string, ms: number): Promise<void> {
    const p = this.running.get(id);
    if (!p) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  /** Waits for every run in flight (app close). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  get size(): number {
    return this.running.size;
  }
}

function testsQuery(db: Db) {
  return db
    .selectFrom('tracking_tests as t')
    .innerJoin('links as l', 'l.id', 't.link_id')
    .selectAll('t')
    .select('l.code as link_code');
}

async function loadTestFor(db: Db, ctx: RequestContext, id: string): Promise<TestRow> {
  const row = isId('trackingTest', id)
    ? await testsQuery(db).where('t.id', '=', id).executeTakeFirst()
    : undefined;
  if (!row || !canSeePartner(ctx.actor, { id: row.partner_id })) throw notFound(`Tracking test ${id}`);
  return row;
}

/**
 * Stores a new running test (with its audit entry) and launches it. `trigger` monitor runs come from the
 * schedule with the system actor.
 */
export async function startTest(
  store: Store,
  runner: TestRunner,
  ctx: RequestContext,
  body: RunTestBody,
  trigger: 'manual' | 'monitor' = 'manual',
  origin: string | null = null,
): Promise<TestRow> {
  assertCan(ctx.actor, 'tracking_qa.run');
  const link = isId('link', body.linkId)
    ? await store.db.selectFrom('links').selectAll().where('id', '=', body.linkId).executeTakeFirst()
    : undefined;
  if (!link || !canSeePartner(ctx.actor, { id: link.partner_id }))
    throw invalidField('body.linkId', `${body.linkId} is not a tracking link you can see.`);
  await loadPartnerFor(store.db, ctx.actor, link.partner_id, trigger === 'monitor' ? 'see' : 'change');
  if (link.status !== 'active')
    throw conflict(
      `Link ${link.code} is ${link.status}: activate it before testing it (a ${link.status} link answers 410).`,
      {
        field: 'body.linkId',
      },
    );
  const already = await store.db
    .selectFrom('tracking_tests')
    .select(['id', 'started_at'])
    .where('link_id', '=', link.id)
    .where('status', '=', 'running')
    .where('started_at', '>', new Date(nowMs() - STALE_RUN_MS).toISOString())
    .executeTakeFirst();
  if (already)
    throw conflict(
      `A test of this link is already running (${already.id}, started ${already.started_at}); wait for it.`,
      {
        runningTestId: already.id,
      },
    );
  const { linkId: _l, ...options } = body;
  const row: TrackingTestsTable = {
    id: newId('trackingTest'),
    partner_id: link.partner_id,
    link_id: link.id,
    trigger,
    requested_by: ctx.actor.type === 'system' ? null : ctx.actor.id,
    requested_by_name: ctx.actor.type === 'system' ? 'Tracking monitor' : ctx.actor.label,
    status: 'running',
    failed_step: null,
    summary: null,
    options: JSON.stringify(options),
    setup: null,
    steps: JSON.stringify(emptySteps()),
    click_id: null,
    client_external_id: null,
    started_at: nowIso(),
    finished_at: null,
    duration_ms: null,
    runner: runner.rt.instanceId ?? null,
  };
  await writeTransaction(store, ctx, async (w) => {
    await w.trx.insertInto('tracking_tests').values(row).execute();
    w.audit({
      action: 'tracking_test.started',
      entityType: 'tracking_test',
      entityId: row.id,
      partnerId: row.partner_id,
      after: { linkId: link.id, linkCode: link.code, trigger, options },
    });
  });
  void runner.launch(row, origin);
  return { ...row, link_code: link.code };
}

export async function getTest(store: Store, ctx: RequestContext, id: string): Promise<TestRow> {
  assertCan(ctx.actor, 'tracking_qa.read');
  return loadTestFor(store.db, ctx, id);
}

export async function listTests(
  store: Store,
  ctx: RequestContext,
  q: {
    partnerId?: string;
    linkId?: string;
    status?: string;
    trigger?: string;
    limit: number;
    cursor?: string;
  },
): Promise<{ data: TestRow[]; nextCursor: string | null }> {
  assertCan(ctx.actor, 'tracking_qa.read');
  let query = testsQuery(store.db);
  if (ctx.actor.role === 'partner' || ctx.actor.partnerId) {
    if (q.partnerId && q.partnerId !== ctx.actor.partnerId) return { data: [], nextCursor: null };
    query = query.where('t.partner_id', '=', ctx.actor.partnerId ?? '');
  } else if (q.partnerId) query = query.where('t.partner_id', '=', q.partnerId);
  if (q.linkId) query = query.where('t.link_id', '=', q.linkId);
  if (q.status) query = query.where('t.status', '=', q.status);
  if (q.trigger) query = query.where('t.trigger', '=', q.trigger);
  if (q.cursor) {
    if (!isId('trackingTest', q.cursor))
      throw invalidField('query.cursor', 'is not a cursor from this list; start again without it.');
    query = query.where('t.id', '<', q.cursor);
  }
  const rows = await query
    .orderBy('t.id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  return { data: page, nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null };
}

/** Closes runs left "running" by an instance that stopped mid-test. Returns how many were closed. */
export async function closeStaleRuns(store: Store, ctx: RequestContext): Promise<number> {
  const before = new Date(nowMs() - STALE_RUN_MS).toISOString();
  const stale = await store.db
    .selectFrom('tracking_tests')
    .select(['id', 'partner_id', 'link_id', 'steps', 'trigger'])
    .where('status', '=', 'running')
    .where('started_at', '<', before)
    .execute();
  for (const t of stale) {
    await writeTransaction(
      store,
      ctx,
      async (w) => {
        const steps = (JSON.parse(t.steps) as Step[]).map((s) =>
          s.status === 'running' || s.status === 'pending'
            ? {
                ...s,
                status: 'skipped' as const,
                summary: 'Not finished: the instance running the test stopped.',
              }
            : s,
        );
        const res = await w.trx
          .updateTable('tracking_tests')
          .set({
            status: 'error',
            summary: 'The test did not finish: the instance running it stopped. Run it again.',
            steps: JSON.stringify(steps),
            finished_at: nowIso(),
          })
          .where('id', '=', t.id)
          .where('status', '=', 'running')
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1)
          w.audit({
            action: 'tracking_test.failed',
            entityType: 'tracking_test',
            entityId: t.id,
            partnerId: t.partner_id,
            after: { status: 'error', linkId: t.link_id },
            reason: 'The instance running the test stopped before it finished',
            meta: { trigger: t.trigger },
          });
      },
      { unauditedBecause: 'another instance may have closed it first' },
    );
  }
  return stale.length;
}

// ---------- Facts for the onboarding gate ----------

export interface TrackingQaFacts {
  /** When a test of the partner last passed (null when none ever did). */
  lastPassedAt: string | null;
  /** The latest finished test, pass or not. */
  last: {
    id: string;
    status: string;
    finishedAt: string;
    failedStep: string | null;
    summary: string | null;
  } | null;
  /** The first change to the partner's active links or postbacks after the last pass (the pass is then stale). */
  changedAfterPass: { what: string; at: string } | null;
  activeLinks: number;
}

export async function trackingQaFacts(db: Db, partnerId: string): Promise<TrackingQaFacts> {
  const passed = await db
    .selectFrom('tracking_tests')
    .select(['finished_at'])
    .where('partner_id', '=', partnerId)
    .where('status', '=', 'passed')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const last = await db
    .selectFrom('tracking_tests')
    .select(['id', 'status', 'finished_at', 'failed_step', 'summary'])
    .where('partner_id', '=', partnerId)
    .where('status', '!=', 'running')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const links = await db
    .selectFrom('links')
    .select(['code', 'updated_at'])
    .where('partner_id', '=', partnerId)
    .where('status', '=', 'active')
    .execute();
  const lastPassedAt = passed?.finished_at ?? null;
  let changedAfterPass: TrackingQaFacts['changedAfterPass'] = null;
  if (lastPassedAt) {
    const postbacks = await db
      .selectFrom('partner_postbacks')
      .select(['event_type', 'updated_at'])
      .where('partner_id', '=', partnerId)
      .where('status', '=', 'active')
      .where('updated_at', '>', lastPassedAt)
      .execute();
    const changes = [
      ...links
        .filter((l) => l.updated_at > lastPassedAt)
        .map((l) => ({ what: `link ${l.code}`, at: l.updated_at })),
      ...postbacks.map((p) => ({ what: `the ${p.event_type} postback`, at: p.updated_at })),
    ].sort((a, b) => (a.at < b.at ? -1 : 1));
    changedAfterPass = changes[0] ?? null;
  }
  return {
    lastPassedAt,
    last:
      last && last.finished_at
        ? {
            id: last.id,
            status: last.status,
            finishedAt: last.finished_at,
            failedStep: last.failed_step,
            summary: last.summary,
          }
        : null,
    changedAfterPass,
    activeLinks: links.length,
  };
}
