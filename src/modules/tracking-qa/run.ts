// One tracking test, end to end, as a partner's traffic would go:
//   click       GET /c/{code} through the app's own HTTP handler, as a browser (a signed header marks the click
//               as a test: stored as evidence, never counted), answered 302 after the click is committed;
//   redirects   the 302's Location, then every further redirect, through the SSRF-safe client, noting where the
//               click id leaves the URL;
//   landing     the page the chain ends on: 2xx, not an error page, not empty, showing the expected text;
//   events      after the programme's minimum click-to-event time, a registration with the click id and the
//               events the partner's postbacks need, through the real ingest path (the tracking writer), as
//               test events of the "Tracking QA" source;
//   attribution the registration attributed by the click to the link's partner, the rest following the client;
//   postbacks   the deliveries of those events sent now through the real delivery path, every macro replaced,
//               and the partner's endpoint answering 2xx without a rejection in its body.
// Each step is stored as it finishes (a poller sees progress); the last write records the verdict with its
// audit entry, which puts the test on the partner's timeline. A failed step does not stop the steps that do
// not depend on it, so one run shows everything that is wrong.
import type { Kysely, Transaction } from 'kysely';
import { type RequestContext, systemActor } from '../../platform/auth/actor.ts';
import type { Config } from '../../platform/config.ts';
import type { DB } from '../../platform/db/index.ts';
import type { TrackingTestsTable } from '../../platform/db/schema.ts';
import type { App } from '../../platform/http/types.ts';
import type { Resolver } from '../../platform/net/index.ts';
import { nowIso, nowMs } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import {
  type EventInput,
  type EventType,
  eventsRuntimeOf,
  ingest,
  parseEvent,
  programmeForLink,
  trackingQaSourceId,
} from '../events/index.ts';
import { describePostback, fireDeliveriesOf, postbacksOfPartner } from '../postbacks/index.ts';
import { QA_CLICK_ID_HEADER, QA_HEADER, qaMarkerFor } from '../tracking/index.ts';
import { BROWSER_UA, clickIdInUrl, followChain, judgeLanding } from './landing-check.ts';
import {
  type Evidence,
  type RunTestBody,
  type Setup,
  STEP_KEYS,
  STEP_LABELS,
  type Step,
  type StepKey,
} from './tracking-qa.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface QaRuntime {
  app: App;
  store: Store;
  config: Pick<Config, 'secret' | 'allowPrivateNetwork' | 'publicUrl'>;
  /** DNS for outbound requests (tests play DNS without a network). */
  resolve?: Resolver;
  /** Longest wait for the programme's minimum click-to-event time (default 60 s). */
  maxWaitMs?: number;
  /** Names this instance on the runs it starts. */
  instanceId?: string;
  log?: { error(obj: unknown, msg?: string): void };
}

export const qaCtx: RequestContext = {
  actor: systemActor(['risk.manage', 'partners.read', 'tracking_qa.read', 'tracking_qa.run'], 'tracking QA'),
  requestId: null,
};

/** Short names of the steps, for one-line verdicts. */
const STEP_NAMES: Record<StepKey, string> = {
  click: 'Click',
  redirects: 'Redirect chain',
  landing: 'Landing page',
  events: 'Test events',
  attribution: 'Attribution',
  postbacks: 'Partner postbacks',
};

const DEFAULT_SUBS = { sub1: 'qa-s1', sub2: 'qa-s2', sub3: 'qa-s3', sub4: 'qa-s4', sub5: 'qa-s5' } as const;

/** Macros that must never render empty in a postback of a click-attributed test event. */
const ESSENTIAL_MACROS = new Set(['click_id', 'txid', 'event', 'partner_id']);
const WHY_EMPTY: Record<string, string> = {
  payout: 'commissions are not calculated for events yet, so {payout} is empty',
  country: 'the event carried no country and no GeoIP database is configured',
  amount: 'this event type carries no amount',
  currency: 'this event type carries no amount',
  link_code: 'the event is not attributed through a link',
};

const ATTRIBUTION_NOTES: Record<string, string> = {
  too_fast: "the event arrived sooner after the click than the programme's minimum click-to-event time",
  too_old: "the click is older than the programme's maximum age",
  forged_click_id: 'the click id failed its signature check (forged or altered on the way)',
  unknown_link: 'the click id names a link that does not exist',
  no_click_id: 'the event carried no click id',
};

