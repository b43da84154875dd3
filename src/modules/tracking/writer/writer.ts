// The batched tracking writer: `submit(kind, row)` returns a promise that resolves only after the row is
// committed (durably: SQLite synchronous=FULL, PostgreSQL synchronous_commit). Rows from concurrent requests
// are grouped into one transaction per batch, off the request thread:
//   - SQLite: a worker thread owns the writer connection; the main thread buffers rows for a moment (or until
//     maxBatch), posts one message per batch and resolves the requests when the worker answers after COMMIT.
//     One batch is in flight at a time; rows arriving meanwhile form the next batch (group commit).
//   - PostgreSQL: the same buffering; each batch is one transaction with multi-row statements through the
//     pool, a few batches in flight at once (the database server does the work in its own processes).
// If the worker dies, every request waiting on it is rejected with a 503 AppError ('unavailable') and the
// worker is restarted; a queue that grows past maxQueue is refused the same way rather than growing forever.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import { AppError } from '../../../platform/errors.ts';
import { applyPostgres, isConnectionError } from './apply.ts';
import type { BatchGroup, BatchOutcome, KindName, ResultOf, RowOf } from './kinds.ts';

export interface Backend {
  /** Commits one batch; rejects with WriterUnavailableError when the backend cannot (worker died, DB down). */
  run(groups: BatchGroup[]): Promise<BatchOutcome>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export class WriterUnavailableError extends AppError {
  constructor(why: string) {
    super('unavailable', `Tracking writes are briefly unavailable (${why}); retry in a moment.`, [], {
      retryAfterSeconds: 1,
    });
  }
}

export interface WriterOptions {
  /** Wait this long after the first buffered row before sending a batch (0 = next turn of the event loop). */
  flushDelayMs: number;
  maxBatch: number;
  maxInFlight: number;
  /** Rows waiting beyond this are refused (503) instead of queued. */
  maxQueue: number;
}

interface Pending {
  kind: KindName;
  row: unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface WriterStats {
  batches: number;
  rows: number;
  maxBatchRows: number;
  failedRows: number;
  restarts: number;
}

export class TrackingWriter {
  private buffer: Pending[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  readonly stats: WriterStats = { batches: 0, rows: 0, maxBatchRows: 0, failedRows: 0, restarts: 0 };

  constructor(
    readonly backend: Backend,
    private readonly opts: WriterOptions,
  ) {}

  /** Resolves after the row is committed; rejects with an AppError (503) when it could not be. */
  submit<K extends KindName>(kind: K, row: RowOf<K>): Promise<ResultOf<K>> {
    if (this.closed) return Promise.reject(new WriterUnavailableError('the server is shutting down'));
    if (this.buffer.length >= this.opts.maxQueue)
      return Promise.reject(new WriterUnavailableError('too many writes are waiting'));
    return new Promise<ResultOf<K>>((resolve, reject) => {
      this.buffer.push({ kind, row, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight >= this.opts.maxInFlight) return; // the next completion sends what has gathered
    if (this.buffer.length >= this.opts.maxBatch) {
      this.dispatch();
      return;
    }
    if (this.timer || this.immediate) return;
    if (this.opts.flushDelayMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.dispatch();
      }, this.opts.flushDelayMs);
    } else {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.dispatch();
      });
    }
  }

  private dispatch(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    while (this.buffer.length > 0 && this.inFlight < this.opts.maxInFlight) {
      const items =
        this.buffer.length <= this.opts.maxBatch ? this.buffer : this.buffer.slice(0, this.opts.maxBatch);
      this.buffer = items === this.buffer ? [] : this.buffer.slice(this.opts.maxBatch);
      this.send(items);
    }
  }

  private send(items: Pending[]): void {
    // Group by kind, keeping each kind's order; remember where each item's result comes back.
    const groups: BatchGroup[] = [];
    const where: [number, number][] = new Array(items.length);
    const index = new Map<KindName, number>();
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as Pending;
      let g = index.get(it.kind);
      if (g === undefined) {
        g = groups.length;
        index.set(it.kind, g);
        groups.push({ kind: it.kind, rows: [] });
      }
      const rows = (groups[g] as BatchGroup).rows;
      where[i] = [g, rows.length];
      rows.push(it.row);
    }
    this.inFlight += 1;
    this.backend.run(groups).then(
      (outcome) => {
        this.stats.batches += 1;
        this.stats.rows += items.length;
        if (items.length > this.stats.maxBatchRows) this.stats.maxBatchRows = items.length;
        for (let i = 0; i < items.length; i++) {
          const [g, r] = where[i] as [number, number];
          const err = outcome.errors?.[g]?.[r];
          const it = items[i] as Pending;
          if (err) {
            this.stats.failedRows += 1;
            it.reject(new AppError('unavailable', `The ${it.kind} could not be recorded: ${err}`));
          } else it.resolve(outcome.results[g]?.[r]);
        }
        this.done();
      },
      (err) => {
        this.stats.failedRows += items.length;
        const e =
          err instanceof AppError
            ? err
            : new WriterUnavailableError(err instanceof Error ? err.message : String(err));
        for (const it of items) it.reject(e);
        this.done();
      },
    );
  }

