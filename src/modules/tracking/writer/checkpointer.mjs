// The checkpointer thread of the SQLite writer: copies the write-ahead log into the database file on its own
// connection, so the writer thread never pauses for it (a checkpoint copies pages and fsyncs twice; run inside
// the writer it cost ~30 µs per event and doubled the p99 of a batch, see docs/BENCHMARKS.md). PASSIVE
// checkpoints never block the writer or readers. synchronous=FULL: the WAL is fsynced before its pages are
// copied and the database file before SQLite may reuse the WAL. Plain JavaScript: it needs nothing of the app.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

// Every 5 ms while writes come in, so that the writer thread's own checkpoint finds little left; every 50 ms
// after a second of ticks that found nothing to copy. (Backing off after ten empty ticks raised the p99 of
// bench:events' feed from ~23 to ~33 ms: under load, runs of empty ticks are common.)
const BUSY_MS = 5;
const IDLE_MS = 50;
const IDLE_AFTER_TICKS = 200;
const db = new Database(workerData.file);
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
db.pragma('busy_timeout = 1000');

let timer = null;
let emptyTicks = 0; // ticks in a row that found the WAL all copied
function tick() {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    emptyTicks = r && r.busy === 0 && r.log === r.checkpointed ? emptyTicks + 1 : 0;
  } catch {
    emptyTicks = 0; // busy: the next tick tries again
  }
  timer = setTimeout(tick, emptyTicks >= IDLE_AFTER_TICKS ? IDLE_MS : BUSY_MS);
}
timer = setTimeout(tick, IDLE_MS);

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
