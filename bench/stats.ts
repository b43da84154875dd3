// Benchmark: GET /api/v1/stats over a month of rollups equivalent to 10,000,000 clicks for 5,000 partners, on
// SQLite (a temporary data directory) and PostgreSQL (a database created and dropped here; skipped when the
// server is unreachable). The rollup rows are seeded DIRECTLY (click_rollups and event_rollups, as the tracking
// writer and the events ingest would leave them), not by sending 10 million clicks through /c/{code}; the
// rollups per partner and day (partner_day_click_rollups, partner_day_event_rollups) are then filled from them
// with one INSERT … SELECT each, so both levels agree as the writers keep them.
// Requests go through the real app (app.inject: access guard with an API key, zod, service, serializer).
// Scenarios: the month grouped by partner for all partners (one call, limit 10,000, and paged by 1,000), the
// month by day across all partners, by day for one partner (these read the partner-day rollups) and by link
// for one partner (the per-link rollups). Each is timed against baselines measured in the same run:
// `select count(*)` of the month's click rollup rows, and the plain SQL of the same aggregation over the
// per-link rollups (the tables the API read before the partner-day ones) and over the partner-day rollups
// (both tables each, no API). Prints p50/p99 and the ratios, and checks the answers against the seeded sums.
// Run: npm run bench:stats [-- --partners 5000 --clicks 10000000 --runs 30 --pg postgres://postgres@127.0.0.1:5432]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { createApiKey } from '../src/modules/access/index.ts';
import { systemActor } from '../src/platform/auth/actor.ts';
import { seedDefaultGrants } from '../src/platform/auth/grants.ts';
import { PERMISSION_NAMES } from '../src/platform/auth/permissions.ts';
import { loadConfig } from '../src/platform/config.ts';
import { type DB, type DbHandle, migrateToLatest, openDatabase } from '../src/platform/db/index.ts';
import type {
  ClickRollupsTable,
  EventRollupsTable,
  LinksTable,
  PartnersTable,
} from '../src/platform/db/schema.ts';
import { newId } from '../src/platform/ids.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] as string) : fallback;
};
const PARTNERS = Number(arg('partners', '5000'));
const CLICKS = Number(arg('clicks', '10000000'));
const RUNS = Number(arg('runs', '30'));
const PG_URL = arg('pg', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
  /\/+$/,
  '',
);
const FROM = '2026-09-01';
const TO = '2026-09-30';
const DAYS = 30;

const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Dataset {
  partners: PartnersTable[];
  links: LinksTable[];
  clicks: ClickRollupsTable[];
  events: EventRollupsTable[];
  sums: { clicks: number; registrations: number; ftds: number; qualifiedFtds: number; lots: number };
}

/**
 * The month's rollups: every partner has 2–4 links, each with 1–3 sub1 values ('' and named ones), a row per
 * day for each. Clicks per row vary (partners differ by up to 10×) and add up to exactly CLICKS. Events are
 * drawn per click: 2% register, 20% of registrations make an FTD (60% of those qualify), plus deposits,
 * withdrawals, trades with lots and revenue; amounts in USD (90%) or EUR. 5% of partner-days also get a
 * registration without a link (referral code).
 */
