// The tracking writer's `event` kind: a batch of events gathered from concurrent requests, committed in the
// batch's one transaction. Both databases gather the same lookups, call the pure `planBatch`, and write its
// plan (events, clients, rollups, outbox rows, source last-seen). A replayed (source, type, txid) writes
// nothing and answers the stored original.
//
// SQLite: runs in the writer thread with prepared statements (the thread is the only writer).
// PostgreSQL: event batches take a transaction-level advisory lock so two batches never decide the same
// client or txid at once (click batches do not take it and still run in parallel); a client changed
// meanwhile by a manual decision fails the version check and the batch is retried row by row.
//
// This file is loaded by the SQLite writer thread: it must import nothing that opens connections.
import type Database from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import {
  type ClickFacts,
  type ClientState,
  type EventResult,
  type EventRow,
  type ExistingEvent,
  eventKey,
  type Lookups,
  type Plan,
  type ProgrammeFacts,
  planBatch,
} from './ingest-plan.ts';

/** The advisory lock key event batches take on PostgreSQL ("PDEV"). */
export const EVENTS_LOCK_KEY = 0x50444556;
const CACHE_MS = 2_000;
const POSTBACK_TOPIC = 'postback.event';

// Client ids are minted in the writer (platform/ids.ts opens nothing, so the writer thread may load it).
const clientId = () => newId('client');

interface Caches {
  programmes: { at: number; map: Map<string, ProgrammeFacts> } | null;
  linkCodes: Map<string, string>;
}
const caches = new WeakMap<object, Caches>();
function cachesFor(key: object): Caches {
  let c = caches.get(key);
  if (!c) {
    c = { programmes: null, linkCodes: new Map() };
    caches.set(key, c);
  }
  return c;
}

interface ProgrammeRow extends ProgrammeFacts {
  id: string;
  is_default: number;
}
function programmeMap(rows: ProgrammeRow[]): Map<string, ProgrammeFacts> {
  const map = new Map<string, ProgrammeFacts>();
  for (const p of rows) {
    const facts = {
      ftd_definition: p.ftd_definition,
      qualifying_deposit_minor: Number(p.qualifying_deposit_minor),
      qualifying_currency: p.qualifying_currency,
    };
    map.set(p.id, facts);
    if (Number(p.is_default) === 1) map.set('', facts);
  }
  return map;
}

function clickIdsNeeded(rows: EventRow[], clients: Map<string, ClientState>): string[] {
  const ids = new Set<string>();
  for (const r of rows) {
    if (r.cand.clickId) ids.add(r.cand.clickId);
    const c = r.clientExt ? clients.get(r.clientExt) : undefined;
    if (c?.click_id) ids.add(c.click_id);
  }
  return [...ids];
}

function linkIdsNeeded(rows: EventRow[], clients: Map<string, ClientState>): string[] {
  const ids = new Set<string>();
  for (const r of rows) {
    if (r.cand.linkId) ids.add(r.cand.linkId);
    const c = r.clientExt ? clients.get(r.clientExt) : undefined;
    if (c?.link_id) ids.add(c.link_id);
  }
  return [...ids];
}

/** (partner, type) pairs whose postbacks might fire for this batch, including ftd/qualified_ftd. */
function postbackPairs(rows: EventRow[], clients: Map<string, ClientState>): [string, string][] {
  const pairs = new Map<string, [string, string]>();
  for (const r of rows) {
    const c = r.clientExt ? clients.get(r.clientExt) : undefined;
    const partner = c?.partner_id ?? r.cand.partnerId;
    if (!partner) continue;
    const types = [r.type as string];
    if (r.type === 'deposit' || r.type === 'ftd') types.push('ftd', 'qualified_ftd');
    for (const t of types) pairs.set(`${partner}\u0000${t}`, [partner, t]);
  }
  return [...pairs.values()];
}

// ---------- SQLite ----------

interface SqliteStatements {
  existing: Database.Statement;
  client: Database.Statement;
  click: Database.Statement;
  linkCode: Database.Statement;
  postback: Database.Statement;
  programmes: Database.Statement;
  insertEvent: Database.Statement;
  insertClient: Database.Statement;
  updateClient: Database.Statement;
  updateClientFtd: Database.Statement;
  rollup: Database.Statement;
  partnerDay: Database.Statement;
  outbox: Database.Statement;
  source: Database.Statement;
}
const sqliteStatements = new WeakMap<Database.Database, SqliteStatements>();

