// Monitors: a link whose setup once passed is re-tested on a schedule (daily by default) while its partner is
// active, and a setup that breaks raises a tracking risk flag on the partner. A single failure is retried
// sooner (network blips happen); the flag goes up on the second failure in a row, and is resolved by the
// monitor itself when the setup passes again. Claiming a due monitor is a conditional UPDATE on a lease, so
// several instances on one PostgreSQL never run the same monitor twice.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RequestContext } from '../../platform/auth/actor.ts';
import { assertCan } from '../../platform/auth/actor.ts';
import type { TrackingMonitorsTable } from '../../platform/db/schema.ts';
import { invalidField, notFound } from '../../platform/errors.ts';
import { isId } from '../../platform/ids.ts';
import { nowIso, nowMs } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { raiseRiskFlag, resolveRiskFlag } from '../due-diligence/index.ts';
import { canSeePartner, loadPartnerFor } from '../partners/index.ts';
import { qaCtx } from './run.ts';
import { closeStaleRuns, startTest, type TestRunner } from './tests.service.ts';

const H = 3_600_000;
export const RETRY_AFTER_FAILURE_MS = 15 * 60_000;
export const FLAG_AFTER_FAILURES = 2;
const LEASE_MS = 10 * 60_000;

export function presentMonitor(
  m: TrackingMonitorsTable & {
    link_code: string;
    link_name: string;
    partner_name: string;
    partner_stage: string;
  },
) {
  return {
    linkId: m.link_id,
    linkCode: m.link_code,
    linkName: m.link_name,
    partnerId: m.partner_id,
    partnerName: m.partner_name,
    partnerStage: m.partner_stage,
    enabled: Number(m.enabled) === 1,
    intervalHours: Number(m.interval_hours),
    nextRunAt: m.next_run_at,
    lastTestId: m.last_test_id,
    lastStatus: (m.last_status as 'passed' | 'failed' | 'error' | null) ?? null,
    lastRunAt: m.last_run_at,
    consecutiveFailures: Number(m.consecutive_failures),
    openFlagId: m.open_flag_id,
    version: Number(m.version),
  };
}

function monitorsQuery(store: Store) {
  return store.db
    .selectFrom('tracking_monitors as m')
    .innerJoin('links as l', 'l.id', 'm.link_id')
    .innerJoin('partners as p', 'p.id', 'm.partner_id')
    .selectAll('m')
    .select([
      'l.code as link_code',
      'l.name as link_name',
      'p.display_name as partner_name',
      'p.stage as partner_stage',
    ]);
}

export async function listMonitors(
  store: Store,
  ctx: RequestContext,
  q: { partnerId?: string; lastStatus?: string; limit: number; cursor?: string },
) {
  assertCan(ctx.actor, 'tracking_qa.read');
  let query = monitorsQuery(store);
  if (ctx.actor.role === 'partner' || ctx.actor.partnerId) {
    if (q.partnerId && q.partnerId !== ctx.actor.partnerId) return { data: [], nextCursor: null };
    query = query.where('m.partner_id', '=', ctx.actor.partnerId ?? '');
  } else if (q.partnerId) query = query.where('m.partner_id', '=', q.partnerId);
  if (q.lastStatus) query = query.where('m.last_status', '=', q.lastStatus);
  if (q.cursor) {
    if (!isId('link', q.cursor))
      throw invalidField('query.cursor', 'is not a cursor from this list; start again without it.');
    query = query.where('m.link_id', '<', q.cursor);
  }
  const rows = await query
    .orderBy('m.link_id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  return {
    data: page.map(presentMonitor),
    nextCursor: rows.length > q.limit ? (page[page.length - 1]?.link_id ?? null) : null,
  };
}

