// kill -9 during click and event load: every click answered 302 and every event answered 2xx before the kill is
// stored exactly once (with the eventId it was answered with), nothing unacknowledged is half-written (rollups
// equal a recount of the stored clicks and events; no client without an event, no event without its client,
// no outbox row without its event, no postback-worthy event without its outbox row), and after the restart a
// replay of every acknowledged event answers 'duplicate' with the same eventId and writes nothing.
// Runs the real server (`partnerdesk serve`) as a child process, on SQLite or, with TEST_DATABASE_URL, on a
// fresh PostgreSQL database. Load: concurrent clicks, single postbacks (GET /postback) and JSON batches
// (POST /api/v1/events), with replays of already acknowledged events mixed in.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { TEST_PG_URL } from './support/db.ts';
import {
  BROWSER_UA,
  createEventSource,
  makeClicks,
  POSTBACK_TYPES,
  rollupRecountDiff,
  seedEventWorkspace,
} from './support/event-seed.ts';
import { partnerDayDiff } from './support/rollup-check.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

interface Server {
  child: ChildProcess;
  url: string;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, ['bin/partnerdesk.js', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PARTNERDESK_ADMIN_EMAIL: 'crash@example.test',
      PARTNERDESK_ADMIN_PASSWORD: 'survives-kill-nine-42',
      PARTNERDESK_WORKERS: 'false',
      PARTNERDESK_CLICK_RATE_PER_IP: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    log = (log + d).slice(-10_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url };
}

/** An event as sent in JSON (camelCase). */
type Fields = Record<string, string>;
interface Acked {
  fields: Fields;
  eventId: string;
}
interface Result {
  eventId: string;
  status: string;
}
const SNAKE: Record<string, string> = {
  type: 'event',
  clickId: 'click_id',
  clientId: 'client_id',
  instrumentGroup: 'instrument_group',
};
const postbackQuery = (token: string, f: Fields) => {
  const q = new URLSearchParams({ token });
  for (const [k, v] of Object.entries(f)) q.set(SNAKE[k] ?? k, v);
  return q.toString();
};
const keyOf = (f: Fields) => `${f.type}|${f.txid}`;
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

describe('kill -9 under click and event load', () => {
  let dataDir: string;
  let databaseUrl: string | null = null;
  let dropDb: (() => Promise<void>) | null = null;
  let server: Server | null = null;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'pd-crash-ev-'));
    if (TEST_PG_URL) {
      const name = `pd_crash_ev_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const u = new URL(TEST_PG_URL);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
      dropDb = async () => {
        const c = new pg.Client({ connectionString: TEST_PG_URL as string });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      };
    }
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await new Promise((r) => server?.child.once('exit', r));
    }
    if (dropDb) await dropDb();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged click and event exactly once, writes nothing half, and replays write nothing', async () => {
    const ws = await seedEventWorkspace({ databaseUrl, dataDir }, [
      { code: 'crash-a', landingUrl: 'https://broker.example/open?cid={click_id}&s={sub1}' },
      { code: 'crash-b', landingUrl: 'https://broker.example/b?click_id={click_id}' },
    ]);
    const env = { PARTNERDESK_DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '' };
    server = await startServer(env);
    const s = server;
    const source = await createEventSource(s.url, ws.apiKey, 'Crash back office');
    const clickIds = await makeClicks(s.url, 'crash-a', 200);
    await new Promise((r) => setTimeout(r, 1100)); // the default programme's minimum click-to-event time

    const ackedClicks: string[] = [...clickIds];
    const acked = new Map<string, Acked>(); // by type|txid: events answered 'accepted'
    const ackedList: Acked[] = [];
    const clients: string[] = [];
    const wrongAnswers: string[] = [];
    let seq = 0;
    const fresh = (): Fields => {
      seq += 1;
      const txid = `tx-${seq}`;
      const r = Math.random();
      if (clients.length === 0 || r < 0.4)
        return { type: 'registration', txid, clickId: pick(clickIds), clientId: `acc-${seq}` };
      const clientId = pick(clients);
      if (r < 0.7)
        return { type: 'deposit', txid, clientId, amount: `${50 + (seq % 400)}.00`, currency: 'USD' };
      if (r < 0.95)
        return {
          type: 'trade',
          txid,
          clientId,
          lots: `${1 + (seq % 300) / 100}`,
          instrumentGroup: 'forex',
          revenue: `${seq % 30}.50`,
          currency: 'USD',
        };
      return { type: 'withdrawal', txid, clientId, amount: '20.00', currency: 'USD' };
    };
    // ~10% replays of events already answered 'accepted'.
    const next = (): { fields: Fields; replayOf: Acked | null } => {
      if (ackedList.length > 0 && Math.random() < 0.1) {
        const a = pick(ackedList);
        return { fields: a.fields, replayOf: a };
      }
      return { fields: fresh(), replayOf: null };
    };
    const answered = (sent: { fields: Fields; replayOf: Acked | null }, r: Result | undefined) => {
      if (sent.replayOf) {
        if (r?.status !== 'duplicate' || r.eventId !== sent.replayOf.eventId)
          wrongAnswers.push(`replay ${keyOf(sent.fields)} → ${JSON.stringify(r)}`);
        return;
      }
      if (r?.status !== 'accepted' || !r.eventId || acked.has(keyOf(sent.fields))) {
        wrongAnswers.push(`new ${keyOf(sent.fields)} → ${JSON.stringify(r)}`);
        return;
      }
      const a = { fields: sent.fields, eventId: r.eventId };
      acked.set(keyOf(sent.fields), a);
      ackedList.push(a);
      if (sent.fields.type === 'registration' && sent.fields.clientId) clients.push(sent.fields.clientId);
    };

    let stopped = false;
    const loop = (body: (n: number) => Promise<void>) => async (_: unknown, n: number) => {
      while (!stopped) {
        try {
          await body(n);
        } catch {
          await new Promise((r) => setTimeout(r, 5)); // refused or reset at the kill: not acknowledged
        }
      }
    };
    let i = 0;
    const clickLoops = Array.from(
      { length: 10 },
      loop(async (n) => {
        const code = n % 2 === 0 ? 'crash-a' : 'crash-b';
        const res = await fetch(`${s.url}/c/${code}?sub1=loop${n % 3}&sub2=${i++}`, {
          redirect: 'manual',
          headers: { 'user-agent': BROWSER_UA },
        });
        if (res.status !== 302) return void (await res.arrayBuffer());
        const m = /[?&](?:cid|click_id)=(c[0-9A-Z]{29})/.exec(res.headers.get('location') ?? '');
        if (!m?.[1]) throw new Error('302 without a click id');
        ackedClicks.push(m[1]);
      }),
    );
    const postbackLoops = Array.from(
      { length: 10 },
      loop(async () => {
        const sent = next();
        const res = await fetch(`${s.url}/postback?${postbackQuery(source.token, sent.fields)}`);
        const text = await res.text();
        if (res.status === 200) answered(sent, JSON.parse(text) as Result);
      }),
    );
    const batchLoops = Array.from(
      { length: 4 },
      loop(async () => {
        const sent = Array.from({ length: 25 }, next);
        const res = await fetch(`${s.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sourceId: source.id, events: sent.map((x) => x.fields) }),
        });
        const text = await res.text();
        if (res.status === 200) {
          const results = (JSON.parse(text) as { results: Result[] }).results;
          sent.forEach((x, k) => {
            answered(x, results[k]);
          });
        }
      }),
    );
    const loops = [...clickLoops, ...postbackLoops, ...batchLoops];
    // Load for a while, then kill the server hard in the middle of it.
    // Kill once 2,000 events and 1,000 loop clicks are acknowledged, or after 30 s on a slow or busy machine
    // (then at least a few hundred of each must have been acknowledged, so the kill still lands under load).
    const until = Date.now() + 30_000;
    while ((acked.size < 2000 || ackedClicks.length < 1200) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    s.child.kill('SIGKILL');
    await new Promise((r) => s.child.once('exit', r));
    await new Promise((r) => setTimeout(r, 300)); // requests in flight at the kill fail now
    stopped = true;
    await Promise.all(loops);
    expect(wrongAnswers).toEqual([]);
    expect(acked.size).toBeGreaterThanOrEqual(500);
    expect(ackedClicks.length - clickIds.length).toBeGreaterThanOrEqual(300);

    // Restart on the same data.
    server = await startServer(env);
    const handle = openDatabase(
      loadConfig({
        PARTNERDESK_DATA_DIR: dataDir,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        LOG_LEVEL: 'silent',
      }),
    );
    const db = handle.db;
    try {
      // Clicks: every acknowledged click stored exactly once; click rollups equal the raw clicks.
      const clickRows = await db.selectFrom('clicks').select('id').execute();
      const clickIdsStored = new Set(clickRows.map((r) => r.id));
      expect(clickIdsStored.size).toBe(clickRows.length);
      const missingClicks = ackedClicks.filter((id) => !clickIdsStored.has(id));
      expect(missingClicks, `${missingClicks.length} acknowledged clicks are missing`).toEqual([]);
      const rawClicks = await db
        .selectFrom('clicks')
        .select([
          'link_id',
          'sub1',
          sql<string>`substr(ts, 1, 10)`.as('day'),
          (eb) => eb.fn.countAll().as('n'),
        ])
        .groupBy(['link_id', 'sub1', sql`substr(ts, 1, 10)`])
        .execute();
      const clickRollups = await db.selectFrom('click_rollups').selectAll().execute();
      const ck = (d: string, l: string, s1: string | null) => `${d}|${l}|${s1 ?? ''}`;
      expect(new Map(clickRollups.map((r) => [ck(r.day, r.link_id, r.sub1), Number(r.clicks)]))).toEqual(
        new Map(rawClicks.map((r) => [ck(r.day, r.link_id, r.sub1), Number(r.n)])),
      );

      // Events: every acknowledged event stored exactly once, under the id it was answered with.
      const events = await db
        .selectFrom('events')
        .select(['id', 'type', 'txid', 'client_id', 'partner_id'])
        .where('source_id', '=', source.id)
        .execute();
      const byKey = new Map<string, string[]>();
      for (const e of events)
        byKey.set(`${e.type}|${e.txid}`, [...(byKey.get(`${e.type}|${e.txid}`) ?? []), e.id]);
      expect([...byKey.values()].filter((ids) => ids.length > 1)).toEqual([]);
      const lost = [...acked.values()].filter((a) => byKey.get(keyOf(a.fields))?.[0] !== a.eventId);
      expect(lost, `${lost.length} of ${acked.size} acknowledged events are missing or differ`).toEqual([]);

      // Nothing half-written: rollups equal a recount; clients, events and outbox rows hang together.
      const { diffs } = await rollupRecountDiff(db);
      expect(diffs).toEqual([]);
      expect((await partnerDayDiff(db)).diffs).toEqual([]);
      const clientRows = await db.selectFrom('clients').select(['id', 'external_id']).execute();
      const clientIdsWithEvents = new Set(events.map((e) => e.client_id).filter((x) => x !== null));
      expect(clientRows.filter((c) => !clientIdsWithEvents.has(c.id))).toEqual([]);
      const clientIds = new Set(clientRows.map((c) => c.id));
      expect(events.filter((e) => e.client_id !== null && !clientIds.has(e.client_id))).toEqual([]);
      const outbox = await db
        .selectFrom('outbox')
        .select(['id', 'key'])
        .where('topic', '=', 'postback.event')
        .execute();
      const eventIds = new Set(events.map((e) => e.id));
      expect(outbox.filter((o) => !o.key || !eventIds.has(o.key))).toEqual([]);
      const outboxKeys = new Set(outbox.map((o) => o.key));
      const needsPostback = events.filter(
        (e) => e.partner_id !== null && (POSTBACK_TYPES as readonly string[]).includes(e.type),
      );
      expect(needsPostback.length).toBeGreaterThan(0);
      expect(needsPostback.filter((e) => !outboxKeys.has(e.id))).toEqual([]);

      // Replaying every acknowledged event answers 'duplicate' with the same eventId and writes nothing.
      const snapshot = async () => ({
        events: (await db.selectFrom('events').select('id').execute()).length,
        clients: JSON.stringify(await db.selectFrom('clients').selectAll().orderBy('id').execute()),
        outbox: (await db.selectFrom('outbox').select('id').execute()).length,
        rollups: JSON.stringify(
          await db
            .selectFrom('event_rollups')
            .selectAll()
            .orderBy('partner_id')
            .orderBy('day')
            .orderBy('link_id')
            .orderBy('sub1')
            .orderBy('currency')
            .execute(),
        ),
      });
      const before = await snapshot();
      const all = [...acked.values()];
      const replayWrong: string[] = [];
      for (const a of all.slice(0, 50)) {
        const res = await fetch(`${server.url}/postback?${postbackQuery(source.token, a.fields)}`);
        const r = (await res.json()) as Result;
        if (res.status !== 200 || r.status !== 'duplicate' || r.eventId !== a.eventId)
          replayWrong.push(`${keyOf(a.fields)} → ${res.status} ${JSON.stringify(r)}`);
      }
      for (let k = 0; k < all.length; k += 1000) {
        const chunk = all.slice(k, k + 1000);
        const res = await fetch(`${server.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sourceId: source.id, events: chunk.map((a) => a.fields) }),
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { accepted: number; results: Result[] };
        expect(body.accepted).toBe(0);
        chunk.forEach((a, j) => {
          const r = body.results[j];
          if (r?.status !== 'duplicate' || r.eventId !== a.eventId)
            replayWrong.push(`${keyOf(a.fields)} → ${JSON.stringify(r)}`);
        });
      }
      expect(replayWrong).toEqual([]);
      expect(await snapshot()).toEqual(before);
    } finally {
      await handle.close();
    }
  }, 120_000);
});