export function emptySteps(): Step[] {
  return STEP_KEYS.map((key) => ({
    key,
    label: STEP_LABELS[key],
    status: 'pending',
    startedAt: null,
    durationMs: null,
    summary: 'Not run yet',
    evidence: {},
  }));
}

/** The event types to send after the registration, from what the partner's active postbacks listen to. */
export function eventPlan(activeTypes: Set<string>, asked: RunTestBody['eventTypes']): EventType[] {
  const want = new Set<EventType>(['registration']);
  if (asked) for (const t of asked) want.add(t);
  else {
    if (activeTypes.has('kyc_approved')) want.add('kyc_approved');
    if (activeTypes.has('ftd') || activeTypes.has('qualified_ftd') || activeTypes.has('deposit'))
      want.add('deposit');
    for (const t of ['trade', 'withdrawal', 'chargeback'] as const) if (activeTypes.has(t)) want.add(t);
  }
  const order: EventType[] = [
    'registration',
    'kyc_approved',
    'ftd',
    'deposit',
    'trade',
    'withdrawal',
    'chargeback',
  ];
  return order.filter((t) => want.has(t));
}

function major(minor: number, currency: string): string {
  const digits = currency === 'JPY' ? 0 : 2;
  return digits === 0 ? String(minor) : (minor / 100).toFixed(2);
}

async function saveProgress(
  db: Db,
  id: string,
  steps: Step[],
  extra: Partial<TrackingTestsTable> = {},
): Promise<void> {
  await db
    .updateTable('tracking_tests')
    .set({ steps: JSON.stringify(steps), ...extra })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .execute();
}

/** The tracking URL as partners hand it out: the public URL, else the origin the test was started from. */
export function trackingUrlOf(
  config: QaRuntime['config'],
  code: string,
  origin: string | null = null,
): string {
  return `${config.publicUrl ?? origin ?? 'http://localhost'}/c/${code}`;
}

