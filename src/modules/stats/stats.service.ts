// Stats per day, partner, link and sub1, read from the daily rollups only (click_rollups written by the
// tracking writer, event_rollups written by the events ingest) — never from raw clicks or events.
// When neither the grouping nor the filters name a link or sub1, the same figures come from the coarser
// rollups per partner and day (partner_day_click_rollups, partner_day_event_rollups), kept in the same
// transactions as the finer ones: a month across every partner reads one row per partner-day, not one per
// link, sub1 and day. Both answer the same; partner-day.test.ts checks it after real clicks and events.
//
// One page = grouped queries over the same filters, each ordered by the group keys and cut at limit + 1
// groups with LIMIT: clicks, and event counts summed over every currency. The page is the first `limit` keys
// of the union of both; a key among them is among the first `limit` of each side, so both sides' figures for
// it are complete. Money per currency is then read for the page's keys only (readMoney), so no query needs a
// window function over every group and currency. Keys are compared as bytes (SQLite BINARY, PostgreSQL
// COLLATE "C", Buffer.compare here) so the database and this file agree on the order.
import { type RawBuilder, sql } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import { forbidden, invalidField } from '../../platform/errors.ts';
import { roundHalfEven } from '../../platform/money.ts';
import { isValidIsoDate, todayUtc } from '../../platform/time.ts';
import type { Store } from '../../platform/tx.ts';
import { loadPartnerFor } from '../partners/index.ts';
import { loadLinkFor } from '../tracking/index.ts';
import { MAX_STATS_DAYS, STATS_GROUP_KEYS, type StatsGroupKey, type StatsQuery } from './stats.schemas.ts';

const COLUMN: Record<StatsGroupKey, 'day' | 'partner_id' | 'link_id' | 'sub1'> = {
  day: 'day',
  partner: 'partner_id',
  link: 'link_id',
  sub1: 'sub1',
};

const CLICK_SUMS = ['clicks', 'unique_clicks', 'bots'] as const;
const EVENT_COUNTS = [
  'registrations',
  'kyc_approved',
  'ftds',
  'qualified_ftds',
  'deposits',
  'withdrawals',
  'trades',
  'lots',
  'chargebacks',
] as const;
const EVENT_AMOUNTS = [
  'deposit_amount_minor',
  'ftd_amount_minor',
  'withdrawal_amount_minor',
  'revenue_minor',
  'chargeback_amount_minor',
] as const;

export interface StatsMoney {
  currency: string;
  depositAmountMinor: number;
  ftdAmountMinor: number;
  withdrawalAmountMinor: number;
  revenueMinor: number;
  chargebackAmountMinor: number;
}

export interface StatsFigures {
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
  money: StatsMoney[];
  rates: {
    registrationsPerClickBp: number | null;
    ftdsPerRegistrationBp: number | null;
    qualifiedFtdsPerFtdBp: number | null;
  };
}

export interface StatsRow extends StatsFigures {
  day?: string;
  partnerId?: string;
  linkId?: string | null;
  sub1?: string | null;
}

export interface StatsResult {
  from: string;
  to: string;
  groupBy: StatsGroupKey[];
  data: StatsRow[];
  nextCursor: string | null;
  totals: StatsFigures | null;
}

/** Figures being summed, before the rates are derived. */
interface Acc {
  keys: string[];
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
  money: Map<string, StatsMoney>;
}

function emptyAcc(keys: string[]): Acc {
  return {
    keys,
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
    money: new Map(),
  };
}

type Num = number | string | bigint | null;
const n = (v: Num | undefined): number => Number(v ?? 0);

function addClicks(a: Acc, r: Record<string, Num>): void {
  a.clicks += n(r.clicks);
  a.uniqueClicks += n(r.unique_clicks);
  a.bots += n(r.bots);
}

