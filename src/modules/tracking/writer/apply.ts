// Applying one batch in one transaction, for each database. If the batch as a whole fails (one bad row), each
// row is retried alone so one bad row fails only its own request; the others still commit.
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import { type BatchGroup, type BatchOutcome, KINDS, type WriterKind } from './kinds.ts';

function kindOf(name: string): WriterKind<unknown, unknown> {
  const k = (KINDS as Record<string, WriterKind<unknown, unknown>>)[name];
  if (!k) throw new Error(`unknown writer kind ${name}`);
  return k;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const sqliteTx = new WeakMap<Database.Database, (groups: BatchGroup[]) => (unknown[] | undefined)[]>();
/** The hook of the applySqlite call in progress (the cached transaction function is made once per connection). */
let currentBeforeCommit: (() => void) | undefined;

/** SQLite: runs in the writer worker. BEGIN IMMEDIATE … COMMIT (synchronous=FULL makes COMMIT durable). */
export function applySqlite(
  db: Database.Database,
  groups: BatchGroup[],
  beforeCommit?: () => void,
): BatchOutcome {
  let tx = sqliteTx.get(db);
  if (!tx) {
    tx = db.transaction((gs: BatchGroup[]) => {
      const results = gs.map((g) => kindOf(g.kind).sqlite(db, g.rows));
      currentBeforeCommit?.();
      return results;
    });
    sqliteTx.set(db, tx);
  }
  const run = tx as ((groups: BatchGroup[]) => (unknown[] | undefined)[]) & {
    immediate: (g: BatchGroup[]) => (unknown[] | undefined)[];
  };
  currentBeforeCommit = beforeCommit;
  try {
    return { results: run.immediate(groups) };
  } catch (err) {
    if (groups.reduce((n, g) => n + g.rows.length, 0) <= 1) {
      return {
        results: groups.map(() => undefined),
        errors: groups.map((g) => g.rows.map(() => message(err))),
      };
    }
    const results: (unknown[] | undefined)[] = [];
    const errors: (string | null)[][] = [];
    for (const g of groups) {
      const res: unknown[] = [];
      const errs: (string | null)[] = [];
      for (const row of g.rows) {
        try {
          const r = run.immediate([{ kind: g.kind, rows: [row] }])[0];
          res.push(r?.[0]);
          errs.push(null);
        } catch (e) {
          res.push(undefined);
          errs.push(message(e));
        }
      }
      results.push(res);
      errors.push(errs);
    }
    return { results, errors };
  }
}

/** PostgreSQL: runs on the main thread; the pool's server process does the work. */
export async function applyPostgres(db: Kysely<DB>, groups: BatchGroup[]): Promise<BatchOutcome> {
  const once = (gs: BatchGroup[]) =>
    db.transaction().execute(async (trx) => {
      const results: (unknown[] | undefined)[] = [];
      for (const g of gs) results.push(await kindOf(g.kind).postgres(trx, g.rows));
      return results;
    });
  try {
    return { results: await once(groups) };
  } catch (err) {
    if (isConnectionError(err)) throw err;
    const results: (unknown[] | undefined)[] = [];
    const errors: (string | null)[][] = [];
    for (const g of groups) {
      const res: unknown[] = [];
      const errs: (string | null)[] = [];
      for (const row of g.rows) {
        try {
          const r = (await once([{ kind: g.kind, rows: [row] }]))[0];
          res.push(r?.[0]);
          errs.push(null);
        } catch (e) {
          if (isConnectionError(e)) throw e;
          res.push(undefined);
          errs.push(message(e));
        }
      }
      results.push(res);
      errors.push(errs);
    }
    return { results, errors };
  }
}

/** Errors that say the database is unreachable (not that a row is bad): the whole batch is unavailable. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|57P0[1-3]|08\d\d\d|53300)$/.test(code))
    return true;
  return /Connection terminated|connect ECONNREFUSED|the database system is (starting up|shutting down)|Client has encountered a connection error/i.test(
    message(err),
  );
}