/** Runs a test whose row is already stored as running. Never throws: a crash of the run is an `error` verdict. */
export async function executeTest(
  rt: QaRuntime,
  test: TrackingTestsTable,
  origin: string | null = null,
): Promise<void> {
  const started = nowMs();
  const steps = emptySteps();
  const step = (k: StepKey) => steps.find((s) => s.key === k) as Step;
  let current: Step | null = null;
  const begin = async (k: StepKey) => {
    current = step(k);
    current.status = 'running';
    current.startedAt = nowIso();
    current.summary = 'Running…';
    await saveProgress(rt.store.db, test.id, steps);
  };
  const end = (status: Step['status'], summary: string, evidence: Evidence = {}) => {
    const s = current as Step | null;
    if (!s) return;
    s.status = status;
    s.summary = summary;
    s.evidence = { ...s.evidence, ...evidence };
    s.durationMs = s.startedAt ? Math.max(0, nowMs() - Date.parse(s.startedAt)) : null;
    current = null;
  };
  const skip = (k: StepKey, why: string) => {
    const s = step(k);
    s.status = 'skipped';
    s.summary = why;
  };

  let clickId: string | null = null;
  const clientExt = `QA-${test.id}`;
  try {
    const options = JSON.parse(test.options) as Omit<RunTestBody, 'linkId'>;
    const db = rt.store.db;
    const link = await db
      .selectFrom('links')
      .selectAll()
      .where('id', '=', test.link_id)
      .executeTakeFirstOrThrow();
    const partner = await db
      .selectFrom('partners')
      .select(['id', 'display_name', 'stage'])
      .where('id', '=', link.partner_id)
      .executeTakeFirstOrThrow();
    const programme = await programmeForLink(db, link.programme_id);
    const postbacks = await postbacksOfPartner(db, partner.id);
    const trackingUrl = trackingUrlOf(rt.config, link.code, origin);
    const setup: Setup = {
      trackingUrl,
      partner: { id: partner.id, name: partner.display_name, stage: partner.stage },
      link: {
        id: link.id,
        code: link.code,
        name: link.name,
        landingUrl: link.landing_url,
        status: link.status,
        allowedCountries: JSON.parse(link.allowed_countries) as string[],
        updatedAt: link.updated_at,
      },
      programme: programme
        ? {
            id: programme.id,
            name: programme.name,
            minClickToEventSeconds: Number(programme.min_click_to_event_seconds),
            maxClickAgeDays: Number(programme.max_click_age_days),
            ftdDefinition: programme.ftd_definition,
            qualifyingDeposit: {
              amountMinor: Number(programme.qualifying_deposit_minor),
              currency: programme.qualifying_currency,
            },
          }
        : null,
      postbacks: postbacks.map(describePostback),
    };
    await saveProgress(db, test.id, steps, { setup: JSON.stringify(setup) });

    // ---- click ----
    await begin('click');
    const subs = { ...DEFAULT_SUBS, ...(options.subs ?? {}) };
    const qs = new URLSearchParams(Object.entries(subs).filter(([, v]) => v !== '')).toString();
    const t0 = nowMs();
    const res = await rt.app.inject({
      method: 'GET',
      url: `/c/${encodeURIComponent(link.code)}?${qs}`,
      headers: {
        'user-agent': BROWSER_UA,
        accept: 'text/html,application/xhtml+xml',
        [QA_HEADER]: qaMarkerFor(rt.config.secret, test.id),
      },
    });
    const location = typeof res.headers.location === 'string' ? res.headers.location : null;
    const idHeader = res.headers[QA_CLICK_ID_HEADER];
    clickId = typeof idHeader === 'string' ? idHeader : null;
    const clickEv: Evidence = {
      trackingUrl: `${trackingUrl}?${qs}`,
      statusCode: res.statusCode,
      location,
      clickId,
      latencyMs: nowMs() - t0,
    };
    if (res.statusCode !== 302 || !location || !clickId) {
      const why =
        res.statusCode === 410
          ? 'the link answered 410: it is paused or archived, or its partner is archived'
          : res.statusCode === 404
            ? 'the link answered 404: its code is unknown'
            : res.statusCode === 503
              ? 'the link answered 503: the click could not be recorded (database unavailable)'
              : `the link answered ${res.statusCode} instead of a 302 redirect`;
      end('failed', `No redirect: ${why}.`, { ...clickEv, clickStored: false });
      for (const k of STEP_KEYS.slice(1)) skip(k, 'Not run: the tracking link gave no click.');
      return await finish(rt, test, steps, started, clickId, clientExt);
    }
    const stored = await db
      .selectFrom('clicks')
      .select(['id', 'is_test'])
      .where('id', '=', clickId)
      .executeTakeFirst();
    end(
      stored ? 'passed' : 'failed',
      stored
        ? `302 in ${clickEv.latencyMs} ms; click ${clickId} recorded (as a test click).`
        : `302 answered but click ${clickId} is not stored.`,
      { ...clickEv, clickStored: !!stored },
    );

    // ---- redirects and landing ----
    await begin('redirects');
    const chain = await followChain(location, clickId, {
      allowPrivateNetwork: rt.config.allowPrivateNetwork,
      ...(rt.resolve ? { resolve: rt.resolve } : {}),
      totalTimeoutMs: 8_000,
    });
    const redirects = chain.hops.length - 1;
    const finalUrl = chain.final?.url ?? chain.hops[chain.hops.length - 1]?.url ?? location;
    const warnings: string[] = [];
    if (redirects > 3)
      warnings.push(`${redirects} redirects before the landing page: long chains lose visitors`);
    if (!clickIdInUrl(location, clickId)) {
      end('failed', 'The redirect from the tracking link does not carry the click id.', {
        hops: chain.hops,
        lostAt: 1,
      });
    } else if (chain.problem) {
      end('failed', `The redirect chain broke: ${chain.problem}.`, {
        hops: chain.hops,
        lostAt: chain.lostAt,
      });
    } else if (chain.lostAt !== null || !clickIdInUrl(finalUrl, clickId)) {
      const at = chain.hops.find((h) => h.n === chain.lostAt);
      end(
        'failed',
        `The click id is lost on the way: hop ${chain.lostAt ?? chain.hops.length} (${(at?.url ?? finalUrl).slice(0, 200)}) no longer carries it, so the landing page cannot pass it to registration.`,
        { hops: chain.hops, lostAt: chain.lostAt },
      );
    } else {
      end(
        warnings.length > 0 ? 'warning' : 'passed',
        redirects === 0
          ? 'The tracking link redirects straight to the landing page, click id included.'
          : `${redirects} further redirect${redirects === 1 ? '' : 's'}; the click id stays in the URL to the end.`,
        { hops: chain.hops, lostAt: null, warnings },
      );
    }
    await begin('landing');
    if (!chain.final) {
      end('skipped', 'Not checked: the redirect chain did not reach a page.');
    } else {
      const ct = chain.final.res.headers['content-type'];
      const verdict = judgeLanding(
        chain.final.res.statusCode,
        typeof ct === 'string' ? ct : null,
        chain.final.res.body,
        options.expectText ?? null,
      );
      const ev: Evidence = {
        url: chain.final.url,
        statusCode: chain.final.res.statusCode,
        title: verdict.title,
        contentType: verdict.contentType,
        bytes: verdict.bytes,
        latencyMs: chain.final.res.latencyMs,
      };
      end(
        verdict.ok ? 'passed' : 'failed',
        verdict.ok
          ? `Answered ${chain.final.res.statusCode}${verdict.title ? ` with "${verdict.title.slice(0, 80)}"` : ''}${options.expectText ? `, showing "${options.expectText}"` : ''}.`
          : `The landing page ${verdict.problem}.`,
        ev,
      );
      // The landing page was fetched as the chain's last hop: its time belongs to this step, not the chain's.
      const fetchMs = chain.final.res.latencyMs;
      const r = step('redirects');
      if (r.durationMs !== null) r.durationMs = Math.max(0, r.durationMs - fetchMs);
      step('landing').durationMs = fetchMs;
    }

    // ---- events ----
    await begin('events');
    const minMs = (programme ? Number(programme.min_click_to_event_seconds) : 1) * 1000;
    const maxWait = rt.maxWaitMs ?? 60_000;
    const clickMs = Date.parse(stored ? await clickTime(db, clickId) : nowIso());
    const waitMs = Math.max(0, clickMs + minMs + 250 - nowMs());
    if (waitMs > maxWait) {
      end(
        'failed',
        `The programme's minimum click-to-event time (${minMs / 1000} s) is longer than a test waits (${maxWait / 1000} s); test events would not be attributed.`,
      );
      skip('attribution', 'Not run: no test events were sent.');
      skip('postbacks', 'Not run: no test events were sent.');
      return await finish(rt, test, steps, started, clickId, clientExt);
    }
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    const ingestRt = eventsRuntimeOf(rt.app);
    if (!ingestRt) throw new Error('the events module is not registered');
    const sourceId = await trackingQaSourceId(rt.store);
    const active = new Set(postbacks.filter((p) => p.status === 'active').map((p) => p.event_type));
    const plan = eventPlan(active, options.eventTypes);
    const qualifying = programme
      ? { minor: Number(programme.qualifying_deposit_minor), currency: programme.qualifying_currency }
      : { minor: 10_000, currency: 'USD' };
    const sent: NonNullable<Evidence['events']> = [];
    for (const type of plan) {
      const raw: Record<string, unknown> = { type, txid: `${test.id}-${type}`, clientId: clientExt };
      if (type === 'registration') raw.clickId = clickId;
      if (type === 'deposit' || type === 'ftd') {
        raw.amount = major(qualifying.minor, qualifying.currency);
        raw.currency = qualifying.currency;
      }
      if (type === 'withdrawal' || type === 'chargeback') {
        raw.amount = major(Math.max(1, Math.floor(qualifying.minor / 10)), qualifying.currency);
        raw.currency = qualifying.currency;
      }
      if (type === 'trade')
        Object.assign(raw, {
          lots: '1.00',
          instrumentGroup: 'forex',
          revenue: '5.00',
          currency: qualifying.currency,
        });
      const parsed = parseEvent(raw, 'camel', 'qa.', nowMs());
      if (!parsed.ok) throw new Error(`QA built an invalid ${type} event: ${JSON.stringify(parsed.errors)}`);
      const [r] = await ingest(ingestRt, sourceId, [parsed.value as EventInput], test.id);
      sent.push({
        type,
        txid: String(raw.txid),
        eventId: r?.eventId ?? null,
        status: r?.status ?? 'not recorded',
        attribution: r?.attribution ?? null,
        attributionNote: r?.attributionNote ?? null,
        partnerId: r?.partnerId ?? null,
        isFtd: r?.isFtd ?? false,
        isQualifiedFtd: r?.isQualifiedFtd ?? false,
      });
    }
    const notAccepted = sent.filter((e) => e.status !== 'accepted');
    end(
      notAccepted.length === 0 ? 'passed' : 'failed',
      notAccepted.length === 0
        ? `${sent.map((e) => e.type).join(', ')} recorded as test events${waitMs > 0 ? ` after waiting ${Math.round(waitMs / 100) / 10} s for the programme's minimum click-to-event time` : ''}.`
        : `${notAccepted.map((e) => `${e.type} answered ${e.status}`).join('; ')}.`,
      { events: sent, waitedMs: waitMs },
    );

    // ---- attribution ----
    await begin('attribution');
    const reg = sent.find((e) => e.type === 'registration');
    const wrong = sent.filter((e) => e.partnerId !== partner.id);
    if (!reg || reg.attribution !== 'click' || reg.partnerId !== partner.id) {
      const why = reg?.attributionNote
        ? (ATTRIBUTION_NOTES[reg.attributionNote] ?? reg.attributionNote)
        : null;
      end(
        'failed',
        reg?.partnerId && reg.partnerId !== partner.id
          ? `The registration was attributed to another partner (${reg.partnerId}), not ${partner.display_name}.`
          : `The registration was not attributed by its click${why ? `: ${why}` : ''}.`,
        { events: sent, expectedPartnerId: partner.id },
      );
    } else if (wrong.length > 0) {
      end(
        'failed',
        `${wrong.map((e) => e.type).join(', ')} did not follow the client to ${partner.display_name}.`,
        {
          events: sent,
          expectedPartnerId: partner.id,
        },
      );
    } else {
      end(
        'passed',
        `Attributed to ${partner.display_name} by click ${clickId}; later events follow the client.`,
        {
          expectedPartnerId: partner.id,
        },
      );
    }

    // ---- postbacks ----
    await begin('postbacks');
    const disabled = postbacks.filter((p) => p.status !== 'active');
    const pbWarnings = disabled.map(
      (p) => `The ${p.event_type} postback is disabled${p.disabled_reason ? `: ${p.disabled_reason}` : ''}`,
    );
    if (active.size === 0) {
      end(
        pbWarnings.length > 0 ? 'warning' : 'skipped',
        'No active postback is set up for this partner: the chain ends at attribution.',
        { deliveries: [], warnings: pbWarnings },
      );
    } else if (step('attribution').status === 'failed') {
      end('failed', 'Not fired: an event that is not attributed to the partner sends no partner postback.', {
        deliveries: [],
        warnings: pbWarnings,
      });
    } else {
      const fired = await fireDeliveriesOf(
        rt.store,
        {
          allowPrivateNetwork: rt.config.allowPrivateNetwork,
          ...(rt.resolve ? { resolve: rt.resolve } : {}),
        },
        sent.map((e) => e.eventId).filter((x): x is string => x !== null),
      );
      const deliveries = fired.map((f) => ({
        deliveryId: f.deliveryId,
        postbackId: f.postbackId,
        eventType: f.eventType,
        emptyMacros: f.emptyMacros,
        leftover: f.leftover,
        attempt: f.attempt,
        problem: f.problem,
      }));
      const expected = [...active];
      const missing = expected.filter((t) => !fired.some((f) => f.eventType === t));
      const problems: string[] = [];
      for (const t of missing)
        problems.push(`no ${t} postback was fired (no test event of that kind reached it)`);
      for (const f of fired) {
        const who = `${f.eventType} postback`;
        if (f.problem) problems.push(`${who}: ${f.problem}`);
        else if (f.attempt && f.attempt.outcome !== 'success')
          problems.push(
            `${who}: ${f.attempt.errorDetail ?? f.attempt.error ?? `answered ${f.attempt.statusCode}`}`,
          );
        if (f.leftover.length > 0)
          problems.push(`${who}: ${f.leftover.join(', ')} left unreplaced in what was sent`);
        const essentialEmpty = f.emptyMacros.filter((m) => ESSENTIAL_MACROS.has(m));
        if (essentialEmpty.length > 0)
          problems.push(`${who}: {${essentialEmpty.join('}, {')}} rendered empty`);
        for (const m of f.emptyMacros.filter((x) => !ESSENTIAL_MACROS.has(x)))
          pbWarnings.push(`${who}: {${m}} rendered empty${WHY_EMPTY[m] ? ` (${WHY_EMPTY[m]})` : ''}`);
      }
      if (problems.length > 0)
        end('failed', `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}.`, {
          deliveries,
          warnings: [...problems.slice(1), ...pbWarnings],
        });
      else
        end(
          pbWarnings.length > 0 ? 'warning' : 'passed',
          `${fired.length} postback${fired.length === 1 ? '' : 's'} delivered: ${fired
            .map((f) => `${f.eventType} → ${f.attempt?.statusCode} in ${f.attempt?.latencyMs} ms`)
            .join(', ')}.`,
          { deliveries, warnings: pbWarnings },
        );
    }
    return await finish(rt, test, steps, started, clickId, clientExt);
  } catch (err) {
    rt.log?.error({ err, testId: test.id }, 'tracking test crashed');
    const s = current as Step | null;
    if (s) {
      s.status = 'failed';
      s.summary = `The test could not finish this step: ${(err as Error).message}`;
    }
    for (const st of steps)
      if (st.status === 'pending') {
        st.status = 'skipped';
        st.summary = 'Not run: the test stopped with an error.';
      }
    return await finish(rt, test, steps, started, clickId, clientExt, (err as Error).message);
  }
}