function addEvents(a: Acc, r: Record<string, Num>): void {
  a.registrations += n(r.registrations);
  a.kycApproved += n(r.kyc_approved);
  a.ftds += n(r.ftds);
  a.qualifiedFtds += n(r.qualified_ftds);
  a.deposits += n(r.deposits);
  a.withdrawals += n(r.withdrawals);
  a.trades += n(r.trades);
  a.lots += n(r.lots);
  a.chargebacks += n(r.chargebacks);
  const currency = String(r.currency ?? '');
  if (currency === '') return;
  let m = a.money.get(currency);
  if (!m) {
    m = {
      currency,
      depositAmountMinor: 0,
      ftdAmountMinor: 0,
      withdrawalAmountMinor: 0,
      revenueMinor: 0,
      chargebackAmountMinor: 0,
    };
    a.money.set(currency, m);
  }
  m.depositAmountMinor += n(r.deposit_amount_minor);
  m.ftdAmountMinor += n(r.ftd_amount_minor);
  m.withdrawalAmountMinor += n(r.withdrawal_amount_minor);
  m.revenueMinor += n(r.revenue_minor);
  m.chargebackAmountMinor += n(r.chargeback_amount_minor);
}

function mergeInto(into: Acc, from: Acc): void {
  for (const k of [
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
  ] as const)
    into[k] += from[k];
  for (const m of from.money.values()) {
    const t = into.money.get(m.currency);
    if (!t) into.money.set(m.currency, { ...m });
    else {
      t.depositAmountMinor += m.depositAmountMinor;
      t.ftdAmountMinor += m.ftdAmountMinor;
      t.withdrawalAmountMinor += m.withdrawalAmountMinor;
      t.revenueMinor += m.revenueMinor;
      t.chargebackAmountMinor += m.chargebackAmountMinor;
    }
  }
}

/** A ratio in basis points (one rounding rule: half-even), or null without a denominator. */
export function ratioBp(numerator: number, denominator: number): number | null {
  return denominator > 0 ? roundHalfEven((numerator * 10_000) / denominator) : null;
}

function figuresOf(a: Acc): StatsFigures {
  return {
    clicks: a.clicks,
    uniqueClicks: a.uniqueClicks,
    bots: a.bots,
    registrations: a.registrations,
    kycApproved: a.kycApproved,
    ftds: a.ftds,
    qualifiedFtds: a.qualifiedFtds,
    deposits: a.deposits,
    withdrawals: a.withdrawals,
    trades: a.trades,
    lots: a.lots,
    chargebacks: a.chargebacks,
    money: [...a.money.values()].sort((x, y) => compareText(x.currency, y.currency)),
    rates: {
      registrationsPerClickBp: ratioBp(a.registrations, a.clicks),
      ftdsPerRegistrationBp: ratioBp(a.ftds, a.registrations),
      qualifiedFtdsPerFtdBp: ratioBp(a.qualifiedFtds, a.ftds),
    },
  };
}

// From U+D800 up, UTF-16 code-unit order (JS `<`) and UTF-8 byte order differ (surrogates vs U+E000–U+FFFF).
const NON_BMP_ORDER = /[\ud800-\uffff]/;

