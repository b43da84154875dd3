import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { partnerDayDiff } from '../../../test/support/rollup-check.ts';
import { newId } from '../../platform/ids.ts';
import { runOutboxCycle } from '../postbacks/index.ts';
import { nowIso } from '../../platform/time.ts';

async function insertPartner(t: TestApp, name: string, referral: string): Promise<string> {
  const id = newId('partner');
  const now = nowIso();
  await t.store.db
    .insertInto('partners')
    .values({
      id,
      display_name: name,
      legal_name: null,
      kind: 'company',
      type: 'ib',
      stage: 'active',
      parent_id: null,
      country: 'CY',
      languages: '[]',
      websites: '[]',
      traffic_sources: '[]',
      email: null,
      phone: null,
      owner_id: null,
      tier: null,
      referral_code: referral,
      tags: '[]',
      custom_fields: '{}',
      search_text: name.toLowerCase(),
      archived_at: null,
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  return id;
}

const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

describe('events in', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  let partnerA: string;
  let partnerB: string;
  let linkCode: string;
  let linkId: string;
  let source: { id: string; token: string };

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true', PARTNERDESK_WORKERS: 'false' });
    ops = await t.keyFor('ops');
    partnerA = await insertPartner(t, 'Alpha IB', 'ALPHA1');
    partnerB = await insertPartner(t, 'Beta Media', 'BETA22');
    const link = await t.app.inject({
      method: 'POST',
      url: '/api/v1/links',
      headers: ops,
      payload: {
        partnerId: partnerA,
        name: 'Main',
        landingUrl: 'https://broker.example/open?cid={click_id}',
      },
    });
    expect(link.statusCode).toBe(201);
    linkCode = link.json().code;
    linkId = link.json().id;
    const src = await t.app.inject({
      method: 'POST',
      url: '/api/v1/event-sources',
      headers: ops,
      payload: { name: 'Back office', kind: 'back_office' },
    });
    expect(src.statusCode).toBe(201);
    source = { id: src.json().id, token: src.json().token };
  });
  afterAll(async () => t?.close());

  async function click(sub1?: string): Promise<string> {
    const res = await t.app.inject({
      method: 'GET',
      url: `/c/${linkCode}${sub1 ? `?sub1=${sub1}` : ''}`,
      headers: { 'user-agent': BROWSER },
    });
    expect(res.statusCode).toBe(302);
    return new URL(res.headers.location as string).searchParams.get('cid') as string;
  }
  // Events happen a minute after their click unless said otherwise (the programme's minimum is 1 s).
  const later = () => new Date(Date.now() + 60_000).toISOString();
  const postback = (q: Record<string, string>) =>
    t.app.inject({
      method: 'GET',
      url: `/postback?${new URLSearchParams({ token: source.token, occurred_at: later(), ...q })}`,
    });
  const count = async (table: 'events' | 'clients' | 'outbox' | 'event_inbox') =>
    Number(
      (
        await t.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('shows the token once and never again', async () => {
    expect(source.token).toMatch(/^pds_/);
    const got = await t.app.inject({
      method: 'GET',
      url: `/api/v1/event-sources/${source.id}`,
      headers: ops,
    });
    expect(got.statusCode).toBe(200);
    expect(got.body).not.toContain(source.token);
    expect(got.json().tokenHint).toBe(source.token.slice(-4));
  });

  it('attributes a registration by click id, and a replay answers the original and writes nothing', async () => {
    const cid = await click('spring');
    const res = await postback({ event: 'registration', txid: 'reg-1', click_id: cid, client_id: 'ACC-1' });
    expect(res.statusCode).toBe(200);
    const first = res.json();
    expect(first).toMatchObject({ status: 'accepted', partnerId: partnerA, attribution: 'click' });
    const before = await count('events');
    const again = await postback({ event: 'registration', txid: 'reg-1', click_id: cid, client_id: 'ACC-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'duplicate', eventId: first.eventId, partnerId: partnerA });
    expect(await count('events')).toBe(before);
    const ev = await t.app.inject({ method: 'GET', url: `/api/v1/events/${first.eventId}`, headers: ops });
    expect(ev.json()).toMatchObject({
      linkId,
      subs: ['spring', null, null, null, null],
      clientExternalId: null,
    });
  });

  it('later events follow the client; the first deposit is the FTD and qualifies at 100 USD', async () => {
    const dep1 = await postback({
      event: 'deposit',
      txid: 'd-1',
      client_id: 'ACC-1',
      amount: '50.00',
      currency: 'USD',
    });
    expect(dep1.json()).toMatchObject({
      attribution: 'client',
      partnerId: partnerA,
      isFtd: true,
      isQualifiedFtd: false,
    });
    const dep2 = await postback({
      event: 'deposit',
      txid: 'd-2',
      client_id: 'ACC-1',
      amount: '500.00',
      currency: 'USD',
    });
    expect(dep2.json()).toMatchObject({ attribution: 'client', isFtd: false, isQualifiedFtd: false });
    // A click of another partner does not steal a client that is already attributed.
    const trade = await postback({
      event: 'trade',
      txid: 't-1',
      client_id: 'ACC-1',
      ref: 'BETA22',
      lots: '1.25',
      instrument_group: 'forex',
      revenue: '12.50',
      currency: 'USD',
    });
    expect(trade.json()).toMatchObject({ attribution: 'client', partnerId: partnerA });
    const roll = await t.store.db
      .selectFrom('event_rollups')
      .selectAll()
      .where('partner_id', '=', partnerA)
      .execute();
    const sum = (
      k:
        | 'registrations'
        | 'ftds'
        | 'deposits'
        | 'deposit_amount_minor'
        | 'lots'
        | 'revenue_minor'
        | 'qualified_ftds',
    ) => roll.reduce((n, r) => n + Number(r[k]), 0);
    expect(sum('registrations')).toBe(1);
    expect(sum('ftds')).toBe(1);
    expect(sum('qualified_ftds')).toBe(0);
    expect(sum('deposits')).toBe(2);
    expect(sum('deposit_amount_minor')).toBe(55_000);
    expect(sum('lots')).toBe(125);
    expect(sum('revenue_minor')).toBe(1250);
    // Revenue is money: a trade without an amount still keeps its revenue under its currency, so stats show it.
    expect(roll.filter((r) => Number(r.revenue_minor) > 0).map((r) => r.currency)).toEqual(['USD']);
    const stats = await t.app.inject({ method: 'GET', url: `/api/v1/stats?groupBy=partner&partnerId=${partnerA}`, headers: ops });
    expect(stats.statusCode, stats.body).toBe(200);
    const usd = stats.json().totals.money.find((m: { currency: string }) => m.currency === 'USD');
    expect(usd).toMatchObject({ revenueMinor: 1250, depositAmountMinor: 55_000 });
  });

  it('qualifies an FTD of at least the programme amount', async () => {
    const cid = await click();
    const r = await postback({
      event: 'ftd',
      txid: 'f-9',
      client_id: 'ACC-9',
      click_id: cid,
      amount: '100',
      currency: 'USD',
    });
    expect(r.json()).toMatchObject({ attribution: 'click', isFtd: true, isQualifiedFtd: true });
  });

  it('refuses a forged click id, a too-fast conversion and an unknown referral code (stored unattributed)', async () => {
    const cid = await click();
    // Change the second-to-last character to another one (choosing by the last character left the id
    // unchanged whenever its second-to-last was already the replacement: a 1-in-32 flake).
    const forged = `${cid.slice(0, -2)}${cid.at(-2) === 'A' ? 'B' : 'A'}${cid.slice(-1)}`;
    expect(forged).not.toBe(cid);
    const f = await postback({ event: 'registration', txid: 'forged-1', click_id: forged });
    expect(f.json()).toMatchObject({
      status: 'accepted',
      attribution: 'none',
      attributionNote: 'forged_click_id',
      partnerId: null,
    });
    const fresh = await click();
    const fast = await postback({
      event: 'registration',
      txid: 'fast-1',
      click_id: fresh,
      occurred_at: new Date().toISOString(),
    });
    expect(fast.json()).toMatchObject({ attribution: 'none', attributionNote: 'too_fast' });
    const ref = await postback({ event: 'registration', txid: 'ref-x', ref: 'NOPE' });
    expect(ref.json()).toMatchObject({ attribution: 'none', attributionNote: 'unknown_referral_code' });
    const byRef = await postback({
      event: 'registration',
      txid: 'ref-ok',
      ref: 'beta22',
      client_id: 'ACC-B1',
    });
    expect(byRef.json()).toMatchObject({ attribution: 'referral', partnerId: partnerB });
  });

  it('answers 422 naming the fields and keeps the raw request in the inbox; an unknown token is 401 and not kept', async () => {
    const inbox = await count('event_inbox');
    const bad = await postback({ event: 'deposit', txid: 'bad-1', amount: '12.345', currency: 'USD' });
    expect(bad.statusCode).toBe(422);
    const p = problemOf(bad);
    expect((p.errors ?? []).map((e) => e.field)).toContain('query.amount');
    expect(await count('event_inbox')).toBe(inbox + 1);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/event-inbox?status=open', headers: ops });
    expect(list.json().data[0].raw).toContain('txid=bad-1');
    expect(list.json().data[0].raw).not.toContain(source.token);
    const missing = await postback({ event: 'rocket', txid: '' });
    expect(
      (problemOf(missing).errors ?? []).map((e) => e.field)
        .sort(),
    ).toEqual(['query.event', 'query.txid']);
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/postback?token=nope&event=registration&txid=1',
    });
    expect(unknown.statusCode).toBe(401);
    expect(await count('event_inbox')).toBe(inbox + 2);
  });

  it('accepts POST as a form and as JSON', async () => {
    const form = await t.app.inject({
      method: 'POST',
      url: `/postback?token=${source.token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'event=kyc_approved&txid=kyc-1&client_id=ACC-1',
    });
    expect(form.statusCode).toBe(200);
    expect(form.json()).toMatchObject({ attribution: 'client', partnerId: partnerA });
    const json = await t.app.inject({
      method: 'POST',
      url: '/postback',
      headers: { 'content-type': 'application/json' },
      payload: {
        token: source.token,
        event: 'withdrawal',
        txid: 'w-1',
        client_id: 'ACC-1',
        amount: 20,
        currency: 'USD',
      },
    });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ status: 'accepted', partnerId: partnerA });
  });

  it('takes a JSON batch: results in order, duplicates answered, one bad event rejects the whole batch', async () => {
    const before = await count('events');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: ops,
      payload: {
        sourceId: source.id,
        events: [
          { type: 'registration', txid: 'b-1', referralCode: 'ALPHA1', clientId: 'ACC-20' },
          { type: 'deposit', txid: 'b-2', clientId: 'ACC-20', amount: '300.00', currency: 'EUR' },
          { type: 'registration', txid: 'b-1', referralCode: 'ALPHA1', clientId: 'ACC-20' },
          { type: 'registration', txid: 'reg-1' },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.duplicates).toBe(2);
    expect(body.results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'accepted',
      'duplicate',
      'duplicate',
    ]);
    expect(body.results[2].eventId).toBe(body.results[0].eventId);
    expect(body.results[1]).toMatchObject({ attribution: 'client', isFtd: true, isQualifiedFtd: false });
    expect(await count('events')).toBe(before + 2);

    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: ops,
      payload: {
        sourceId: source.id,
        events: [
          { type: 'registration', txid: 'ok-1' },
          { type: 'trade', txid: 'tr-1' },
        ],
      },
    });
    expect(bad.statusCode).toBe(422);
    expect((problemOf(bad).errors ?? []).map((e) => e.field)).toEqual(['body.events[1].lots']);
    expect(await count('events')).toBe(before + 2);
    const tooMany = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: ops,
      payload: {
        sourceId: source.id,
        events: Array.from({ length: 1001 }, (_, i) => ({ type: 'registration', txid: `m${i}` })),
      },
    });
    expect(tooMany.statusCode).toBe(422);
    const partnerKey = await t.keyFor('partner', partnerA);
    const denied = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: partnerKey,
      payload: { sourceId: source.id, events: [] },
    });
    expect(denied.statusCode).toBe(403);
  });

  it('keeps test events out of the rollups', async () => {
    const sumRegs = async () =>
      (
        await t.store.db
          .selectFrom('event_rollups')
          .select('registrations')
          .where('partner_id', '=', partnerB)
          .execute()
      ).reduce((n, r) => n + Number(r.registrations), 0);
    const before = await sumRegs();
    const r = await postback({ event: 'registration', txid: 'qa-1', ref: 'BETA22', test: '1' });
    expect(r.json()).toMatchObject({ status: 'accepted', partnerId: partnerB });
    expect(await sumRegs()).toBe(before);
    expect((await partnerDayDiff(t.store.db)).diffs).toEqual([]);
    const ev = await t.app.inject({ method: 'GET', url: `/api/v1/events/${r.json().eventId}`, headers: ops });
    expect(ev.json().isTest).toBe(true);
  });

  it('writes an outbox row for an active partner postback, in the same batch as the event', async () => {
    const pb = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerA}/postbacks`,
      headers: ops,
      payload: {
        eventType: 'ftd',
        method: 'GET',
        urlTemplate: 'http://127.0.0.1:9/pb?cid={click_id}&amt={amount}&s1={sub1}',
      },
    });
    expect(pb.statusCode).toBe(201);
    const cid = await click('camp7');
    const before = await count('outbox');
    const r = await postback({
      event: 'deposit',
      txid: 'pbf-1',
      client_id: 'ACC-77',
      click_id: cid,
      amount: '25.50',
      currency: 'USD',
    });
    expect(r.json()).toMatchObject({ isFtd: true });
    const rows = await t.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('key', '=', r.json().eventId)
      .execute();
    expect(rows).toHaveLength(1);
    const payload = JSON.parse(rows[0]?.payload as string);
    expect(payload).toMatchObject({
      partnerId: partnerA,
      eventType: 'ftd',
      values: { click_id: cid, amount: '25.50', currency: 'USD', sub1: 'camp7', link_code: linkCode },
    });
    expect(await count('outbox')).toBe(before + 1);

    // The click story shows the event, its client and the delivery job the outbox turned into.
    await runOutboxCycle(t.store);
    const story = await t.app.inject({ method: 'GET', url: `/api/v1/clicks/${cid}`, headers: ops });
    expect(story.statusCode).toBe(200);
    const s = story.json();
    expect(s).toMatchObject({ id: cid, raw: 'stored', partnerId: partnerA });
    expect(s.events).toHaveLength(1);
    expect(s.events[0]).toMatchObject({ txid: 'pbf-1', isFtd: true, attribution: 'click', clientExternalId: 'ACC-77' });
    expect(s.events[0].postbacks).toHaveLength(1);
    expect(s.events[0].postbacks[0]).toMatchObject({ eventType: 'ftd', status: 'pending' });
    expect(s.clients.map((c: { externalId: string }) => c.externalId)).toEqual(['ACC-77']);
  });

  it('requires a valid signature from a signed source', async () => {
    const src = await t.app.inject({
      method: 'POST',
      url: '/api/v1/event-sources',
      headers: ops,
      payload: { name: 'Payments', kind: 'payments', signed: true },
    });
    const { token, signingSecret } = src.json();
    expect(signingSecret).toMatch(/^whsec_/);
    const url = `/postback?token=${token}&event=registration&txid=sig-1`;
    const unsigned = await t.app.inject({ method: 'GET', url });
    expect(unsigned.statusCode).toBe(401);
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', signingSecret).update(`${ts}.${url}`).digest('hex');
    const signed = await t.app.inject({
      method: 'GET',
      url,
      headers: { 'x-partnerdesk-signature': `t=${ts},v1=${sig}` },
    });
    expect(signed.statusCode).toBe(200);
    const wrong = await t.app.inject({
      method: 'GET',
      url: `${url}x`,
      headers: { 'x-partnerdesk-signature': `t=${ts},v1=${sig}` },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('moves a client by a four-eyes decision; rollups move with its events', async () => {
    const client = await t.app.inject({
      method: 'GET',
      url: '/api/v1/clients?externalId=ACC-1',
      headers: ops,
    });
    const c = client.json().data[0];
    expect(c.partnerId).toBe(partnerA);
    const ask = await t.app.inject({
      method: 'POST',
      url: `/api/v1/clients/${c.id}/attribution-decisions`,
      headers: ops,
      payload: { partnerId: partnerB, reason: 'Partner B showed the signed referral form' },
    });
    expect(ask.statusCode).toBe(201);
    const self = await t.app.inject({
      method: 'POST',
      url: `/api/v1/attribution-decisions/${ask.json().id}/approve`,
      headers: ops,
      payload: {},
    });
    expect(self.statusCode).toBe(403);
    const lead = await t.keyFor('team_lead');
    const totals = async (p: string) =>
      (await t.store.db.selectFrom('event_rollups').selectAll().where('partner_id', '=', p).execute()).reduce(
        (n, r) => n + Number(r.deposit_amount_minor),
        0,
      );
    const partnerDayTotals = async (p: string) =>
      (
        await t.store.db
          .selectFrom('partner_day_event_rollups')
          .selectAll()
          .where('partner_id', '=', p)
          .execute()
      ).reduce((n, r) => n + Number(r.deposit_amount_minor), 0);
    const aBefore = await totals(partnerA);
    const bBefore = await totals(partnerB);
    expect(await partnerDayTotals(partnerA)).toBe(aBefore);
    expect(await partnerDayTotals(partnerB)).toBe(bBefore);
    const ok = await t.app.inject({
      method: 'POST',
      url: `/api/v1/attribution-decisions/${ask.json().id}/approve`,
      headers: lead,
      payload: { note: 'checked' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('approved');
    expect(await totals(partnerA)).toBe(aBefore - 55_000);
    expect(await totals(partnerB)).toBe(bBefore + 55_000);
    // The partner-day rollups move with them, in the same transaction.
    expect(await partnerDayTotals(partnerA)).toBe(aBefore - 55_000);
    expect(await partnerDayTotals(partnerB)).toBe(bBefore + 55_000);
    expect((await partnerDayDiff(t.store.db)).diffs).toEqual([]);
    const after = await t.app.inject({ method: 'GET', url: `/api/v1/clients/${c.id}`, headers: ops });
    expect(after.json()).toMatchObject({ partnerId: partnerB, attribution: 'manual' });
    expect(after.json().events.every((e: { partnerId: string }) => e.partnerId === partnerB)).toBe(true);
    const next = await postback({
      event: 'deposit',
      txid: 'd-after',
      client_id: 'ACC-1',
      amount: '10',
      currency: 'USD',
    });
    expect(next.json()).toMatchObject({ partnerId: partnerB, attribution: 'manual' });
    const audit = await t.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', c.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['attribution.requested', 'attribution.approved']),
    );
  });
});