const EVENT_COLUMNS = [
  'id',
  'source_id',
  'type',
  'txid',
  'occurred_at',
  'received_at',
  'client_id',
  'click_id',
  'partner_id',
  'link_id',
  'sub1',
  'sub2',
  'sub3',
  'sub4',
  'sub5',
  'country',
  'attribution',
  'attribution_note',
  'amount_minor',
  'currency',
  'lots',
  'instrument_group',
  'revenue_minor',
  'is_ftd',
  'is_qualified_ftd',
  'is_test',
  'tracking_test_id',
] as const;

const CLIENT_COLUMNS = [
  'id',
  'external_id',
  'partner_id',
  'link_id',
  'click_id',
  'attribution',
  'attributed_at',
  'country',
  'first_event_at',
  'programme_id',
  'ftd_at',
  'ftd_event_id',
  'ftd_amount_minor',
  'ftd_currency',
  'qualified_at',
  'is_test',
  'created_at',
  'updated_at',
  'version',
] as const;

const ROLLUP_SQL = `insert into event_rollups (day, partner_id, link_id, sub1, currency, registrations, kyc_approved,
    ftds, qualified_ftds, ftd_amount_minor, deposits, deposit_amount_minor, withdrawals, withdrawal_amount_minor,
    trades, lots, revenue_minor, chargebacks, chargeback_amount_minor)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (partner_id, day, link_id, sub1, currency) do update set
    registrations = event_rollups.registrations + excluded.registrations,
    kyc_approved = event_rollups.kyc_approved + excluded.kyc_approved,
    ftds = event_rollups.ftds + excluded.ftds,
    qualified_ftds = event_rollups.qualified_ftds + excluded.qualified_ftds,
    ftd_amount_minor = event_rollups.ftd_amount_minor + excluded.ftd_amount_minor,
    deposits = event_rollups.deposits + excluded.deposits,
    deposit_amount_minor = event_rollups.deposit_amount_minor + excluded.deposit_amount_minor,
    withdrawals = event_rollups.withdrawals + excluded.withdrawals,
    withdrawal_amount_minor = event_rollups.withdrawal_amount_minor + excluded.withdrawal_amount_minor,
    trades = event_rollups.trades + excluded.trades,
    lots = event_rollups.lots + excluded.lots,
    revenue_minor = event_rollups.revenue_minor + excluded.revenue_minor,
    chargebacks = event_rollups.chargebacks + excluded.chargebacks,
    chargeback_amount_minor = event_rollups.chargeback_amount_minor + excluded.chargeback_amount_minor`;

const PARTNER_DAY_SQL = `insert into partner_day_event_rollups (day, partner_id, currency, registrations,
    kyc_approved, ftds, qualified_ftds, ftd_amount_minor, deposits, deposit_amount_minor, withdrawals,
    withdrawal_amount_minor, trades, lots, revenue_minor, chargebacks, chargeback_amount_minor)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (day, partner_id, currency) do update set
    registrations = partner_day_event_rollups.registrations + excluded.registrations,
    kyc_approved = partner_day_event_rollups.kyc_approved + excluded.kyc_approved,
    ftds = partner_day_event_rollups.ftds + excluded.ftds,
    qualified_ftds = partner_day_event_rollups.qualified_ftds + excluded.qualified_ftds,
    ftd_amount_minor = partner_day_event_rollups.ftd_amount_minor + excluded.ftd_amount_minor,
    deposits = partner_day_event_rollups.deposits + excluded.deposits,
    deposit_amount_minor = partner_day_event_rollups.deposit_amount_minor + excluded.deposit_amount_minor,
    withdrawals = partner_day_event_rollups.withdrawals + excluded.withdrawals,
    withdrawal_amount_minor = partner_day_event_rollups.withdrawal_amount_minor + excluded.withdrawal_amount_minor,
    trades = partner_day_event_rollups.trades + excluded.trades,
    lots = partner_day_event_rollups.lots + excluded.lots,
    revenue_minor = partner_day_event_rollups.revenue_minor + excluded.revenue_minor,
    chargebacks = partner_day_event_rollups.chargebacks + excluded.chargebacks,
    chargeback_amount_minor = partner_day_event_rollups.chargeback_amount_minor + excluded.chargeback_amount_minor`;

