// `partnerdesk simulate` against the real app listening on a free port: the database agrees with the
// simulator's own account — clicks stored = clicks answered 302 (bots and repeat visits marked), events
// stored = events accepted, replays answered "duplicate" and not stored, event rollups = the non-test
// attributed events — and test events never reach the rollups.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { formatSummary, SimulateError, type SimulationSummary, simulate } from './index.ts';

describe('partnerdesk simulate', () => {
  let t: TestApp;
  let url = '';
  let opsKey = '';
  const partners: string[] = [];
  let first: SimulationSummary;

  const rollups = async () => {
    const r = await t.store.db
      .selectFrom('event_rollups')
      .select([
        sql<number>`coalesce(sum(registrations), 0)`.as('registrations'),
        sql<number>`coalesce(sum(kyc_approved), 0)`.as('kycApproved'),
        sql<number>`coalesce(sum(ftds), 0)`.as('ftds'),
        sql<number>`coalesce(sum(qualified_ftds), 0)`.as('qualifiedFtds'),
        sql<number>`coalesce(sum(ftd_amount_minor), 0)`.as('ftdAmountMinor'),
        sql<number>`coalesce(sum(deposits), 0)`.as('deposits'),
        sql<number>`coalesce(sum(deposit_amount_minor), 0)`.as('depositAmountMinor'),
        sql<number>`coalesce(sum(withdrawals), 0)`.as('withdrawals'),
        sql<number>`coalesce(sum(withdrawal_amount_minor), 0)`.as('withdrawalAmountMinor'),
        sql<number>`coalesce(sum(trades), 0)`.as('trades'),
        sql<number>`coalesce(sum(lots), 0)`.as('lots'),
        sql<number>`coalesce(sum(revenue_minor), 0)`.as('revenueMinor'),
        sql<number>`coalesce(sum(chargebacks), 0)`.as('chargebacks'),
        sql<number>`coalesce(sum(chargeback_amount_minor), 0)`.as('chargebackAmountMinor'),
      ])
      .executeTakeFirstOrThrow();
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));
  };
  const countClicks = async (where: 'all' | 'bots' | 'duplicates') => {
    let q = t.store.db.selectFrom('clicks').select((eb) => eb.fn.countAll().as('n'));
    if (where === 'bots') q = q.where('is_bot', '=', 1);
    if (where === 'duplicates') q = q.where('is_duplicate', '=', 1);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_TRUST_PROXY: 'true', PARTNERDESK_WORKERS: 'false' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    url = `http://127.0.0.1:${address.port}`;
    const admin = await t.keyFor('admin');
    opsKey = (await t.keyFor('ops')).authorization?.replace('Bearer ', '') ?? '';
    for (const name of ['Alpha Markets IB', 'Beta Media', 'Gamma Signals']) {
      const p = await t.app.inject({
        method: 'POST',
        url: '/api/v1/partners',
        headers: admin,
        payload: { displayName: name },
      });
      expect(p.statusCode, p.body).toBe(201);
      partners.push(p.json().id);
    }
    const links: [string | undefined, string][] = [
      [partners[0], 'https://broker.example/open?cid={click_id}&c={sub1}'],
      [partners[0], 'https://broker.example/promo'],
      [partners[1], 'https://broker.example/r/{sub1}/{sub2}?click={click_id}'],
      [partners[2], 'https://broker.example/open?x=1'],
    ];
    for (const [partnerId, landingUrl] of links) {
      const l = await t.app.inject({
        method: 'POST',
        url: '/api/v1/links',
        headers: admin,
        payload: { partnerId: partnerId as string, name: 'Main', landingUrl },
      });
      expect(l.statusCode, l.body).toBe(201);
    }
  }, 60_000);
  afterAll(async () => t?.close());

  it('drives 300 clicks and their clients, and the database agrees with its account', async () => {
    const notes: string[] = [];
    let finals = 0;
    first = await simulate({
      url,
      apiKey: opsKey,
      clicks: 300,
      seed: 42,
      concurrency: 10,
      onNote: (m) => notes.push(m),
      onProgress: (_p, final) => {
        if (final) finals++;
      },
    });
    expect(first.problems).toEqual([]);
    expect(first.ok).toBe(true);
    expect(finals).toBe(1);
    expect(first.source.how).toBe('created');
    expect(first.links).toBe(4);
    expect(first.partners).toBe(3);

    // Clicks: every click answered 302 is stored once, with the bot and duplicate marks the model intended.
    expect(first.clicks.answered302).toBe(300);
    expect(await countClicks('all')).toBe(300);
    expect(await countClicks('bots')).toBe(first.clicks.bots);
    expect(await countClicks('duplicates')).toBe(first.clicks.repeats);
    expect(first.clicks.bots).toBeGreaterThan(0);
    const clickRollup = await t.store.db
      .selectFrom('click_rollups')
      .select(sql<number>`sum(clicks)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(clickRollup.n)).toBe(300);

    // Events: accepted = stored (the same ids), replays answered duplicate and not stored.
    expect(first.clients).toBeGreaterThan(3);
    expect(first.events.accepted).toBeGreaterThan(first.clients);
    expect(first.events.rejected + first.events.failed).toBe(0);
    const stored = await t.store.db
      .selectFrom('events')
      .select(['id', 'txid', 'type', 'attribution', 'is_test'])
      .where('source_id', '=', first.source.id as string)
      .execute();
    expect(stored.length).toBe(first.events.accepted);
    expect(new Set(stored.map((e) => e.id))).toEqual(new Set(first.acceptedEventIds));
    expect(new Set(stored.map((e) => e.txid)).size).toBe(stored.length);
    expect(first.events.replaysDuplicate).toBe(first.events.replaysSent);
    expect(first.events.sent).toBe(first.events.accepted + first.events.replaysSent);
    expect(stored.every((e) => Number(e.is_test) === 0)).toBe(true);
    // Registrations are attributed by their click (never too fast, never in the future); later events follow the client.
    expect(stored.filter((e) => e.type === 'registration').every((e) => e.attribution === 'click')).toBe(
      true,
    );
    expect(stored.every((e) => e.attribution === 'click' || e.attribution === 'client')).toBe(true);
    expect(first.events.attributed).toBe(first.events.accepted);
    for (const [type, c] of Object.entries(first.events.byType))
      expect(stored.filter((e) => e.type === type).length, type).toBe(c.accepted);
    const clients = await t.store.db
      .selectFrom('clients')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(clients.n)).toBe(first.clients);

    // Rollups hold exactly the simulator's non-test attributed events.
    expect(await rollups()).toEqual(first.rollups);
    expect(first.rollups.registrations).toBe(first.clients);

    const lines = formatSummary(first);
    expect(lines[0]).toContain('Simulated 300 clicks on 4 links of 3 partners');
    expect(lines.join('\n')).toContain('Top partners:');
    expect(lines.join('\n')).toMatch(/Alpha Markets IB|Beta Media|Gamma Signals/);
    expect(notes[0]).toContain('4 active links of 3 partners');
  }, 120_000);

  it('sends test events for one partner without touching the rollups, reusing the Simulator source', async () => {
    const before = await rollups();
    const clicksBefore = await countClicks('all');
    const second = await simulate({ url, apiKey: opsKey, clicks: 120, seed: 9, partners: 1, test: true });
    expect(second.problems).toEqual([]);
    expect(second.source).toMatchObject({ how: 'rotated', id: first.source.id });
    expect(second.partners).toBe(1);
    expect(await countClicks('all')).toBe(clicksBefore + 120);
    const firstPartner = [...partners].sort()[0] as string;
    const perPartner = await t.store.db
      .selectFrom('clicks')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('partner_id', '=', firstPartner)
      .executeTakeFirstOrThrow();
    const firstRunOnFirst = first.partnersByActivity.find((p) => p.partnerId === firstPartner)?.clicks ?? 0;
    expect(Number(perPartner.n)).toBe(firstRunOnFirst + 120);
    const tests = await t.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('is_test', '=', 1)
      .executeTakeFirstOrThrow();
    expect(Number(tests.n)).toBe(second.events.accepted);
    expect(second.events.accepted).toBeGreaterThan(0);
    expect(await rollups()).toEqual(before);
  }, 120_000);

  it('refuses a bad API key and an unreachable server with a clear message', async () => {
    await expect(simulate({ url, apiKey: 'pdk_nope', clicks: 10, seed: 1 })).rejects.toThrow(/401.*API key/s);
    await expect(
      simulate({ url: 'http://127.0.0.1:9', apiKey: opsKey, clicks: 10, seed: 1 }),
    ).rejects.toThrow(SimulateError);
  });
});
