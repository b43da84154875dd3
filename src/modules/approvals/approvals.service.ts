// Builds the approvals inbox from the modules that own the decisions: terms versions this actor may decide
// (the terms module applies four eyes and the authority ladder) and documents waiting for review.

import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/auth/actor.ts';
import { assertCan, can } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import { nowMs } from '../../platform/time.ts';
import type { Store } from '../../platform/tx.ts';
import { canSeePartner } from '../partners/index.ts';
import { termsAwaitingDecisionBy } from '../terms/index.ts';
import type { InboxItem } from './approvals.schemas.ts';

/** "just now", "12 minutes", "5 hours", "3 days". */
export function ageLabel(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return plural(Math.floor(seconds / 60), 'minute');
  if (seconds < 86_400) return plural(Math.floor(seconds / 3600), 'hour');
  return plural(Math.floor(seconds / 86_400), 'day');
}

function ageOf(since: string, now: number): { waitingSince: string; ageSeconds: number; age: string } {
  const ageSeconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  return { waitingSince: since, ageSeconds, age: ageLabel(ageSeconds) };
}

async function names(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  const out = new Map<string, string>();
  if (wanted.length === 0) return out;
  for (const u of await db.selectFrom('users').select(['id', 'name']).where('id', 'in', wanted).execute())
    out.set(u.id, u.name);
  const rest = wanted.filter((id) => !out.has(id));
  if (rest.length > 0) {
    for (const k of await db
      .selectFrom('api_keys')
      .select(['id', 'name'])
      .where('id', 'in', rest)
      .execute()) {
      out.set(k.id, `API key ${k.name}`);
    }
  }
  return out;
}

/** Documents waiting for review, read straight from the documents table (owned by the documents module). */
async function pendingDocuments(store: Store, ctx: RequestContext, now: number): Promise<InboxItem[]> {
  const rows = await store.db
    .selectFrom('documents')
    .innerJoin('partners', 'partners.id', 'documents.partner_id')
    .select([
      'documents.id',
      'documents.partner_id',
      'documents.type',
      'documents.file_name',
      'documents.created_at',
      'documents.uploaded_by',
      'partners.display_name as partner_name',
    ])
    .where('documents.status', '=', 'pending')
    .where('documents.archived_at', 'is', null)
    .orderBy('documents.created_at', 'asc')
    .execute();
  const visible = rows.filter((r) => canSeePartner(ctx.actor, { id: r.partner_id }));
  const who = await names(
    store.db,
    visible.map((r) => r.uploaded_by),
  );
  return visible.map((r) => ({
    kind: 'document_review' as const,
    id: r.id,
    partner: { id: r.partner_id, displayName: r.partner_name },
    summary: `${r.type.replaceAll('_', ' ')}: ${r.file_name}`,
    ...ageOf(r.created_at, now),
    documentType: r.type,
    fileName: r.file_name,
    uploadedBy: { id: r.uploaded_by, name: who.get(r.uploaded_by) ?? r.uploaded_by },
    uploadedAt: r.created_at,
  }));
}

export async function approvalsInbox(
  store: Store,
  ctx: RequestContext,
  opts: { limit: number },
): Promise<{ data: InboxItem[]; counts: { terms: number; documents: number } }> {
  assertCan(ctx.actor, 'approvals.read');
  const now = nowMs();
  const terms: InboxItem[] = (await termsAwaitingDecisionBy(store.db, ctx.actor)).map((t) => ({
    kind: 'terms_approval' as const,
    id: t.id,
    partner: t.partner,
    summary: `Terms v${t.version} from ${t.effectiveFrom}: ${t.summary}`,
    ...ageOf(t.proposedAt, now),
    version: t.version,
    currency: t.currency,
    effectiveFrom: t.effectiveFrom,
    requiredRole: t.requiredRole,
    proposedBy: t.proposedBy,
    proposedAt: t.proposedAt,
  }));
  const documents = can(ctx.actor, 'documents.review') ? await pendingDocuments(store, ctx, now) : [];
  // Oldest first: what has waited longest is at the top.
  const data = [...terms, ...documents].sort(
    (a, b) => a.waitingSince.localeCompare(b.waitingSince) || a.id.localeCompare(b.id),
  );
  return { data: data.slice(0, opts.limit), counts: { terms: terms.length, documents: documents.length } };
}