/** The FTD half of both client updates; its parameters are clientFtdParams. */
const CLIENT_FTD_SET = `ftd_at = ?, ftd_event_id = ?, ftd_amount_minor = ?, ftd_currency = ?, qualified_at = ?,
  updated_at = ?, version = ? where id = ? and version = ?`;

function clientFtdParams(c: ClientState, baseVersion: number): unknown[] {
  return [
    c.ftd_at,
    c.ftd_event_id,
    c.ftd_amount_minor,
    c.ftd_currency,
    c.qualified_at,
    c.updated_at,
    baseVersion + 1,
    c.id,
    baseVersion,
  ];
}

function statementsFor(db: Database.Database): SqliteStatements {
  let s = sqliteStatements.get(db);
  if (!s) {
    const q = (n: number) => new Array(n).fill('?').join(', ');
    s = {
      existing: db.prepare(
        'select id, partner_id, attribution, attribution_note, is_ftd, is_qualified_ftd from events where source_id = ? and type = ? and txid = ?',
      ),
      client: db.prepare('select * from clients where external_id = ?'),
      click: db.prepare('select sub1, sub2, sub3, sub4, sub5, country from clicks where id = ?'),
      linkCode: db.prepare('select code from links where id = ?'),
      postback: db.prepare(
        "select 1 as x from partner_postbacks where partner_id = ? and event_type = ? and status = 'active' limit 1",
      ),
      programmes: db.prepare(
        'select id, is_default, ftd_definition, qualifying_deposit_minor, qualifying_currency from programmes',
      ),
      insertEvent: db.prepare(
        `insert into events (${EVENT_COLUMNS.join(', ')}) values (${q(EVENT_COLUMNS.length)})`,
      ),
      insertClient: db.prepare(
        `insert into clients (${CLIENT_COLUMNS.join(', ')}) values (${q(CLIENT_COLUMNS.length)})`,
      ),
      updateClient: db.prepare(
        `update clients set partner_id = ?, link_id = ?, click_id = ?, attribution = ?, attributed_at = ?,
           programme_id = ?, ${CLIENT_FTD_SET}`,
      ),
      // FTD and qualification only: leaves partner_id out of the SET, so SQLite does not rewrite the
      // clients_partner index entry (it rewrites every index whose columns are set, changed or not).
      updateClientFtd: db.prepare(`update clients set ${CLIENT_FTD_SET}`),
      rollup: db.prepare(ROLLUP_SQL),
      partnerDay: db.prepare(PARTNER_DAY_SQL),
      outbox: db.prepare(
        `insert into outbox (id, topic, key, payload, created_at, available_at, attempts) values (?, '${POSTBACK_TOPIC}', ?, ?, ?, ?, 0)`,
      ),
      source: db.prepare(
        'update event_sources set last_event_at = ? where id = ? and (last_event_at is null or last_event_at < ?)',
      ),
    };
    sqliteStatements.set(db, s);
  }
  return s;
}

function sqliteLookups(db: Database.Database, s: SqliteStatements, rows: EventRow[]): Lookups {
  const existing = new Map<string, ExistingEvent>();
  const clients = new Map<string, ClientState>();
  for (const r of rows) {
    const k = eventKey(r.sourceId, r.type, r.txid);
    if (!existing.has(k)) {
      const e = s.existing.get(r.sourceId, r.type, r.txid) as ExistingEvent | undefined;
      if (e) existing.set(k, e);
    }
    if (r.clientExt && !clients.has(r.clientExt)) {
      const c = s.client.get(r.clientExt) as ClientState | undefined;
      if (c) clients.set(r.clientExt, c);
    }
  }
  const clicks = new Map<string, ClickFacts>();
  for (const id of clickIdsNeeded(rows, clients)) {
    const c = s.click.get(id) as ClickFacts | undefined;
    if (c) clicks.set(id, c);
  }
  const cache = cachesFor(db);
  const now = Date.now();
  if (!cache.programmes || now - cache.programmes.at > CACHE_MS)
    cache.programmes = { at: now, map: programmeMap(s.programmes.all() as ProgrammeRow[]) };
  for (const id of linkIdsNeeded(rows, clients)) {
    if (cache.linkCodes.has(id)) continue;
    const l = s.linkCode.get(id) as { code: string } | undefined;
    if (l) cache.linkCodes.set(id, l.code);
  }
  const postbacks = new Set<string>();
  for (const [p, t] of postbackPairs(rows, clients))
    if (s.postback.get(p, t)) postbacks.add(`${p}\u0000${t}`);
  return {
    existing,
    clients,
    clicks,
    programmes: cache.programmes.map,
    linkCodes: cache.linkCodes,
    postbacks,
    newClientId: clientId,
  };
}

