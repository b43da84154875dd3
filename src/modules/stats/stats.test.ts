// GET /api/v1/stats on seeded rollup rows: exact sums for every grouping against a plain reference sum of the
// seeded rows, paging that visits every group once (with sub1 values whose order differs between collations),
// partner scoping (a partner user sees its own; another partner's stats answer 404) and validation errors.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { refillPartnerDay } from '../../../test/support/rollup-check.ts';
import { DEFAULT_GRANTS, ROLES } from '../../platform/auth/permissions.ts';
import type { ClickRollupsTable, EventRollupsTable } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, todayUtc } from '../../platform/time.ts';
import { compareText, parseGroupBy, ratioBp } from './stats.service.ts';

type Key = 'day' | 'partner' | 'link' | 'sub1';

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const DAYS = ['2025-03-30', '2025-03-31', '2025-04-01', '2025-04-02', '2025-04-15'];
// Orders differ between byte order and common locales ('B' < 'a', 'é' and the emoji after 'z', U+E000 before
// the emoji in UTF-8 but after it in UTF-16).
const SUB1S = ['', 'B', 'a', 'fb_spring', 'é', '\u{E000}', '😀'];
const CURRENCIES = ['', 'USD', 'EUR'];

async function insertPartner(t: TestApp, name: string): Promise<string> {
  const id = newId('partner');
  const now = nowIso();
  await t.store.db
    .insertInto('partners')
    .values({
      id,
      display_name: name,
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
      referral_code: `ST${id.slice(-8)}`,
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

let seq = 0;
async function insertLink(t: TestApp, partnerId: string): Promise<string> {
  const id = newId('link');
  const now = nowIso();
  seq += 1;
  await t.store.db
    .insertInto('links')
    .values({
      id,
      seq,
      partner_id: partnerId,
      code: `stats${seq}${id.slice(-6)}`,
      name: `Link ${seq}`,
      landing_url: 'https://broker.example/open?cid={click_id}',
      campaign: null,
      programme_id: null,
      status: 'active',
      allowed_countries: '[]',
      created_by: null,
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  return id;
}

interface Expected {
  clicks: number;
  uniqueClicks: number;
  bots: number;
  registrations: number;
  kycApproved: number;
  ftds: number;
  qualifiedFtds: number;
  deposits: number;
  withdrawals: number;
  trades: number;
  lots: number;
  chargebacks: number;
  money: Record<string, number[]>;
}

const zero = (): Expected => ({
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
  money: {},
});

describe('GET /api/v1/stats', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  let partnerA: string;
  let partnerB: string;
  let linkA1: string;
  let linkA2: string;
  let linkB1: string;
  const clickRows: ClickRollupsTable[] = [];
  const eventRows: EventRollupsTable[] = [];

  const get = (qs: string, headers = ops) =>
    t.app.inject({ method: 'GET', url: `/api/v1/stats${qs}`, headers });

  /** The reference: filter and sum the seeded rows in the plainest way. */
  function expected(
    groupBy: Key[],
    f: { from: string; to: string; partnerId?: string; linkId?: string; sub1?: string },
  ): { keys: Record<string, string | null>; e: Expected }[] {
    const col = { day: 'day', partner: 'partner_id', link: 'link_id', sub1: 'sub1' } as const;
    const keep = (r: { day: string; partner_id: string; link_id: string; sub1: string }) =>
      r.day >= f.from &&
      r.day <= f.to &&
      (f.partnerId === undefined || r.partner_id === f.partnerId) &&
      (f.linkId === undefined || r.link_id === f.linkId) &&
      (f.sub1 === undefined || r.sub1 === f.sub1);
    const groups = new Map<string, { keys: string[]; e: Expected }>();
    const group = (r: ClickRollupsTable | EventRollupsTable) => {
      const keys = groupBy.map((k) => r[col[k]]);
      const id = JSON.stringify(keys);
      let g = groups.get(id);
      if (!g) {
        g = { keys, e: zero() };
        groups.set(id, g);
      }
      return g.e;
    };
    for (const r of clickRows.filter(keep)) {
      const e = group(r);
      e.clicks += r.clicks;
      e.uniqueClicks += r.unique_clicks;
      e.bots += r.bots;
    }
    for (const r of eventRows.filter(keep)) {
      const e = group(r);
      e.registrations += r.registrations;
      e.kycApproved += r.kyc_approved;
      e.ftds += r.ftds;
      e.qualifiedFtds += r.qualified_ftds;
      e.deposits += r.deposits;
      e.withdrawals += r.withdrawals;
      e.trades += r.trades;
      e.lots += r.lots;
      e.chargebacks += r.chargebacks;
      if (r.currency !== '') {
        const add = [
          r.deposit_amount_minor,
          r.ftd_amount_minor,
          r.withdrawal_amount_minor,
          r.revenue_minor,
          r.chargeback_amount_minor,
        ];
        const m = e.money[r.currency] ?? [0, 0, 0, 0, 0];
        e.money[r.currency] = m.map((v, i) => v + (add[i] as number));
      }
    }
    const bytes = (a: string[], b: string[]) =>
      Buffer.compare(Buffer.from(a.join('\u0000')), Buffer.from(b.join('\u0000')));
    return [...groups.values()]
      .sort((a, b) => bytes(a.keys, b.keys))
      .map((g) => ({
        keys: Object.fromEntries(
          groupBy.map((k, i) => {
            const v = g.keys[i] as string;
            const name = { day: 'day', partner: 'partnerId', link: 'linkId', sub1: 'sub1' }[k];
            return [name, (k === 'link' || k === 'sub1') && v === '' ? null : v];
          }),
        ),
        e: g.e,
      }));
  }

  /** The API's row reduced to the reference's shape. */
  function shapeOf(row: Record<string, unknown>, groupBy: Key[]) {
    const name = { day: 'day', partner: 'partnerId', link: 'linkId', sub1: 'sub1' } as const;
    const money: Record<string, number[]> = {};
    for (const m of row.money as Record<string, number>[])
      money[m.currency as unknown as string] = [
        m.depositAmountMinor as number,
        m.ftdAmountMinor as number,
        m.withdrawalAmountMinor as number,
        m.revenueMinor as number,
        m.chargebackAmountMinor as number,
      ];
    const e: Expected = {
      clicks: row.clicks as number,
      uniqueClicks: row.uniqueClicks as number,
      bots: row.bots as number,
      registrations: row.registrations as number,
      kycApproved: row.kycApproved as number,
      ftds: row.ftds as number,
      qualifiedFtds: row.qualifiedFtds as number,
      deposits: row.deposits as number,
      withdrawals: row.withdrawals as number,
      trades: row.trades as number,
      lots: row.lots as number,
      chargebacks: row.chargebacks as number,
      money,
    };
    return { keys: Object.fromEntries(groupBy.map((k) => [name[k], row[name[k]]])), e };
  }

  function sumAll(list: { e: Expected }[]): Expected {
    const total = zero();
    for (const { e } of list) {
      for (const k of Object.keys(total) as (keyof Expected)[]) {
        if (k === 'money') continue;
        total[k] += e[k];
      }
      for (const [c, m] of Object.entries(e.money)) {
        const t0 = total.money[c] ?? [0, 0, 0, 0, 0];
        total.money[c] = t0.map((v, i) => v + (m[i] as number));
      }
    }
    return total;
  }

  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
    partnerA = await insertPartner(t, 'Stats Partner A');
    partnerB = await insertPartner(t, 'Stats Partner B');
    linkA1 = await insertLink(t, partnerA);
    linkA2 = await insertLink(t, partnerA);
    linkB1 = await insertLink(t, partnerB);
    const links: [string, string][] = [
      [partnerA, linkA1],
      [partnerA, linkA2],
      [partnerB, linkB1],
    ];
    const rnd = prng(42);
    const int = (max: number) => Math.floor(rnd() * max);
    for (const day of DAYS)
      for (const [partnerId, linkId] of links)
        for (const sub1 of SUB1S) {
          if (rnd() < 0.2) continue;
          const clicks = 1 + int(500);
          const bots = int(Math.floor(clicks / 10) + 1);
          clickRows.push({
            day,
            link_id: linkId,
            sub1,
            partner_id: partnerId,
            clicks,
            unique_clicks: int(clicks - bots + 1),
            bots,
          });
        }
    // Events: by link and sub1, some without a link (referral code), with and without currency.
    for (const day of DAYS)
      for (const [partnerId, linkId] of [...links, [partnerA, ''] as [string, string]])
        for (const sub1 of SUB1S)
          for (const currency of CURRENCIES) {
            if (rnd() < 0.4) continue;
            const ftds = int(5);
            const money = currency !== '';
            eventRows.push({
              day,
              partner_id: partnerId,
              link_id: linkId,
              sub1,
              currency,
              registrations: money ? 0 : int(20),
              kyc_approved: money ? 0 : int(10),
              ftds: money ? ftds : 0,
              qualified_ftds: money ? int(ftds + 1) : 0,
              ftd_amount_minor: money ? ftds * 25_000 + int(1000) : 0,
              deposits: money ? int(8) : 0,
              deposit_amount_minor: money ? int(10_000_000) : 0,
              withdrawals: money ? int(3) : 0,
              withdrawal_amount_minor: money ? int(2_000_000) : 0,
              trades: money ? 0 : int(50),
              lots: money ? 0 : int(5000),
              revenue_minor: money ? int(300_000) : 0,
              chargebacks: money ? int(2) : 0,
              chargeback_amount_minor: money ? int(50_000) : 0,
            });
          }
    // Today and 30 days ago: inside and just outside the default range.
    clickRows.push(
      {
        day: todayUtc(),
        link_id: linkA1,
        sub1: '',
        partner_id: partnerA,
        clicks: 7,
        unique_clicks: 5,
        bots: 1,
      },
      {
        day: new Date(Date.parse(`${todayUtc()}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10),
        link_id: linkA1,
        sub1: '',
        partner_id: partnerA,
        clicks: 1000,
        unique_clicks: 900,
        bots: 0,
      },
    );
    for (let i = 0; i < clickRows.length; i += 200)
      await t.store.db
        .insertInto('click_rollups')
        .values(clickRows.slice(i, i + 200))
        .execute();
    for (let i = 0; i < eventRows.length; i += 100)
      await t.store.db
        .insertInto('event_rollups')
        .values(eventRows.slice(i, i + 100))
        .execute();
    // Seeded per-link rows directly: the partner-day rollups (which answer groupings without link or sub1)
    // are filled from them, as the writers would keep them.
    await refillPartnerDay(t.store.db);
  });
  afterAll(async () => t?.close());

  const RANGE = { from: '2025-03-31', to: '2025-04-15' };
  const GROUPINGS: Key[][] = [
    ['day'],
    ['partner'],
    ['link'],
    ['sub1'],
    ['partner', 'day'],
    ['link', 'sub1'],
    ['day', 'partner', 'link', 'sub1'],
    ['sub1', 'link', 'partner', 'day'],
  ];

  for (const groupBy of GROUPINGS) {
    it(`sums exactly when grouped by ${groupBy.join(',')}`, async () => {
      const res = await get(`?from=${RANGE.from}&to=${RANGE.to}&groupBy=${groupBy.join(',')}&limit=10000`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      const want = expected(groupBy, RANGE);
      expect(want.length).toBeGreaterThan(0);
      expect(body.groupBy).toEqual(groupBy);
      expect(body.data.map((r: Record<string, unknown>) => shapeOf(r, groupBy))).toEqual(want);
      expect(body.nextCursor).toBeNull();
      expect(shapeOf({ ...body.totals }, []).e).toEqual(sumAll(want));
    });
  }

  it('derives the rates from the integer sums (basis points, half-even)', async () => {
    const body = (await get(`?from=${RANGE.from}&to=${RANGE.to}&groupBy=partner`)).json();
    for (const row of [...body.data, body.totals]) {
      expect(row.rates).toEqual({
        registrationsPerClickBp: row.clicks > 0 ? ratioBp(row.registrations, row.clicks) : null,
        ftdsPerRegistrationBp: row.registrations > 0 ? ratioBp(row.ftds, row.registrations) : null,
        qualifiedFtdsPerFtdBp: row.ftds > 0 ? ratioBp(row.qualifiedFtds, row.ftds) : null,
      });
    }
    expect(ratioBp(1, 3)).toBe(3333);
    expect(ratioBp(1, 8)).toBe(1250);
    expect(ratioBp(1, 20_000)).toBe(0); // 0.5 bp rounds to even
    expect(ratioBp(3, 20_000)).toBe(2); // 1.5 bp rounds to even
    expect(ratioBp(5, 0)).toBeNull();
  });

  it('filters by partner, link and sub1 (empty sub1 = none)', async () => {
    const cases: { qs: string; f: { partnerId?: string; linkId?: string; sub1?: string }; groupBy: Key[] }[] =
      [
        { qs: `&partnerId=${partnerB}`, f: { partnerId: partnerB }, groupBy: ['day'] },
        { qs: `&linkId=${linkA2}`, f: { linkId: linkA2 }, groupBy: ['day', 'sub1'] },
        { qs: '&sub1=', f: { sub1: '' }, groupBy: ['link'] },
        { qs: `&sub1=${encodeURIComponent('é')}`, f: { sub1: 'é' }, groupBy: ['partner'] },
        {
          qs: `&partnerId=${partnerA}&sub1=a`,
          f: { partnerId: partnerA, sub1: 'a' },
          groupBy: ['link', 'day'],
        },
      ];
    for (const c of cases) {
      const res = await get(`?from=${RANGE.from}&to=${RANGE.to}&groupBy=${c.groupBy.join(',')}${c.qs}`);
      expect(res.statusCode, c.qs).toBe(200);
      const want = expected(c.groupBy, { ...RANGE, ...c.f });
      expect(want.length).toBeGreaterThan(0);
      const body = res.json();
      expect(
        body.data.map((r: Record<string, unknown>) => shapeOf(r, c.groupBy)),
        c.qs,
      ).toEqual(want);
      expect(shapeOf({ ...body.totals }, []).e).toEqual(sumAll(want));
    }
  });

  it('pages through every group once, in byte order, with the totals of the whole range on the first page', async () => {
    for (const [groupBy, limit] of [
      [['sub1'], 1],
      [['day', 'partner', 'link', 'sub1'], 7],
      [['partner', 'sub1'], 3],
    ] as [Key[], number][]) {
      const want = expected(groupBy, RANGE);
      const seen: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const qs: string = `?from=${RANGE.from}&to=${RANGE.to}&groupBy=${groupBy.join(',')}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await get(qs);
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body.data.length).toBeLessThanOrEqual(limit);
        if (cursor) expect(body.totals).toBeNull();
        else expect(shapeOf({ ...body.totals }, []).e).toEqual(sumAll(want));
        seen.push(...body.data.map((r: Record<string, unknown>) => shapeOf(r, groupBy)));
        cursor = body.nextCursor;
        pages += 1;
        expect(pages).toBeLessThan(1000);
      } while (cursor);
      expect(seen).toEqual(want);
      expect(pages).toBe(Math.ceil(want.length / limit));
    }
  });

  it('defaults to the last 30 days grouped by day', async () => {
    const res = await get(`?partnerId=${partnerA}&linkId=${linkA1}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const to = todayUtc();
    expect(body.to).toBe(to);
    expect(body.from).toBe(
      new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10),
    );
    expect(body.groupBy).toEqual(['day']);
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ day: to, clicks: 7, uniqueClicks: 5, bots: 1, registrations: 0 });
    expect(body.totals).toMatchObject({ clicks: 7, money: [], rates: { registrationsPerClickBp: 0 } });
  });

  it('answers an empty range with zero totals', async () => {
    const body = (await get('?from=2020-01-01&to=2020-01-31&groupBy=partner')).json();
    expect(body.data).toEqual([]);
    expect(body.nextCursor).toBeNull();
    expect(body.totals).toMatchObject({ clicks: 0, registrations: 0, lots: 0, money: [] });
    expect(body.totals.rates).toEqual({
      registrationsPerClickBp: null,
      ftdsPerRegistrationBp: null,
      qualifiedFtdsPerFtdBp: null,
    });
  });

  it("shows a partner user only its own partner's stats; another partner's answers 404", async () => {
    const key = await t.keyFor('partner', partnerA);
    const own = await get(`?from=${RANGE.from}&to=${RANGE.to}&groupBy=partner,link`, key);
    expect(own.statusCode).toBe(200);
    const want = expected(['partner', 'link'], { ...RANGE, partnerId: partnerA });
    expect(own.json().data.map((r: Record<string, unknown>) => shapeOf(r, ['partner', 'link']))).toEqual(
      want,
    );
    expect(shapeOf({ ...own.json().totals }, []).e).toEqual(sumAll(want));
    expect(want.some((w) => w.keys.linkId === null)).toBe(true);

    expect((await get(`?partnerId=${partnerA}`, key)).statusCode).toBe(200);
    const other = await get(`?partnerId=${partnerB}`, key);
    expect(other.statusCode).toBe(404);
    expect(problemOf(other).code).toBe('not_found');
    expect((await get(`?linkId=${linkB1}`, key)).statusCode).toBe(404);
    expect((await get(`?linkId=${linkA1}`, key)).statusCode).toBe(200);

    const session = await t.userSession('partner', { partnerId: partnerB });
    const b = (await get(`?from=${RANGE.from}&to=${RANGE.to}&groupBy=partner`, session.headers)).json();
    expect(b.data.map((r: { partnerId: string }) => r.partnerId)).toEqual([partnerB]);
  });

  it('answers 404 for an unknown partner or link', async () => {
    expect((await get(`?partnerId=${newId('partner')}`)).statusCode).toBe(404);
    expect((await get(`?linkId=${newId('link')}`)).statusCode).toBe(404);
    expect((await get('?linkId=not-an-id')).statusCode).toBe(404);
  });

  it('names the field of a bad query', async () => {
    const cases: [string, string][] = [
      ['?from=2025-02-30', 'query.from'],
      ['?to=2025-13-01', 'query.to'],
      ['?from=2025-4-1', 'query.from'],
      ['?from=2025-04-10&to=2025-04-09', 'query.from'],
      ['?from=2024-01-01&to=2025-02-04', 'query.from'],
      ['?groupBy=week', 'query.groupBy'],
      ['?groupBy=day,day', 'query.groupBy'],
      ['?groupBy=', 'query.groupBy'],
      ['?limit=0', 'query.limit'],
      ['?limit=10001', 'query.limit'],
      ['?cursor=nonsense', 'query.cursor'],
    ];
    for (const [qs, field] of cases) {
      const res = await get(qs);
      expect(res.statusCode, qs).toBe(422);
      expect(
        problemOf(res).errors?.map((e) => e.field),
        qs,
      ).toContain(field);
    }
    // 400 days is the limit, inclusive.
    expect((await get('?from=2024-01-01&to=2025-02-03')).statusCode).toBe(200);
    // A cursor of another grouping is refused.
    const page = (await get(`?from=${RANGE.from}&to=${RANGE.to}&groupBy=day&limit=1`)).json();
    expect(page.nextCursor).toEqual(expect.any(String));
    const res = await get(`?from=${RANGE.from}&to=${RANGE.to}&groupBy=partner&cursor=${page.nextCursor}`);
    expect(res.statusCode).toBe(422);
    expect(problemOf(res).errors?.[0]?.field).toBe('query.cursor');
  });

  it('is granted with links.read', () => {
    for (const role of ROLES) {
      const grants = DEFAULT_GRANTS[role];
      expect(grants.includes('stats.read'), role).toBe(grants.includes('links.read'));
    }
  });
});

describe('stats helpers', () => {
  it('compares text in UTF-8 byte order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareText(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 2000 },
    );
  });

  it('parses groupBy keys in order and refuses unknown or repeated keys', () => {
    expect(parseGroupBy('sub1,day')).toEqual(['sub1', 'day']);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('day', 'partner', 'link', 'sub1', 'week', ''), {
          minLength: 1,
          maxLength: 5,
        }),
        (keys) => {
          const ok =
            keys.every((k) => ['day', 'partner', 'link', 'sub1'].includes(k)) &&
            new Set(keys).size === keys.length;
          if (ok) expect(parseGroupBy(keys.join(','))).toEqual(keys);
          else expect(() => parseGroupBy(keys.join(','))).toThrow();
        },
      ),
    );
  });
});
