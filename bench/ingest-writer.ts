// Benchmark of the SQLite writer's event work alone — no HTTP, no load generator, no main thread: batches of
// events applied with the writer kind's own code (`applySqlite`, the same function the writer thread runs,
// synchronous=FULL) on a database that already holds events, against a baseline measured in the same run on
// the same file: inserting the same number of rows into a plain table with one primary key, one transaction per
// batch. It shows where the writer's time goes (lookups, plan, statements, commit) per event, so the cost of
// each part of the event path can be changed and compared.
// Run: npm run bench:ingest-writer [-- --preload 100000 --batch 100 --batches 200 --wal-pages]
// --wal-pages also prints which tables and indexes the events' WAL frames belong to (SQLite's dbstat).
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { EventRow } from '../src/modules/events/ingest-plan.ts';
import { mintClickId } from '../src/modules/tracking/click-id.ts';
import { applySqlite } from '../src/modules/tracking/writer/apply.ts';
import type { ClickRow } from '../src/modules/tracking/writer/kinds.ts';
import { newId } from '../src/platform/ids.ts';
import { seedEventWorkspace } from '../test/support/event-seed.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] as string) : fallback;
};
const PRELOAD = Number(arg('preload', '100000'));
const BATCH = Number(arg('batch', '100'));
const BATCHES = Number(arg('batches', '200'));
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

interface Ctx {
  partnerId: string;
  links: { id: string; code: string; seq: number }[];
  secret: string;
  sourceId: string;
}

let seq = 0;
const clients: string[] = [];

function clickRow(c: Ctx, i: number): ClickRow {
  const l = c.links[i % c.links.length] as Ctx['links'][number];
  const id = mintClickId(c.secret, l.seq, Date.now() - 60_000);
  return [
    id,
    l.id,
    c.partnerId,
    new Date(Date.now() - 60_000).toISOString(),
    '203.0.113.9',
    'Mozilla/5.0',
    null,
    null,
    null,
    `s${i % 7}`,
    null,
    null,
    null,
    null,
    0,
    0,
    0,
  ];
}

/** The event mix of bench:events: 40% registrations with a click id, the rest on registered clients. */
function eventRow(c: Ctx, clickIds: string[]): EventRow {
  seq += 1;
  const now = new Date().toISOString();
  const r = Math.random();
  const base = {
    id: newId('event'),
    sourceId: c.sourceId,
    txid: `tx-${seq}`,
    occurredAt: now,
    receivedAt: now,
    country: null,
    lots: null,
    instrumentGroup: null,
    revenueMinor: null,
    isTest: 0 as const,
    trackingTestId: null,
  };
  if (clients.length === 0 || r < 0.4) {
    const clickId = clickIds[seq % clickIds.length] as string;
    const l = c.links[seq % c.links.length] as Ctx['links'][number];
    const clientExt = `acc-${seq}`;
    clients.push(clientExt);
    return {
      ...base,
      type: 'registration',
      clientExt,
      clickId,
      amountMinor: null,
      currency: null,
      cand: {
        method: 'click',
        partnerId: c.partnerId,
        linkId: l.id,
        linkCode: l.code,
        programmeId: null,
        clickId,
        note: null,
      },
    };
  }
  const clientExt = clients[Math.floor(Math.random() * clients.length)] as string;
  const none = {
    method: 'none' as const,
    partnerId: null,
    linkId: null,
    linkCode: null,
    programmeId: null,
    clickId: null,
    note: 'no_click_id',
  };
  if (r < 0.7)
    return {
      ...base,
      type: 'deposit',
      clientExt,
      clickId: null,
      amountMinor: 5000 + (seq % 40_000),
      currency: 'USD',
      cand: none,
    };
  return {
    ...base,
    type: 'trade',
    clientExt,
    clickId: null,
    amountMinor: null,
    currency: 'USD',
    lots: 100 + (seq % 300),
    instrumentGroup: 'forex',
    revenueMinor: 550,
    cand: none,
  };
}