function rollupParams(d: Plan['rollups'][number]): unknown[] {
  return [d.day, d.partnerId, d.linkId, d.sub1, d.currency, ...figureParams(d)];
}

function partnerDayParams(d: Plan['partnerDayRollups'][number]): unknown[] {
  return [d.day, d.partnerId, d.currency, ...figureParams(d)];
}

/** The figures of a delta in the column order of ROLLUP_SQL and PARTNER_DAY_SQL. */
function figureParams(d: Plan['partnerDayRollups'][number]): number[] {
  return [
    d.registrations,
    d.kycApproved,
    d.ftds,
    d.qualifiedFtds,
    d.ftdAmount,
    d.deposits,
    d.depositAmount,
    d.withdrawals,
    d.withdrawalAmount,
    d.trades,
    d.lots,
    d.revenue,
    d.chargebacks,
    d.chargebackAmount,
  ];
}

export function applyEventsSqlite(db: Database.Database, rows: EventRow[]): EventResult[] {
  const s = statementsFor(db);
  const plan = planBatch(rows, sqliteLookups(db, s, rows));
  for (const c of plan.clientInserts)
    s.insertClient.run(
      CLIENT_COLUMNS.map((col) =>
        col === 'created_at'
          ? c.updated_at
          : col === 'version'
            ? 1
            : (c as unknown as Record<string, unknown>)[col],
      ),
    );
  for (const { state: c, baseVersion, attributionChanged } of plan.clientUpdates) {
    const res = attributionChanged
      ? s.updateClient.run(
          c.partner_id,
          c.link_id,
          c.click_id,
          c.attribution,
          c.attributed_at,
          c.programme_id,
          ...clientFtdParams(c, baseVersion),
        )
      : s.updateClientFtd.run(clientFtdParams(c, baseVersion));
    if (res.changes !== 1) throw new Error(`client ${c.external_id} changed meanwhile; retry`);
  }
  for (const e of plan.events) s.insertEvent.run(EVENT_COLUMNS.map((col) => e[col]));
  for (const d of plan.rollups) s.rollup.run(rollupParams(d));
  for (const d of plan.partnerDayRollups) s.partnerDay.run(partnerDayParams(d));
  for (const o of plan.outbox) s.outbox.run(o.id, o.key, o.payload, o.created_at, o.created_at);
  for (const [id, at] of plan.sourcesSeen) s.source.run(at, id, at);
  return plan.results;
}

// ---------- PostgreSQL ----------

const FIGURE_COLUMNS = [
  'registrations',
  'kyc_approved',
  'ftds',
  'qualified_ftds',
  'ftd_amount_minor',
  'deposits',
  'deposit_amount_minor',
  'withdrawals',
  'withdrawal_amount_minor',
  'trades',
  'lots',
  'revenue_minor',
  'chargebacks',
  'chargeback_amount_minor',
] as const;

/** A delta's figures by column name (FIGURE_COLUMNS is the column order of figureParams). */
type FigureColumns = Record<(typeof FIGURE_COLUMNS)[number], number>;

function figureColumns(d: Plan['partnerDayRollups'][number]): FigureColumns {
  const values = figureParams(d);
  return Object.fromEntries(FIGURE_COLUMNS.map((c, i) => [c, values[i] as number])) as FigureColumns;
}

/** `column = table.column + excluded.column` for every figure (the upsert's update). */
function addExcluded(table: 'partner_day_event_rollups') {
  return Object.fromEntries(
    FIGURE_COLUMNS.map((c) => [c, sql`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`]),
  );
}

const PG_CHUNK = 1000; // 27 parameters an event row, under PostgreSQL's 65,535 bind parameters

