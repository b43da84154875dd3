// Raw click retention: deletes raw clicks older than PARTNERDESK_CLICK_RETENTION_DAYS (default 180; 0 = keep
// for ever) in bounded chunks, daily in-process (when workers run) and from `partnerdesk prune-clicks`.
// Daily stats live in click_rollups and are never touched; a click id keeps proving its time and link after
// its raw row is gone, and the click story says so (clicks.service.ts reads the run's audit entry).
//
// The delete is a range on the primary key: click ids begin with "c" and the 48-bit millisecond time,
// big-endian, in Crockford base32 whose alphabet is in ASCII order, and every id has the same length, so ids
// sort by time as text. `timeBound(t)` is the shortest string that every id minted before t sorts below and
// every id minted at or after t sorts above; `id < bound` walks the primary-key index from its start (no
// index on ts needed). Both databases compare the text byte-wise here (SQLite BINARY; on PostgreSQL the
// characters 0-9 A-Z and c compare in the same order under C and ICU/glibc collations, checked in the test).
// A second condition `ts < cutoff` guards against any row whose stored time disagrees with its id.
//
// Each chunk (at most 5,000 rows) is its own short transaction, so the click writer waits at most one chunk.
// Deleting a row has no audit entry of its own; one summary entry `clicks.pruned` per run records the cutoff,
// the count and the chunks (entity id = the cutoff time, which the click story looks up).
import { type RequestContext, systemActor } from '../../platform/auth/actor.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DAY_MS = 86_400_000;
export const PRUNE_CHUNK = 5_000;

/** What background and CLI pruning record changes as. */
export const retentionCtx: RequestContext = { actor: systemActor([], 'click retention'), requestId: null };

/**
 * 'c' and the first 10 base32 characters of a click id whose time is `ms` and whose other bits are zero
 * (50 bits: the 48-bit time and two zero bits). An id minted at time t sorts below it iff t < ms.
 */
export function timeBound(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError('time out of range');
  let out = 'c';
  // 48 time bits followed by 2 zero bits = 50 bits = 10 characters; split to stay inside safe integers.
  const hi = Math.floor(ms / 2 ** 23); // top 25 bits
  const lo = (ms % 2 ** 23) * 4; // low 23 bits and the two zero bits = 25 bits
  for (const part of [hi, lo])
    for (let shift = 20; shift >= 0; shift -= 5) out += ALPHABET[(part >>> shift) & 31];
  return out;
}

export interface PruneResult {
  /** Raw clicks with a time before this were deleted (ISO UTC). */
  cutoff: string;
  olderThanDays: number;
  deleted: number;
  chunks: number;
  ms: number;
  /** True when stop() ended the run before every old click was deleted. */
  stopped: boolean;
}

export interface PruneOptions {
  olderThanDays: number;
  now?: number;
  chunkSize?: number;
  /** Pause between chunks, so the click writer (SQLite: one writer at a time) gets its turns. */
  pauseMs?: number;
  onChunk?: (deletedSoFar: number, chunks: number) => void;
  /** Checked between chunks: true ends the run early (its summary is still recorded). */
  shouldStop?: () => boolean;
  ctx?: RequestContext;
}

/** Deletes raw clicks older than `olderThanDays` days, chunk by chunk; one `clicks.pruned` audit entry when any went. */
export async function pruneClicks(store: Store, opts: PruneOptions): Promise<PruneResult> {
  const { olderThanDays } = opts;
  if (!Number.isInteger(olderThanDays) || olderThanDays < 1)
    throw new RangeError('olderThanDays must be a whole number of at least 1');
  const started = Date.now();
  const cutoffMs = (opts.now ?? started) - olderThanDays * DAY_MS;
  const cutoff = new Date(cutoffMs).toISOString();
  const bound = timeBound(cutoffMs);
  const chunkSize = opts.chunkSize ?? PRUNE_CHUNK;
  const ctx = opts.ctx ?? retentionCtx;
  let deleted = 0;
  let chunks = 0;
  let stopped = false;
  for (;;) {
    if (opts.shouldStop?.()) {
      stopped = true;
      break;
    }
    const n = await writeTransaction(
      store,
      ctx,
      async ({ trx }) => {
        const res = await trx
          .deleteFrom('clicks')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('clicks')
              .select('id')
              .where('id', '<', bound)
              .where('ts', '<', cutoff)
              .orderBy('id')
              .limit(chunkSize),
          )
          .executeTakeFirst();
        return Number(res.numDeletedRows);
      },
      { unauditedBecause: 'raw click retention: one clicks.pruned summary entry per run' },
    );
    if (n === 0) break;
    deleted += n;
    chunks += 1;
    opts.onChunk?.(deleted, chunks);
    if (n < chunkSize) break;
    if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
  }
  const ms = Date.now() - started;
  if (deleted > 0) {
    await writeTransaction(store, ctx, async (w) => {
      w.audit({
        action: 'clicks.pruned',
        entityType: 'click_retention',
        entityId: cutoff,
        after: { cutoff, olderThanDays, deleted, chunks },
        reason: `Raw clicks older than ${olderThanDays} days deleted by click retention; daily rollups are kept.`,
        meta: { ms, stopped },
      });
    });
  }
  return { cutoff, olderThanDays, deleted, chunks, ms, stopped };
}

export interface RetentionJob {
  /** Ends the schedule; waits for a run in flight to stop after its current chunk. */
  stop(): Promise<void>;
  /** Runs once now (tests); resolves with the run's result. */
  runNow(): Promise<PruneResult>;
}

export interface RetentionLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Prunes raw clicks in-process: a first run `firstDelayMs` after start (default 5 minutes, so an instance
 * restarted more often than daily still prunes), then every `intervalMs` (default 24 hours). Timers are
 * unref'd. Several instances on one PostgreSQL may each run it: deleting a range twice is harmless.
 */
export function startClickRetention(
  store: Store,
  opts: { days: number; log: RetentionLog; firstDelayMs?: number; intervalMs?: number; pauseMs?: number },
): RetentionJob {
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<PruneResult> | null = null;

  const run = (): Promise<PruneResult> => {
    if (running) return running;
    running = pruneClicks(store, {
      olderThanDays: opts.days,
      pauseMs: opts.pauseMs ?? 50,
      shouldStop: () => stopping,
    }).finally(() => {
      running = null;
    });
    return running;
  };
  const schedule = (delay: number) => {
    if (stopping) return;
    timer = setTimeout(() => {
      run()
        .then((r) => {
          if (r.deleted > 0) opts.log.info({ ...r }, 'click retention: raw clicks pruned');
        })
        .catch((err: unknown) => opts.log.error({ err }, 'click retention run failed'))
        .finally(() => schedule(opts.intervalMs ?? DAY_MS));
    }, delay);
    timer.unref();
  };
  schedule(opts.firstDelayMs ?? 5 * 60_000);

  return {
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
    runNow: run,
  };
}
