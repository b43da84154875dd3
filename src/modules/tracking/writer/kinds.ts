// The kinds of rows the batched tracking writer commits, each with its SQL for both databases. A batch holds
// rows of any kinds and commits them in ONE transaction; a kind's handler receives all of its rows of the
// batch at once (so it can use multi-row statements and aggregate rollups) and may return one result per row.
//
// Adding a kind: add an entry to KINDS with
//   sqlite(db, rows)    — runs inside the writer worker's open transaction (better-sqlite3, synchronous);
//   postgres(trx, rows) — runs inside a Kysely transaction on the main thread's pool.
// Both must do the same thing (e.g. idempotent insert ON CONFLICT DO NOTHING on (source, type, txid), then
// attribution, rollups and outbox rows) and return results in row order (e.g. the stored original result of a
// replayed event). Rows cross a thread boundary (structured clone), so keep them plain arrays or objects.
// This file is loaded by the worker too: it must import nothing that opens connections or starts work.
import type Database from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import { applyEventsPostgres, applyEventsSqlite } from '../../events/ingest-kind.ts';
import type { EventResult, EventRow } from '../../events/ingest-plan.ts';

export interface WriterKind<Row, Result> {
  sqlite(db: Database.Database, rows: Row[]): Result[] | undefined;
  postgres(trx: Transaction<DB>, rows: Row[]): Promise<Result[] | undefined>;
}

/**
 * A click as the writer receives it (a tuple, cheap to clone between threads):
 * [id, link_id, partner_id, ts (ISO), ip, user_agent, referrer, country, geo_allowed, sub1..sub5, is_bot, is_duplicate,
 *  is_test]. A test click (tracking QA) is stored as evidence but never reaches the rollups.
 */
export type ClickRow = [
  id: string,
  linkId: string,
  partnerId: string,
  ts: string,
  ip: string | null,
  userAgent: string | null,
  referrer: string | null,
  country: string | null,
  geoAllowed: 0 | 1 | null,
  sub1: string | null,
  sub2: string | null,
  sub3: string | null,
  sub4: string | null,
  sub5: string | null,
  isBot: 0 | 1,
  isDuplicate: 0 | 1,
  isTest: 0 | 1,
];

interface RollupDelta {
  day: string;
  linkId: string;
  sub1: string;
  partnerId: string;
  clicks: number;
  unique: number;
  bots: number;
}

