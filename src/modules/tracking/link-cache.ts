// The click path's view of links: an in-memory cache by code. This instance clears it whenever it changes a
// link; entries also expire after a short TTL so changes made by other instances (several app instances on
// one PostgreSQL) are seen within about ttlMs. A stale entry is served once while it is refreshed in the
// background, so the hot path never waits on the database for a known link. Unknown codes are cached too
// (briefly), so a flood of made-up codes costs one query per code per TTL, not one per request.
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { type Compiled, compileLanding } from './landing.ts';

export interface CachedLink {
  id: string;
  seq: number;
  partnerId: string;
  code: string;
  /** 'active' | 'paused' | 'archived', or 'partner_archived' when the partner is archived. */
  state: string;
  compiled: Compiled;
  allowed: ReadonlySet<string> | null;
}

interface Entry {
  link: CachedLink | null;
  at: number;
  refreshing: boolean;
}

export class LinkCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<CachedLink | null>>();
  /** Bumped by clear(): a load that started before a change must not cache what it read. */
  private generation = 0;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 100_000,
  ) {}

  /** The link for a code: synchronously when cached and fresh (or stale but being refreshed), else a promise. */
  get(code: string, now: number): CachedLink | null | Promise<CachedLink | null> {
    const e = this.entries.get(code);
    if (e) {
      if (now - e.at < this.ttlMs) return e.link;
      if (!e.refreshing && now - e.at < this.ttlMs * 12) {
        e.refreshing = true;
        this.load(code).catch(() => {
          e.refreshing = false;
        });
        return e.link;
      }
      if (e.refreshing && now - e.at < this.ttlMs * 12) return e.link;
    }
    return this.load(code);
  }

  private load(code: string): Promise<CachedLink | null> {
    let p = this.inflight.get(code);
    if (p) return p;
    const gen = this.generation;
    p = this.db
      .selectFrom('links')
      .innerJoin('partners', 'partners.id', 'links.partner_id')
      .select([
        'links.id',
        'links.seq',
        'links.partner_id',
        'links.code',
        'links.status',
        'links.landing_url',
        'links.allowed_countries',
        'partners.archived_at',
      ])
      .where('links.code', '=', code)
      .executeTakeFirst()
      .then((row) => {
        const link: CachedLink | null = row
          ? {
              id: row.id,
              seq: Number(row.seq),
              partnerId: row.partner_id,
              code: row.code,
              state: row.archived_at ? 'partner_archived' : row.status,
              compiled: compileLanding(row.landing_url),
              allowed: ((list: string[]) => (list.length > 0 ? new Set(list) : null))(
                JSON.parse(row.allowed_countries) as string[],
              ),
            }
          : null;
        if (gen === this.generation) {
          if (this.entries.size >= this.maxEntries) this.entries.clear();
          this.entries.set(code, { link, at: Date.now(), refreshing: false });
        }
        return link;
      })
      .finally(() => this.inflight.delete(code));
    this.inflight.set(code, p);
    return p;
  }

  /** Forget everything (after this instance changed a link). */
  clear(): void {
    this.generation += 1;
    this.inflight.clear();
    this.entries.clear();
  }
}
