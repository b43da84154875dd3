// Reading the audit log, verifying its hash chain, and erasing personal data from it.
//
// How erasure keeps the chain valid: each entry's hash covers its identifying fields (seq, id, time, actor,
// action, entity, partner, request) and `data_digest` = sha256(salt + data), never `data` itself. Personal
// data lives only in `data` (before/after/reason/meta). Erasing an entry replaces `data` with REDACTED_DATA,
// drops the salt and stamps `redacted_at`; `data_digest` and `hash` stay untouched, so every hash and every
// link still recomputes. Without the salt the old digest no longer lets anyone confirm a guessed value.
// The erasure is itself an audit entry (`audit.personal_data_erased`, same entity) written in the same
// transaction, and verifyAuditChain refuses an erased entry that no later erasure entry accounts for.

import type { AuditAction } from '../../platform/audit/actions.ts';
import {
  ERASURE_ACTION,
  REDACTED_DATA,
  type VerifyResult,
  verifyAuditChain,
} from '../../platform/audit/verify.ts';
import type { Actor, RequestContext } from '../../platform/auth/actor.ts';
import { assertCan } from '../../platform/auth/actor.ts';
import type { AuditLogTable } from '../../platform/db/schema.ts';
import { conflict, invalidField, notFound } from '../../platform/errors.ts';
import { isValidIsoDate, nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';

export interface AuditFilters {
  entityType?: string;
  entityId?: string;
  partnerId?: string;
  actorId?: string;
  action?: AuditAction;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export interface AuditEntryView {
  seq: number;
  id: string;
  at: string;
  actorType: string;
  actorId: string;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string;
  partnerId: string | null;
  requestId: string | null;
  data: {
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    reason: string | null;
    meta?: Record<string, unknown>;
  } | null;
  erasedAt: string | null;
  hash: string;
  prevHash: string;
}

export function presentAuditEntry(row: AuditLogTable, actorName = row.actor_id): AuditEntryView {
  let data: AuditEntryView['data'] = null;
  if (row.redacted_at === null) {
    const parsed = JSON.parse(row.data) as Record<string, unknown>;
    data = {
      before: (parsed.before as Record<string, unknown> | null) ?? null,
      after: (parsed.after as Record<string, unknown> | null) ?? null,
      reason: typeof parsed.reason === 'string' ? parsed.reason : null,
      ...(parsed.meta && typeof parsed.meta === 'object'
        ? { meta: parsed.meta as Record<string, unknown> }
        : {}),
    };
  }
  return {
    seq: Number(row.seq),
    id: row.id,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorName,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    partnerId: row.partner_id,
    requestId: row.request_id,
    data,
    erasedAt: row.redacted_at,
    hash: row.hash,
    prevHash: row.prev_hash,
  };
}

function parseTime(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value);
  // The calendar date must exist (Date.parse would roll 2031-02-30 over into March).
  const dayOk = ok && isValidIsoDate(value.slice(0, 10));
  const ms = dayOk ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : Number.NaN;
  if (Number.isNaN(ms))
    throw invalidField(
      field,
      `${field} must be an ISO-8601 time such as 2026-01-31T12:00:00Z or a date such as 2026-01-31.`,
    );
  return new Date(ms).toISOString();
}

function decodeSeqCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  const m = /^s(\d{1,15})$/.exec(cursor);
  if (!m)
    throw invalidField('query.cursor', 'The cursor is not one this list gave out; start again without it.');
  return Number(m[1]);
}

/** Audit entries, newest first, filtered. A partner-side actor sees only its own partner's entries. */
export async function listAudit(
  store: Store,
  actor: Actor,
  f: AuditFilters,
): Promise<{ data: AuditEntryView[]; nextCursor: string | null }> {
  assertCan(actor, 'audit.read');
  const from = parseTime(f.from, 'query.from');
  const to = parseTime(f.to, 'query.to');
  if (from && to && from >= to) throw invalidField('query.to', 'query.to must be after query.from.');
  const before = decodeSeqCursor(f.cursor);
  let q = store.db.selectFrom('audit_log').selectAll();
  if (actor.role === 'partner' || actor.partnerId) q = q.where('partner_id', '=', actor.partnerId ?? '');
  if (f.entityType) q = q.where('entity_type', '=', f.entityType);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.partnerId) q = q.where('partner_id', '=', f.partnerId);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.action) q = q.where('action', '=', f.action);
  if (from) q = q.where('at', '>=', from);
  if (to) q = q.where('at', '<', to);
  if (before !== null) q = q.where('seq', '<', before);
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(f.limit + 1)
    .execute();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  const names = await actorNames(store, page);
  return {
    data: page.map((row) =>
      presentAuditEntry(row, names.get(`${row.actor_type}:${row.actor_id}`) ?? row.actor_id),
    ),
    nextCursor: rows.length > f.limit && last ? `s${Number(last.seq)}` : null,
  };
}