function generate(): Dataset {
  const rnd = prng(20260901);
  const now = new Date().toISOString();
  const partners: PartnersTable[] = [];
  const links: LinksTable[] = [];
  const combos: { partnerId: string; linkId: string; sub1: string; weight: number }[] = [];
  for (let p = 0; p < PARTNERS; p++) {
    const id = newId('partner');
    partners.push({
      id,
      display_name: `Bench Partner ${p}`,
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
      referral_code: `BS${p.toString(36).toUpperCase().padStart(6, '0')}`,
      tags: '[]',
      custom_fields: '{}',
      search_text: `bench partner ${p}`,
      archived_at: null,
      created_at: now,
      updated_at: now,
      version: 1,
    });
    const size = 1 + rnd() * 9;
    const nLinks = 2 + Math.floor(rnd() * 3);
    for (let l = 0; l < nLinks; l++) {
      const linkId = newId('link');
      links.push({
        id: linkId,
        seq: links.length + 1,
        partner_id: id,
        code: `bs${links.length.toString(36)}`,
        name: `Link ${l}`,
        landing_url: 'https://broker.example/open?cid={click_id}&s1={sub1}',
        campaign: null,
        programme_id: null,
        status: 'active',
        allowed_countries: '[]',
        created_by: null,
        created_at: now,
        updated_at: now,
        version: 1,
      });
      const nSubs = 1 + Math.floor(rnd() * 3);
      for (let s = 0; s < nSubs; s++)
        combos.push({ partnerId: id, linkId, sub1: s === 0 ? '' : `sub_${s}`, weight: size * (0.5 + rnd()) });
    }
  }
  const totalWeight = combos.reduce((n, c) => n + c.weight * DAYS, 0);
  const clicks: ClickRollupsTable[] = [];
  const events: EventRollupsTable[] = [];
  const sums = { clicks: 0, registrations: 0, ftds: 0, qualifiedFtds: 0, lots: 0 };
  const binom = (n: number, p: number) => {
    let k = 0;
    for (let i = 0; i < n; i++) if (rnd() < p) k++;
    return k;
  };
  const emptyEvent = (day: string, partnerId: string, linkId: string, sub1: string, currency: string) => ({
    day,
    partner_id: partnerId,
    link_id: linkId,
    sub1,
    currency,
    registrations: 0,
    kyc_approved: 0,
    ftds: 0,
    qualified_ftds: 0,
    ftd_amount_minor: 0,
    deposits: 0,
    deposit_amount_minor: 0,
    withdrawals: 0,
    withdrawal_amount_minor: 0,
    trades: 0,
    lots: 0,
    revenue_minor: 0,
    chargebacks: 0,
    chargeback_amount_minor: 0,
  });
  let carry = 0;
  for (let d = 0; d < DAYS; d++) {
    const day = `2026-09-${String(d + 1).padStart(2, '0')}`;
    for (const [i, c] of combos.entries()) {
      const last = d === DAYS - 1 && i === combos.length - 1;
      const exact = (c.weight / totalWeight) * CLICKS + carry;
      const n = last ? CLICKS - sums.clicks : Math.max(1, Math.round(exact));
      carry = exact - n;
      const bots = binom(Math.min(n, 50), 0.03);
      clicks.push({
        day,
        link_id: c.linkId,
        sub1: c.sub1,
        partner_id: c.partnerId,
        clicks: n,
        unique_clicks: Math.max(0, Math.round((n - bots) * 0.85)),
        bots,
      });
      sums.clicks += n;
      const regs = binom(n, 0.02);
      if (regs === 0) continue;
      const ftds = binom(regs, 0.2);
      const counts = emptyEvent(day, c.partnerId, c.linkId, c.sub1, '');
      counts.registrations = regs;
      counts.kyc_approved = binom(regs, 0.6);
      counts.trades = ftds * 12;
      counts.lots = ftds * (50 + Math.floor(rnd() * 400));
      events.push(counts);
      sums.registrations += regs;
      sums.lots += counts.lots;
      if (ftds > 0) {
        const money = emptyEvent(day, c.partnerId, c.linkId, c.sub1, rnd() < 0.9 ? 'USD' : 'EUR');
        money.ftds = ftds;
        money.qualified_ftds = binom(ftds, 0.6);
        money.ftd_amount_minor = ftds * (10_000 + Math.floor(rnd() * 90_000));
        money.deposits = ftds + binom(ftds * 2, 0.5);
        money.deposit_amount_minor = money.ftd_amount_minor + money.deposits * 20_000;
        money.withdrawals = binom(ftds, 0.2);
        money.withdrawal_amount_minor = money.withdrawals * 15_000;
        money.revenue_minor = counts.lots * 700;
        money.chargebacks = binom(ftds, 0.01);
        money.chargeback_amount_minor = money.chargebacks * 10_000;
        events.push(money);
        sums.ftds += ftds;
        sums.qualifiedFtds += money.qualified_ftds;
      }
    }
    for (const p of partners) {
      if (rnd() >= 0.05) continue;
      const row = emptyEvent(day, p.id, '', '', '');
      row.registrations = 1;
      events.push(row);
      sums.registrations += 1;
    }
  }
  return { partners, links, clicks, events, sums };
}

