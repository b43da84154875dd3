// Benchmark: durable, idempotent event ingest at 100 connections, against a bare node:http server answering the
// same JSON for the same requests, measured in the same run. Three shapes:
//   single — one event per request, GET /postback?token=…  (the per-source token), at --connections
//   batch  — POST /api/v1/events with --batch events per request (an ops API key), at --connections
//   feed   — the same batches over --feed-connections (2): a back office pushing its events as they happen
// Targets, each its own process, loaded by autocannon in its own process (bench/events/load.ts):
//   (a) bare node:http (bench/events/bare-server.ts: same validation, idempotency in a Map, no DB)
//   (b) `partnerdesk serve` on SQLite (fresh data directory; the tracking writer's thread, synchronous=FULL)
//   (c) `partnerdesk serve` on PostgreSQL (a database created and dropped here; default synchronous_commit)
// Each server gets a partner, two links, an ops API key and active partner postbacks (so events write outbox
// rows too); an event source is created through the API; real clicks through /c/{code} give the events valid
// click ids. Events: registrations with a click id and a new client, then deposits (the first is the FTD),
// trades, withdrawals and KYC approvals of registered clients; 5% are replays of events already answered.
// Per run: a warm-up, then a fixed number of requests sized to last about --seconds. Every answer is checked
// (new → 'accepted', replay → 'duplicate' with the original eventId), stored events must equal the new events
// answered 200, and at the end event_rollups must equal a recount from the events table.
// Run: npm run bench:events [-- --seconds 10 --rounds 3 --connections 100 --batch 100 --feed-connections 2 --shapes single,batch,feed --pg postgres://postgres@127.0.0.1:5432]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import {
  createEventSource,
  makeClicks,
  rollupRecountDiff,
  seedEventWorkspace,
} from '../test/support/event-seed.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] as string) : fallback;
};
const SECONDS = Number(arg('seconds', '10'));
const CONNECTIONS = Number(arg('connections', '100'));
const WARMUP_SECONDS = Number(arg('warmup', '3'));
const ROUNDS = Number(arg('rounds', '3'));
const BATCH = Number(arg('batch', '100'));
const FEED_CONNECTIONS = Number(arg('feed-connections', '2'));
const CLICKS = Number(arg('clicks', '2000'));
const DUP_RATE = 0.05;
const PG_URL = arg('pg', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432');
const ROOT = path.resolve(import.meta.dirname, '..');
const LANDING = 'https://broker.example/open?cid={click_id}&s1={sub1}';
const ALL_SHAPES = ['single', 'batch', 'feed'] as const;
type Shape = (typeof ALL_SHAPES)[number];
// --shapes single (or batch, feed, a list) runs only those, for quicker experiments; recorded runs use all.
const SHAPES = ALL_SHAPES.filter((s) => arg('shapes', ALL_SHAPES.join(',')).split(',').includes(s));
const shapeName = (s: Shape) =>
  s === 'single'
    ? 'GET /postback (1 event)'
    : s === 'batch'
      ? `POST /api/v1/events (${BATCH})`
      : `POST /api/v1/events (${BATCH}), ${FEED_CONNECTIONS} connections`;
const connectionsFor = (s: Shape) => (s === 'feed' ? FEED_CONNECTIONS : CONNECTIONS);

const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

interface Load {
  requests: number;
  rps: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  status: Record<string, number>;
  errors: number;
  durationS: number;
  events: number;
  accepted: number;
  replaysSent: number;
  replaysOk: number;
  mismatches: number;
  firstMismatch: string | null;
  firstError: string | null;
}

interface Target {
  name: string;
  base: string;
  token: string;
  apiKey: string;
  sourceId: string;
  clickIdsFile: string;
  /** Events stored for the bench's source (null for the bare server). */
  count: (() => Promise<number>) | null;
  /** Duplicated (source, type, txid) groups and the rollup recount, after all runs (DB targets). */
  verify:
    | (() => Promise<{ duplicateKeys: number; events: number; rollupRows: number; diffs: string[] }>)
    | null;
  reset: () => Promise<void>;
  stop: () => Promise<void>;
}

let runNo = 0;
async function load(t: Target, shape: Shape, opts: { seconds?: number; amount?: number }): Promise<Load> {
  runNo += 1;
  const options = {
    base: t.base,
    shape: shape === 'single' ? 'single' : 'batch',
    batch: BATCH,
    connections: connectionsFor(shape),
    ...opts,
    token: t.token,
    apiKey: t.apiKey,
    sourceId: t.sourceId,
    clickIdsFile: t.clickIdsFile,
    prefix: `r${runNo}-${randomBytes(3).toString('hex')}`,
    dupRate: DUP_RATE,
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/events/load.ts'), JSON.stringify(options)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`load generator failed (${code}): ${err}`);
  return JSON.parse(out) as Load;
}

async function waitFor(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output()}`);
    try {
      const res = await fetch(url, { method: 'POST' });
      if (res.status < 500) return;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function spawnLogged(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  const keep = (d: Buffer) => {
    buf = (buf + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => buf };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

async function startTarget(
  name: string,
  databaseUrl: string | null,
): Promise<Target & { clickIds: string[] }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pd-bench-events-'));
  log(`${name}: seeding a partner, links, an API key and partner postbacks`);
  const ws = await seedEventWorkspace({ databaseUrl, dataDir }, [
    { code: 'ev-a', landingUrl: LANDING },
    { code: 'ev-b', landingUrl: LANDING },
  ]);
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers (not allowed in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const { child, output } = spawnLogged([...nodeArgs, 'bin/partnerdesk.js', 'serve'], {
    PARTNERDESK_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    PARTNERDESK_ADMIN_EMAIL: 'bench@example.test',
    PARTNERDESK_ADMIN_PASSWORD: 'events-go-fast-4242',
    PARTNERDESK_WORKERS: 'false',
    PARTNERDESK_CLICK_RATE_PER_IP: '0',
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`, child, output);
  const source = await createEventSource(base, ws.apiKey, 'Bench back office');
  log(`${name}: ${CLICKS} real clicks through /c/{code}`);
  const clickIds = [
    ...(await makeClicks(base, 'ev-a', CLICKS / 2)),
    ...(await makeClicks(base, 'ev-b', CLICKS / 2)),
  ];
  const clickIdsFile = path.join(dataDir, 'click-ids.json');
  writeFileSync(clickIdsFile, JSON.stringify(clickIds));
  const handle = openDatabase(
    loadConfig({
      PARTNERDESK_DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      LOG_LEVEL: 'silent',
    }),
  );
  let count: () => Promise<number>;
  let closeCounter: () => Promise<void>;
  if (databaseUrl) {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    count = async () =>
      Number((await c.query('select count(*) as n from events where source_id = $1', [source.id])).rows[0].n);
    closeCounter = () => c.end();
  } else {
    const db = new Database(path.join(dataDir, 'partnerdesk.sqlite'), { readonly: true });
    const st = db.prepare('select count(*) as n from events where source_id = ?');
    count = async () => (st.get(source.id) as { n: number }).n;
    closeCounter = async () => {
      db.close();
    };
  }
  return {
    name,
    base,
    token: source.token,
    apiKey: ws.apiKey,
    sourceId: source.id,
    clickIdsFile,
    clickIds,
    count,
    verify: async () => {
      const dup = await handle.db
        .selectFrom('events')
        .select(['source_id', 'type', 'txid'])
        .groupBy(['source_id', 'type', 'txid'])
        .having((eb) => eb.fn.countAll(), '>', 1)
        .execute();
      const { diffs, rows } = await rollupRecountDiff(handle.db);
      return { duplicateKeys: dup.length, events: await count(), rollupRows: rows, diffs };
    },
    reset: async () => {},
    stop: async () => {
      await closeCounter();
      await handle.close();
      await stop(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startBare(clickIdsFile: string): Promise<Target> {
  const port = await freePort();
  const token = `pds_bare_${randomBytes(8).toString('hex')}`;
  const apiKey = `pdk_bare_${randomBytes(8).toString('hex')}`;
  const { child, output } = spawnLogged(
    ['--import', 'tsx', 'bench/events/bare-server.ts', String(port), token, apiKey],
    {},
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/__reset`, child, output);
  return {
    name: 'bare node:http',
    base,
    token,
    apiKey,
    sourceId: 'evs_bare',
    clickIdsFile,
    count: null,
    verify: null,
    reset: async () => {
      await fetch(`${base}/__reset`, { method: 'POST' });
    },
    stop: () => stop(child),
  };
}

interface Run {
  load: Load;
  /** Events stored by this run (count after minus count before); null for the bare server. */
  stored: number | null;
}

/**
 * The stored count once the server has finished what it was given: a timed run (the warm-up) ends with
 * requests still in flight, which the server keeps committing after autocannon hangs up.
 */
async function settled(t: Target): Promise<number> {
  if (!t.count) return 0;
  // Unchanged for 2.5 s: a PostgreSQL batch of 2,000 events can take most of a second to commit.
  let last = await t.count();
  let stable = 0;
  while (stable < 5) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await t.count();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * Warm-up, then a fixed number of requests sized to last about SECONDS. The measured run must store exactly
 * the new events it was answered 'accepted' for; the warm-up (timed, so cut off mid-flight) at least those.
 */
async function measure(t: Target, shape: Shape): Promise<{ warm: Run; run: Run }> {
  const once = async (opts: { seconds?: number; amount?: number }): Promise<Run> => {
    await t.reset();
    const before = await settled(t);
    const l = await load(t, shape, opts);
    return { load: l, stored: t.count ? (await settled(t)) - before : null };
  };
  const label = `${t.name}, ${shapeName(shape)}`;
  log(`${label}: warm-up ${WARMUP_SECONDS} s at ${connectionsFor(shape)} connections`);
  const warm = await once({ seconds: WARMUP_SECONDS });
  const amount = Math.max(200, Math.round(warm.load.rps * SECONDS));
  log(
    `${label}: warm-up ${Math.round(warm.load.eventsPerSecond)} events/s; measuring ${amount} requests (~${SECONDS} s)`,
  );
  const run = await once({ amount });
  const l = run.load;
  log(
    `${label}: ${Math.round(l.eventsPerSecond)} events/s (${Math.round(l.rps)} req/s), p50 ${l.p50} ms, p99 ${l.p99} ms, status ${JSON.stringify(l.status)}, replays ${l.replaysOk}/${l.replaysSent} answered duplicate, stored ${run.stored ?? 'n/a'} of ${l.accepted} accepted`,
  );
  return { warm, run };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function pgReachable(url: string): Promise<boolean> {
  const c = new pg.Client({
    connectionString: `${url.replace(/\/+$/, '')}/postgres`,
    connectionTimeoutMillis: 2000,
  });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** A run is sound when every request was answered 200, every answer checked out and stored = accepted. */
function problems(r: Run, timed: boolean): string[] {
  const out: string[] = [];
  const l = r.load;
  if (Object.keys(l.status).some((k) => k !== '200'))
    out.push(`non-200 answers ${JSON.stringify(l.status)} (${l.firstError})`);
  if (timed) {
    // Cut off at the end: unanswered requests may have committed, so only 'accepted' ⊆ stored is checkable.
    if (l.mismatches > 0) out.push(`${l.mismatches} wrong answers (${l.firstMismatch})`);
    if (r.stored !== null && r.stored < l.accepted)
      out.push(`stored ${r.stored} events but answered ${l.accepted} new events 'accepted'`);
    return out;
  }
  if (l.errors > 0) out.push(`${l.errors} errors/timeouts`);
  if (l.mismatches > 0) out.push(`${l.mismatches} wrong answers (${l.firstMismatch})`);
  if (r.stored !== null && r.stored !== l.accepted)
    out.push(`stored ${r.stored} events but answered ${l.accepted} new events 'accepted'`);
  return out;
}

async function main() {
  const cpus = os.cpus();
  log(
    `bench:events — ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, Node ${process.version}, ${CONNECTIONS} connections (feed: ${FEED_CONNECTIONS}), ~${SECONDS} s per run, ${ROUNDS} round(s), batch ${BATCH}, ${DUP_RATE * 100}% replays`,
  );
  const targets: Target[] = [];
  const started: Target[] = [];
  let dropPg: (() => Promise<void>) | null = null;
  let ok = true;
  try {
    const sqlite = await startTarget('SQLite', null);
    started.push(sqlite);
    const server = PG_URL.replace(/\/+$/, '');
    let postgres: Target | null = null;
    if (await pgReachable(server)) {
      const name = `pd_bench_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: `${server}/postgres` });
      await admin.connect();
      await admin.query(`create database ${name}`);
      dropPg = async () => {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      };
      postgres = await startTarget('PostgreSQL', `${server}/${name}`);
      started.push(postgres);
    } else {
      log(`PostgreSQL at ${server} is not reachable: skipping the PostgreSQL run.`);
    }
    const bare = await startBare(sqlite.clickIdsFile);
    started.push(bare);
    targets.push(bare, sqlite);
    if (postgres) targets.push(postgres);
    // The default programme wants at least 1 s between a click and its event.
    await new Promise((r) => setTimeout(r, 1500));

    // Rounds interleave targets and shapes, so background load hits each alike; each round's ratio uses that
    // round's bare run of the same shape, and the summary takes medians.
    const runs = new Map<string, Run[]>();
    const ratios = new Map<string, number[]>();
    const key = (t: Target, s: Shape) => `${t.name}|${s}`;
    for (let r = 1; r <= ROUNDS; r++) {
      log(`round ${r} of ${ROUNDS}`);
      for (const shape of SHAPES) {
        let bare = 0;
        for (const t of targets) {
          const { warm, run } = await measure(t, shape);
          for (const p of [...problems(warm, true), ...problems(run, false)]) {
            ok = false;
            log(`PROBLEM ${t.name}, ${shapeName(shape)}: ${p}`);
          }
          if (!runs.has(key(t, shape))) runs.set(key(t, shape), []);
          runs.get(key(t, shape))?.push(run);
          if (t.count === null) bare = run.load.eventsPerSecond;
          if (!ratios.has(key(t, shape))) ratios.set(key(t, shape), []);
          ratios.get(key(t, shape))?.push(run.load.eventsPerSecond / bare);
        }
      }
    }

    const lines = [
      '',
      '| shape | server | events/s (median) | req/s | p50 ms | p99 ms (median) | p99 per round | ratio to bare | new events answered | replays answered duplicate | events stored = accepted |',
      '| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |',
    ];
    for (const shape of SHAPES)
      for (const t of targets) {
        const rs = runs.get(key(t, shape)) ?? [];
        const accepted = rs.reduce((n, x) => n + x.load.accepted, 0);
        const replays = rs.reduce((n, x) => n + x.load.replaysSent, 0);
        const replaysOk = rs.reduce((n, x) => n + x.load.replaysOk, 0);
        const stored = t.count ? rs.reduce((n, x) => n + (x.stored ?? 0), 0) : null;
        lines.push(
          `| ${shapeName(shape)} | ${t.name} | ${Math.round(median(rs.map((x) => x.load.eventsPerSecond)))} | ${Math.round(median(rs.map((x) => x.load.rps)))} | ${median(rs.map((x) => x.load.p50))} | ${median(rs.map((x) => x.load.p99))} | ${rs.map((x) => x.load.p99).join(' / ')} | ${median(ratios.get(key(t, shape)) ?? []).toFixed(2)} | ${accepted} | ${replaysOk} of ${replays} | ${stored === null ? 'n/a' : stored === accepted ? `yes (${stored})` : `NO (${stored})`} |`,
        );
      }
    process.stdout.write(`${lines.join('\n')}\n\n`);

    for (const t of targets) {
      if (!t.verify) continue;
      const v = await t.verify();
      const good = v.duplicateKeys === 0 && v.diffs.length === 0;
      if (!good) ok = false;
      process.stdout.write(
        `${t.name}: ${v.events} events stored for the source, ${v.duplicateKeys} (source, type, txid) stored twice; event_rollups (${v.rollupRows} rows) ${v.diffs.length === 0 ? 'equal the recount from events' : `DIFFER from the recount in ${v.diffs.length} keys, e.g. ${v.diffs[0]}`}\n`,
      );
    }
    const sqliteRows = (shape: Shape) => runs.get(key(sqlite, shape)) ?? [];
    for (const shape of SHAPES) {
      const eps = median(sqliteRows(shape).map((x) => x.load.eventsPerSecond));
      const p99 = median(sqliteRows(shape).map((x) => x.load.p99));
      const met = eps >= 10_000 && p99 < 20;
      process.stdout.write(
        `Target (SQLite, ${shapeName(shape)}): >= 10,000 events/s and p99 < 20 ms → ${Math.round(eps)} events/s, p99 ${p99} ms: ${met ? 'MET' : 'NOT MET'}\n`,
      );
    }
    if (!ok) {
      process.stdout.write(
        '\nFAILED: a run answered something other than 200, answered an event wrongly, stored a different number of events than it accepted, stored a txid twice, or rollups differ from the recount.\n',
      );
      process.exitCode = 1;
    }
  } finally {
    for (const t of started) await t.stop().catch(() => {});
    if (dropPg) await dropPg();
  }
}

await main();