/** Byte order of the UTF-8 text: the order of SQLite's BINARY collation and PostgreSQL's "C". */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  if (NON_BMP_ORDER.test(a) || NON_BMP_ORDER.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareText(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return 0;
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function parseDay(field: string, s: string): string {
  if (!isValidIsoDate(s)) throw invalidField(field, `${s} is not a calendar date (use YYYY-MM-DD).`);
  return s;
}

export function parseGroupBy(raw: string): StatsGroupKey[] {
  const keys = raw.split(',');
  for (const k of keys)
    if (!(STATS_GROUP_KEYS as readonly string[]).includes(k))
      throw invalidField('query.groupBy', `"${k}" is not a group key; use day, partner, link or sub1.`);
  if (new Set(keys).size !== keys.length)
    throw invalidField('query.groupBy', 'names a group key more than once.');
  return keys as StatsGroupKey[];
}

export function encodeCursor(groupBy: StatsGroupKey[], keys: string[]): string {
  return Buffer.from(JSON.stringify({ g: groupBy.join(','), k: keys })).toString('base64url');
}

function decodeCursor(groupBy: StatsGroupKey[], cursor: string): string[] {
  const bad = () => invalidField('query.cursor', 'is not a cursor of this grouping; start again without it.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const p = parsed as { g?: unknown; k?: unknown };
  if (
    !p ||
    typeof p !== 'object' ||
    p.g !== groupBy.join(',') ||
    !Array.isArray(p.k) ||
    p.k.length !== groupBy.length ||
    !p.k.every((v) => typeof v === 'string')
  )
    throw bad();
  return p.k as string[];
}

/** The rollup tables a query reads: per partner and day when it can, else per link and sub1 too. */
interface Tables {
  clicks: 'click_rollups' | 'partner_day_click_rollups';
  events: 'event_rollups' | 'partner_day_event_rollups';
}
const FINE: Tables = { clicks: 'click_rollups', events: 'event_rollups' };
const PARTNER_DAY: Tables = { clicks: 'partner_day_click_rollups', events: 'partner_day_event_rollups' };

/** The coarse tables hold every figure of a partner-day; they serve whatever names no link and no sub1. */
export function tablesFor(p: {
  groupBy: StatsGroupKey[];
  linkId: string | null;
  sub1: string | null;
}): Tables {
  const fine = p.linkId !== null || p.sub1 !== null || p.groupBy.some((k) => k === 'link' || k === 'sub1');
  return fine ? FINE : PARTNER_DAY;
}

interface Plan {
  from: string;
  to: string;
  groupBy: StatsGroupKey[];
  partnerId: string | null;
  linkId: string | null;
  sub1: string | null;
  after: string[] | null;
  limit: number;
  /** Tables of the grouped page, and of the totals (which have no grouping, only the filters). */
  tables: Tables;
  totalTables: Tables;
}

/** Checks the query and the actor's reach; answers the range, keys and filters to read. */
async function planFor(store: Store, ctx: RequestContext, q: StatsQuery): Promise<Plan> {
  assertCan(ctx.actor, 'stats.read');
  const to = q.to ? parseDay('query.to', q.to) : todayUtc();
  const from = q.from ? parseDay('query.from', q.from) : addDays(to, -29);
  if (from > to) throw invalidField('query.from', `must be on or before query.to (${to}).`);
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days > MAX_STATS_DAYS)
    throw invalidField(
      'query.from',
      `the range is limited to ${MAX_STATS_DAYS} days (this one has ${days}).`,
    );
  const groupBy = parseGroupBy(q.groupBy);
  const after = q.cursor ? decodeCursor(groupBy, q.cursor) : null;

  const actor = ctx.actor;
  const partnerUser = actor.role === 'partner' || actor.partnerId !== null;
  let partnerId: string | null = null;
  if (q.partnerId) {
    partnerId = (await loadPartnerFor(store.db, actor, q.partnerId, 'see')).id;
  } else if (partnerUser) {
    partnerId = actor.partnerId ?? '';
  } else if (!actor.permissions.has('partners.read')) {
    throw forbidden('Stats across partners need the "partners.read" permission too; filter by a partner.');
  }
  let linkId: string | null = null;
  if (q.linkId) linkId = (await loadLinkFor(store.db, ctx, q.linkId)).id;
  const sub1 = q.sub1 ?? null;
  return {
    from,
    to,
    groupBy,
    partnerId,
    linkId,
    sub1,
    after,
    limit: q.limit,
    tables: tablesFor({ groupBy, linkId, sub1 }),
    totalTables: tablesFor({ groupBy: [], linkId, sub1 }),
  };
}

function whereOf(store: Store, p: Plan, withCursor: boolean): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`day >= ${p.from}`, sql`day <= ${p.to}`];
  if (p.partnerId !== null) parts.push(sql`partner_id = ${p.partnerId}`);
  if (p.linkId !== null) parts.push(sql`link_id = ${p.linkId}`);
  if (p.sub1 !== null) parts.push(sql`sub1 = ${p.sub1}`);
  if (withCursor && p.after) {
    const cols = sql.join(p.groupBy.map((k) => ordered(store, k)));
    parts.push(sql`(${cols}) > (${sql.join(p.after)})`);
  }
  return sql.join(parts, sql` and `);
}

/** A key column compared as bytes on both databases. */
function ordered(store: Store, k: StatsGroupKey): RawBuilder<unknown> {
  return store.dialect === 'postgres' ? sql`${sql.ref(COLUMN[k])} collate "C"` : sql.ref(COLUMN[k]);
}