function progress(label: string, total: number) {
  let next = 0.1;
  const started = Date.now();
  return (done: number) => {
    if (done / total >= next || done === total) {
      log(
        `  ${label}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} rows (${Math.round((done / total) * 100)}%, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      while (done / total >= next) next += 0.1;
    }
  };
}

async function seed(handle: DbHandle, data: Dataset): Promise<void> {
  const { db } = handle;
  for (let i = 0; i < data.partners.length; i += 500)
    await db
      .insertInto('partners')
      .values(data.partners.slice(i, i + 500))
      .execute();
  for (let i = 0; i < data.links.length; i += 500)
    await db
      .insertInto('links')
      .values(data.links.slice(i, i + 500))
      .execute();
  log(`  ${data.partners.length} partners, ${data.links.length} links`);
  const clickCols = ['day', 'link_id', 'sub1', 'partner_id', 'clicks', 'unique_clicks', 'bots'] as const;
  const eventCols = Object.keys(data.events[0] ?? {}) as (keyof EventRollupsTable)[];
  const tables: [string, readonly string[], Record<string, unknown>[]][] = [
    ['click_rollups', clickCols, data.clicks as unknown as Record<string, unknown>[]],
    ['event_rollups', eventCols, data.events as unknown as Record<string, unknown>[]],
  ];
  for (const [table, cols, rows] of tables) {
    const tick = progress(table, rows.length);
    if (handle.sqlite) {
      const raw = handle.sqlite;
      const st = raw.prepare(
        `insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`,
      );
      for (let i = 0; i < rows.length; i += 50_000) {
        raw.transaction(() => {
          for (const r of rows.slice(i, i + 50_000)) st.run(cols.map((c) => r[c]));
        })();
        tick(Math.min(rows.length, i + 50_000));
      }
    } else {
      // One statement per 20,000 rows: a column array each, unnested on the server.
      const isText = (c: string) => ['day', 'link_id', 'sub1', 'partner_id', 'currency'].includes(c);
      for (let i = 0; i < rows.length; i += 20_000) {
        const chunk = rows.slice(i, i + 20_000);
        const arrays = cols.map(
          (c) => sql`${chunk.map((r) => r[c])}::${sql.raw(isText(c) ? 'text[]' : 'bigint[]')}`,
        );
        await sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c)))})
          select * from unnest(${sql.join(arrays)})`.execute(db);
        tick(Math.min(rows.length, i + 20_000));
      }
    }
  }
  // The partner-day rollups from the per-link ones: what the writers keep in step, and what migration 0130 does.
  const coarseStarted = Date.now();
  await sql`insert into partner_day_click_rollups (day, partner_id, clicks, unique_clicks, bots)
    select day, partner_id, sum(clicks), sum(unique_clicks), sum(bots) from click_rollups
    group by day, partner_id`.execute(db);
  const figures = eventCols.filter((c) => !['day', 'partner_id', 'link_id', 'sub1', 'currency'].includes(c));
  await sql`insert into partner_day_event_rollups (day, partner_id, currency, ${sql.join(figures.map((c) => sql.ref(c)))})
    select day, partner_id, currency, ${sql.join(figures.map((c) => sql`sum(${sql.ref(c)})`))} from event_rollups
    group by day, partner_id, currency`.execute(db);
  const coarse = async (table: string) =>
    Number(
      (await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]
        ?.n,
    );
  log(
    `  partner-day rollups filled from them in ${((Date.now() - coarseStarted) / 1000).toFixed(1)} s: ${(await coarse('partner_day_click_rollups')).toLocaleString('en-US')} click rows, ${(await coarse('partner_day_event_rollups')).toLocaleString('en-US')} event rows`,
  );
  await sql`analyze`.execute(db);
}

interface Timing {
  name: string;
  p50: number;
  p99: number;
  baseline: string;
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < Math.max(2, Math.ceil(runs / 10)); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] as number;
  return { p50: at(0.5), p99: at(0.99) };
}

