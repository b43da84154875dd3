// The partner-day rollups answer exactly what the per-link rollups answer, and both equal a recount from the
// raw clicks and events. Random clicks go through the real tracking writer (days in the past, sub1 values,
// bots, duplicates, test clicks), random events through POST /api/v1/events (click, referral and unattributed;
// every type, amounts in two currencies, trades with revenue only, test events, replays), and some clients are
// moved by four-eyes attribution decisions. After every round: partner-day rows = per-link rows summed; and for
// random ranges, groupings and partner filters, GET /api/v1/stats from the partner-day rollups = the same
// query on the per-link rollups (every page, cursors, totals) = a recount of the raw rows.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, systemCtx, type TestApp } from '../../../test/support/app.ts';
import { partnerDayDiff } from '../../../test/support/rollup-check.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type ClickRow, mintClickId, trackingRuntimeOf } from '../tracking/index.ts';
import type { StatsGroupKey, StatsQuery } from './stats.schemas.ts';
import { readStats, type StatsResult, type StatsRow, tablesFor } from './stats.service.ts';

const DAY_MS = 86_400_000;
const SUB1S = [null, 'a', 'B', 'é'] as const;
const EVENT_TYPES = [
  'registration',
  'kyc_approved',
  'ftd',
  'deposit',
  'withdrawal',
  'trade',
  'chargeback',
] as const;
const GROUPINGS: StatsGroupKey[][] = [['partner'], ['day'], ['partner', 'day'], ['day', 'partner']];

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Partner {
  id: string;
  referralCode: string;
}
interface Link {
  id: string;
  seq: number;
  partnerId: string;
}

