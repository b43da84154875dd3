// Delivery from the outbox: jobs per event and postback, macros and signature on the wire, the retry
// schedule under a pinned clock, redirects, timeouts, 2xx rejections, disabling after 10 consecutive
// failures within 72 hours (with the owner told), and resend. Receivers run on 127.0.0.1 only.
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, systemCtx, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { type Receiver, startReceiver } from '../../platform/net/testing/receiver.ts';
import { nowMs, setClockForTests } from '../../platform/time.ts';
import { writeTransaction } from '../../platform/tx.ts';
import {
  DISABLE_AFTER_FAILURES,
  enqueuePostbackEvent,
  JITTER_FRACTION,
  MAX_ATTEMPTS,
  type MacroValues,
  type PostbackEventType,
  RETRY_DELAYS_MS,
  rejectionIn,
  runDeliveryCycle,
  runOutboxCycle,
} from './index.ts';

const OPTS = { allowPrivateNetwork: true, workerId: 'test-worker' };

describe('postback delivery', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let r: Receiver;
  let redirectTarget: Receiver;
  let clock = Date.parse('2026-03-02T09:00:00.000Z');

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true', PARTNERDESK_WORKERS: 'false' });
    admin = await t.keyFor('admin');
    r = await startReceiver();
    redirectTarget = await startReceiver();
    setClockForTests(() => clock);
  });
  afterAll(async () => {
    setClockForTests(null);
    await r.close();
    await redirectTarget.close();
    await t.close();
  });
  afterEach(() => {
    r.answer = () => ({ status: 200, body: 'OK' });
    r.requests.length = 0;
  });

  const advance = (ms: number) => {
    clock += ms;
  };

  async function newPartner(): Promise<string> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: admin,
      payload: { displayName: `Delivery ${newId('partner').slice(-8)}` },
    });
    return res.json().id as string;
  }

  async function newPostback(
    partnerId: string,
    body: Record<string, unknown>,
  ): Promise<{ id: string; signingSecret: string | null }> {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks`,
      headers: admin,
      payload: body,
    });
    if (res.statusCode !== 201) throw new Error(`postback: ${res.statusCode} ${res.body}`);
    return res.json();
  }

  async function emit(
    partnerId: string,
    eventType: PostbackEventType,
    values: MacroValues = {},
    eventId = newId('outbox'),
  ): Promise<string> {
    await writeTransaction(
      t.store,
      systemCtx,
      async (w) => {
        enqueuePostbackEvent(w, { eventId, partnerId, eventType, values });
      },
      { unauditedBecause: 'test: an event stored by ingestion' },
    );
    return eventId;
  }

  async function deliveriesOf(postbackId: string) {
    return t.store.db
      .selectFrom('postback_deliveries')
      .selectAll()
      .where('postback_id', '=', postbackId)
      .orderBy('id')
      .execute();
  }
  async function attemptsOf(deliveryId: string) {
    return t.store.db
      .selectFrom('postback_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('attempt_no')
      .execute();
  }

  it('turns an event into one job per active postback of that partner and type, once', async () => {
    const p1 = await newPartner();
    const p2 = await newPartner();
    const a = await newPostback(p1, { eventType: 'ftd', urlTemplate: `${r.url}/a?c={click_id}` });
    const b = await newPostback(p1, { eventType: 'ftd', urlTemplate: `${r.url}/b?c={click_id}` });
    const other = await newPostback(p1, { eventType: 'deposit', urlTemplate: `${r.url}/c?c={click_id}` });
    const off = await newPostback(p1, { eventType: 'ftd', urlTemplate: `${r.url}/d?c={click_id}` });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${p1}/postbacks/${off.id}/disable`,
      headers: admin,
      payload: { reason: 'off' },
    });
    const elsewhere = await newPostback(p2, { eventType: 'ftd', urlTemplate: `${r.url}/e?c={click_id}` });

    const eventId = await emit(p1, 'ftd', { click_id: 'clk1' });
    const first = await runOutboxCycle(t.store);
    expect(first).toEqual({ processed: 1, created: 2 });
    expect((await deliveriesOf(a.id)).map((d) => d.event_id)).toEqual([eventId]);
    expect(await deliveriesOf(b.id)).toHaveLength(1);
    for (const id of [other.id, off.id, elsewhere.id]) expect(await deliveriesOf(id)).toHaveLength(0);
    expect(await runOutboxCycle(t.store)).toEqual({ processed: 0, created: 0 });
    // A crash after creating the jobs but before marking the row: consuming it again creates nothing.
    await t.store.db.updateTable('outbox').set({ processed_at: null }).where('key', '=', eventId).execute();
    expect(await runOutboxCycle(t.store)).toEqual({ processed: 1, created: 0 });
    expect(await deliveriesOf(a.id)).toHaveLength(1);

    // A malformed payload is marked with the reason and never retried.
    await writeTransaction(
      t.store,
      systemCtx,
      async (w) => w.outbox({ topic: 'postback.event', key: 'bad', payload: { partnerId: p1 } }),
      { unauditedBecause: 'test' },
    );
    expect(await runOutboxCycle(t.store)).toEqual({ processed: 1, created: 0 });
    const bad = await t.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('key', '=', 'bad')
      .executeTakeFirstOrThrow();
    expect(bad.processed_at).not.toBeNull();
    expect(bad.last_error).toContain('invalid payload');

    const sent = await runDeliveryCycle(t.store, OPTS);
    expect(sent).toEqual({ claimed: 2, succeeded: 2, failed: 0 });
    expect(r.requests.map((q) => q.url).sort()).toEqual(['/a?c=clk1', '/b?c=clk1']);
  });

  it('sends every macro replaced and URL-encoded, signed so the receiver can verify it (GET and POST)', async () => {
    const p = await newPartner();
    const values = {
      click_id: 'clk 1/é',
      sub1: 's1',
      sub2: 's&2',
      sub3: 's3',
      sub4: 's4',
      sub5: 's5',
      txid: 'tx-9',
      amount: '150.25',
      currency: 'EUR',
      payout: '30.00',
      link_code: 'LNK',
      country: 'DE',
      timestamp: '1772442000',
    };
    const all =
      'click_id,sub1,sub2,sub3,sub4,sub5,event,txid,amount,currency,payout,partner_id,link_code,country,timestamp'.split(
        ',',
      );
    const get = await newPostback(p, {
      eventType: 'registration',
      urlTemplate: `${r.url}/g?${all.map((m) => `${m}={${m}}`).join('&')}`,
      generateSigningSecret: true,
    });
    const post = await newPostback(p, {
      eventType: 'registration',
      method: 'POST',
      urlTemplate: `${r.url}/p`,
      bodyTemplate: '{"click":"{click_id}","sub2":"{sub2}","amount":"{amount}","missing":"{payout}"}',
      generateSigningSecret: true,
    });
    await emit(p, 'registration', { ...values, payout: null });
    await runOutboxCycle(t.store);
    const sent = await runDeliveryCycle(t.store, OPTS);
    expect(sent.succeeded).toBe(2);
    const g = r.requests.find((q) => q.url.startsWith('/g'));
    const params = new URL(`http://x${g?.url}`).searchParams;
    expect(Object.fromEntries(params)).toEqual({
      ...values,
      payout: '',
      event: 'registration',
      partner_id: p,
    });
    expect(g?.url).toContain('click_id=clk%201%2F%C3%A9');
    const [, ts, v1] =
      /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(g?.headers['x-partnerdesk-signature'])) ?? [];
    expect(Number(ts)).toBe(Math.floor(nowMs() / 1000));
    expect(
      createHmac('sha256', get.signingSecret as string)
        .update(`${ts}.${r.url}${g?.url}`)
        .digest('hex'),
    ).toBe(v1);

    const pr = r.requests.find((q) => q.url === '/p');
    expect(JSON.parse(pr?.body ?? '')).toEqual({
      click: 'clk 1/é',
      sub2: 's&2',
      amount: '150.25',
      missing: '',
    });
    const [, pts, pv1] =
      /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(pr?.headers['x-partnerdesk-signature'])) ?? [];
    expect(
      createHmac('sha256', post.signingSecret as string)
        .update(`${pts}.${pr?.body}`)
        .digest('hex'),
    ).toBe(pv1);
    const [d] = await deliveriesOf(post.id);
    expect(pr?.headers['x-partnerdesk-delivery']).toBe(d?.id);
    expect(d).toMatchObject({ status: 'succeeded', attempt_no: 1, locked_by: null });
    const [att] = await attemptsOf(d?.id as string);
    expect(att).toMatchObject({
      attempt_no: 1,
      via: 'schedule',
      outcome: 'success',
      status_code: 200,
      response_start: 'OK',
      worker: 'test-worker',
    });
  });

  it('retries on the schedule 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, then gives up', async () => {
    const p = await newPartner();
    const pb = await newPostback(p, { eventType: 'deposit', urlTemplate: `${r.url}/fail?c={click_id}` });
    r.answer = () => ({ status: 500, body: 'Internal error' });
    await emit(p, 'deposit', { click_id: 'c1' });
    await runOutboxCycle(t.store);
    const [d] = await deliveriesOf(pb.id);
    const deliveryHeaders = new Set<string>();
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const before = nowMs();
      const res = await runDeliveryCycle(t.store, OPTS);
      expect(res, `attempt ${n}`).toEqual({ claimed: 1, succeeded: 0, failed: 1 });
      const row = await t.store.db
        .selectFrom('postback_deliveries')
        .selectAll()
        .where('id', '=', d?.id as string)
        .executeTakeFirstOrThrow();
      expect(row.attempt_no).toBe(n);
      deliveryHeaders.add(String(r.requests.at(-1)?.headers['x-partnerdesk-delivery']));
      expect(r.requests.at(-1)?.headers['x-partnerdesk-attempt']).toBe(String(n));
      if (n < MAX_ATTEMPTS) {
        const base = RETRY_DELAYS_MS[n - 1] as number;
        const delay = Date.parse(row.next_attempt_at as string) - before;
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(base * (1 + JITTER_FRACTION));
        expect(row.status).toBe('pending');
        // Not due yet: nothing is sent a moment before the time.
        advance(delay - 1);
        expect((await runDeliveryCycle(t.store, OPTS)).claimed).toBe(0);
        advance(1);
      } else {
        expect(row).toMatchObject({ status: 'dead', next_attempt_at: null });
        expect(row.completed_at).not.toBeNull();
      }
    }
    expect(RETRY_DELAYS_MS.map((ms) => ms / 1000)).toEqual([
      5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400,
    ]);
    expect(deliveryHeaders).toEqual(new Set([d?.id]));
    const attempts = await attemptsOf(d?.id as string);
    expect(attempts.map((a) => [a.attempt_no, a.outcome, a.error, a.status_code])).toEqual(
      Array.from({ length: MAX_ATTEMPTS }, (_, i) => [i + 1, 'failure', 'http_status', 500]),
    );
    advance(48 * 3600_000);
    expect((await runDeliveryCycle(t.store, OPTS)).claimed).toBe(0);
    // The ten failures were spread over more than 72 hours, so the postback stays active.
    const pbRow = await t.store.db
      .selectFrom('partner_postbacks')
      .selectAll()
      .where('id', '=', pb.id)
      .executeTakeFirstOrThrow();
    expect(pbRow.status).toBe('active');
    expect(pbRow.consecutive_failures).toBe(MAX_ATTEMPTS);
  });

  it('treats a redirect as a failure and never follows it', async () => {
    const p = await newPartner();
    const pb = await newPostback(p, { eventType: 'ftd', urlTemplate: `${r.url}/moved?c={click_id}` });
    r.answer = () => ({ status: 302, headers: { location: `${redirectTarget.url}/internal` }, body: '' });
    await emit(p, 'ftd', { click_id: 'c' });
    await runOutboxCycle(t.store);
    expect(await runDeliveryCycle(t.store, OPTS)).toMatchObject({ claimed: 1, failed: 1 });
    const [d] = await deliveriesOf(pb.id);
    const [att] = await attemptsOf(d?.id as string);
    expect(att).toMatchObject({ outcome: 'failure', error: 'redirect', status_code: 302 });
    expect(att?.error_detail).toContain(`${redirectTarget.url}/internal`);
    expect(redirectTarget.connections).toBe(0);
    expect(redirectTarget.requests).toHaveLength(0);
  });

  it('times out a slow endpoint and schedules a retry', async () => {
    const p = await newPartner();
    const pb = await newPostback(p, { eventType: 'trade', urlTemplate: `${r.url}/slow?c={click_id}` });
    r.answer = () => ({ status: 200, body: 'OK', delayMs: 1500 });
    await emit(p, 'trade', { click_id: 'c' });
    await runOutboxCycle(t.store);
    expect(await runDeliveryCycle(t.store, { ...OPTS, totalTimeoutMs: 300 })).toMatchObject({
      claimed: 1,
      failed: 1,
    });
    const [d] = await deliveriesOf(pb.id);
    const [att] = await attemptsOf(d?.id as string);
    expect(att).toMatchObject({
      outcome: 'failure',
      error: 'timeout',
      status_code: null,
      response_start: null,
    });
    expect(att?.latency_ms).toBeGreaterThanOrEqual(250);
    expect(d?.status).toBe('pending');
  });

  it('counts a 2xx with a rejection in its body as a failure', async () => {
    const p = await newPartner();
    const pb = await newPostback(p, { eventType: 'ftd', urlTemplate: `${r.url}/rej?c={click_id}` });
    const bodies = [
      '{"status":"error","message":"unknown click"}',
      '{"success":false}',
      'duplicate',
      'ERROR: invalid txid',
      '<b>Rejected</b>',
    ];
    let i = 0;
    r.answer = () => ({ status: 200, body: bodies[i++ % bodies.length] });
    for (let k = 0; k < bodies.length; k++) await emit(p, 'ftd', { click_id: `c${k}` });
    await runOutboxCycle(t.store);
    expect(await runDeliveryCycle(t.store, OPTS)).toMatchObject({ claimed: 5, succeeded: 0, failed: 5 });
    for (const d of await deliveriesOf(pb.id)) {
      const [att] = await attemptsOf(d.id);
      expect(att).toMatchObject({ outcome: 'failure', error: 'rejected_body', status_code: 200 });
      expect(att?.error_detail).toContain('2xx with a rejection in the body');
    }
    expect(rejectionIn('OK')).toBeNull();
    expect(rejectionIn('{"status":"ok","errors":[]}')).toBeNull();
    expect(rejectionIn('1')).toBeNull();
    expect(rejectionIn(`<html>${'welcome '.repeat(40)} error page</html>`)).toBeNull(); // long pages are not guessed at
  });

  it('disables a postback after 10 consecutive failures within 72 hours and tells the owner', async () => {
    const owner = await t.userSession('bdm');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: admin,
      payload: { displayName: 'Failing Tracker', ownerId: owner.id },
    });
    const p = res.json().id as string;
    const pb = await newPostback(p, { eventType: 'ftd', urlTemplate: `${r.url}/down?c={click_id}` });
    r.answer = () => ({ status: 503, body: 'maintenance' });

    // 9 failures, then a success: the streak starts over.
    for (let k = 0; k < 9; k++) await emit(p, 'ftd', { click_id: `a${k}` });
    await runOutboxCycle(t.store);
    expect(await runDeliveryCycle(t.store, OPTS)).toMatchObject({ failed: 9 });
    r.answer = () => ({ status: 200, body: 'OK' });
    await emit(p, 'ftd', { click_id: 'ok' });
    await runOutboxCycle(t.store);
    expect(await runDeliveryCycle(t.store, OPTS)).toMatchObject({ claimed: 1, succeeded: 1 });

    // 9 failures, then 73 hours later one more: only one of them is within the window.
    r.answer = () => ({ status: 503, body: 'maintenance' });
    advance(1000);
    for (let k = 0; k < 9; k++) await emit(p, 'ftd', { click_id: `b${k}` });
    await runOutboxCycle(t.store);
    expect(await runDeliveryCycle(t.store, OPTS)).toMatchObject({ failed: 9 });
    advance(73 * 3600_000);
    // Retries still waiting (here and from earlier tests) would now be due; take them out of the way.
    await t.store.db
      .updateTable('postback_deliveries')
      .set({ status: 'dead', next_attempt_at: null })
      .where('status', '=', 'pending')
      .execute();
    await emit(p, 'ftd', { click_id: 'late' });
    await runOutboxCycle(t.store);
    expect(await runDeliveryCycle(t.store, OPTS)).toMatchObject({ claimed: 1, failed: 1 });
    let row = await t.store.db
      .selectFrom('partner_postbacks')
      .selectAll()
      .where('id', '=', pb.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
    expect(row.consecutive_failures).toBe(10);

    // A test fire that fails does not count.
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${p}/postbacks/${pb.id}/test`,
      headers: admin,
      payload: {},
    });

    // More failures within the window: the 9th of these is the 10th in 72 hours → disabled, the remaining
    // jobs cancelled, the owner told.
    advance(1000);
    for (let k = 0; k < 11; k++) await emit(p, 'ftd', { click_id: `c${k}` });
    await runOutboxCycle(t.store);
    const cycle = await runDeliveryCycle(t.store, { ...OPTS, concurrency: 1 });
    expect(cycle.claimed).toBe(11);
    row = await t.store.db
      .selectFrom('partner_postbacks')
      .selectAll()
      .where('id', '=', pb.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('disabled');
    expect(row.disabled_reason).toContain(
      `${DISABLE_AFTER_FAILURES} consecutive failed deliveries within 72 hours`,
    );
    // Sent one by one: after the 9th of this batch the last two jobs were cancelled, not sent.
    const attemptsAfterDisable = await t.store.db
      .selectFrom('postback_attempts')
      .select('id')
      .where('postback_id', '=', pb.id)
      .where('started_at', '>', new Date(clock - 500).toISOString())
      .execute();
    expect(attemptsAfterDisable).toHaveLength(9);
    const pending = (await deliveriesOf(pb.id)).filter((d) => d.status === 'pending');
    expect(pending).toEqual([]);
    // Every job waiting for a retry is cancelled; two were cancelled before their first attempt.
    const cancelled = (await deliveriesOf(pb.id)).filter((d) => d.status === 'cancelled');
    expect(cancelled.filter((d) => d.attempt_no === 0)).toHaveLength(2);
    expect(cancelled.filter((d) => d.attempt_no > 0)).toHaveLength(10);

    const flags = await t.store.db.selectFrom('risk_flags').selectAll().where('partner_id', '=', p).execute();
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ category: 'tracking', status: 'open', blocking: 0 });
    expect(flags[0]?.title).toContain('disabled after 10 consecutive failures');
    const audit = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('entity_id', '=', pb.id)
      .orderBy('seq')
      .execute();
    expect(audit.at(-1)).toEqual({ action: 'postback.disabled', actor_type: 'system' });
    // The owner BDM sees the flag in the risk list of their partner.
    const signedIn = await t.sessionFor(owner.email, owner.password); // days have passed on the pinned clock
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/v1/risk-flags?partnerId=${p}`,
      headers: signedIn.headers,
    });
    expect(list.json().data.map((f: { category: string }) => f.category)).toEqual(['tracking']);

    // Disabled: new events create no jobs; resend is refused until it is enabled again.
    await emit(p, 'ftd', { click_id: 'after' });
    expect(await runOutboxCycle(t.store)).toEqual({ processed: 1, created: 0 });
    const anyDelivery = (await deliveriesOf(pb.id))[0];
    const resend = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${p}/postbacks/deliveries/${anyDelivery?.id}/resend`,
      headers: admin,
    });
    expect(resend.statusCode).toBe(409);
  });

  it('resends a dead delivery now as a new attempt, and refuses while a worker holds it', async () => {
    const p = await newPartner();
    const pb = await newPostback(p, { eventType: 'withdrawal', urlTemplate: `${r.url}/w?c={click_id}` });
    r.answer = () => ({ status: 500, body: 'no' });
    await emit(p, 'withdrawal', { click_id: 'w1' });
    await runOutboxCycle(t.store);
    await runDeliveryCycle(t.store, OPTS);
    const [d] = await deliveriesOf(pb.id);
    // Held by a worker right now: a resend must not send a second copy alongside it.
    await t.store.db
      .updateTable('postback_deliveries')
      .set({ locked_by: 'other', locked_until: new Date(clock + 30_000).toISOString() })
      .where('id', '=', d?.id as string)
      .execute();
    const busy = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${p}/postbacks/deliveries/${d?.id}/resend`,
      headers: admin,
    });
    expect(busy.statusCode).toBe(409);
    await t.store.db
      .updateTable('postback_deliveries')
      .set({ locked_by: null, locked_until: null, status: 'dead', next_attempt_at: null })
      .where('id', '=', d?.id as string)
      .execute();
    r.answer = () => ({ status: 200, body: 'OK' });
    r.requests.length = 0;
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${p}/postbacks/deliveries/${d?.id}/resend`,
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().attempt).toMatchObject({ attemptNo: 2, via: 'resend', outcome: 'success' });
    expect(res.json().delivery).toMatchObject({ status: 'succeeded', attemptCount: 2 });
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]?.headers['x-partnerdesk-delivery']).toBe(d?.id);
    const audit = await t.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', pb.id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['postback.created', 'postback.resend']);
  });
});