/**
 * The plain SQL of an aggregation over both rollup tables of a level (what the API does, without the API):
 * the per-link rollups (click_rollups, event_rollups) or the partner-day ones.
 */
function plainAggregation(
  db: Kysely<DB>,
  keys: string,
  where: RawBuilder<unknown>,
  level: 'link' | 'partner-day' = 'link',
) {
  const k = sql.raw(keys);
  const clicks = sql.table(level === 'link' ? 'click_rollups' : 'partner_day_click_rollups');
  const events = sql.table(level === 'link' ? 'event_rollups' : 'partner_day_event_rollups');
  return async () => {
    await sql`select ${k}, sum(clicks), sum(unique_clicks), sum(bots) from ${clicks} where ${where}
      group by ${k} order by ${k}`.execute(db);
    await sql`select ${k}, currency, sum(registrations), sum(kyc_approved), sum(ftds), sum(qualified_ftds),
        sum(deposits), sum(withdrawals), sum(trades), sum(lots), sum(chargebacks), sum(deposit_amount_minor),
        sum(ftd_amount_minor), sum(withdrawal_amount_minor), sum(revenue_minor), sum(chargeback_amount_minor)
      from ${events} where ${where} group by ${k}, currency order by ${k}, currency`.execute(db);
  };
}

async function runTarget(name: string, databaseUrl: string | null, data: Dataset): Promise<Timing[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pd-bench-stats-'));
  const config = loadConfig({
    PARTNERDESK_DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    LOG_LEVEL: 'silent',
    PARTNERDESK_WORKERS: 'false',
  });
  const handle = openDatabase(config);
  const store = { db: handle.db, dialect: handle.dialect };
  try {
    log(`${name}: migrating and seeding rollups directly (${handle.location})`);
    await migrateToLatest(handle.db);
    await seedDefaultGrants(handle.db);
    const started = Date.now();
    await seed(handle, data);
    log(`${name}: seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const app = await buildApp({ store, config }, { serveWeb: false });
    await app.ready();
    try {
      const ctx = { actor: systemActor(PERMISSION_NAMES, 'bench'), requestId: null };
      const { key } = await createApiKey(store, ctx, { name: 'bench', role: 'ops', partnerId: null });
      const headers = { authorization: `Bearer ${key}` };
      const api = async (qs: string) => {
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/stats?from=${FROM}&to=${TO}&${qs}`,
          headers,
        });
        if (res.statusCode !== 200) throw new Error(`${qs}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        return res.json() as {
          data: {
            partnerId?: string;
            clicks: number;
            registrations: number;
            ftds: number;
            qualifiedFtds: number;
            lots: number;
          }[];
          nextCursor: string | null;
          totals: {
            clicks: number;
            registrations: number;
            ftds: number;
            qualifiedFtds: number;
            lots: number;
          } | null;
        };
      };
      // The answers must be right before their speed means anything.
      const all = await api('groupBy=partner&limit=10000');
      const t = all.totals;
      if (!t) throw new Error('no totals on the first page');
      const got = {
        clicks: t.clicks,
        registrations: t.registrations,
        ftds: t.ftds,
        qualifiedFtds: t.qualifiedFtds,
        lots: t.lots,
      };
      if (
        all.data.length !== PARTNERS ||
        all.nextCursor !== null ||
        JSON.stringify(got) !== JSON.stringify(data.sums)
      )
        throw new Error(
          `wrong answer: ${all.data.length} partners, totals ${JSON.stringify(got)} vs ${JSON.stringify(data.sums)}`,
        );
      const summed = all.data.reduce((n, r) => n + r.clicks, 0);
      if (summed !== CLICKS) throw new Error(`partner rows add up to ${summed} clicks, not ${CLICKS}`);
      let pagedRows = 0;
      const paged = async () => {
        pagedRows = 0;
        let cursor: string | null = null;
        do {
          const page = await api(`groupBy=partner&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
          pagedRows += page.data.length;
          cursor = page.nextCursor;
        } while (cursor);
      };
      await paged();
      if (pagedRows !== PARTNERS) throw new Error(`paging visited ${pagedRows} partners`);
      const one = data.partners[Math.floor(PARTNERS / 2)]?.id as string;
      const byDay = await api(`groupBy=day&partnerId=${one}`);
      if (byDay.data.length !== DAYS) throw new Error(`by day: ${byDay.data.length} rows`);
      const allDays = await api('groupBy=day');
      const dayClicks = allDays.data.reduce((n, r) => n + r.clicks, 0);
      if (allDays.data.length !== DAYS || dayClicks !== CLICKS)
        throw new Error(`by day, all partners: ${allDays.data.length} rows, ${dayClicks} clicks`);
      // The per-link rollups (groupBy=link, every page) must add up to the seeded sums too.
      const linkSums = { clicks: 0, registrations: 0, ftds: 0, qualifiedFtds: 0, lots: 0 };
      let linkRows = 0;
      let linkCursor: string | null = null;
      do {
        const page = await api(`groupBy=link&limit=10000${linkCursor ? `&cursor=${linkCursor}` : ''}`);
        for (const r of page.data)
          for (const k of Object.keys(linkSums) as (keyof typeof linkSums)[]) linkSums[k] += r[k];
        linkRows += page.data.length;
        linkCursor = page.nextCursor;
      } while (linkCursor);
      if (linkRows !== data.links.length + 1 || JSON.stringify(linkSums) !== JSON.stringify(data.sums))
        throw new Error(
          `by link: ${linkRows} rows, ${JSON.stringify(linkSums)} vs ${JSON.stringify(data.sums)}`,
        );
      log(
        `${name}: answers check out (${PARTNERS} partners, ${t.clicks.toLocaleString('en-US')} clicks, ${t.registrations} registrations, ${t.ftds} FTDs)`,
      );

      const month = sql`day >= ${FROM} and day <= ${TO}`;
      const onePartner = sql`partner_id = ${one} and day >= ${FROM} and day <= ${TO}`;
      const count = async () => {
        await sql`select count(*) from click_rollups where day >= ${FROM} and day <= ${TO}`.execute(
          handle.db,
        );
      };
      const base = {
        count: await time(RUNS, count),
        byPartner: await time(RUNS, plainAggregation(handle.db, 'partner_id', month)),
        byPartnerPd: await time(RUNS, plainAggregation(handle.db, 'partner_id', month, 'partner-day')),
        dayAll: await time(RUNS, plainAggregation(handle.db, 'day', month)),
        dayAllPd: await time(RUNS, plainAggregation(handle.db, 'day', month, 'partner-day')),
        day1: await time(RUNS * 5, plainAggregation(handle.db, 'day', onePartner)),
        day1Pd: await time(RUNS * 5, plainAggregation(handle.db, 'day', onePartner, 'partner-day')),
        link1: await time(RUNS * 5, plainAggregation(handle.db, 'link_id', onePartner)),
      };
      log(`${name}: baselines measured`);
      const out: Timing[] = [
        { name: "baseline: select count(*) of the month's click rollup rows", ...base.count, baseline: '' },
        { name: 'baseline: plain SQL, month by partner (per-link rollups)', ...base.byPartner, baseline: '' },
        {
          name: 'baseline: plain SQL, month by partner (partner-day rollups)',
          ...base.byPartnerPd,
          baseline: '',
        },
        {
          name: 'baseline: plain SQL, month by day, all partners (per-link rollups)',
          ...base.dayAll,
          baseline: '',
        },
        {
          name: 'baseline: plain SQL, month by day, all partners (partner-day rollups)',
          ...base.dayAllPd,
          baseline: '',
        },
        {
          name: 'baseline: plain SQL, month by day, one partner (per-link rollups)',
          ...base.day1,
          baseline: '',
        },
        {
          name: 'baseline: plain SQL, month by day, one partner (partner-day rollups)',
          ...base.day1Pd,
          baseline: '',
        },
        {
          name: 'baseline: plain SQL, month by link, one partner (per-link rollups)',
          ...base.link1,
          baseline: '',
        },
      ];
      const scen = async (
        label: string,
        runs: number,
        fn: () => Promise<unknown>,
        plain: { p50: number },
        plainPd?: { p50: number },
      ) => {
        const r = await time(runs, fn);
        out.push({
          name: label,
          ...r,
          baseline: `${(r.p50 / base.count.p50).toFixed(2)}x count(*), ${(r.p50 / plain.p50).toFixed(2)}x plain SQL (per-link)${
            plainPd ? `, ${(r.p50 / plainPd.p50).toFixed(2)}x plain SQL (partner-day)` : ''
          }`,
        });
        log(`${name}: ${label}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`);
      };
      await scen(
        `API: month by partner, all ${PARTNERS} in one call`,
        RUNS,
        () => api('groupBy=partner&limit=10000'),
        base.byPartner,
        base.byPartnerPd,
      );
      await scen(
        `API: month by partner, all ${PARTNERS} in pages of 1,000`,
        Math.max(5, Math.ceil(RUNS / 3)),
        paged,
        base.byPartner,
        base.byPartnerPd,
      );
      await scen(
        'API: month by day, all partners',
        RUNS,
        () => api('groupBy=day'),
        base.dayAll,
        base.dayAllPd,
      );
      await scen(
        'API: month by day, one partner',
        RUNS * 5,
        () => api(`groupBy=day&partnerId=${one}`),
        base.day1,
        base.day1Pd,
      );
      await scen(
        'API: month by link, one partner',
        RUNS * 5,
        () => api(`groupBy=link&partnerId=${one}`),
        base.link1,
      );
      return out;
    } finally {
      await app.close();
    }
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function pgReachable(server: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: `${server}/postgres`, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  log(
    `bench:stats — ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, Node ${process.version}; ${PARTNERS} partners, ${CLICKS.toLocaleString('en-US')} clicks over ${FROM}..${TO}, ${RUNS} runs per scenario (5× for one-partner ones)`,
  );
  const started = Date.now();
  const data = generate();
  log(
    `generated ${data.clicks.length.toLocaleString('en-US')} click rollup rows and ${data.events.length.toLocaleString('en-US')} event rollup rows in ${((Date.now() - started) / 1000).toFixed(1)} s (${data.sums.registrations} registrations, ${data.sums.ftds} FTDs); they are inserted directly, not sent through /c/{code}`,
  );
  const results: [string, Timing[]][] = [];
  results.push(['SQLite', await runTarget('SQLite', null, data)]);
  if (await pgReachable(PG_URL)) {
    const dbName = `pd_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    try {
      results.push(['PostgreSQL', await runTarget('PostgreSQL', `${PG_URL}/${dbName}`, data)]);
    } finally {
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  } else {
    log(`PostgreSQL at ${PG_URL} is not reachable: skipping the PostgreSQL run.`);
  }

  const lines = [
    '',
    `Rollups seeded directly: ${data.clicks.length.toLocaleString('en-US')} click rollup rows (${CLICKS.toLocaleString('en-US')} clicks) and ${data.events.length.toLocaleString('en-US')} event rollup rows for ${PARTNERS} partners, ${FROM}..${TO}.`,
    '',
    '| database | scenario | p50 ms | p99 ms | p50 ratio to baselines |',
    '| --- | --- | ---: | ---: | --- |',
  ];
  for (const [db, timings] of results)
    for (const t of timings)
      lines.push(`| ${db} | ${t.name} | ${t.p50.toFixed(1)} | ${t.p99.toFixed(1)} | ${t.baseline} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const [db, timings] of results) {
    const all = timings.find((t) => t.name.includes('in one call'));
    if (all)
      process.stdout.write(
        `\nTarget (${db}): a month for ${PARTNERS} partners well under a second → p50 ${all.p50.toFixed(1)} ms (aim < 250 ms: ${all.p50 < 250 ? 'met' : 'not met'}), p99 ${all.p99.toFixed(1)} ms: ${all.p99 < 500 ? 'MET (< 500 ms)' : all.p99 < 1000 ? 'under 1 s but not well under (>= 500 ms)' : 'NOT MET'}\n`,
      );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
