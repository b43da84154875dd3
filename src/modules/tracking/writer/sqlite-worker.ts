// The SQLite writer thread: owns its own better-sqlite3 connection to the database file (WAL,
// synchronous=FULL), receives batches from the main thread, commits each in one transaction and replies with
// the batch id after COMMIT. The event loop of the main thread never waits on an fsync.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applySqlite } from './apply.ts';
import type { BatchGroup } from './kinds.ts';

interface Init {
  file: string;
  /** Tests only: hold every batch this long before COMMIT (to crash the worker with a batch in flight). */
  testDelayMs?: number;
}

const port = parentPort;
if (!port) throw new Error('sqlite-worker.ts must run in a worker thread');
const init = workerData as Init;

let db: Database.Database;
try {
  db = new Database(init.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
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

port.on('message', (m: { type: 'batch'; id: number; groups: BatchGroup[] } | { type: 'stop' }) => {
  if (m.type === 'batch') {
    const outcome = applySqlite(db, m.groups, beforeCommit);
    port.postMessage({ type: 'done', id: m.id, outcome });
  } else if (m.type === 'stop') {
    db.close();
    port.postMessage({ type: 'stopped' });
    port.close();
  }
});
port.postMessage({ type: 'ready' });
