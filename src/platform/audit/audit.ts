// Appends audit entries inside the caller's transaction, so a change and its entry commit or fail together.
// Appends are serialised (PostgreSQL: a transaction-scoped advisory lock; SQLite: one writer at a time) so
// that sequence numbers and the hash chain never fork.
import { type Kysely, type Transaction, sql } from 'kysely';
import type { RequestContext } from '../auth/actor.ts';
import type { DB, Dialect } from '../db/index.ts';
import { newId } from '../ids.ts';
import { nowIso } from '../time.ts';
import type { AuditAction } from './actions.ts';
import { GENESIS_HASH, dataDigest, entryHash, newSalt } from './chain.ts';

export interface AuditEntryInput {
  action: AuditAction;
  entityType: string;
  entityId: string;
  partnerId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
  meta?: Record<string, unknown>;
}

const AUDIT_LOCK_KEY = 726_300_001;

/** Only the fields that changed, before and after. Keys whose values are equal are dropped. */
export function diff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } | null {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key] ?? null;
      a[key] = after[key] ?? null;
    }
  }
  return Object.keys(a).length === 0 ? null : { before: b, after: a };
}

export async function appendAudit(
  trx: Transaction<DB> | Kysely<DB>,
  dialect: Dialect,
  ctx: RequestContext,
  entries: AuditEntryInput[],
): Promise<string[]> {
  if (entries.length === 0) return [];
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const last = await trx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let seq = last ? Number(last.seq) : 0;
  let prev = last?.hash ?? GENESIS_HASH;
  const at = nowIso();
  const ids: string[] = [];
  for (const e of entries) {
    seq += 1;
    const id = newId('audit');
    const data = JSON.stringify({
      before: e.before ?? null,
      after: e.after ?? null,
      reason: e.reason ?? null,
      ...(e.meta ? { meta: e.meta } : {}),
    });
    const salt = newSalt();
    const fields = {
      seq,
      id,
      at,
      actor_type: ctx.actor.type,
      actor_id: ctx.actor.id,
      action: e.action,
      entity_type: e.entityType,
      entity_id: e.entityId,
      partner_id: e.partnerId ?? null,
      request_id: ctx.requestId,
      data_digest: dataDigest(salt, data),
      prev_hash: prev,
    };
    const hash = entryHash(fields);
    await trx
      .insertInto('audit_log')
      .values({ ...fields, data, data_salt: salt, hash, redacted_at: null })
      .execute();
    prev = hash;
    ids.push(id);
  }
  return ids;
}
