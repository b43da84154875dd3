import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { PARTNER_SORTS } from './partner.schemas.ts';
import { searchTextOf } from './partner.service.ts';
import { sortSpec } from './partner-list.ts';

const COUNT = 2000;
const NAMES = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Omega', 'Zenith', 'Apex', 'Nova'];
const TYPES = ['ib', 'affiliate', 'network'];
const STAGES = ['intake', 'due_diligence', 'active'];
const COUNTRIES = ['GB', 'DE', 'CY', null];
const TAGS = ['vip', 'crypto', 'latam', 'asia'];
const QUERIES = ['alpha', 'ta', 'EXAMPLE.org', 'zen', '50%', 'x_y', 'nomatch'];

/** A small deterministic generator so the seeded data is the same in every run. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('partner list paging', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  const rows: PartnersTable[] = [];
  const tagsOf = new Map<string, string[]>();
  let owners: string[] = [];
  const parents: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
    owners = [(await t.userSession('bdm')).id, (await t.userSession('bdm')).id];
    const rnd = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < COUNT; i++) {
      // Few distinct timestamps and names, so ties on the sort key are common and the id must break them.
      const created = new Date(base + Math.floor(rnd() * 300) * 60_000).toISOString();
      const updated = new Date(base + Math.floor(rnd() * 200) * 3_600_000).toISOString();
      const name = `${pick(NAMES)} ${pick(['Trading', 'Markets', 'FX', '50% Club', 'x_y Media'])}`;
      const tags = TAGS.filter(() => rnd() < 0.25);
      const code = `R${i.toString(36).padStart(5, '0')}`;
      const row: PartnersTable = {
        id: newId('partner'),
        display_name: name,
        legal_name: rnd() < 0.5 ? `${name} Ltd` : null,
        kind: 'company',
        type: i < 20 ? 'ib' : pick(TYPES),
        stage: pick(STAGES),
        parent_id: i >= 20 && rnd() < 0.3 ? (parents[Math.floor(rnd() * parents.length)] as string) : null,
        country: pick(COUNTRIES),
        languages: '[]',
        websites: '[]',
        traffic_sources: '[]',
        email: rnd() < 0.5 ? `p${i}@${pick(['example.org', 'example.com'])}` : null,
        phone: null,
        owner_id: rnd() < 0.8 ? pick(owners) : null,
        tier: null,
        referral_code: code,
        tags: JSON.stringify(tags),
        custom_fields: '{}',
        search_text: '',
        archived_at: rnd() < 0.1 ? updated : null,
        created_at: created,
        updated_at: updated,
        version: 1,
      };
      row.search_text = searchTextOf(row);
      if (i < 20) parents.push(row.id);
      rows.push(row);
      tagsOf.set(row.id, tags);
    }
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      await t.store.db.insertInto('partners').values(chunk).execute();
      const tagRows = chunk.flatMap((r) =>
        (tagsOf.get(r.id) ?? []).map((tag) => ({ partner_id: r.id, tag })),
      );
      if (tagRows.length) await t.store.db.insertInto('partner_tags').values(tagRows).execute();
    }
  }, 120_000);
  afterAll(async () => t.close());

  interface Filter {
    sort: (typeof PARTNER_SORTS)[number];
    archived: 'false' | 'true' | 'all';
    type?: string | undefined;
    stage?: string | undefined;
    country?: string | undefined;
    tag?: string | undefined;
    ownerId?: string | undefined;
    parentId?: string | undefined;
    q?: string | undefined;
  }

  function matches(r: PartnersTable, f: Filter): boolean {
    if (f.archived === 'false' && r.archived_at) return false;
    if (f.archived === 'true' && !r.archived_at) return false;
    if (f.type && r.type !== f.type) return false;
    if (f.stage && r.stage !== f.stage) return false;
    if (f.country && r.country !== f.country) return false;
    if (f.ownerId && r.owner_id !== f.ownerId) return false;
    if (f.parentId && r.parent_id !== f.parentId) return false;
    if (f.tag && !(tagsOf.get(r.id) ?? []).includes(f.tag)) return false;
    if (f.q && !r.search_text.includes(f.q.toLowerCase())) return false;
    return true;
  }

  /** The expected order, decided by the database itself over the expected set (so collation matches). */
  async function expectedOrder(f: Filter): Promise<string[]> {
    const ids = rows.filter((r) => matches(r, f)).map((r) => r.id);
    if (ids.length === 0) return [];
    const { column, desc } = sortSpec(f.sort);
    const dir = desc ? 'desc' : 'asc';
    const all = await t.store.db
      .selectFrom('partners')
      .select('id')
      .where('id', 'in', ids)
      .orderBy(column, dir)
      .orderBy('id', dir)
      .execute();
    return all.map((a) => a.id);
  }

  async function pageThrough(f: Filter, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 1000; guard++) {
      const params = new URLSearchParams({ limit: String(limit), sort: f.sort, archived: f.archived });
      for (const k of ['type', 'stage', 'country', 'tag', 'ownerId', 'parentId', 'q'] as const) {
        const v = f[k];
        if (v) params.set(k, v);
      }
      if (cursor) params.set('cursor', cursor);
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/partners?${params}`, headers: ops });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { data: { id: string }[]; nextCursor: string | null };
      expect(body.data.length).toBeLessThanOrEqual(limit);
      seen.push(...body.data.map((p) => p.id));
      if (!body.nextCursor) return seen;
      expect(body.data.length).toBe(limit);
      cursor = body.nextCursor;
    }
    throw new Error('paging did not end');
  }

  it('returns every matching partner exactly once, in order, for random sorts and filters', async () => {
    // Each filter is usually absent, so most combinations match enough partners to need several pages.
    const maybe = <T>(arb: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });
    const filter = fc.record({
      sort: fc.constantFrom(...PARTNER_SORTS),
      archived: fc.constantFrom('false' as const, 'true' as const, 'all' as const),
      type: maybe(fc.constantFrom(...TYPES)),
      stage: maybe(fc.constantFrom(...STAGES)),
      country: maybe(fc.constantFrom('GB', 'DE', 'CY')),
      tag: maybe(fc.constantFrom(...TAGS)),
      ownerId: maybe(fc.constantFrom(...owners)),
      parentId: maybe(fc.constantFrom(...parents.slice(0, 5))),
      q: maybe(fc.constantFrom(...QUERIES)),
    });
    let multiPage = 0;
    await fc.assert(
      fc.asyncProperty(filter, fc.integer({ min: 3, max: 120 }), async (f, limit) => {
        const got = await pageThrough(f, limit);
        expect(new Set(got).size).toBe(got.length);
        expect(got).toEqual(await expectedOrder(f));
        if (got.length > limit) multiPage += 1;
      }),
      { numRuns: 40 },
    );
    // The property means something only if many runs crossed page boundaries.
    expect(multiPage).toBeGreaterThan(10);
  }, 120_000);

  it('pages the whole table without filters in every sort', async () => {
    for (const sort of PARTNER_SORTS) {
      const got = await pageThrough({ sort, archived: 'all' }, 200);
      expect(got.length).toBe(COUNT);
      expect(got).toEqual(await expectedOrder({ sort, archived: 'all' }));
    }
  }, 60_000);

  it('treats LIKE wildcards in the search as plain text', async () => {
    const percent = await pageThrough({ sort: 'createdAt', archived: 'all', q: '50%' }, 200);
    expect(percent.length).toBe(rows.filter((r) => r.search_text.includes('50%')).length);
    expect(percent.length).toBeGreaterThan(0);
    const underscore = await pageThrough({ sort: 'createdAt', archived: 'all', q: 'x_y' }, 200);
    expect(underscore.length).toBe(rows.filter((r) => r.search_text.includes('x_y')).length);
  });

  it('rejects a foreign or broken cursor and bad limits', async () => {
    const first = await t.app.inject({
      method: 'GET',
      url: '/api/v1/partners?limit=5&sort=displayName',
      headers: ops,
    });
    const cursor = first.json().nextCursor as string;
    const otherSort = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners?limit=5&sort=createdAt&cursor=${cursor}`,
      headers: ops,
    });
    expect(otherSort.statusCode).toBe(422);
    expect(problemOf(otherSort).errors?.[0]?.field).toBe('query.cursor');
    const broken = await t.app.inject({ method: 'GET', url: '/api/v1/partners?cursor=%%%', headers: ops });
    expect(broken.statusCode).toBe(422);
    const tooMany = await t.app.inject({ method: 'GET', url: '/api/v1/partners?limit=201', headers: ops });
    expect(problemOf(tooMany).errors?.[0]?.field).toBe('query.limit');
    const badSort = await t.app.inject({ method: 'GET', url: '/api/v1/partners?sort=email', headers: ops });
    expect(problemOf(badSort).errors?.[0]?.field).toBe('query.sort');
  });
});