/** Display names of a page's actors: users by name, API keys by name, the system as "system". */
async function actorNames(store: Store, rows: AuditLogTable[]): Promise<Map<string, string>> {
  const names = new Map<string, string>([['system:system', 'system']]);
  const ids = (type: string) => [
    ...new Set(rows.filter((r) => r.actor_type === type).map((r) => r.actor_id)),
  ];
  const userIds = ids('user');
  const keyIds = ids('api_key');
  if (userIds.length > 0) {
    for (const u of await store.db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('id', 'in', userIds)
      .execute()) {
      names.set(`user:${u.id}`, u.name);
    }
  }
  if (keyIds.length > 0) {
    for (const k of await store.db
      .selectFrom('api_keys')
      .select(['id', 'name'])
      .where('id', 'in', keyIds)
      .execute()) {
      names.set(`api_key:${k.id}`, `API key "${k.name}"`);
    }
  }
  return names;
}

export async function verifyAudit(store: Store, actor: Actor): Promise<VerifyResult> {
  assertCan(actor, 'audit.read');
  return verifyAuditChain(store.db);
}

/**
 * Erases the personal data of every audit entry about one entity (data := REDACTED_DATA, salt dropped,
 * redacted_at stamped) and records the erasure as an `audit.personal_data_erased` entry in the same
 * transaction. The chain still verifies afterwards (see the top of this file). The entity's own record is
 * not touched here: the module that owns it erases or pseudonymises it.
 */
export async function erasePersonalData(
  store: Store,
  ctx: RequestContext,
  input: { entityType: string; entityId: string; reason: string },
): Promise<{ entityType: string; entityId: string; erasedEntries: number }> {
  assertCan(ctx.actor, 'audit.erase');
  const reason = input.reason.trim();
  if (reason.length < 3)
    throw invalidField('body.reason', 'Say why the data is erased (for example the request reference).');
  return writeTransaction(store, ctx, async (w) => {
    // Earlier erasure entries keep their data: they hold the operator's reason, not the person's data.
    const entries = await w.trx
      .selectFrom('audit_log')
      .select(['seq', 'redacted_at'])
      .where('entity_type', '=', input.entityType)
      .where('entity_id', '=', input.entityId)
      .where('action', '!=', ERASURE_ACTION)
      .orderBy('seq', 'asc')
      .execute();
    if (entries.length === 0) throw notFound(`Audit entries about ${input.entityType} ${input.entityId}`);
    const open = entries.filter((e) => e.redacted_at === null).map((e) => Number(e.seq));
    if (open.length === 0)
      throw conflict(`The audit entries about ${input.entityType} ${input.entityId} are already erased.`);
    const now = nowIso();
    const updated = await w.trx
      .updateTable('audit_log')
      .set({ data: REDACTED_DATA, data_salt: null, redacted_at: now })
      .where('entity_type', '=', input.entityType)
      .where('entity_id', '=', input.entityId)
      .where('action', '!=', ERASURE_ACTION)
      .where('redacted_at', 'is', null)
      .executeTakeFirst();
    const erased = Number(updated.numUpdatedRows);
    // Appended after the update (appendAudit runs at commit), so this entry itself keeps its data.
    w.audit({
      action: ERASURE_ACTION,
      entityType: input.entityType,
      entityId: input.entityId,
      reason,
      meta: { erasedEntries: erased, firstSeq: open[0], lastSeq: open[open.length - 1] },
    });
    return { entityType: input.entityType, entityId: input.entityId, erasedEntries: erased };
  });
}