async function clickTime(db: Db, clickId: string): Promise<string> {
  const r = await db.selectFrom('clicks').select('ts').where('id', '=', clickId).executeTakeFirst();
  return r?.ts ?? nowIso();
}

/** The one-line verdict of a finished run. */
export function verdictOf(
  steps: Step[],
  crashed: string | null,
): { status: 'passed' | 'failed' | 'error'; failedStep: StepKey | null; summary: string } {
  const failed = steps.find((s) => s.status === 'failed');
  if (crashed)
    return {
      status: 'error',
      failedStep: failed?.key ?? null,
      summary: `The test stopped with an error: ${crashed}`,
    };
  if (failed)
    return {
      status: 'failed',
      failedStep: failed.key,
      summary: `${STEP_NAMES[failed.key]} failed: ${failed.summary.charAt(0).toLowerCase()}${failed.summary.slice(1)}`,
    };
  const warned = steps.filter((s) => s.status === 'warning').length;
  const skipped = steps.filter((s) => s.status === 'skipped').map((s) => s.key);
  return {
    status: 'passed',
    failedStep: null,
    summary: `Every step passed${warned > 0 ? ` (${warned} with warnings)` : ''}${skipped.length > 0 ? `; not applicable: ${skipped.join(', ')}` : ''}.`,
  };
}

