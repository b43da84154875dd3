// A partner's timeline: the audit entries recorded under the partner, newest first, with who did it. Read
// straight from the append-only audit log, so the timeline is the audit record, not a copy that could drift.
import type { Kysely, Transaction } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import { invalidField } from '../../platform/errors.ts';
import { loadPartnerFor } from './partner-access.ts';
import type { TimelineItem } from './timeline.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

function decodeSeqCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { seq?: unknown };
    if (typeof parsed.seq === 'number' && Number.isSafeInteger(parsed.seq) && parsed.seq > 0)
      return parsed.seq;
  } catch {
    // fall through
  }
  throw invalidField('query.cursor', 'is not a cursor from this timeline');
}

const encodeSeqCursor = (seq: number) => Buffer.from(JSON.stringify({ seq })).toString('base64url');

export async function partnerTimeline(
  db: Db,
  ctx: RequestContext,
  partnerId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ data: TimelineItem[]; nextCursor: string | null }> {
  assertCan(ctx.actor, 'timeline.read');
  await loadPartnerFor(db, ctx.actor, partnerId, 'see');
  let q = db.selectFrom('audit_log').selectAll().where('partner_id', '=', partnerId);
  if (page.cursor) q = q.where('seq', '<', decodeSeqCursor(page.cursor));
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
  const entries = rows.slice(0, page.limit);

  const ids = (type: string) => [
    ...new Set(entries.filter((e) => e.actor_type === type).map((e) => e.actor_id)),
  ];
  const userIds = ids('user');
  const keyIds = ids('api_key');
  const users = userIds.length
    ? await db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute()
    : [];
  const keys = keyIds.length
    ? await db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', keyIds).execute()
    : [];
  const names = new Map<string, string>([...users, ...keys].map((r) => [r.id, r.name]));

  const data = entries.map((e): TimelineItem => {
    const type = e.actor_type as TimelineItem['actor']['type'];
    const name =
      type === 'system'
        ? 'system'
        : (names.get(e.actor_id) ?? `unknown ${type === 'user' ? 'user' : 'API key'}`);
    const base = {
      id: e.id,
      seq: Number(e.seq),
      at: e.at,
      action: e.action,
      entityType: e.entity_type,
      entityId: e.entity_id,
      actor: { type, id: e.actor_id, name },
    };
    if (e.redacted_at) return { ...base, changes: null, reason: null, erased: true };
    const d = JSON.parse(e.data) as {
      before?: Record<string, unknown> | null;
      after?: Record<string, unknown> | null;
      reason?: string | null;
    };
    const before = d.before ?? null;
    const after = d.after ?? null;
    return {
      ...base,
      changes: before || after ? { before, after } : null,
      reason: d.reason ?? null,
      erased: false,
    };
  });
  const last = entries[entries.length - 1];
  return { data, nextCursor: rows.length > page.limit && last ? encodeSeqCursor(Number(last.seq)) : null };
}