const sums = (cols: readonly string[]) => sql.join(cols.map((c) => sql`sum(${sql.ref(c)}) as ${sql.ref(c)}`));

/** Group keys no greater than `upTo` (the last key of the page), compared as bytes. */
function upToOf(store: Store, p: Plan, upTo: string[]): RawBuilder<unknown> {
  const cols = sql.join(p.groupBy.map((k) => ordered(store, k)));
  return sql`(${cols}) <= (${sql.join(upTo)})`;
}

/** Whether the partner-day rollups answer this page by partner through the SQLite per-partner reads. */
function perPartnerSqlite(store: Store, p: Plan): boolean {
  return (
    store.dialect === 'sqlite' &&
    p.tables === PARTNER_DAY &&
    p.partnerId === null &&
    p.groupBy.length === 1 &&
    p.groupBy[0] === 'partner'
  );
}

async function readClicks(store: Store, p: Plan, limit: number): Promise<Record<string, Num>[]> {
  if (perPartnerSqlite(store, p)) return clicksPerPartner(store, p, limit);
  const keys = sql.join(p.groupBy.map((k) => sql.ref(COLUMN[k])));
  const order = sql.join(p.groupBy.map((k) => ordered(store, k)));
  const q = sql<Record<string, Num>>`select ${keys}, ${sums(CLICK_SUMS)} from ${sql.table(p.tables.clicks)}
    where ${whereOf(store, p, true)} group by ${keys} order by ${order} limit ${limit}`;
  return (await q.execute(store.db)).rows;
}

/**
 * Event figures of the first `limit` groups that have event rows. Counts are summed over every currency;
 * money per currency comes with them only where `withMoney` says so, else from readMoney once the page is
 * known (one grouped pass with a LIMIT per side, no window function).
 */
async function readEvents(
  store: Store,
  p: Plan,
  limit: number,
): Promise<{ rows: Record<string, Num>[]; withMoney: boolean }> {
  if (perPartnerSqlite(store, p)) return { rows: await eventsPerPartner(store, p, limit), withMoney: true };
  const keys = sql.join(p.groupBy.map((k) => sql.ref(COLUMN[k])));
  const order = sql.join(p.groupBy.map((k) => ordered(store, k)));
  const q = sql<Record<string, Num>>`select ${keys}, ${sums(EVENT_COUNTS)} from ${sql.table(p.tables.events)}
    where ${whereOf(store, p, true)} group by ${keys} order by ${order} limit ${limit}`;
  return { rows: (await q.execute(store.db)).rows, withMoney: false };
}

/**
 * Money per group and currency for the page's groups: after the cursor and up to the page's last key. Every
 * group with event rows in that stretch is on the page (it is among the first limit + 1 event groups, or the
 * page would have more than `limit` groups before it), so the money is complete for each group of the page.
 */
async function readMoney(store: Store, p: Plan, upTo: string[]): Promise<Record<string, Num>[]> {
  const keys = sql.join(p.groupBy.map((k) => sql.ref(COLUMN[k])));
  const q = sql<Record<string, Num>>`select ${keys}, currency, ${sums(EVENT_AMOUNTS)}
    from ${sql.table(p.tables.events)}
    where ${whereOf(store, p, true)} and currency <> '' and ${upToOf(store, p, upTo)}
    group by ${keys}, currency`;
  return (await q.execute(store.db)).rows;
}

/**
 * PostgreSQL reads the money alongside the other two (the pool has connections to spare): the money of the
 * first `limit` groups that have money, cut with dense_rank over the keys. Every page group with money is among
 * them (else `limit` groups with money, all on the page, would come before it); rows past the page are dropped.
 * SQLite runs one statement at a time anyway and sorts slowly for a window, so it uses readMoney after.
 */
