// Attribution checks and reconciliation against a partner's CSV, over real traffic sent through the real
// endpoints (/c/{code}, /postback) of an app with a small GeoIP table (127.0.0.0/8 is "US" here).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { type Receiver, startReceiver } from '../../platform/net/testing/receiver.ts';
import { todayUtc } from '../../platform/time.ts';
import { runDeliveryCycle, runOutboxCycle } from '../postbacks/index.ts';

describe('attribution checks and reconciliation', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let tracker: Receiver;
  let token: string;
  let pid: string;
  let other: string;
  let linkCode: string;
  const clickIds: string[] = [];
  const today = todayUtc();

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers = admin) => {
    const res = await t.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return res;
  };
  const postback = async (q: Record<string, string>) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/postback?${new URLSearchParams({ token, ...q })}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pd-geo-'));
    const geo = path.join(dir, 'geo.csv');
    writeFileSync(geo, 'start_ip,end_ip,country\n127.0.0.0,127.255.255.255,US\n');
    t = await createTestApp({
      PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true',
      PARTNERDESK_WORKERS: 'false',
      PARTNERDESK_GEOIP_CSV: geo,
      PARTNERDESK_CLICK_RATE_PER_IP: '0',
    });
    admin = await t.keyFor('admin');
    tracker = await startReceiver(() => ({ status: 500, body: 'tracker down' }));

    const field = await call('POST', '/api/v1/custom-fields', {
      key: 'regulated_entity',
      label: 'Entity',
      type: 'text',
    });
    expect(field.statusCode, field.body).toBe(201);
    expect(
      (
        await call('PUT', '/api/v1/restricted-countries', {
          entries: [{ entity: 'CySEC', country: 'US', reason: 'No US clients' }],
        })
      ).statusCode,
    ).toBe(200);
    const p = await call('POST', '/api/v1/partners', {
      displayName: 'Checks Partner',
      type: 'affiliate',
      customFields: { regulated_entity: 'CySEC' },
    });
    expect(p.statusCode, p.body).toBe(201);
    pid = p.json().id;
    other = (
      await call('POST', '/api/v1/partners', { displayName: 'Other Partner', type: 'affiliate' })
    ).json().id;
    const l = await call('POST', '/api/v1/links', {
      partnerId: pid,
      name: 'Main',
      landingUrl: 'https://broker.example/?cid={click_id}',
      allowedCountries: ['GB'],
    });
    expect(l.statusCode, l.body).toBe(201);
    linkCode = l.json().code;
    const src = await call('POST', '/api/v1/event-sources', { name: 'Back office', kind: 'back_office' });
    expect(src.statusCode, src.body).toBe(201);
    token = src.json().token;
    expect(
      (
        await call('POST', `/api/v1/partners/${pid}/postbacks`, {
          eventType: 'registration',
          urlTemplate: `${tracker.url}/pb?c={click_id}`,
        })
      ).statusCode,
    ).toBe(201);

    for (let i = 0; i < 6; i++) {
      const sub1 = i < 4 ? 'fb' : 'tt';
      const res = await t.app.inject({
        method: 'GET',
        url: `/c/${linkCode}?sub1=${sub1}`,
        headers: { 'user-agent': `Mozilla/5.0 visitor ${i}` },
      });
      expect(res.statusCode).toBe(302);
      clickIds.push(/cid=([^&]+)/.exec(String(res.headers.location))?.[1] as string);
    }
    await new Promise((r) => setTimeout(r, 1100)); // the programme's minimum click-to-event time
    for (let i = 0; i < 3; i++)
      await postback({
        event: 'registration',
        txid: `reg-${i}`,
        click_id: clickIds[i] as string,
        client_id: `acc-${i}`,
      });
    // The same txid arrives again as another event type: double counting waiting to happen.
    await postback({
      event: 'deposit',
      txid: 'reg-0',
      client_id: 'acc-0',
      amount: '150.00',
      currency: 'USD',
    });
    // A forged click id and an event nobody can attribute.
    const forged = `${(clickIds[0] as string).slice(0, 20)}ZZZZZZZZZ`;
    expect(
      (await postback({ event: 'registration', txid: 'forged-1', click_id: forged, client_id: 'acc-x' }))
        .attribution,
    ).toBe('none');
    await postback({ event: 'registration', txid: 'lost-1', client_id: 'acc-y' });
    // The partner's tracker is down: the registrations' postbacks fail.
    await runOutboxCycle(t.store);
    await runDeliveryCycle(t.store, { allowPrivateNetwork: true });
  });
  afterAll(async () => {
    await tracker.close();
    await t.close();
  });

  it('finds orphan events, duplicate txids, restricted-country clicks and failing postbacks', async () => {
    const res = await call('GET', '/api/v1/tracking-checks');
    expect(res.statusCode, res.body).toBe(200);
    const c = res.json();
    expect(c).toMatchObject({ to: today, partnerId: null });
    const reasons = Object.fromEntries(
      c.orphanEvents.byReason.map((r: { reason: string; count: number }) => [r.reason, r.count]),
    );
    expect(reasons).toEqual({ forged_click_id: 1, no_click_id: 1 });
    expect(c.duplicateTxids).toMatchObject({ total: 1, samples: [{ txid: 'reg-0', count: 2 }] });
    expect(c.duplicateTxids.samples[0].events.map((e: { type: string }) => e.type).sort()).toEqual([
      'deposit',
      'registration',
    ]);
    expect(c.restrictedClicks).toMatchObject({
      geoConfigured: true,
      total: 6,
      byCountry: [{ country: 'US', clicks: 6, why: 'restricted_for_entity' }],
    });
    expect(c.restrictedClicks.byCountry[0].detail).toMatch(/CySEC restricts US: No US clients/);
    expect(c.postbacks).toMatchObject([
      { partnerId: pid, eventType: 'registration', attempts: 3, failures: 3, failureRateBp: 10_000 },
    ]);
    expect(c.postbacks[0].lastError).toMatch(/answered 500/);
    expect(c.inboxOpen).toBe(0);

    // For one partner: its own numbers; the other partner has none.
    const mine = (await call('GET', `/api/v1/tracking-checks?partnerId=${pid}`)).json();
    expect(mine.orphanEvents.total).toBe(0); // the forged id names no link; the lost event no partner
    expect(mine.restrictedClicks.total).toBe(6);
    const theirs = (await call('GET', `/api/v1/tracking-checks?partnerId=${other}`)).json();
    expect([theirs.restrictedClicks.total, theirs.postbacks.length, theirs.duplicateTxids.total]).toEqual([
      0, 0, 0,
    ]);

    const tooLong = await call('GET', '/api/v1/tracking-checks?from=2026-01-01&to=2026-03-01');
    expect(tooLong.statusCode).toBe(422);
    expect(problemOf(tooLong).errors?.[0]).toMatchObject({ field: 'query.from' });
    const partnerKey = await t.keyFor('partner', pid);
    expect((await call('GET', '/api/v1/tracking-checks', undefined, partnerKey)).statusCode).toBe(422);
    expect(
      (await call('GET', `/api/v1/tracking-checks?partnerId=${other}`, undefined, partnerKey)).statusCode,
    ).toBe(404);
  });

  it("reconciles a partner's CSV per day and sub-ID in the right bands, and keeps it as evidence", async () => {
    // Ours today: fb 4 clicks, 3 registrations; tt 2 clicks, 0 registrations.
    const csv = `date,sub_id,clicks,registrations\n${today},fb,4,2\n${today},tt,2,0\n`;
    const res = await call('POST', `/api/v1/partners/${pid}/reconciliations`, {
      csv,
      fileName: 'november.csv',
    });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    expect(r).toMatchObject({
      partnerId: pid,
      from: today,
      to: today,
      fileName: 'november.csv',
      rowCount: 2,
      band: 'investigate',
    });
    expect(r.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    const fb = r.result.rows.find((x: { sub1: string }) => x.sub1 === 'fb');
    expect(fb.figures.clicks).toMatchObject({ ours: 4, theirs: 4, band: 'normal' });
    expect(fb.figures.registrations).toMatchObject({
      ours: 3,
      theirs: 2,
      difference: -1,
      differenceBp: 3333,
      band: 'investigate',
    });
    expect(r.result.totals.clicks).toMatchObject({ ours: 6, theirs: 6 });

    const list = (await call('GET', `/api/v1/partners/${pid}/reconciliations`)).json();
    expect(list.data.map((x: { id: string }) => x.id)).toEqual([r.id]);
    const one = await call('GET', `/api/v1/partners/${pid}/reconciliations/${r.id}`);
    expect(one.json().result.rows).toHaveLength(2);
    const audit = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'partner_id'])
      .where('entity_id', '=', r.id)
      .execute();
    expect(audit).toEqual([{ action: 'tracking.reconciled', partner_id: pid }]);

    const bad = await call('POST', `/api/v1/partners/${pid}/reconciliations`, {
      csv: 'date,clicks\n03/12/2026,4\n',
    });
    expect(bad.statusCode).toBe(422);
    expect(problemOf(bad).errors?.[0]).toMatchObject({ field: 'body.csv[row 1].date' });
    const count = await t.store.db.selectFrom('tracking_reconciliations').select('id').execute();
    expect(count).toHaveLength(1);
  });
});
