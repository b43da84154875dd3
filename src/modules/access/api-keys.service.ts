// API keys for systems: listing (never the key or its hash) and revoking. Creating one is in
// access.service.ts (the CLI uses it too). Every request looks the key up afresh, so a revoked key stops
// working on the next request, on every instance.
import { type Actor, assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { Role } from '../../platform/auth/permissions.ts';
import type { ApiKeysTable } from '../../platform/db/schema.ts';
import { notFound } from '../../platform/errors.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { type ApiKeyView, assertMayTouchRole } from './access.service.ts';
import { decodeCursor, encodeCursor } from './paging.ts';

export function presentApiKey(row: ApiKeysTable): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    partnerId: row.partner_id,
    prefix: row.key_prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function listApiKeys(
  store: Store,
  actor: Actor,
  query: { status?: 'active' | 'revoked'; limit: number; cursor?: string },
): Promise<{ data: ApiKeyView[]; nextCursor: string | null }> {
  assertCan(actor, 'apikeys.manage');
  const after = decodeCursor(query.cursor);
  let q = store.db.selectFrom('api_keys').selectAll();
  if (query.status === 'active') q = q.where('revoked_at', 'is', null);
  if (query.status === 'revoked') q = q.where('revoked_at', 'is not', null);
  if (after) q = q.where('id', '>', after);
  const rows = await q
    .orderBy('id', 'asc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(presentApiKey),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
  };
}

/** Revokes a key at once. Revoking a revoked key changes nothing and answers the key as it is. */
export async function revokeApiKey(
  store: Store,
  ctx: RequestContext,
  id: string,
  reason: string | null,
): Promise<ApiKeyView> {
  assertCan(ctx.actor, 'apikeys.manage');
  const existing = await store.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  if (!existing) throw notFound(`API key ${id}`);
  assertMayTouchRole(ctx, existing.role, 'revoke the API key of');
  if (existing.revoked_at) return presentApiKey(existing);
  return writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    const updated = await w.trx
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const row = await w.trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    w.audit({
      action: 'apikey.revoked',
      entityType: 'api_key',
      entityId: id,
      partnerId: row.partner_id,
      before: { revokedAt: null },
      after: { revokedAt: row.revoked_at },
      reason,
      meta: { alreadyRevoked: Number(updated.numUpdatedRows) === 0 },
    });
    return presentApiKey(row);
  });
}