/** Click rollup deltas of a batch, sorted by key so concurrent PostgreSQL batches lock rows in one order. */
export function rollupDeltas(rows: ClickRow[]): RollupDelta[] {
  const map = new Map<string, RollupDelta>();
  for (const r of rows) {
    if (r[16] === 1) continue;
    const day = r[3].slice(0, 10);
    const sub1 = r[9] ?? '';
    const key = `${day}\u0000${r[1]}\u0000${sub1}`;
    let d = map.get(key);
    if (!d) {
      d = { day, linkId: r[1], sub1, partnerId: r[2], clicks: 0, unique: 0, bots: 0 };
      map.set(key, d);
    }
    d.clicks += 1;
    if (r[14] === 1) d.bots += 1;
    else if (r[15] === 0) d.unique += 1;
  }
  return [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

interface PartnerDayDelta {
  day: string;
  partnerId: string;
  clicks: number;
  unique: number;
  bots: number;
}

/**
 * The same deltas summed per partner and day (partner_day_click_rollups), sorted by key. Every batch locks its
 * click_rollups rows first and these second, each in key order, so concurrent batches never wait in a cycle.
 */
export function partnerDayDeltas(deltas: RollupDelta[]): PartnerDayDelta[] {
  const map = new Map<string, PartnerDayDelta>();
  for (const d of deltas) {
    const key = `${d.day}\u0000${d.partnerId}`;
    let p = map.get(key);
    if (!p) {
      p = { day: d.day, partnerId: d.partnerId, clicks: 0, unique: 0, bots: 0 };
      map.set(key, p);
    }
    p.clicks += d.clicks;
    p.unique += d.unique;
    p.bots += d.bots;
  }
  return [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

const sqliteStatements = new WeakMap<
  Database.Database,
  { click: Database.Statement; rollup: Database.Statement; partnerDay: Database.Statement }
>();

function statementsFor(db: Database.Database) {
  let s = sqliteStatements.get(db);
  if (!s) {
    s = {
      click: db.prepare(
        `insert into clicks (id, link_id, partner_id, ts, ip, user_agent, referrer, country, geo_allowed,
           sub1, sub2, sub3, sub4, sub5, is_bot, is_duplicate, is_test)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      rollup: db.prepare(
        `insert into click_rollups (day, link_id, sub1, partner_id, clicks, unique_clicks, bots)
         values (?, ?, ?, ?, ?, ?, ?)
         on conflict (day, link_id, sub1) do update set
           clicks = click_rollups.clicks + excluded.clicks,
           unique_clicks = click_rollups.unique_clicks + excluded.unique_clicks,
           bots = click_rollups.bots + excluded.bots`,
      ),
      partnerDay: db.prepare(
        `insert into partner_day_click_rollups (day, partner_id, clicks, unique_clicks, bots)
         values (?, ?, ?, ?, ?)
         on conflict (day, partner_id) do update set
           clicks = partner_day_click_rollups.clicks + excluded.clicks,
           unique_clicks = partner_day_click_rollups.unique_clicks + excluded.unique_clicks,
           bots = partner_day_click_rollups.bots + excluded.bots`,
      ),
    };
    sqliteStatements.set(db, s);
  }
  return s;
}

const PG_CHUNK = 2000; // 17 parameters a row, under PostgreSQL's 65,535 bind parameters

export const clickKind: WriterKind<ClickRow, undefined> = {
  sqlite(db, rows) {
    const s = statementsFor(db);
    for (const r of rows) s.click.run(r);
    const deltas = rollupDeltas(rows);
    for (const d of deltas) s.rollup.run(d.day, d.linkId, d.sub1, d.partnerId, d.clicks, d.unique, d.bots);
    for (const d of partnerDayDeltas(deltas))
      s.partnerDay.run(d.day, d.partnerId, d.clicks, d.unique, d.bots);
    return undefined;
  },
  async postgres(trx, rows) {
    for (let i = 0; i < rows.length; i += PG_CHUNK) {
      const chunk = rows.slice(i, i + PG_CHUNK);
      await trx
        .insertInto('clicks')
        .values(
          chunk.map((r) => ({
            id: r[0],
            link_id: r[1],
            partner_id: r[2],
            ts: r[3],
            ip: r[4],
            user_agent: r[5],
            referrer: r[6],
            country: r[7],
            geo_allowed: r[8],
            sub1: r[9],
            sub2: r[10],
            sub3: r[11],
            sub4: r[12],
            sub5: r[13],
            is_bot: r[14],
            is_duplicate: r[15],
            is_test: r[16],
          })),
        )
        .execute();
    }
    const deltas = rollupDeltas(rows);
    if (deltas.length > 0) {
      await trx
        .insertInto('click_rollups')
        .values(
          deltas.map((d) => ({
            day: d.day,
            link_id: d.linkId,
            sub1: d.sub1,
            partner_id: d.partnerId,
            clicks: d.clicks,
            unique_clicks: d.unique,
            bots: d.bots,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['day', 'link_id', 'sub1']).doUpdateSet({
            clicks: sql`click_rollups.clicks + excluded.clicks`,
            unique_clicks: sql`click_rollups.unique_clicks + excluded.unique_clicks`,
            bots: sql`click_rollups.bots + excluded.bots`,
          }),
        )
        .execute();
      await trx
        .insertInto('partner_day_click_rollups')
        .values(
          partnerDayDeltas(deltas).map((d) => ({
            day: d.day,
            partner_id: d.partnerId,
            clicks: d.clicks,
            unique_clicks: d.unique,
            bots: d.bots,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['day', 'partner_id']).doUpdateSet({
            clicks: sql`partner_day_click_rollups.clicks + excluded.clicks`,
            unique_clicks: sql`partner_day_click_rollups.unique_clicks + excluded.unique_clicks`,
            bots: sql`partner_day_click_rollups.bots + excluded.bots`,
          }),
        )
        .execute();
    }
    return undefined;
  },
};

/** Inbound events (modules/events): idempotent on (source, type, txid); answers each event's result. */
export const eventKind: WriterKind<EventRow, EventResult> = {
  sqlite: applyEventsSqlite,
  postgres: applyEventsPostgres,
};

/** Every kind the writer knows. */
export const KINDS = {
  click: clickKind,
  event: eventKind,
} as const;

export type KindName = keyof typeof KINDS;
export type RowOf<K extends KindName> = (typeof KINDS)[K] extends WriterKind<infer R, unknown> ? R : never;
export type ResultOf<K extends KindName> = (typeof KINDS)[K] extends WriterKind<unknown, infer R> ? R : never;

/** One batch: rows grouped by kind (order kept within a kind). */
export interface BatchGroup {
  kind: KindName;
  rows: unknown[];
}

/** The outcome of a batch: per group, per row, a result or an error message (a row that failed alone). */
export interface BatchOutcome {
  results: (unknown[] | undefined)[];
  /** Present only when the batch as a whole failed and rows were retried one by one. */
  errors?: (string | null)[][];
}
