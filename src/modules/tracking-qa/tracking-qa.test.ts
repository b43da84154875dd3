// Tracking QA end to end against the real app: a local "broker landing page" and a local "partner tracker"
// (receivers on 127.0.0.1, private networks allowed for them) stand in for the outside world. Each test drives
// POST /api/v1/tracking-tests and reads the stored setup record, the database and what the receivers saw.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import {
  type Answer,
  type ReceivedRequest,
  type Receiver,
  startReceiver,
} from '../../platform/net/testing/receiver.ts';
import { nowIso } from '../../platform/time.ts';
import { runMonitorCycle, trackingQaFacts, trackingQaRunnerOf } from './index.ts';

const PAGE = (
  title: string,
  body = '<h1>Open your trading account</h1><p>Trade FX and CFDs with tight spreads.</p>',
) => `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`;

type Route = (req: ReceivedRequest) => Answer;

describe('tracking QA', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let web: Receiver; // the broker's landing pages
  let tracker: Receiver; // the partner's own tracker, receiving postbacks
  let routes: Record<string, Route> = {};
  let trackerAnswer: Route = () => ({ status: 200, body: 'OK' });

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true', PARTNERDESK_WORKERS: 'false' });
    admin = await t.keyFor('admin');
    web = await startReceiver((req) => {
      const path = req.url.split('?')[0] as string;
      const route = routes[path];
      return route ? route(req) : { status: 404, body: PAGE('404 Not Found', '<h1>Not found</h1>') };
    });
    tracker = await startReceiver((req) => trackerAnswer(req));
  });
  afterAll(async () => {
    await web.close();
    await tracker.close();
    await t.close();
  });
  beforeEach(() => {
    routes = {
      '/open-account': () => ({
        status: 200,
        body: PAGE('Open an account | Broker'),
        headers: { 'content-type': 'text/html' },
      }),
    };
    trackerAnswer = () => ({ status: 200, body: 'OK' });
    web.requests.length = 0;
    tracker.requests.length = 0;
  });

  async function partner(ownerId: string | null = null): Promise<string> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: admin,
      payload: {
        displayName: `QA Partner ${newId('partner').slice(-6)}`,
        type: 'affiliate',
        ...(ownerId ? { ownerId } : {}),
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }
  async function link(partnerId: string, landingUrl: string, extra: Record<string, unknown> = {}) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/links',
      headers: admin,
      payload: { partnerId, name: 'Main', landingUrl, ...extra },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; code: string };
  }
  async function postback(partnerId: string, eventType: string, urlTemplate: string) {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks`,
      headers: admin,
      payload: { eventType, urlTemplate },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string };
  }
  async function run(body: Record<string, unknown>, headers = admin) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tracking-tests?wait=true',
      headers,
      payload: body,
    });
    return res;
  }
  const stepOf = (test: { steps: { key: string }[] }, key: string) =>
    test.steps.find((s) => s.key === key) as {
      key: string;
      status: string;
      summary: string;
      evidence: Record<string, unknown>;
    };

  it('proves a working setup end to end and keeps the evidence without counting anything', async () => {
    const pid = await partner();
    const l = await link(pid, `${web.url}/open-account?cid={click_id}&s1={sub1}`);
    await postback(pid, 'registration', `${tracker.url}/pb?clickid={click_id}&tx={txid}&e={event}&s2={sub2}`);
    await postback(
      pid,
      'ftd',
      `${tracker.url}/pb?clickid={click_id}&tx={txid}&e={event}&amount={amount}&cur={currency}`,
    );

    const res = await run({ linkId: l.id, expectText: 'Open your trading account' });
    expect(res.statusCode, res.body).toBe(201);
    const test = res.json();
    expect(test.status, JSON.stringify(test.steps, null, 2)).toBe('passed');
    expect(test.failedStep).toBeNull();
    expect(test.steps.map((s: { status: string }) => s.status)).toEqual([
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
    ]);
    const clickId: string = test.clickId;
    expect(clickId).toMatch(/^c[0-9A-Z]{29}$/);

    // What was configured is on the record.
    expect(test.linkCode).toBe(l.code);
    expect(test.setup.trackingUrl).toBe(`http://localhost:80/c/${l.code}`); // the origin the test was started from
    expect(test.setup.link).toMatchObject({ id: l.id, code: l.code, status: 'active' });
    expect(test.setup.programme).toMatchObject({ name: 'Standard', minClickToEventSeconds: 1 });
    expect(test.setup.postbacks.map((p: { eventType: string }) => p.eventType).sort()).toEqual([
      'ftd',
      'registration',
    ]);

    // The landing page was fetched as a browser, with the click id and sub-IDs.
    const landing = web.requests.find((r) => r.url.startsWith('/open-account'));
    expect(landing?.url).toContain(`cid=${clickId}`);
    expect(landing?.url).toContain('s1=qa-s1');
    expect(String(landing?.headers['user-agent'])).toContain('Mozilla/5.0');
    expect(stepOf(test, 'landing').evidence).toMatchObject({
      statusCode: 200,
      title: 'Open an account | Broker',
    });

    // Events went through ingest as test events of the Tracking QA source, attributed by the click.
    const events = stepOf(test, 'events').evidence.events as {
      type: string;
      attribution: string;
      partnerId: string;
    }[];
    expect(events.map((e) => e.type)).toEqual(['registration', 'deposit']);
    expect(events[0]).toMatchObject({ attribution: 'click', partnerId: pid });
    const stored = await t.store.db
      .selectFrom('events')
      .selectAll()
      .where('tracking_test_id', '=', test.id)
      .execute();
    expect(stored).toHaveLength(2);
    expect(stored.every((e) => Number(e.is_test) === 1 && e.partner_id === pid)).toBe(true);

    // The partner's tracker got both postbacks with every macro replaced.
    const got = tracker.requests.map((r) => r.url).sort();
    expect(got).toHaveLength(2);
    for (const u of got) {
      expect(u).toContain(`clickid=${clickId}`);
      expect(u).not.toMatch(/[{}]|%7B|%7D/);
    }
    expect(got.some((u) => u.includes('e=registration') && u.includes('s2=qa-s2'))).toBe(true);
    expect(got.some((u) => u.includes('e=ftd') && u.includes('amount=100.00') && u.includes('cur=USD'))).toBe(
      true,
    );
    const deliveries = stepOf(test, 'postbacks').evidence.deliveries as {
      attempt: { statusCode: number; outcome: string };
    }[];
    expect(deliveries.map((d) => d.attempt.outcome)).toEqual(['success', 'success']);

    // Nothing of it counts: the click is a stored test click, no rollup moved.
    const click = await t.store.db
      .selectFrom('clicks')
      .selectAll()
      .where('id', '=', clickId)
      .executeTakeFirstOrThrow();
    expect(Number(click.is_test)).toBe(1);
    const clickRollups = await t.store.db
      .selectFrom('click_rollups')
      .selectAll()
      .where('link_id', '=', l.id)
      .execute();
    expect(clickRollups).toEqual([]);
    const eventRollups = await t.store.db
      .selectFrom('event_rollups')
      .selectAll()
      .where('partner_id', '=', pid)
      .execute();
    expect(eventRollups).toEqual([]);

    // The record is on the partner's timeline, the link is now monitored, and the gate fact holds.
    const audit = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'partner_id'])
      .where('entity_id', '=', test.id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['tracking_test.started', 'tracking_test.passed']);
    expect(audit.every((a) => a.partner_id === pid)).toBe(true);
    const monitors = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tracking-monitors?partnerId=${pid}`,
      headers: admin,
    });
    expect(monitors.json().data).toMatchObject([
      { linkId: l.id, enabled: true, intervalHours: 24, lastStatus: 'passed' },
    ]);
    const facts = await trackingQaFacts(t.store.db, pid);
    expect(facts.last?.status).toBe('passed');
    expect(facts.changedAfterPass).toBeNull();

    // The click story shows the test click with its events.
    const story = await t.app.inject({ method: 'GET', url: `/api/v1/clicks/${clickId}`, headers: admin });
    expect(story.statusCode).toBe(200);
    expect(story.json()).toMatchObject({ id: clickId, isTest: true });

    // Changing the postback afterwards makes the pass stale.
    await new Promise((r) => setTimeout(r, 5));
    const pbs = (
      await t.app.inject({ method: 'GET', url: `/api/v1/partners/${pid}/postbacks`, headers: admin })
    ).json().data;
    const ftd = pbs.find((p: { eventType: string }) => p.eventType === 'ftd');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/partners/${pid}/postbacks/${ftd.id}`,
      headers: admin,
      payload: { urlTemplate: `${tracker.url}/pb2?clickid={click_id}&tx={txid}`, version: ftd.version },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect((await trackingQaFacts(t.store.db, pid)).changedAfterPass?.what).toBe('the ftd postback');
  });

  it('fails the redirect step when the chain drops the click id, naming the hop, and still checks the rest', async () => {
    const pid = await partner();
    routes['/go'] = (req) => ({ status: 302, headers: { location: `/hop2?${req.url.split('?')[1]}` } });
    routes['/hop2'] = () => ({ status: 301, headers: { location: '/open-account?utm=1' } });
    const l = await link(pid, `${web.url}/go?cid={click_id}`);
    const test = (await run({ linkId: l.id })).json();
    expect(test.status).toBe('failed');
    expect(test.failedStep).toBe('redirects');
    const redirects = stepOf(test, 'redirects');
    expect(redirects.evidence.lostAt).toBe(3);
    expect(
      (redirects.evidence.hops as { n: number; clickIdInUrl: boolean }[]).map((h) => h.clickIdInUrl),
    ).toEqual([true, true, false]);
    expect(redirects.summary).toMatch(/click id is lost on the way: hop 3/);
    expect(stepOf(test, 'landing').status).toBe('passed');
    expect(stepOf(test, 'attribution').status).toBe('passed');
    expect(stepOf(test, 'postbacks').status).toBe('skipped');
    expect(test.summary).toMatch(/^Redirect chain failed: the click id is lost on the way: hop 3/);
  });

  it('fails a landing page that answers 200 but is an error page, and one that answers 404', async () => {
    const pid = await partner();
    routes['/soft'] = () => ({
      status: 200,
      body: PAGE('Page not found – Broker', '<h1>Sorry</h1><p>This page is gone, try the home page.</p>'),
      headers: { 'content-type': 'text/html' },
    });
    const soft = (await run({ linkId: (await link(pid, `${web.url}/soft?cid={click_id}`)).id })).json();
    expect(soft.failedStep).toBe('landing');
    expect(stepOf(soft, 'landing').summary).toMatch(
      /answered 200 but is an error page: its title says "Page not found/,
    );

    const hard = (await run({ linkId: (await link(pid, `${web.url}/missing?cid={click_id}`)).id })).json();
    expect(stepOf(hard, 'landing').summary).toMatch(/answered 404/);

    const wrongPage = (
      await run({
        linkId: (await link(pid, `${web.url}/open-account?cid={click_id}`)).id,
        expectText: 'Zero-spread week',
      })
    ).json();
    expect(stepOf(wrongPage, 'landing').summary).toMatch(
      /does not show the expected text "Zero-spread week"/,
    );
  });

  it('fails the postback step when the partner endpoint answers 200 with a rejection, and warns about empty macros', async () => {
    const pid = await partner();
    const l = await link(pid, `${web.url}/open-account?cid={click_id}`);
    await postback(pid, 'registration', `${tracker.url}/pb?clickid={click_id}&tx={txid}&payout={payout}`);
    trackerAnswer = () => ({
      status: 200,
      body: '{"status":"error","message":"unknown click"}',
      headers: { 'content-type': 'application/json' },
    });
    const rejected = (await run({ linkId: l.id })).json();
    expect(rejected.failedStep).toBe('postbacks');
    expect(stepOf(rejected, 'postbacks').summary).toMatch(
      /registration postback: 2xx with a rejection in the body \("status": "error"\)/,
    );

    trackerAnswer = () => ({ status: 200, body: 'OK' });
    const warned = (await run({ linkId: l.id })).json();
    expect(warned.status).toBe('passed');
    const pb = stepOf(warned, 'postbacks');
    expect(pb.status).toBe('warning');
    expect((pb.evidence.warnings as string[]).join(' ')).toMatch(
      /\{payout\} rendered empty \(commissions are not calculated/,
    );
    expect(warned.summary).toMatch(/with warnings/);
  });

  it('answers 202 at once and shows progress to a poller; refuses bad, paused and concurrent runs clearly', async () => {
    const pid = await partner();
    const l = await link(pid, `${web.url}/open-account?cid={click_id}`);
    const started = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tracking-tests',
      headers: admin,
      payload: { linkId: l.id },
    });
    expect(started.statusCode).toBe(202);
    expect(started.headers.location).toBe(`/api/v1/tracking-tests/${started.json().id}`);
    expect(started.json().status).toBe('running');
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tracking-tests',
      headers: admin,
      payload: { linkId: l.id },
    });
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).detail).toMatch(/already running/);
    await trackingQaRunnerOf(t.app)?.wait(started.json().id, 60_000);
    const done = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tracking-tests/${started.json().id}`,
      headers: admin,
    });
    expect(done.json().status).toBe('passed');

    const unknown = await run({ linkId: 'lnk_nope' });
    expect(unknown.statusCode).toBe(422);
    expect(problemOf(unknown).errors?.[0]?.field).toBe('body.linkId');
    const badBody = await run({ linkId: l.id, eventTypes: ['signup'] });
    expect(badBody.statusCode).toBe(422);
    expect(problemOf(badBody).errors?.[0]?.field).toMatch(/eventTypes/);

    const paused = await t.app.inject({
      method: 'POST',
      url: `/api/v1/links/${l.id}/pause`,
      headers: admin,
      payload: {},
    });
    expect(paused.statusCode).toBe(200);
    const refused = await run({ linkId: l.id });
    expect(refused.statusCode).toBe(409);
    expect(problemOf(refused).detail).toMatch(/is paused: activate it/);
  });

  it('lets BDMs test only their own partners, Compliance read but not run, and partner users read only their own', async () => {
    const bdm = await t.userSession('bdm');
    const own = await partner(bdm.id);
    const other = await partner();
    const ownLink = await link(own, `${web.url}/open-account?cid={click_id}`);
    const otherLink = await link(other, `${web.url}/open-account?cid={click_id}`);
    expect((await run({ linkId: ownLink.id }, bdm.headers)).statusCode).toBe(201);
    const denied = await run({ linkId: otherLink.id }, bdm.headers);
    expect(denied.statusCode).toBe(403);
    const compliance = await t.keyFor('compliance');
    expect((await run({ linkId: ownLink.id }, compliance)).statusCode).toBe(403);
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tracking-tests?partnerId=${own}`,
      headers: compliance,
    });
    expect(list.json().data).toHaveLength(1);

    const partnerKey = await t.keyFor('partner', own);
    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/tracking-tests', headers: partnerKey });
    expect(mine.json().data.map((x: { partnerId: string }) => x.partnerId)).toEqual([own]);
    const id = mine.json().data[0].id;
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/tracking-tests/${id}`, headers: partnerKey }))
        .statusCode,
    ).toBe(200);
    const otherKey = await t.keyFor('partner', other);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/tracking-tests/${id}`, headers: otherKey }))
        .statusCode,
    ).toBe(404);
  });

  it('monitors re-run active partners, raise a flag on the second failure in a row and resolve it when fixed', async () => {
    const pid = await partner();
    const l = await link(pid, `${web.url}/open-account?cid={click_id}`);
    expect((await run({ linkId: l.id })).json().status).toBe('passed');
    const runner = trackingQaRunnerOf(t.app);
    if (!runner) throw new Error('no runner');
    const due = () =>
      t.store.db
        .updateTable('tracking_monitors')
        .set({ next_run_at: '2000-01-01T00:00:00.000Z' })
        .where('link_id', '=', l.id)
        .execute();
    const monitor = () =>
      t.store.db
        .selectFrom('tracking_monitors')
        .selectAll()
        .where('link_id', '=', l.id)
        .executeTakeFirstOrThrow();

    // The partner is not active yet: the schedule leaves it alone.
    await due();
    expect((await runMonitorCycle(t.store, runner)).claimed).toBe(0);
    // (Onboarding is tested elsewhere; here the partner is simply put live.)
    await t.store.db
      .updateTable('partners')
      .set({ stage: 'active', updated_at: nowIso() })
      .where('id', '=', pid)
      .execute();

    routes['/open-account'] = () => ({ status: 500, body: PAGE('Internal Server Error') });
    await due();
    const first = await runMonitorCycle(t.store, runner);
    expect(first).toMatchObject({ claimed: 1, failed: 1, flagged: 0 });
    expect(await monitor()).toMatchObject({
      last_status: 'failed',
      consecutive_failures: 1,
      open_flag_id: null,
    });
    expect(Date.parse((await monitor()).next_run_at)).toBeLessThan(Date.now() + 16 * 60_000);

    await due();
    const second = await runMonitorCycle(t.store, runner);
    expect(second).toMatchObject({ claimed: 1, failed: 1, flagged: 1 });
    const flagId = (await monitor()).open_flag_id as string;
    const flag = await t.store.db
      .selectFrom('risk_flags')
      .selectAll()
      .where('id', '=', flagId)
      .executeTakeFirstOrThrow();
    expect(flag).toMatchObject({ partner_id: pid, category: 'tracking', status: 'open' });
    expect(flag.title).toMatch(new RegExp(`link ${l.code} broke: landing failed`));

    routes['/open-account'] = () => ({ status: 200, body: PAGE('Open an account') });
    await due();
    expect(await runMonitorCycle(t.store, runner)).toMatchObject({ claimed: 1, passed: 1, resolved: 1 });
    expect(await monitor()).toMatchObject({
      last_status: 'passed',
      consecutive_failures: 0,
      open_flag_id: null,
    });
    const resolved = await t.store.db
      .selectFrom('risk_flags')
      .selectAll()
      .where('id', '=', flagId)
      .executeTakeFirstOrThrow();
    expect(resolved.status).toBe('resolved');
    const tests = await t.store.db
      .selectFrom('tracking_tests')
      .select('trigger')
      .where('link_id', '=', l.id)
      .execute();
    expect(tests.filter((x) => x.trigger === 'monitor')).toHaveLength(3);

    // Turning the monitor off stops it.
    const off = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/links/${l.id}/monitor`,
      headers: admin,
      payload: { enabled: false, intervalHours: 12 },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ enabled: false, intervalHours: 12 });
    await due();
    expect((await runMonitorCycle(t.store, runner)).claimed).toBe(0);
    const bad = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/links/${l.id}/monitor`,
      headers: admin,
      payload: { enabled: true, intervalHours: 0 },
    });
    expect(bad.statusCode).toBe(422);
    expect(problemOf(bad).errors?.[0]?.field).toBe('body.intervalHours');
  });
});
