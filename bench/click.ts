// Benchmark: the click path GET /c/{code} against a bare node:http server answering the same 302, measured in
// the same run at 100 connections with autocannon in a separate process:
//   (a) bare node:http (same Location building: link lookup, click id HMAC, query parsing; no DB)
//   (b) `partnerdesk serve` on SQLite (a fresh data directory)
//   (c) `partnerdesk serve` on PostgreSQL (a database created and dropped here; skipped if unreachable)
// For each: a warm-up run on a separate link, then a measured run of a fixed number of requests sized to last
// about --seconds, so every request is answered and counted. Prints req/s, p50/p99, the ratio to bare, and
// checks that the clicks stored for the measured link equal the 302s answered.
// Servers are started once; rounds interleave them (bare, SQLite, PostgreSQL) and the summary takes medians.
// Every request comes from 127.0.0.1, so the per-IP click limit (PARTNERDESK_CLICK_RATE_PER_IP) is raised far
// above what one machine can send: the limiter still runs on every click (its cost is measured) but refuses
// nothing, and any 429 fails the run like every other non-302 answer.
// Run: npm run bench:click [-- --seconds 10 --rounds 3 --connections 100 --pg postgres://postgres@127.0.0.1:5432]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { seedClickLinks } from '../test/support/click-seed.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] as string) : fallback;
};
const SECONDS = Number(arg('seconds', '10'));
const CONNECTIONS = Number(arg('connections', '100'));
const WARMUP_SECONDS = Number(arg('warmup', '3'));
const ROUNDS = Number(arg('rounds', '3'));
const PG_URL = arg('pg', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432');
const ROOT = path.resolve(import.meta.dirname, '..');
const CLICK_LIMIT = '1000000';
const LANDING = 'https://broker.example/open?cid={click_id}&s1={sub1}';
const QUERY = '?sub1=fb_spring&sub2=banner-7&utm_source=news';
const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

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

interface Cannon {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  status: Record<string, number>;
  errors: number;
  durationS: number;
}

/** autocannon in its own process; JSON result on stdout. */
async function cannon(url: string, opts: { seconds?: number; amount?: number }): Promise<Cannon> {
  const args = [
    path.join(ROOT, 'node_modules/autocannon/autocannon.js'),
    '-c',
    String(CONNECTIONS),
    '--json',
    '-H',
    `user-agent=${UA}`,
  ];
  if (opts.amount) args.push('-a', String(opts.amount));
  else args.push('-d', String(opts.seconds ?? 3));
  args.push(url);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`autocannon failed (${code}): ${err}`);
  const j = JSON.parse(out) as {
    requests: { total: number; average: number };
    latency: { p50: number; p99: number };
    statusCodeStats?: Record<string, { count: number }>;
    errors: number;
    timeouts: number;
    duration: number;
    non2xx: number;
    '2xx': number;
  };
  const status: Record<string, number> = {};
  for (const [k, v] of Object.entries(j.statusCodeStats ?? {})) status[k] = v.count;
  const total = Object.values(status).reduce((a, b) => a + b, 0);
  return {
    requests: total,
    rps: total / j.duration,
    p50: j.latency.p50,
    p99: j.latency.p99,
    status,
    errors: j.errors + j.timeouts,
    durationS: j.duration,
  };
}