/** The WAL frames written in `ranges` (byte offsets), counted by the table or index owning each page. */
function walPages(db: Database.Database, walFile: string, ranges: [number, number][], rows: number): string {
  const owner = new Map<number, string>();
  for (const r of db.prepare('select name, pageno from dbstat').all() as { name: string; pageno: number }[])
    owner.set(r.pageno, r.name);
  const fd = openSync(walFile, 'r');
  const head = Buffer.alloc(32);
  readSync(fd, head, 0, 32, 0);
  const pageSize = head.readUInt32BE(8);
  const frame = 24 + pageSize;
  const counts = new Map<string, number>();
  const fh = Buffer.alloc(24);
  let frames = 0;
  for (const [from, to] of ranges) {
    // Frames start at 32 + k * frame; a range starts and ends on frame boundaries.
    for (let at = from; at + frame <= to; at += frame) {
      readSync(fd, fh, 0, 24, at);
      const name = owner.get(fh.readUInt32BE(0)) ?? '(freelist or gone)';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      frames += 1;
    }
  }
  closeSync(fd);
  const lines = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([n, c]) => `| ${n} | ${c} | ${((c * pageSize) / rows / 1024).toFixed(2)} |`);
  return `\nWAL frames of the measured event batches (${pageSize}-byte pages, ${frames} frames):\n| table or index | frames | KB per event |\n| --- | ---: | ---: |\n${lines.join('\n')}\n`;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pd-bench-writer-'));
  try {
    log(
      `bench:ingest-writer — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; preload ${PRELOAD}, ${BATCHES} batches of ${BATCH}`,
    );
    const ws = await seedEventWorkspace({ databaseUrl: null, dataDir }, [
      { code: 'w-a', landingUrl: 'https://broker.example/?cid={click_id}' },
      { code: 'w-b', landingUrl: 'https://broker.example/?cid={click_id}' },
    ]);
    const file = path.join(dataDir, 'partnerdesk.sqlite');
    // BENCH_SQL="drop index events_click;…" changes the schema before the preload, to try layouts.
    if (process.env.BENCH_SQL) {
      const pre = new Database(file);
      pre.exec(process.env.BENCH_SQL);
      pre.close();
    }
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('wal_autocheckpoint = 0'); // as the writer thread runs (its checkpointer thread is not started here)
    // BENCH_PRAGMAS="wal_autocheckpoint=100000;cache_size=-65536" tries connection settings against the defaults.
    for (const p of (process.env.BENCH_PRAGMAS ?? '').split(';').filter(Boolean)) db.pragma(p);
    const sourceId = newId('eventSource');
    db.prepare(
      `insert into event_sources (id, name, kind, description, token_hash, token_hint, signing_secret, status, last_event_at, created_by, created_at, updated_at, version)
       values (?, 'Bench', 'back_office', null, ?, 'xxxx', null, 'active', null, null, ?, ?, 1)`,
    ).run(sourceId, `hash-${sourceId}`, new Date().toISOString(), new Date().toISOString());
    const c: Ctx = { ...ws, sourceId };

    const clicks = Array.from({ length: 5000 }, (_, i) => clickRow(c, i));
    for (let i = 0; i < clicks.length; i += 1000)
      applySqlite(db, [{ kind: 'click', rows: clicks.slice(i, i + 1000) }]);
    const clickIds = clicks.map((r) => r[0]);
    log(`preloading ${PRELOAD} events in batches of 1,000…`);
    for (let n = 0; n < PRELOAD; n += 1000) {
      applySqlite(db, [
        {
          kind: 'event',
          rows: Array.from({ length: Math.min(1000, PRELOAD - n) }, () => eventRow(c, clickIds)),
        },
      ]);
      if ((n / 1000) % 20 === 0) log(`  ${n + 1000} / ${PRELOAD}`);
    }

    // Baseline: the same number of rows per transaction into a plain table (one primary key, a text column).
    db.exec('create table bench_plain (id text primary key, v text not null)');
    const plain = db.prepare('insert into bench_plain (id, v) values (?, ?)');
    const plainTx = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) plain.run(newId('event'), 'x'.repeat(120));
    });
    const timesPlain: number[] = [];
    const timesEvents: number[] = [];
    const timesCommit: number[] = [];
    let applied = 0;
    const markApplied = () => {
      applied = performance.now();
    };
    const walSize = () => {
      try {
        return statSync(`${file}-wal`).size;
      } catch {
        return 0;
      }
    };
    let walPlain = 0;
    let walEvents = 0;
    const eventRanges: [number, number][] = [];
    for (let b = 0; b < BATCHES; b++) {
      // Interleave, so whatever else the machine does hits both alike.
      let w = walSize();
      let t = performance.now();
      plainTx.immediate(BATCH);
      timesPlain.push(performance.now() - t);
      walPlain += walSize() - w;
      w = walSize();
      const rows = Array.from({ length: BATCH }, () => eventRow(c, clickIds));
      t = performance.now();
      const out = applySqlite(db, [{ kind: 'event', rows }], markApplied);
      const end = performance.now();
      timesEvents.push(end - t);
      timesCommit.push(end - applied);
      walEvents += walSize() - w;
      eventRanges.push([w, walSize()]);
      if (out.errors) throw new Error(`a batch failed: ${JSON.stringify(out.errors).slice(0, 300)}`);
    }
    const per = (xs: number[]) => ((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / BATCH;
    const pe = per(timesEvents);
    const pp = per(timesPlain);
    const pc = per(timesCommit);
    process.stdout.write(
      `\n| batch of ${BATCH} | µs per row (mean) | batch p50 ms | batch p99 ms | ratio to plain |\n| --- | ---: | ---: | ---: | ---: |\n` +
        `| plain insert (baseline) | ${pp.toFixed(1)} | ${percentile(timesPlain, 50).toFixed(2)} | ${percentile(timesPlain, 99).toFixed(2)} | 1.00 |\n` +
        `| events (writer kind) | ${pe.toFixed(1)} | ${percentile(timesEvents, 50).toFixed(2)} | ${percentile(timesEvents, 99).toFixed(2)} | ${(pe / pp).toFixed(2)} |\n` +
        `\nOf the events' ${pe.toFixed(1)} µs per row: ${(pe - pc).toFixed(1)} applying (lookups, plan, statements), ${pc.toFixed(1)} committing (WAL writes and fsync).\n` +
        `Write-ahead log written per row: plain ${(walPlain / BATCHES / BATCH / 1024).toFixed(2)} KB, events ${(walEvents / BATCHES / BATCH / 1024).toFixed(2)} KB.\n` +
        `Writer capacity at this batch size: ~${Math.round(1e6 / pe)} events/s on one core (commit included).\n`,
    );
    if (process.argv.includes('--wal-pages')) process.stdout.write(walPages(db, `${file}-wal`, eventRanges, BATCHES * BATCH));
    db.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