async function readMoneyAlongside(store: Store, p: Plan, limit: number): Promise<Record<string, Num>[]> {
  const keys = sql.join(p.groupBy.map((k) => sql.ref(COLUMN[k])));
  const order = sql.join(p.groupBy.map((k) => ordered(store, k)));
  const q = sql<Record<string, Num>>`select * from (
      select ${keys}, currency, ${sums(EVENT_AMOUNTS)}, dense_rank() over (order by ${order}) as rk
      from ${sql.table(p.tables.events)} where ${whereOf(store, p, true)} and currency <> ''
      group by ${keys}, currency
    ) g where rk <= ${limit}`;
  return (await q.execute(store.db)).rows;
}

// SQLite has no hash aggregation and no LATERAL: a GROUP BY partner over a range of days sorts every row of the
// range (~2 µs a row here), and a scan in partner order reads the whole history. So the month by partner walks
// the partners of the table (a loose index scan: one seek per partner on the (partner_id, …) covering index)
// and sums each one's range of days in a correlated subquery, which answers one value: the sums as a JSON
// array (integers are exact in it). Rows come in partner order (the walk's), and stop at the page's limit.
// The inner `limit -1` (no limit) keeps SQLite from flattening the subquery, which would evaluate the
// correlated sums twice per partner (once for the outer WHERE, once for the result).
function partnersAfter(table: RawBuilder<unknown>, after: string): RawBuilder<unknown> {
  return sql`with recursive p(id) as (
      select min(partner_id) from ${table} where partner_id > ${after}
      union all
      select (select min(partner_id) from ${table} where partner_id > p.id) from p where p.id is not null
    )`;
}

async function clicksPerPartner(store: Store, p: Plan, limit: number): Promise<Record<string, Num>[]> {
  const t = sql.table(p.tables.clicks);
  const q = sql<{ partner_id: string; s: string }>`${partnersAfter(t, p.after?.[0] ?? '')}
    select partner_id, s from (
      select p.id as partner_id,
        (select case when count(*) > 0 then json_array(${sql.join(CLICK_SUMS.map((c) => sql`sum(${sql.ref(c)})`))}) end
         from ${t} r where r.partner_id = p.id and r.day >= ${p.from} and r.day <= ${p.to}) as s
      from p where p.id is not null limit -1
    ) where s is not null limit ${limit}`;
  return inPartnerOrder((await q.execute(store.db)).rows).map((r) =>
    named({ partner_id: r.partner_id }, CLICK_SUMS, JSON.parse(r.s) as Num[], 0),
  );
}

/** Per partner, its figures per currency (the index is in (partner_id, currency, day) order: no sort). */
async function eventsPerPartner(store: Store, p: Plan, limit: number): Promise<Record<string, Num>[]> {
  const t = sql.table(p.tables.events);
  const figures = [...EVENT_COUNTS, ...EVENT_AMOUNTS];
  const q = sql<{ partner_id: string; s: string }>`${partnersAfter(t, p.after?.[0] ?? '')}
    select partner_id, s from (
      select p.id as partner_id,
        (select json_group_array(json_array(currency, ${sql.join(figures.map((c) => sql.ref(c)))})) from (
           select currency, ${sums(figures)} from ${t} r
           where r.partner_id = p.id and r.day >= ${p.from} and r.day <= ${p.to}
           group by currency)) as s
      from p where p.id is not null limit -1
    ) where s <> '[]' limit ${limit}`;
  const out: Record<string, Num>[] = [];
  for (const r of inPartnerOrder((await q.execute(store.db)).rows))
    for (const v of JSON.parse(r.s) as Num[][])
      out.push(named({ partner_id: r.partner_id, currency: v[0] as Num }, figures, v, 1));
  return out;
}

/** `row` with cols[i] = values[from + i] (a loop: spreading Object.fromEntries cost ~40 ms per 5,000 rows). */
function named(
  row: Record<string, Num>,
  cols: readonly string[],
  values: Num[],
  from: number,
): Record<string, Num> {
  for (let i = 0; i < cols.length; i++) row[cols[i] as string] = values[from + i] as Num;
  return row;
}

/** The walk yields partners in ascending order; checked, since the page and its cursor rely on it. */
function inPartnerOrder<R extends { partner_id: string }>(rows: R[]): R[] {
  for (let i = 1; i < rows.length; i++)
    if (compareText((rows[i - 1] as R).partner_id, (rows[i] as R).partner_id) >= 0)
      throw new Error('stats: the partner walk answered out of order');
  return rows;
}