/** Turns a link's monitor on or off and sets its interval (creating it when the link has none). */
export async function putMonitor(
  store: Store,
  ctx: RequestContext,
  linkId: string,
  body: { enabled: boolean; intervalHours: number },
) {
  assertCan(ctx.actor, 'tracking_qa.run');
  const link = isId('link', linkId)
    ? await store.db.selectFrom('links').selectAll().where('id', '=', linkId).executeTakeFirst()
    : undefined;
  if (!link || !canSeePartner(ctx.actor, { id: link.partner_id })) throw notFound(`Link ${linkId}`);
  await loadPartnerFor(store.db, ctx.actor, link.partner_id, 'change');
  await writeTransaction(store, ctx, async (w) => {
    const cur = await w.trx
      .selectFrom('tracking_monitors')
      .selectAll()
      .where('link_id', '=', link.id)
      .executeTakeFirst();
    const now = nowIso();
    const next = new Date(nowMs() + (cur?.last_run_at ? body.intervalHours * H : 0)).toISOString();
    if (cur) {
      await w.trx
        .updateTable('tracking_monitors')
        .set({
          enabled: body.enabled ? 1 : 0,
          interval_hours: body.intervalHours,
          // A shorter interval takes effect now; a longer one from the last run.
          next_run_at:
            cur.last_run_at !== null
              ? new Date(Date.parse(cur.last_run_at) + body.intervalHours * H).toISOString()
              : now,
          updated_at: now,
          version: Number(cur.version) + 1,
        })
        .where('link_id', '=', link.id)
        .execute();
    } else {
      await w.trx
        .insertInto('tracking_monitors')
        .values({
          link_id: link.id,
          partner_id: link.partner_id,
          enabled: body.enabled ? 1 : 0,
          interval_hours: body.intervalHours,
          next_run_at: next,
          locked_by: null,
          locked_until: null,
          last_test_id: null,
          last_status: null,
          last_run_at: null,
          consecutive_failures: 0,
          open_flag_id: null,
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .execute();
    }
    w.audit({
      action: 'tracking_monitor.updated',
      entityType: 'link',
      entityId: link.id,
      partnerId: link.partner_id,
      before: cur ? { enabled: Number(cur.enabled) === 1, intervalHours: Number(cur.interval_hours) } : null,
      after: { enabled: body.enabled, intervalHours: body.intervalHours },
    });
  });
  const row = await monitorsQuery(store).where('m.link_id', '=', link.id).executeTakeFirstOrThrow();
  return presentMonitor(row);
}

export interface MonitorCycle {
  claimed: number;
  passed: number;
  failed: number;
  flagged: number;
  resolved: number;
}

/**
 * One pass of the schedule: close stale runs, claim due monitors of active links of active partners, run each
 * test to the end, record the outcome, and raise or resolve the monitor's risk flag.
 */
export async function runMonitorCycle(
  store: Store,
  runner: TestRunner,
  opts: {
    workerId?: string;
    limit?: number;
    concurrency?: number;
    log?: { error(o: unknown, m?: string): void };
  } = {},
): Promise<MonitorCycle> {
  const out: MonitorCycle = { claimed: 0, passed: 0, failed: 0, flagged: 0, resolved: 0 };
  await closeStaleRuns(store, qaCtx);
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const now = nowIso();
  const due = await store.db
    .selectFrom('tracking_monitors as m')
    .innerJoin('links as l', 'l.id', 'm.link_id')
    .innerJoin('partners as p', 'p.id', 'm.partner_id')
    .select(['m.link_id', 'm.version'])
    .where('m.enabled', '=', 1)
    .where('m.next_run_at', '<=', now)
    .where((eb) => eb.or([eb('m.locked_until', 'is', null), eb('m.locked_until', '<', now)]))
    .where('l.status', '=', 'active')
    .where('p.stage', '=', 'active')
    .where('p.archived_at', 'is', null)
    .orderBy('m.next_run_at')
    .limit(opts.limit ?? 20)
    .execute();
  const claimed: string[] = [];
  for (const d of due) {
    const claim = await store.db
      .updateTable('tracking_monitors')
      .set({ locked_by: workerId, locked_until: new Date(nowMs() + LEASE_MS).toISOString() })
      .where('link_id', '=', d.link_id)
      .where('next_run_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) === 1) claimed.push(d.link_id);
  }
  out.claimed = claimed.length;
  // A few tests at a time: each mostly waits on the network.
  let next = 0;
  const lane = async () => {
    while (next < claimed.length) {
      const linkId = claimed[next++] as string;
      try {
        await runOne(store, runner, linkId, workerId, out);
      } catch (err) {
        opts.log?.error({ err, linkId }, 'tracking monitor run failed');
        await store.db
          .updateTable('tracking_monitors')
          .set({
            locked_by: null,
            locked_until: null,
            next_run_at: new Date(nowMs() + RETRY_AFTER_FAILURE_MS).toISOString(),
          })
          .where('link_id', '=', linkId)
          .where('locked_by', '=', workerId)
          .execute();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, claimed.length) }, lane));
  return out;
}

async function runOne(store: Store, runner: TestRunner, linkId: string, workerId: string, out: MonitorCycle) {
  const row = await startTest(store, runner, qaCtx, { linkId }, 'monitor', runner.rt.config.publicUrl);
  await runner.wait(row.id, 5 * 60_000);
  const test = await store.db
    .selectFrom('tracking_tests')
    .selectAll()
    .where('id', '=', row.id)
    .executeTakeFirstOrThrow();
  const mon = await store.db
    .selectFrom('tracking_monitors')
    .selectAll()
    .where('link_id', '=', linkId)
    .executeTakeFirstOrThrow();
  const link = await store.db
    .selectFrom('links')
    .select(['code'])
    .where('id', '=', linkId)
    .executeTakeFirstOrThrow();
  const passed = test.status === 'passed';
  const failures = passed ? 0 : Number(mon.consecutive_failures) + 1;
  let openFlag = mon.open_flag_id;
  if (passed) out.passed += 1;
  else out.failed += 1;
  if (!passed && failures >= FLAG_AFTER_FAILURES && !openFlag) {
    const flag = await raiseRiskFlag(store, qaCtx, {
      partnerId: test.partner_id,
      category: 'tracking',
      severity: 'high',
      blocking: false,
      title: `Tracking setup of link ${link.code} broke: ${test.failed_step ?? 'the test'} failed`,
      details: `The scheduled tracking test ${test.id} failed ${failures} times in a row. ${test.summary ?? ''} Open the test for the evidence; the monitor resolves this flag when the setup passes again.`,
    });
    openFlag = flag.id;
    out.flagged += 1;
  }
  if (passed && openFlag) {
    const flag = await store.db
      .selectFrom('risk_flags')
      .select('status')
      .where('id', '=', openFlag)
      .executeTakeFirst();
    if (flag?.status === 'open') {
      await resolveRiskFlag(store, qaCtx, openFlag, {
        resolution: `The scheduled tracking test ${test.id} passed again.`,
      });
      out.resolved += 1;
    }
    openFlag = null;
  }
  const interval = Number(mon.interval_hours) * H;
  await writeTransaction(
    store,
    qaCtx,
    async (w) => {
      await w.trx
        .updateTable('tracking_monitors')
        .set({
          last_test_id: test.id,
          last_status: test.status,
          last_run_at: test.finished_at ?? nowIso(),
          consecutive_failures: failures,
          open_flag_id: openFlag,
          next_run_at: new Date(
            nowMs() + (passed ? interval : Math.min(interval, RETRY_AFTER_FAILURE_MS)),
          ).toISOString(),
          locked_by: null,
          locked_until: null,
          updated_at: nowIso(),
        })
        .where('link_id', '=', linkId)
        .where('locked_by', '=', workerId)
        .execute();
    },
    { unauditedBecause: 'the test itself and any risk flag carry their own audit entries' },
  );
}

export interface MonitorJob {
  stop(): Promise<void>;
}

/** The schedule of this instance: a monitor cycle every `everyMs` (default a minute). */
export function startMonitors(
  store: Store,
  runner: TestRunner,
  opts: { everyMs?: number; log?: { error(o: unknown, m?: string): void } } = {},
): MonitorJob {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = runMonitorCycle(store, runner, opts)
      .catch((err) => opts.log?.error({ err }, 'tracking monitor cycle failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.everyMs ?? 60_000);
      });
  };
  timer = setTimeout(tick, Math.min(opts.everyMs ?? 60_000, 5_000));
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
