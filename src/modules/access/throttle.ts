// Login throttling, per account and per client IP, kept in the database so that several instances share it.
// Failures inside a window count up; past the limit the key is locked until the window ends.
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/index.ts';
import { nowIso, nowMs } from '../../platform/time.ts';

export const ACCOUNT_LIMIT = { failures: 5, windowMs: 15 * 60_000 };
export const IP_LIMIT = { failures: 30, windowMs: 15 * 60_000 };

/** Seconds until the key may try again, or 0 when it is not locked. */
export async function lockedFor(db: Kysely<DB>, key: string): Promise<number> {
  const row = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row?.locked_until) return 0;
  const left = Date.parse(row.locked_until) - nowMs();
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

export async function recordFailure(
  db: Kysely<DB>,
  key: string,
  limit: { failures: number; windowMs: number },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
    const now = nowMs();
    if (!row || now - Date.parse(row.window_started_at) > limit.windowMs) {
      await trx
        .insertInto('login_throttle')
        .values({ key, failures: 1, window_started_at: nowIso(), locked_until: null })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({ failures: 1, window_started_at: nowIso(), locked_until: null }),
        )
        .execute();
      return;
    }
    const failures = row.failures + 1;
    const locked_until =
      failures >= limit.failures
        ? new Date(Date.parse(row.window_started_at) + limit.windowMs).toISOString()
        : null;
    await trx.updateTable('login_throttle').set({ failures, locked_until }).where('key', '=', key).execute();
  });
}

export async function clearFailures(db: Kysely<DB>, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}