async function waitFor(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output()}`);
    try {
      const res = await fetch(url, { redirect: 'manual' });
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

/** Warm-up (on the warm code), then a fixed number of requests sized to last about SECONDS. */
async function measure(name: string, base: string, warmCode: string, code: string): Promise<Cannon> {
  log(`${name}: warm-up ${WARMUP_SECONDS} s at ${CONNECTIONS} connections`);
  const warm = await cannon(`${base}/c/${warmCode}${QUERY}`, { seconds: WARMUP_SECONDS });
  const amount = Math.max(1000, Math.round(warm.rps * SECONDS));
  log(`${name}: warm-up ${Math.round(warm.rps)} req/s; measuring ${amount} requests (~${SECONDS} s)`);
  const run = await cannon(`${base}/c/${code}${QUERY}`, { amount });
  log(
    `${name}: ${Math.round(run.rps)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, status ${JSON.stringify(run.status)}`,
  );
  return run;
}

async function seed(
  databaseUrl: string | null,
  dataDir: string,
): Promise<{ warm: string; code: string; linkId: string }> {
  const { links } = await seedClickLinks({ databaseUrl, dataDir }, [
    { code: 'bench-warm', landingUrl: LANDING },
    { code: 'bench-main', landingUrl: LANDING },
  ]);
  return { warm: 'bench-warm', code: 'bench-main', linkId: (links[1] as { id: string }).id };
}

interface Target {
  name: string;
  base: string;
  warm: string;
  code: string;
  /** Clicks stored for the measured link (null for the bare server, which stores nothing). */
  count: (() => Promise<number>) | null;
  stop: () => Promise<void>;
}

interface Round {
  run: Cannon;
  /** Clicks stored by this round (count after minus count before). */
  stored: number | null;
}

async function startTarget(name: string, databaseUrl: string | null): Promise<Target> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pd-bench-click-'));
  const { warm, code, linkId } = await seed(databaseUrl, dataDir);
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers (as in bench:events).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const { child, output } = spawnLogged([...nodeArgs, 'bin/partnerdesk.js', 'serve'], {
    PARTNERDESK_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    PARTNERDESK_ADMIN_EMAIL: 'bench@example.test',
    PARTNERDESK_ADMIN_PASSWORD: 'clicks-go-fast-4242',
    PARTNERDESK_WORKERS: 'false',
    PARTNERDESK_CLICK_RATE_PER_IP: CLICK_LIMIT,
    PARTNERDESK_CLICK_BURST_PER_IP: CLICK_LIMIT,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`, child, output);
  let count: () => Promise<number>;
  let closeCounter: () => Promise<void>;
  if (databaseUrl) {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    count = async () =>
      Number((await c.query('select count(*) as n from clicks where link_id = $1', [linkId])).rows[0].n);
    closeCounter = () => c.end();
  } else {
    const db = new Database(path.join(dataDir, 'partnerdesk.sqlite'), { readonly: true });
    const st = db.prepare('select count(*) as n from clicks where link_id = ?');
    count = async () => (st.get(linkId) as { n: number }).n;
    closeCounter = async () => {
      db.close();
    };
  }
  return {
    name,
    base,
    warm,
    code,
    count,
    stop: async () => {
      await closeCounter();
      await stop(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startBare(): Promise<Target> {
  const port = await freePort();
  const { child, output } = spawnLogged(
    ['--import', 'tsx', 'bench/click/bare-server.ts', String(port), 'bench-main', LANDING],
    {},
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/c/bench-main`, child, output);
  return {
    name: 'bare node:http',
    base,
    warm: 'bench-main',
    code: 'bench-main',
    count: null,
    stop: () => stop(child),
  };
}

/** One measured round on a target; every 302 was committed before it was sent, so the count is exact now. */
async function round(t: Target): Promise<Round> {
  const before = t.count ? await t.count() : 0;
  const run = await measure(t.name, t.base, t.warm, t.code);
  const stored = t.count ? (await t.count()) - before : null;
  return { run, stored };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
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

async function main() {
  const cpus = os.cpus();
  log(
    `bench:click — ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, Node ${process.version}, ${CONNECTIONS} connections, ~${SECONDS} s per run, ${ROUNDS} round(s)`,
  );
  log(
    `per-IP click limit set to ${CLICK_LIMIT}/s, burst ${CLICK_LIMIT} (all requests come from 127.0.0.1): the limiter runs on every click but refuses none`,
  );
  const targets: Target[] = [];
  let dropPg: (() => Promise<void>) | null = null;
  try {
    targets.push(await startBare());
    targets.push(await startTarget('/c/{code} SQLite', null));
    const server = PG_URL.replace(/\/+$/, '');
    if (await pgReachable(server)) {
      const name = `pd_bench_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: `${server}/postgres` });
      await admin.connect();
      await admin.query(`create database ${name}`);
      dropPg = async () => {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      };
      targets.push(await startTarget('/c/{code} PostgreSQL', `${server}/${name}`));
    } else {
      log(`PostgreSQL at ${server} is not reachable: skipping the PostgreSQL run.`);
    }

    // Rounds interleave the targets, so background load on the machine hits each of them alike; each round's
    // ratio uses that round's bare run, and the summary takes medians.
    const rounds = new Map<string, Round[]>(targets.map((t) => [t.name, []]));
    const ratios = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let r = 1; r <= ROUNDS; r++) {
      log(`round ${r} of ${ROUNDS}`);
      let bareRps = 0;
      for (const t of targets) {
        const res = await round(t);
        rounds.get(t.name)?.push(res);
        if (t.count === null) bareRps = res.run.rps;
        ratios.get(t.name)?.push(res.run.rps / bareRps);
      }
    }

    let ok = true;
    const lines = [
      '',
      `| run | req/s (median) | p50 ms | p99 ms (median) | p99 per round | ratio to bare (median) | 302s answered | clicks stored | stored = 302s |`,
      `| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |`,
    ];
    for (const t of targets) {
      const rs = rounds.get(t.name) ?? [];
      const answered = rs.reduce((n, x) => n + (x.run.status['302'] ?? 0), 0);
      const stored = t.count ? rs.reduce((n, x) => n + (x.stored ?? 0), 0) : null;
      const exact = stored === null ? 'n/a' : stored === answered ? 'yes' : `NO (${stored - answered})`;
      if (stored !== null && stored !== answered) ok = false;
      for (const x of rs)
        if (Object.keys(x.run.status).some((k) => k !== '302') || x.run.errors > 0) ok = false;
      lines.push(
        `| ${t.name} | ${Math.round(median(rs.map((x) => x.run.rps)))} | ${median(rs.map((x) => x.run.p50))} | ${median(rs.map((x) => x.run.p99))} | ${rs.map((x) => x.run.p99).join(' / ')} | ${median(ratios.get(t.name) ?? []).toFixed(2)} | ${answered} | ${stored ?? 'n/a'} | ${exact} |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(
      `\nPer-IP click limiter on /c/{code}: on, set to ${CLICK_LIMIT}/s and burst ${CLICK_LIMIT}, so it is checked on every click and refuses none.\n`,
    );
    const sqlite = targets.find((t) => t.name.includes('SQLite'));
    if (sqlite) {
      const ratio = median(ratios.get(sqlite.name) ?? []);
      const p99 = median((rounds.get(sqlite.name) ?? []).map((x) => x.run.p99));
      const met = ratio >= 0.6 && p99 < 20;
      process.stdout.write(
        `\nTarget (SQLite): ratio >= 0.60 and p99 < 20 ms → ratio ${ratio.toFixed(2)}, p99 ${p99} ms: ${met ? 'MET' : 'NOT MET'}\n`,
      );
    }
    if (!ok) {
      process.stdout.write(
        '\nFAILED: a run answered something other than 302, had errors, or stored clicks differ from 302s answered.\n',
      );
      process.exitCode = 1;
    }
  } finally {
    for (const t of targets) await t.stop().catch(() => {});
    if (dropPg) await dropPg();
  }
}

await main();