/** Totals of the whole range under the filters (no grouping, no cursor). */
async function readTotals(store: Store, p: Plan): Promise<Acc> {
  const acc = emptyAcc([]);
  const where = whereOf(store, p, false);
  const [c, e, m] = await Promise.all([
    sql<Record<string, Num>>`select ${sums(CLICK_SUMS)} from ${sql.table(p.totalTables.clicks)}
      where ${where}`.execute(store.db),
    sql<Record<string, Num>>`select ${sums(EVENT_COUNTS)} from ${sql.table(p.totalTables.events)}
      where ${where}`.execute(store.db),
    sql<Record<string, Num>>`select currency, ${sums(EVENT_AMOUNTS)} from ${sql.table(p.totalTables.events)}
      where ${where} and currency <> '' group by currency`.execute(store.db),
  ]);
  for (const r of c.rows) addClicks(acc, r);
  for (const r of [...e.rows, ...m.rows]) addEvents(acc, r);
  return acc;
}

function present(groupBy: StatsGroupKey[], a: Acc): StatsRow {
  const row: StatsRow = {} as StatsRow;
  groupBy.forEach((k, i) => {
    const v = a.keys[i] as string;
    if (k === 'day') row.day = v;
    else if (k === 'partner') row.partnerId = v;
    else if (k === 'link') row.linkId = v === '' ? null : v;
    else row.sub1 = v === '' ? null : v;
  });
  return Object.assign(row, figuresOf(a));
}

/**
 * Stats for a range, grouped and filtered; a page of groups plus the totals of the whole range. `rollups:
 * 'per-link'` reads the per-link rollups even where the partner-day ones would do (tests compare the two).
 */
export async function readStats(
  store: Store,
  ctx: RequestContext,
  q: StatsQuery,
  opts: { rollups?: 'auto' | 'per-link' } = {},
): Promise<StatsResult> {
  const planned = await planFor(store, ctx, q);
  const p = opts.rollups === 'per-link' ? { ...planned, tables: FINE, totalTables: FINE } : planned;
  const cut = p.limit + 1;
  const [clickRows, events, moneyAlongside] = await Promise.all([
    readClicks(store, p, cut),
    readEvents(store, p, cut),
    store.dialect === 'postgres' ? readMoneyAlongside(store, p, cut) : null,
  ]);

  const groups = new Map<string, Acc>();
  const keysOf = (r: Record<string, Num>) => p.groupBy.map((k) => String(r[COLUMN[k]] ?? ''));
  const accFor = (r: Record<string, Num>, keys = keysOf(r)): Acc => {
    const id = keys.join('\u0000');
    let a = groups.get(id);
    if (!a) {
      a = emptyAcc(keys);
      groups.set(id, a);
    }
    return a;
  };
  for (const r of clickRows) addClicks(accFor(r), r);
  for (const r of events.rows) addEvents(accFor(r), r);

  const sorted = [...groups.values()].sort((a, b) => compareKeys(a.keys, b.keys));
  const page = sorted.slice(0, p.limit);
  const more = sorted.length > p.limit;
  const last = page[page.length - 1];
  const nextCursor = more && last ? encodeCursor(p.groupBy, last.keys) : null;
  if (last && !events.withMoney)
    for (const r of moneyAlongside ?? (await readMoney(store, p, last.keys))) {
      const keys = keysOf(r);
      if (compareKeys(keys, last.keys) <= 0) addEvents(accFor(r, keys), r);
    }

  // Totals come with the first page only: when everything fits on it they are its sum, else one more pass.
  let totals: Acc | null = null;
  if (!p.after && !more) {
    totals = emptyAcc([]);
    for (const a of page) mergeInto(totals, a);
  } else if (!p.after) {
    totals = await readTotals(store, p);
  }
  return {
    from: p.from,
    to: p.to,
    groupBy: p.groupBy,
    data: page.map((a) => present(p.groupBy, a)),
    nextCursor,
    totals: totals ? figuresOf(totals) : null,
  };
}