  private done(): void {
    this.inFlight -= 1;
    if (this.buffer.length > 0) this.dispatch();
    else if (this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Sends what is buffered now and resolves when nothing is buffered or in flight. */
  async flush(): Promise<void> {
    if (this.buffer.length > 0) this.dispatch();
    if (this.buffer.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async start(): Promise<void> {
    await this.backend.start();
  }

  /** Flushes, then stops the backend. Later submits are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.backend.close();
  }
}

const BOOTSTRAP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker-bootstrap.mjs');

/** The SQLite backend: one worker thread at a time, restarted when it dies. */
export class SqliteWorkerBackend implements Backend {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private nextId = 1;
  private waiting = new Map<number, { resolve: (o: BatchOutcome) => void; reject: (e: unknown) => void }>();
  private stopping = false;
  private failures = 0;
  restarts = 0;
  /** Times the writer thread truncated a WAL that had passed its limit (tests read it). */
  walTruncations = 0;

  constructor(
    private readonly file: string,
    private readonly opts: {
      testDelayMs?: number;
      testWalLimitBytes?: number;
      onRestart?: (why: string) => void;
    } = {},
  ) {}

  start(): Promise<void> {
    return this.ensure().then(() => undefined);
  }

  private ensure(): Promise<Worker> {
    if (this.stopping) return Promise.reject(new WriterUnavailableError('the server is shutting down'));
    if (this.ready) return this.ready;
    const p = new Promise<Worker>((resolve, reject) => {
      const w = new Worker(BOOTSTRAP, {
        workerData: {
          file: this.file,
          testDelayMs: this.opts.testDelayMs,
          testWalLimitBytes: this.opts.testWalLimitBytes,
        },
      });
      let isReady = false;
      let dead = false;
      w.on('message', (m: { type: string; id?: number; outcome?: BatchOutcome; message?: string }) => {
        if (m.type === 'ready') {
          isReady = true;
          this.failures = 0;
          this.worker = w;
          resolve(w);
        } else if (m.type === 'done') {
          const h = this.waiting.get(m.id as number);
          this.waiting.delete(m.id as number);
          h?.resolve(m.outcome as BatchOutcome);
        } else if (m.type === 'wal_truncated') {
          this.walTruncations += 1;
        } else if (m.type === 'fatal') {
          reject(new WriterUnavailableError(`the writer could not open the database: ${m.message}`));
        }
      });
      const died = (why: string) => {
        if (dead) return; // 'error' is followed by 'exit'
        dead = true;
        if (this.worker === w) this.worker = null;
        if (this.ready === p) this.ready = null;
        if (!isReady) reject(new WriterUnavailableError(why));
        // Batches in flight: unknown whether they committed; their requests get 503, never a hang.
        const waiting = this.waiting;
        this.waiting = new Map();
        for (const h of waiting.values()) h.reject(new WriterUnavailableError(why));
        if (!this.stopping) {
          this.restarts += 1;
          this.failures += 1;
          this.opts.onRestart?.(why);
          // Restart at once the first time, then back off up to 5 s while it keeps failing.
          const wait = Math.min(5000, this.failures <= 1 ? 0 : 100 * 2 ** this.failures);
          setTimeout(() => {
            if (!this.stopping && !this.ready) this.ensure().catch(() => {});
          }, wait).unref();
        }
      };
      w.on('error', (err) => died(`the writer thread failed: ${err.message}`));
      w.on('exit', (code) => died(`the writer thread exited with code ${code}`));
    });
    this.ready = p;
    // An unobserved start failure must not become an unhandled rejection.
    p.catch(() => {});
    return p;
  }

  async run(groups: BatchGroup[]): Promise<BatchOutcome> {
    const w = await this.ensure();
    const id = this.nextId++;
    return new Promise<BatchOutcome>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ type: 'batch', id, groups });
    });
  }

  /** Tests: the current worker thread (to terminate it as a crash would). */
  get currentWorker(): Worker | null {
    return this.worker;
  }

  async close(): Promise<void> {
    this.stopping = true;
    const w = this.worker ?? (this.ready ? await this.ready.catch(() => null) : null);
    if (!w) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate().then(() => resolve()), 5000);
      w.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      w.postMessage({ type: 'stop' });
    });
    this.worker = null;
    this.ready = null;
  }
}

/** The PostgreSQL backend: each batch is one transaction through the pool. */
export class PostgresBackend implements Backend {
  constructor(private readonly db: Kysely<DB>) {}
  async start(): Promise<void> {}
  async run(groups: BatchGroup[]): Promise<BatchOutcome> {
    try {
      return await applyPostgres(this.db, groups);
    } catch (err) {
      if (isConnectionError(err)) throw new WriterUnavailableError('the database cannot be reached');
      throw err;
    }
  }
  async close(): Promise<void> {}
}