async function postgresLookups(trx: Transaction<DB>, rows: EventRow[]): Promise<Lookups> {
  const existing = new Map<string, ExistingEvent>();
  const clients = new Map<string, ClientState>();
  // One join against three arrays, not an OR of (source, type, txid) triples: PostgreSQL took ~0.3 s just to
  // plan an OR of 1,000 triples, on every batch.
  if (rows.length > 0) {
    const found = await sql<ExistingEvent & { source_id: string; type: string; txid: string }>`
      select e.id, e.source_id, e.type, e.txid, e.partner_id, e.attribution, e.attribution_note, e.is_ftd,
        e.is_qualified_ftd
      from events e
      join unnest(${rows.map((r) => r.sourceId)}::text[], ${rows.map((r) => r.type)}::text[],
        ${rows.map((r) => r.txid)}::text[]) as k(source_id, type, txid)
        on e.source_id = k.source_id and e.type = k.type and e.txid = k.txid`.execute(trx);
    for (const e of found.rows) existing.set(eventKey(e.source_id, e.type, e.txid), e);
  }
  const exts = [...new Set(rows.map((r) => r.clientExt).filter((x): x is string => x !== null))];
  for (let i = 0; i < exts.length; i += PG_CHUNK) {
    const found = await trx
      .selectFrom('clients')
      .selectAll()
      .where('external_id', 'in', exts.slice(i, i + PG_CHUNK))
      .execute();
    for (const c of found) clients.set(c.external_id, c as ClientState);
  }
  const clicks = new Map<string, ClickFacts>();
  const clickIds = clickIdsNeeded(rows, clients);
  for (let i = 0; i < clickIds.length; i += PG_CHUNK) {
    const found = await trx
      .selectFrom('clicks')
      .select(['id', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5', 'country'])
      .where('id', 'in', clickIds.slice(i, i + PG_CHUNK))
      .execute();
    for (const c of found) clicks.set(c.id, c);
  }
  const global = cachesFor(pgCacheKey);
  const now = Date.now();
  if (!global.programmes || now - global.programmes.at > CACHE_MS) {
    const ps = await trx
      .selectFrom('programmes')
      .select(['id', 'is_default', 'ftd_definition', 'qualifying_deposit_minor', 'qualifying_currency'])
      .execute();
    global.programmes = { at: now, map: programmeMap(ps) };
  }
  const missing = linkIdsNeeded(rows, clients).filter((id) => !global.linkCodes.has(id));
  if (missing.length > 0) {
    const found = await trx.selectFrom('links').select(['id', 'code']).where('id', 'in', missing).execute();
    for (const l of found) global.linkCodes.set(l.id, l.code);
  }
  const postbacks = new Set<string>();
  const pairs = postbackPairs(rows, clients);
  if (pairs.length > 0) {
    const partners = [...new Set(pairs.map((p) => p[0]))];
    const found = await trx
      .selectFrom('partner_postbacks')
      .select(['partner_id', 'event_type'])
      .where('partner_id', 'in', partners)
      .where('status', '=', 'active')
      .execute();
    for (const f of found) postbacks.add(`${f.partner_id}\u0000${f.event_type}`);
  }
  return {
    existing,
    clients,
    clicks,
    programmes: global.programmes.map,
    linkCodes: global.linkCodes,
    postbacks,
    newClientId: clientId,
  };
}
const pgCacheKey = {};

export async function applyEventsPostgres(trx: Transaction<DB>, rows: EventRow[]): Promise<EventResult[]> {
  await sql`select pg_advisory_xact_lock(${EVENTS_LOCK_KEY})`.execute(trx);
  const plan = planBatch(rows, await postgresLookups(trx, rows));
  if (plan.clientInserts.length > 0) {
    for (let i = 0; i < plan.clientInserts.length; i += PG_CHUNK) {
      await trx
        .insertInto('clients')
        .values(
          plan.clientInserts.slice(i, i + PG_CHUNK).map((c) => ({
            id: c.id,
            external_id: c.external_id,
            partner_id: c.partner_id,
            link_id: c.link_id,
            click_id: c.click_id,
            attribution: c.attribution,
            attributed_at: c.attributed_at,
            country: c.country,
            first_event_at: c.first_event_at,
            programme_id: c.programme_id,
            ftd_at: c.ftd_at,
            ftd_event_id: c.ftd_event_id,
            ftd_amount_minor: c.ftd_amount_minor,
            ftd_currency: c.ftd_currency,
            qualified_at: c.qualified_at,
            is_test: c.is_test,
            created_at: c.updated_at as string,
            updated_at: c.updated_at as string,
            version: 1,
          })),
        )
        .execute();
    }
  }
  for (const { state: c, baseVersion } of plan.clientUpdates) {
    const res = await trx
      .updateTable('clients')
      .set({
        partner_id: c.partner_id,
        link_id: c.link_id,
        click_id: c.click_id,
        attribution: c.attribution,
        attributed_at: c.attributed_at,
        programme_id: c.programme_id,
        ftd_at: c.ftd_at,
        ftd_event_id: c.ftd_event_id,
        ftd_amount_minor: c.ftd_amount_minor,
        ftd_currency: c.ftd_currency,
        qualified_at: c.qualified_at,
        updated_at: c.updated_at as string,
        version: baseVersion + 1,
      })
      .where('id', '=', c.id)
      .where('version', '=', baseVersion)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new Error(`client ${c.external_id} changed meanwhile; retry`);
  }
  for (let i = 0; i < plan.events.length; i += PG_CHUNK)
    await trx
      .insertInto('events')
      .values(plan.events.slice(i, i + PG_CHUNK))
      .execute();
  if (plan.rollups.length > 0) {
    for (let i = 0; i < plan.rollups.length; i += PG_CHUNK) {
      await trx
        .insertInto('event_rollups')
        .values(
          plan.rollups.slice(i, i + PG_CHUNK).map((d) => ({
            day: d.day,
            partner_id: d.partnerId,
            link_id: d.linkId,
            sub1: d.sub1,
            currency: d.currency,
            registrations: d.registrations,
            kyc_approved: d.kycApproved,
            ftds: d.ftds,
            qualified_ftds: d.qualifiedFtds,
            ftd_amount_minor: d.ftdAmount,
            deposits: d.deposits,
            deposit_amount_minor: d.depositAmount,
            withdrawals: d.withdrawals,
            withdrawal_amount_minor: d.withdrawalAmount,
            trades: d.trades,
            lots: d.lots,
            revenue_minor: d.revenue,
            chargebacks: d.chargebacks,
            chargeback_amount_minor: d.chargebackAmount,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['partner_id', 'day', 'link_id', 'sub1', 'currency']).doUpdateSet({
            registrations: sql`event_rollups.registrations + excluded.registrations`,
            kyc_approved: sql`event_rollups.kyc_approved + excluded.kyc_approved`,
            ftds: sql`event_rollups.ftds + excluded.ftds`,
            qualified_ftds: sql`event_rollups.qualified_ftds + excluded.qualified_ftds`,
            ftd_amount_minor: sql`event_rollups.ftd_amount_minor + excluded.ftd_amount_minor`,
            deposits: sql`event_rollups.deposits + excluded.deposits`,
            deposit_amount_minor: sql`event_rollups.deposit_amount_minor + excluded.deposit_amount_minor`,
            withdrawals: sql`event_rollups.withdrawals + excluded.withdrawals`,
            withdrawal_amount_minor: sql`event_rollups.withdrawal_amount_minor + excluded.withdrawal_amount_minor`,
            trades: sql`event_rollups.trades + excluded.trades`,
            lots: sql`event_rollups.lots + excluded.lots`,
            revenue_minor: sql`event_rollups.revenue_minor + excluded.revenue_minor`,
            chargebacks: sql`event_rollups.chargebacks + excluded.chargebacks`,
            chargeback_amount_minor: sql`event_rollups.chargeback_amount_minor + excluded.chargeback_amount_minor`,
          }),
        )
        .execute();
    }
  }
  // After event_rollups, in key order: the same lock order in every writer (see partnerDayDeltas).
  for (let i = 0; i < plan.partnerDayRollups.length; i += PG_CHUNK) {
    await trx
      .insertInto('partner_day_event_rollups')
      .values(
        plan.partnerDayRollups.slice(i, i + PG_CHUNK).map((d) => ({
          day: d.day,
          partner_id: d.partnerId,
          currency: d.currency,
          ...figureColumns(d),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['day', 'partner_id', 'currency']).doUpdateSet(addExcluded('partner_day_event_rollups')),
      )
      .execute();
  }
  if (plan.outbox.length > 0) {
    for (let i = 0; i < plan.outbox.length; i += PG_CHUNK)
      await trx
        .insertInto('outbox')
        .values(
          plan.outbox.slice(i, i + PG_CHUNK).map((o) => ({
            id: o.id,
            topic: POSTBACK_TOPIC,
            key: o.key,
            payload: o.payload,
            created_at: o.created_at,
            available_at: o.created_at,
            attempts: 0,
          })),
        )
        .execute();
  }
  for (const [id, at] of plan.sourcesSeen)
    await trx
      .updateTable('event_sources')
      .set({ last_event_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_event_at', 'is', null), eb('last_event_at', '<', at)]))
      .execute();
  return plan.results;
}
