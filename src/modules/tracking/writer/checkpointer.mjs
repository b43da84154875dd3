// The checkpointer thread of the SQLite writer: copies the write-ahead log into the database file on its own
// connection, so the writer thread never pauses for it (a checkpoint copies pages and fsyncs twice; run inside
// the writer it cost ~30 µs per event and doubled the p99 of a batch, see docs/BENCHMARKS.md). Every 20 ms, so
// that the writer thread's own short checkpoint (which lets SQLite reuse the WAL, see sqlite-worker.ts) finds
// little left to copy. PASSIVE checkpoints never block the writer or readers. synchronous=FULL: the WAL is fsynced before its pages are
// copied and the database file before SQLite may reuse the WAL. Plain JavaScript: it needs nothing of the app.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const EVERY_MS = 20;
const db = new Database(workerData.file);
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
db.pragma('busy_timeout = 1000');

let timer = null;
function tick() {
  try {
    db.pragma('wal_checkpoint(PASSIVE)'); // cheap when nothing waits to be copied
  } catch {
    // busy: the next tick tries again
  }
  timer = setTimeout(tick, EVERY_MS);
}
timer = setTimeout(tick, EVERY_MS);

parentPort?.on('message', (m) => {
  if (m === 'stop') {
    if (timer) clearTimeout(timer);
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      db.close();
      parentPort?.postMessage('stopped');
      parentPort?.close();
    }
  }
});
