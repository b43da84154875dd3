// The one way to write. `writeTransaction` runs the change, its audit entries and its outbox rows in a single
// database transaction: either all of it commits or none of it does. A write that records no audit entry is
// refused unless the caller says why it is not audited (sessions, throttling counters).
import type { Kysely, Transaction } from 'kysely';
import { type AuditEntryInput, appendAudit } from './audit/audit.ts';
import type { RequestContext } from './auth/actor.ts';
import type { DB, Dialect } from './db/index.ts';
import { newId } from './ids.ts';
import { nowIso } from './time.ts';

export interface Store {
  db: Kysely<DB>;
  dialect: Dialect;
}

export interface OutboxInput {
  topic: string;
  key?: string | null;
  payload: unknown;
  availableAt?: string;
}

export interface WriteScope {
  trx: Transaction<DB>;
  ctx: RequestContext;
  audit(entry: AuditEntryInput): void;
  outbox(message: OutboxInput): void;
}

export class UnauditedWriteError extends Error {}

export async function writeTransaction<T>(
  store: Store,
  ctx: RequestContext,
  fn: (w: WriteScope) => Promise<T>,
  opts: { unauditedBecause?: string } = {},
): Promise<T> {
  return store.db.transaction().execute(async (trx) => {
    const audits: AuditEntryInput[] = [];
    const messages: OutboxInput[] = [];
    const result = await fn({
      trx,
      ctx,
      audit: (e) => audits.push(e),
      outbox: (m) => messages.push(m),
    });
    if (audits.length === 0 && !opts.unauditedBecause) {
      throw new UnauditedWriteError('A write transaction must record at least one audit entry.');
    }
    const now = nowIso();
    for (const m of messages) {
      await trx
        .insertInto('outbox')
        .values({
          id: newId('outbox'),
          topic: m.topic,
          key: m.key ?? null,
          payload: JSON.stringify(m.payload),
          created_at: now,
          available_at: m.availableAt ?? now,
          attempts: 0,
          locked_until: null,
          processed_at: null,
          last_error: null,
        })
        .execute();
    }
    // Audit last: the chain lock is held only for the end of the transaction.
    await appendAudit(trx, store.dialect, ctx, audits);
    return result;
  });
}
