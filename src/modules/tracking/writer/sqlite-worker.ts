// The SQLite writer thread: owns its own better-sqlite3 connection to the database file (WAL,
// synchronous=FULL), receives batches from the main thread, commits each in one transaction and replies with
// the batch id after COMMIT. The event loop of the main thread never waits on an fsync.
//
// Checkpoints mostly do not run here (wal_autocheckpoint=0): the checkpointer thread (checkpointer.mjs)
// copies the WAL into the database file on its own connection, every 5 ms while there is anything to copy.
// But SQLite reuses the WAL from its start only when a write transaction begins with the whole WAL copied,
// which under sustained writes never follows a background checkpoint (the next commit lands first). So every
// WRITER_CHECKPOINT_MS, right after answering a batch, this thread runs a PASSIVE checkpoint itself: it copies
// only what the checkpointer has not yet copied (a millisecond or two), and the next batch restarts the WAL.
// If the WAL still passes WAL_LIMIT_BYTES (a reader held it, say), this thread truncates it (TRUNCATE): a
// rare, longer pause instead of a WAL that grows for ever.
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applySqlite } from './apply.ts';
import type { BatchGroup } from './kinds.ts';

interface Init {
  file: string;
  /** Tests only: hold every batch this long before COMMIT (to crash the worker with a batch in flight). */
  testDelayMs?: number;
  /** Tests only: the WAL size past which this thread checkpoints itself (checked after every batch). */
  testWalLimitBytes?: number;
}

const port = parentPort;
if (!port) throw new Error('sqlite-worker.ts must run in a worker thread');
const init = workerData as Init;

const WAL_LIMIT_BYTES = init.testWalLimitBytes ?? 64 * 1024 * 1024;
const WRITER_CHECKPOINT_MS = 100;
const CHECK_WAL_EVERY = init.testWalLimitBytes === undefined ? 50 : 1; // batches

let db: Database.Database;
try {
  db = new Database(init.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 0');
  // A 64 MB page cache (SQLite's default is 2 MB): on a database of 500,000 events it took the writer from
  // ~90 to ~70 µs per event in bench:ingest-writer (fewer reads of index pages, no cache spills mid-batch).
  db.pragma('cache_size = -65536');
  db.pragma('busy_timeout = 5000');
} catch (err) {
  port.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

const delay = init.testDelayMs ?? 0;
const beforeCommit =
  delay > 0
    ? () => {
        const until = Date.now() + delay;
        while (Date.now() < until) {
          // busy wait: a test terminates the worker here, mid-transaction
        }
      }
    : undefined;

const checkpointer = new Worker(path.join(path.dirname(fileURLToPath(import.meta.url)), 'checkpointer.mjs'), {
  workerData: { file: init.file },
});
checkpointer.unref();
let batches = 0;
let lastCheckpoint = 0;

function walBytes(): number {
  try {
    return statSync(`${init.file}-wal`).size;
  } catch {
    return 0;
  }
}

port.on('message', (m: { type: 'batch'; id: number; groups: BatchGroup[] } | { type: 'stop' }) => {
  if (m.type === 'batch') {
    const outcome = applySqlite(db, m.groups, beforeCommit);
    port.postMessage({ type: 'done', id: m.id, outcome });
    batches += 1;
    const now = performance.now();
    if (now - lastCheckpoint >= WRITER_CHECKPOINT_MS) {
      try {
        const [r] = db.pragma('wal_checkpoint(PASSIVE)') as {
          busy: number;
          log: number;
          checkpointed: number;
        }[];
        // Done only when all of the WAL is copied; else (the checkpointer was mid-checkpoint) after the next batch.
        if (r && r.busy === 0 && r.log === r.checkpointed) lastCheckpoint = now;
      } catch {
        // busy: after the next batch
      }
    }
    if (batches % CHECK_WAL_EVERY === 0 && walBytes() > WAL_LIMIT_BYTES) {
      try {
        const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
        if (r && r.busy === 0) port.postMessage({ type: 'wal_truncated' });
      } catch {
        // readers in the way: the checkpointer and the next check try again
      }
    }
  } else if (m.type === 'stop') {
    // The checkpointer's last passive checkpoint first (or its exit, if it died), then this connection.
    let closed = false;
    const done = () => {
      if (closed) return;
      closed = true;
      void checkpointer.terminate();
      db.close();
      port.postMessage({ type: 'stopped' });
      port.close();
    };
    checkpointer.once('message', done);
    checkpointer.once('exit', done);
    checkpointer.postMessage('stop');
  }
});
port.postMessage({ type: 'ready' });
