// Listing partners: filters, search and keyset paging. The cursor is the last row's sort key and id
// (base64url JSON), so a deep page costs the same as the first one and never uses OFFSET. The same filtered
// query feeds the CSV export.
import { type Kysely, type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import { type Actor, assertCan } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import { invalidField } from '../../platform/errors.ts';
import type { PartnerFilter, PartnerListQuery, PartnerSort, PartnerView } from './partner.schemas.ts';
import { presentPartners } from './partner-view.ts';

type Db = Kysely<DB> | Transaction<DB>;
type PartnerQuery = SelectQueryBuilder<DB, 'partners', object>;

const SORT_COLUMNS = {
  createdAt: 'created_at',
  displayName: 'display_name',
  updatedAt: 'updated_at',
} as const;
type SortColumn = (typeof SORT_COLUMNS)[keyof typeof SORT_COLUMNS];

export function sortSpec(sort: PartnerSort): { column: SortColumn; desc: boolean } {
  const desc = sort.startsWith('-');
  const key = (desc ? sort.slice(1) : sort) as keyof typeof SORT_COLUMNS;
  return { column: SORT_COLUMNS[key], desc };
}

interface CursorKey {
  v: string;
  id: string;
}

export function encodeCursor(sort: PartnerSort, row: PartnersTable): string {
  const { column } = sortSpec(sort);
  return Buffer.from(JSON.stringify({ s: sort, v: row[column], id: row.id })).toString('base64url');
}

export function decodeCursor(sort: PartnerSort, cursor: string): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidField('query.cursor', 'is not a cursor from this list');
  }
  const c = parsed as { s?: unknown; v?: unknown; id?: unknown };
  if (typeof c !== 'object' || c === null || typeof c.v !== 'string' || typeof c.id !== 'string') {
    throw invalidField('query.cursor', 'is not a cursor from this list');
  }
  if (c.s !== sort)
    throw invalidField('query.cursor', `belongs to sort ${String(c.s)}; start again without a cursor`);
  return { v: c.v, id: c.id };
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%" (used with ESCAPE '\'). */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** The partners the actor may see that match the filters (no order, no paging). */
export function filteredPartners(db: Db, actor: Actor, f: PartnerFilter): PartnerQuery {
  let q: PartnerQuery = db.selectFrom('partners');
  if (actor.role === 'partner' || actor.partnerId) q = q.where('id', '=', actor.partnerId ?? '');
  if (f.archived === 'false') q = q.where('archived_at', 'is', null);
  if (f.archived === 'true') q = q.where('archived_at', 'is not', null);
  if (f.type) q = q.where('type', '=', f.type);
  if (f.stage) q = q.where('stage', '=', f.stage);
  if (f.ownerId) q = q.where('owner_id', '=', f.ownerId);
  if (f.country) q = q.where('country', '=', f.country);
  if (f.parentId) q = q.where('parent_id', '=', f.parentId);
  if (f.tag) {
    const tag = f.tag;
    q = q.where('id', 'in', (eb) =>
      eb.selectFrom('partner_tags').select('partner_tags.partner_id').where('tag', '=', tag),
    );
  }
  if (f.q) q = q.where(sql<boolean>`search_text like ${likeContains(f.q.toLowerCase())} escape '\\'`);
  return q;
}

/** One page of rows in the filter's sort order, after the cursor key (exclusive). */
export async function partnerPage(
  db: Db,
  actor: Actor,
  f: PartnerFilter,
  after: CursorKey | null,
  limit: number,
): Promise<PartnersTable[]> {
  const { column, desc } = sortSpec(f.sort);
  let q = filteredPartners(db, actor, f);
  if (after) {
    q = q.where((eb) => eb(eb.refTuple(column, 'id'), desc ? '<' : '>', eb.tuple(after.v, after.id)));
  }
  const dir = desc ? 'desc' : 'asc';
  return q.selectAll().orderBy(column, dir).orderBy('id', dir).limit(limit).execute();
}

export async function listPartners(
  db: Db,
  actor: Actor,
  query: PartnerListQuery,
): Promise<{ data: PartnerView[]; nextCursor: string | null }> {
  assertCan(actor, 'partners.read');
  const after = query.cursor ? decodeCursor(query.sort, query.cursor) : null;
  const rows = await partnerPage(db, actor, query, after, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > query.limit && last ? encodeCursor(query.sort, last) : null;
  return { data: await presentPartners(db, page), nextCursor };
}

/** Every matching partner in sort order, fetched a batch at a time (for the export). */
export async function* allPartners(
  db: Db,
  actor: Actor,
  f: PartnerFilter,
  batch = 500,
): AsyncGenerator<PartnersTable[]> {
  const { column } = sortSpec(f.sort);
  let after: CursorKey | null = null;
  for (;;) {
    const rows = await partnerPage(db, actor, f, after, batch);
    if (rows.length > 0) yield rows;
    const last = rows[rows.length - 1];
    if (rows.length < batch || !last) return;
    after = { v: last[column], id: last.id };
  }
}
