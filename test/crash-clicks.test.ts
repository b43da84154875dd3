// kill -9 during click load: every click answered 302 before the kill is stored exactly once, and nothing is
// half-written (every stored click is complete, its id verifies, and the daily rollups equal the raw clicks).
// Runs the real server (`partnerdesk serve`) as a child process, on SQLite or, with TEST_DATABASE_URL, on a
// fresh PostgreSQL database.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClickId } from '../src/modules/tracking/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { seedClickLinks } from './support/click-seed.ts';
import { TEST_PG_URL } from './support/db.ts';
import { partnerDayDiff } from './support/rollup-check.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

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
  output: () => string;
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
      // Every request comes from 127.0.0.1: no per-IP click limit, so the load is the crash test's.
      PARTNERDESK_CLICK_RATE_PER_IP: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    log = (log + d).slice(-10_000);
  });
  child.stderr?.on('data', (d) => {
    log = (log + d).slice(-10_000);
  });
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
  return { child, url, output: () => log };
}

describe('kill -9 under click load', () => {
  let dataDir: string;
  let databaseUrl: string | null = null;
  let dropDb: (() => Promise<void>) | null = null;
  let server: Server | null = null;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'pd-crash-'));
    const pgUrl = TEST_PG_URL;
    if (pgUrl) {
      const name = `pd_crash_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const u = new URL(pgUrl);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
      dropDb = async () => {
        const c = new pg.Client({ connectionString: pgUrl });
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

  it('keeps every acknowledged click exactly once and writes nothing half', async () => {
    const seeded = await seedClickLinks({ databaseUrl, dataDir }, [
      { code: 'crash-a', landingUrl: 'https://broker.example/open?cid={click_id}&s={sub1}' },
      { code: 'crash-b', landingUrl: 'https://broker.example/b' },
    ]);
    const env = { PARTNERDESK_DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '' };
    server = await startServer(env);
    const s = server;

    const acknowledged: string[] = [];
    let failedRequests = 0;
    let stopped = false;
    const loops = Array.from({ length: 24 }, async (_, n) => {
      let i = 0;
      while (!stopped) {
        const code = n % 2 === 0 ? 'crash-a' : 'crash-b';
        try {
          const res = await fetch(`${s.url}/c/${code}?sub1=loop${n % 4}&sub2=${i++}&utm_campaign=crash`, {
            redirect: 'manual',
            headers: { 'user-agent': UA },
          });
          if (res.status === 302) {
            const loc = res.headers.get('location') ?? '';
            const m = /[?&](?:cid|click_id)=(c[0-9A-Z]{29})/.exec(loc);
            if (!m?.[1]) throw new Error(`302 without a click id: ${loc}`);
            acknowledged.push(m[1]);
          } else {
            await res.arrayBuffer();
            failedRequests += 1;
          }
        } catch {
          failedRequests += 1;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    });
    // Load for a while, then kill the server hard in the middle of it.
    const until = Date.now() + 60_000;
    while (acknowledged.length < 1500 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    s.child.kill('SIGKILL');
    await new Promise((r) => s.child.once('exit', r));
    await new Promise((r) => setTimeout(r, 300)); // requests in flight at the kill fail now
    stopped = true;
    await Promise.all(loops);
    expect(acknowledged.length).toBeGreaterThanOrEqual(1500);

    // Restart on the same data: it starts, and it still answers clicks.
    server = await startServer(env);
    const again = await fetch(`${server.url}/c/crash-a?sub1=after`, {
      redirect: 'manual',
      headers: { 'user-agent': UA },
    });
    expect(again.status).toBe(302);

    const handle = openDatabase(
      loadConfig({
        PARTNERDESK_DATA_DIR: dataDir,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        LOG_LEVEL: 'silent',
      }),
    );
    try {
      const rows = await handle.db.selectFrom('clicks').selectAll().execute();
      const stored = new Map<string, number>();
      for (const r of rows) stored.set(r.id, (stored.get(r.id) ?? 0) + 1);
      // Every acknowledged click is stored, exactly once.
      const missing = acknowledged.filter((id) => !stored.has(id));
      expect(missing, `${missing.length} of ${acknowledged.length} acknowledged clicks are missing`).toEqual(
        [],
      );
      expect([...stored.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(acknowledged).size).toBe(acknowledged.length);
      // Nothing half-written: every stored click is complete and its id verifies against its link.
      const seqOf = new Map(seeded.links.map((l) => [l.id, l.seq]));
      const incomplete = rows.filter((r) => {
        const parsed = parseClickId(seeded.secret, r.id);
        return (
          !parsed.ok ||
          parsed.linkSeq !== seqOf.get(r.link_id) ||
          r.partner_id !== seeded.partnerId ||
          !r.ts ||
          !r.ip ||
          r.user_agent !== UA ||
          !/^(loop[0-3]|after)$/.test(r.sub1 ?? '') ||
          (r.sub1 !== 'after' && !/^\d+$/.test(r.sub2 ?? '')) ||
          r.is_bot === null ||
          r.is_duplicate === null
        );
      });
      expect(incomplete).toEqual([]);
      // Rollups equal the raw clicks, per day, link and sub1.
      const raw = await handle.db
        .selectFrom('clicks')
        .select([
          'link_id',
          'sub1',
          sql<string>`substr(ts, 1, 10)`.as('day'),
          (eb) => eb.fn.countAll<number>().as('n'),
        ])
        .groupBy(['link_id', 'sub1', sql`substr(ts, 1, 10)`])
        .execute();
      const rollups = await handle.db
        .selectFrom('click_rollups')
        .select(['day', 'link_id', 'sub1', 'clicks', 'unique_clicks', 'bots'])
        .execute();
      const key = (d: string, l: string, s1: string | null) => `${d}|${l}|${s1 ?? ''}`;
      const rawMap = new Map(raw.map((r) => [key(r.day, r.link_id, r.sub1), Number(r.n)]));
      const rollMap = new Map(rollups.map((r) => [key(r.day, r.link_id, r.sub1), Number(r.clicks)]));
      expect(rollMap).toEqual(rawMap);
      for (const r of rollups)
        expect(Number(r.unique_clicks) + Number(r.bots)).toBeLessThanOrEqual(Number(r.clicks));
      // The partner-day rollups were written in the same transactions: equal to these summed.
      expect((await partnerDayDiff(handle.db)).diffs).toEqual([]);
      expect(rows.length).toBeGreaterThanOrEqual(acknowledged.length + 1);
    } finally {
      await handle.close();
    }
    void failedRequests;
  }, 180_000);
});