async function finish(
  rt: QaRuntime,
  test: TrackingTestsTable,
  steps: Step[],
  started: number,
  clickId: string | null,
  clientExt: string,
  crashed: string | null = null,
): Promise<void> {
  const v = verdictOf(steps, crashed);
  const finishedAt = nowIso();
  await writeTransaction(rt.store, qaCtx, async (w) => {
    await w.trx
      .updateTable('tracking_tests')
      .set({
        status: v.status,
        failed_step: v.failedStep,
        summary: v.summary,
        steps: JSON.stringify(steps),
        click_id: clickId,
        client_external_id: clientExt,
        finished_at: finishedAt,
        duration_ms: Math.max(0, nowMs() - started),
      })
      .where('id', '=', test.id)
      .where('status', '=', 'running')
      .execute();
    w.audit({
      action: v.status === 'passed' ? 'tracking_test.passed' : 'tracking_test.failed',
      entityType: 'tracking_test',
      entityId: test.id,
      partnerId: test.partner_id,
      after: { status: v.status, failedStep: v.failedStep, linkId: test.link_id, clickId },
      reason: v.summary,
      meta: { trigger: test.trigger },
    });
    // Every finished run is the link's latest result, whoever started it (the schedule keeps its own count of
    // failures in a row and its flag).
    await w.trx
      .updateTable('tracking_monitors')
      .set({ last_test_id: test.id, last_status: v.status, last_run_at: finishedAt, updated_at: finishedAt })
      .where('link_id', '=', test.link_id)
      .execute();
    // A first pass puts the link under a daily monitor (the schedule runs it only while the partner is active).
    if (v.status === 'passed') {
      await w.trx
        .insertInto('tracking_monitors')
        .values({
          link_id: test.link_id,
          partner_id: test.partner_id,
          enabled: 1,
          interval_hours: 24,
          next_run_at: new Date(nowMs() + 24 * 3_600_000).toISOString(),
          locked_by: null,
          locked_until: null,
          last_test_id: test.id,
          last_status: 'passed',
          last_run_at: finishedAt,
          consecutive_failures: 0,
          open_flag_id: null,
          created_at: finishedAt,
          updated_at: finishedAt,
          version: 1,
        })
        .onConflict((oc) => oc.column('link_id').doNothing())
        .execute();
    }
  });
}