describe('stats from the partner-day rollups', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  let lead: Record<string, string>;
  let sourceId: string;
  const partners: Partner[] = [];
  const links: Link[] = [];
  let txid = 0;
  let clientSerial = 0;
  const now = Date.now();

  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
    lead = await t.keyFor('team_lead');
    const stamp = nowIso();
    for (let i = 0; i < 3; i++) {
      const id = newId('partner');
      const referralCode = `PD${i}${id.slice(-6)}`;
      await t.store.db
        .insertInto('partners')
        .values({
          id,
          display_name: `Partner-day ${i}`,
          legal_name: null,
          kind: 'company',
          type: 'affiliate',
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
          referral_code: referralCode,
          tags: '[]',
          custom_fields: '{}',
          search_text: `partner-day ${i}`,
          archived_at: null,
          created_at: stamp,
          updated_at: stamp,
          version: 1,
        })
        .execute();
      partners.push({ id, referralCode });
      for (let l = 0; l < (i === 2 ? 1 : 2); l++) {
        const linkId = newId('link');
        const seq = 9000 + links.length;
        await t.store.db
          .insertInto('links')
          .values({
            id: linkId,
            seq,
            partner_id: id,
            code: `pd${seq}${linkId.slice(-6)}`,
            name: `Link ${seq}`,
            landing_url: 'https://broker.example/open?cid={click_id}',
            campaign: null,
            programme_id: null,
            status: 'active',
            allowed_countries: '[]',
            created_by: null,
            created_at: stamp,
            updated_at: stamp,
            version: 1,
          })
          .execute();
        links.push({ id: linkId, seq, partnerId: id });
      }
    }
    const src = await t.app.inject({
      method: 'POST',
      url: '/api/v1/event-sources',
      headers: ops,
      payload: { name: 'Partner-day feed', kind: 'back_office' },
    });
    expect(src.statusCode).toBe(201);
    sourceId = src.json().id;
  });
  afterAll(async () => t?.close());

  const clickArb = fc.record({
    link: fc.nat({ max: 4 }),
    daysBack: fc.nat({ max: 40 }),
    second: fc.nat({ max: 86_399 }),
    sub1: fc.constantFrom(...SUB1S),
    bot: fc.boolean(),
    duplicate: fc.boolean(),
    test: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });
  const eventArb = fc.record({
    type: fc.constantFrom(...EVENT_TYPES),
    via: fc.constantFrom('click', 'click', 'referral', 'none'),
    pick: fc.nat({ max: 1000 }),
    client: fc.option(fc.nat({ max: 7 }), { nil: null, freq: 4 }),
    amount: fc.integer({ min: 0, max: 500_000 }),
    currency: fc.constantFrom('USD', 'EUR'),
    lots: fc.integer({ min: 1, max: 900 }),
    revenue: fc.option(fc.integer({ min: 0, max: 90_000 }), { nil: null }),
    tradeWithAmount: fc.boolean(),
    delaySeconds: fc.integer({ min: 600, max: 3 * 86_400 }),
    daysBack: fc.nat({ max: 40 }),
    test: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    replay: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });
  const queryArb = fc.record({
    groupBy: fc.constantFrom(...GROUPINGS),
    fromBack: fc.nat({ max: 42 }),
    span: fc.nat({ max: 45 }),
    partner: fc.option(fc.nat({ max: 2 }), { nil: null }),
    limit: fc.constantFrom(2, 7, 1000),
  });

  /** Every page of a query, read from the chosen rollups. */
  async function allPages(q: StatsQuery, rollups: 'auto' | 'per-link'): Promise<StatsResult[]> {
    const pages: StatsResult[] = [];
    let cursor: string | undefined;
    do {
      const page = await readStats(t.store, systemCtx, { ...q, cursor }, { rollups });
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
      expect(pages.length).toBeLessThan(500);
    } while (cursor);
    return pages;
  }

  it('answers the same from both rollup levels and from a recount of the raw rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(clickArb, { maxLength: 40 }),
        fc.array(eventArb, { maxLength: 30 }),
        fc.option(fc.nat({ max: 1000 }), { nil: null, freq: 4 }),
        fc.array(queryArb, { minLength: 3, maxLength: 6 }),
        async (clicks, events, move, queries) => {
          // Clicks through the real writer, an hour or more in the past so events can follow them.
          const stored: { id: string; ms: number }[] = [];
          await Promise.all(
            clicks.map((c, i) => {
              const link = links[c.link] as Link;
              const ms = now - 3_600_000 - c.daysBack * DAY_MS - c.second * 1000 - i;
              const id = mintClickId(t.config.secret, link.seq, ms);
              stored.push({ id, ms });
              const row: ClickRow = [
                id,
                link.id,
                link.partnerId,
                new Date(ms).toISOString(),
                '198.51.100.7',
                'Mozilla/5.0',
                null,
                null,
                null,
                c.sub1,
                null,
                null,
                null,
                null,
                c.bot ? 1 : 0,
                !c.bot && c.duplicate ? 1 : 0,
                c.test ? 1 : 0,
              ];
              const writer = trackingRuntimeOf(t.app)?.writer;
              if (!writer) throw new Error('the app has no tracking writer');
              return writer.submit('click', row);
            }),
          );

          // Events through the JSON batch API (the real ingest and its writer kind).
          const batch: Record<string, unknown>[] = [];
          for (const e of events) {
            const ev: Record<string, unknown> = { type: e.type, txid: `pd-${++txid}` };
            const click = stored.length > 0 ? stored[e.pick % stored.length] : undefined;
            let occurred = now - e.daysBack * DAY_MS - e.delaySeconds * 1000;
            if (e.via === 'click' && click) {
              ev.clickId = click.id;
              occurred = Math.min(click.ms + e.delaySeconds * 1000, now - 1000);
            } else if (e.via !== 'none') {
              ev.referralCode = (partners[e.pick % partners.length] as Partner).referralCode;
            }
            ev.occurredAt = new Date(occurred).toISOString();
            if (e.client !== null) ev.clientId = `PD-${e.client}`;
            if (['ftd', 'deposit', 'withdrawal', 'chargeback'].includes(e.type)) {
              ev.amount = (e.amount / 100).toFixed(2);
              ev.currency = e.currency;
            }
            if (e.type === 'trade') {
              ev.lots = (e.lots / 100).toFixed(2);
              ev.instrumentGroup = 'forex';
              if (e.revenue !== null) ev.revenue = (e.revenue / 100).toFixed(2);
              if (e.tradeWithAmount) ev.amount = (e.amount / 100).toFixed(2);
              if (e.revenue !== null || e.tradeWithAmount) ev.currency = e.currency;
            }
            if (e.test) ev.test = '1';
            batch.push(ev);
            if (e.replay) batch.push({ ...ev });
          }
          if (batch.length > 0) {
            const res = await t.app.inject({
              method: 'POST',
              url: '/api/v1/events',
              headers: ops,
              payload: { sourceId, events: batch },
            });
            expect(res.statusCode, res.body).toBe(200);
          }

          // A four-eyes decision moves a client (and its events' rollups) to another partner.
          if (move !== null) {
            const moved = await t.store.db
              .selectFrom('clients')
              .select(['id', 'partner_id'])
              .where('partner_id', 'is not', null)
              .where('is_test', '=', 0)
              .orderBy('id')
              .execute();
            const c = moved[move % Math.max(1, moved.length)];
            if (c) {
              const to = partners.find((p) => p.id !== c.partner_id) as Partner;
              const ask = await t.app.inject({
                method: 'POST',
                url: `/api/v1/clients/${c.id}/attribution-decisions`,
                headers: ops,
                payload: { partnerId: to.id, reason: `Signed referral form ${++clientSerial}` },
              });
              expect(ask.statusCode, ask.body).toBe(201);
              const ok = await t.app.inject({
                method: 'POST',
                url: `/api/v1/attribution-decisions/${ask.json().id}/approve`,
                headers: lead,
                payload: { note: 'checked' },
              });
              expect(ok.statusCode, ok.body).toBe(200);
            }
          }

          expect((await partnerDayDiff(t.store.db)).diffs).toEqual([]);
          const raw = await rawRecount();
          for (const qa of queries) {
            const fromMs = now - qa.fromBack * DAY_MS;
            const from = day(fromMs);
            const to = day(Math.min(now, fromMs + qa.span * DAY_MS));
            const partnerId = qa.partner === null ? undefined : (partners[qa.partner] as Partner).id;
            const q: StatsQuery = { from, to, groupBy: qa.groupBy.join(','), partnerId, limit: qa.limit };
            // The test means something only if this query is one the partner-day rollups serve.
            expect(tablesFor({ groupBy: qa.groupBy, linkId: null, sub1: null }).clicks).toBe(
              'partner_day_click_rollups',
            );
            const coarse = await allPages(q, 'auto');
            const fine = await allPages(q, 'per-link');
            expect(coarse).toEqual(fine);
            const rows = coarse.flatMap((p) => p.data);
            expect(normalised(rows)).toEqual(raw.groups(qa.groupBy, from, to, partnerId));
            expect(normalised([coarse[0]?.totals as StatsRow])).toEqual(
              normalised([raw.totals(from, to, partnerId)]),
            );
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('exercised what it claims: every kind of click, attributed events with money, moved clients', async () => {
    const count = async (q: Promise<{ n: number | string | bigint }[]>) => Number((await q)[0]?.n ?? 0);
    const clicks = t.store.db.selectFrom('clicks').select((eb) => eb.fn.countAll().as('n'));
    expect(await count(clicks.where('is_bot', '=', 1).execute())).toBeGreaterThan(0);
    expect(await count(clicks.where('is_duplicate', '=', 1).execute())).toBeGreaterThan(0);
    expect(await count(clicks.where('is_test', '=', 1).execute())).toBeGreaterThan(0);
    const events = t.store.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n'));
    expect(await count(events.where('attribution', '=', 'click').execute())).toBeGreaterThan(0);
    expect(await count(events.where('attribution', '=', 'referral').execute())).toBeGreaterThan(0);
    expect(await count(events.where('attribution', '=', 'manual').execute())).toBeGreaterThan(0);
    expect(await count(events.where('is_test', '=', 1).execute())).toBeGreaterThan(0);
    const rollups = t.store.db
      .selectFrom('partner_day_event_rollups')
      .select((eb) => eb.fn.countAll().as('n'));
    expect(await count(rollups.where('currency', '=', 'USD').execute())).toBeGreaterThan(0);
    expect(await count(rollups.where('currency', '=', 'EUR').execute())).toBeGreaterThan(0);
  });

  /** The raw clicks and events, counted the way the rollups count them. */
  async function rawRecount() {
    const clicks = await t.store.db
      .selectFrom('clicks')
      .select(['partner_id', 'ts', 'is_bot', 'is_duplicate'])
      .where('is_test', '=', 0)
      .execute();
    const events = await t.store.db
      .selectFrom('events')
      .selectAll()
      .where('partner_id', 'is not', null)
      .where('is_test', '=', 0)
      .execute();
    const figures = (
      keyOf: (partnerId: string, day: string) => string | null,
    ): Map<string, StatsRow & { money: StatsRow['money'] }> => {
      const out = new Map<string, StatsRow>();
      const acc = (k: string) => {
        let a = out.get(k);
        if (!a) {
          a = emptyRow();
          out.set(k, a);
        }
        return a;
      };
      for (const c of clicks) {
        const k = keyOf(c.partner_id, c.ts.slice(0, 10));
        if (k === null) continue;
        const a = acc(k);
        a.clicks += 1;
        if (Number(c.is_bot) === 1) a.bots += 1;
        else if (Number(c.is_duplicate) === 0) a.uniqueClicks += 1;
      }
      for (const e of events) {
        const k = keyOf(e.partner_id as string, e.occurred_at.slice(0, 10));
        if (k === null) continue;
        const a = acc(k);
        const amt = Number(e.amount_minor ?? 0);
        // The currency key of the rollups: the event's currency when it has an amount.
        const currency = e.amount_minor !== null || e.revenue_minor !== null ? (e.currency ?? '') : '';
        const m = { deposit: 0, ftd: 0, withdrawal: 0, revenue: 0, chargeback: 0 };
        if (e.type === 'registration') a.registrations += 1;
        if (e.type === 'kyc_approved') a.kycApproved += 1;
        if (e.type === 'ftd' || e.type === 'deposit') {
          a.deposits += 1;
          m.deposit = amt;
        }
        if (e.type === 'withdrawal') {
          a.withdrawals += 1;
          m.withdrawal = amt;
        }
        if (e.type === 'trade') {
          a.trades += 1;
          a.lots += Number(e.lots ?? 0);
          m.revenue = Number(e.revenue_minor ?? 0);
        }
        if (e.type === 'chargeback') {
          a.chargebacks += 1;
          m.chargeback = amt;
        }
        if (Number(e.is_ftd) === 1) {
          a.ftds += 1;
          m.ftd = amt;
        }
        if (Number(e.is_qualified_ftd) === 1) a.qualifiedFtds += 1;
        if (currency === '') continue;
        let money = a.money.find((x) => x.currency === currency);
        if (!money) {
          money = {
            currency,
            depositAmountMinor: 0,
            ftdAmountMinor: 0,
            withdrawalAmountMinor: 0,
            revenueMinor: 0,
            chargebackAmountMinor: 0,
          };
          a.money.push(money);
        }
        money.depositAmountMinor += m.deposit;
        money.ftdAmountMinor += m.ftd;
        money.withdrawalAmountMinor += m.withdrawal;
        money.revenueMinor += m.revenue;
        money.chargebackAmountMinor += m.chargeback;
      }
      return out;
    };
    const inRange = (d: string, from: string, to: string) => d >= from && d <= to;
    return {
      groups(groupBy: StatsGroupKey[], from: string, to: string, partnerId: string | undefined) {
        const keyed = figures((p, d) =>
          inRange(d, from, to) && (partnerId === undefined || p === partnerId)
            ? JSON.stringify(groupBy.map((k) => (k === 'day' ? d : p)))
            : null,
        );
        const rows = [...keyed.entries()]
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .map(([k, row]) => {
            const keys = JSON.parse(k) as string[];
            groupBy.forEach((g, i) => {
              if (g === 'day') row.day = keys[i];
              else row.partnerId = keys[i];
            });
            return row;
          });
        return normalised(rows);
      },
      totals(from: string, to: string, partnerId: string | undefined): StatsRow {
        const all = figures((p, d) =>
          inRange(d, from, to) && (partnerId === undefined || p === partnerId) ? 'all' : null,
        );
        return all.get('all') ?? emptyRow();
      },
    };
  }
});

function emptyRow(): StatsRow {
  return {
    clicks: 0,
    uniqueClicks: 0,
    bots: 0,
    registrations: 0,
    kycApproved: 0,
    ftds: 0,
    qualifiedFtds: 0,
    deposits: 0,
    withdrawals: 0,
    trades: 0,
    lots: 0,
    chargebacks: 0,
    money: [],
    rates: { registrationsPerClickBp: null, ftdsPerRegistrationBp: null, qualifiedFtdsPerFtdBp: null },
  };
}

const COUNTS = [
  'clicks',
  'uniqueClicks',
  'bots',
  'registrations',
  'kycApproved',
  'ftds',
  'qualifiedFtds',
  'deposits',
  'withdrawals',
  'trades',
  'lots',
  'chargebacks',
] as const;

/**
 * Rows compared with a recount: a moved client's events leave zero rows behind in the rollups (a key that once
 * had figures), which a recount of the raw rows cannot have; so zero money entries and all-zero groups are
 * dropped on both sides, money is sorted by currency and the rates (derived from the counts) are left out.
 */
function normalised(rows: StatsRow[]) {
  return rows
    .map((r) => ({
      keys: { day: r.day, partnerId: r.partnerId },
      counts: COUNTS.map((k) => r[k]),
      money: r.money
        .filter(
          (m) =>
            m.depositAmountMinor !== 0 ||
            m.ftdAmountMinor !== 0 ||
            m.withdrawalAmountMinor !== 0 ||
            m.revenueMinor !== 0 ||
            m.chargebackAmountMinor !== 0,
        )
        .sort((a, b) => (a.currency < b.currency ? -1 : 1)),
    }))
    .filter((r) => r.counts.some((n) => n !== 0) || r.money.length > 0);
}
