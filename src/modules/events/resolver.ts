// What the request thread decides before an event reaches the writer: which source sent it (by token hash),
// and the candidate attribution from the click id (verified MAC → link seq and click time → link, partner,
// programme windows) or from a referral code. Small in-memory caches with a short TTL keep the ingest path
// off the database for known links, codes and sources; this instance clears them whenever it changes one.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { ClickIdCodec } from '../tracking/index.ts';
import type { EventRow } from './ingest-plan.ts';

const TTL_MS = 2_000;
const MAX_ENTRIES = 50_000;

export interface SourceInfo {
  id: string;
  name: string;
  status: string;
  signingSecret: string | null;
}
interface LinkInfo {
  id: string;
  code: string;
  partnerId: string;
  programmeId: string | null;
}
export interface Windows {
  id: string;
  minSeconds: number;
  maxDays: number;
}

class TtlCache<V> {
  private readonly map = new Map<string, { v: V; at: number }>();
  private readonly inflight = new Map<string, Promise<V>>();
  private generation = 0;
  constructor(private readonly load: (key: string) => Promise<V>) {}
  async get(key: string): Promise<V> {
    const e = this.map.get(key);
    const now = Date.now();
    if (e && now - e.at < TTL_MS) return e.v;
    let p = this.inflight.get(key);
    if (!p) {
      const gen = this.generation;
      p = this.load(key).then(
        (v) => {
          this.inflight.delete(key);
          if (gen === this.generation) {
            if (this.map.size >= MAX_ENTRIES) this.map.clear();
            this.map.set(key, { v, at: Date.now() });
          }
          return v;
        },
        (err) => {
          this.inflight.delete(key);
          throw err;
        },
      );
      this.inflight.set(key, p);
    }
    return p;
  }
  clear(): void {
    this.generation += 1;
    this.map.clear();
    this.inflight.clear();
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class Resolver {
  private readonly sources: TtlCache<SourceInfo | null>;
  private readonly links: TtlCache<LinkInfo | null>;
  private readonly referrals: TtlCache<{ partnerId: string } | null>;
  private readonly programmes: TtlCache<Map<string, Windows>>;

  constructor(
    private readonly db: Kysely<DB>,
    readonly codec: ClickIdCodec,
  ) {
    this.sources = new TtlCache(async (hash) => {
      const r = await db
        .selectFrom('event_sources')
        .select(['id', 'name', 'status', 'signing_secret'])
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      return r ? { id: r.id, name: r.name, status: r.status, signingSecret: r.signing_secret } : null;
    });
    this.links = new TtlCache(async (seq) => {
      const r = await db
        .selectFrom('links')
        .select(['id', 'code', 'partner_id', 'programme_id'])
        .where('seq', '=', Number(seq))
        .executeTakeFirst();
      return r ? { id: r.id, code: r.code, partnerId: r.partner_id, programmeId: r.programme_id } : null;
    });
    this.referrals = new TtlCache(async (code) => {
      const r = await db
        .selectFrom('partners')
        .select('id')
        .where((eb) => eb(eb.fn('lower', ['referral_code']), '=', code))
        .executeTakeFirst();
      return r ? { partnerId: r.id } : null;
    });
    this.programmes = new TtlCache(async () => {
      const rows = await db
        .selectFrom('programmes')
        .select(['id', 'is_default', 'min_click_to_event_seconds', 'max_click_age_days'])
        .execute();
      const map = new Map<string, Windows>();
      for (const p of rows) {
        const w = {
          id: p.id,
          minSeconds: Number(p.min_click_to_event_seconds),
          maxDays: Number(p.max_click_age_days),
        };
        map.set(p.id, w);
        if (Number(p.is_default) === 1) map.set('', w);
      }
      return map;
    });
  }

  /** Token → its hash, so a busy source is not hashed on every postback (bounded like the caches). */
  private readonly tokenHashes = new Map<string, string>();

  source(token: string): Promise<SourceInfo | null> {
    let hash = this.tokenHashes.get(token);
    if (hash === undefined) {
      hash = hashToken(token);
      if (this.tokenHashes.size >= 1_000) this.tokenHashes.clear();
      this.tokenHashes.set(token, hash);
    }
    return this.sources.get(hash);
  }

  async sourceById(id: string): Promise<SourceInfo | null> {
    const r = await this.db
      .selectFrom('event_sources')
      .select(['id', 'name', 'status', 'signing_secret'])
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? { id: r.id, name: r.name, status: r.status, signingSecret: r.signing_secret } : null;
  }

  /** Forget cached sources, links, codes and programmes (after this instance changed one). */
  clear(): void {
    this.sources.clear();
    this.links.clear();
    this.referrals.clear();
    this.programmes.clear();
  }

  /**
   * The candidate attribution of an event: its click id when it has one (verified, within the programme's
   * windows), else its referral code. A click id that is forged, of an unknown link, or outside the windows
   * attributes nothing (a referral code is not used then either: the click id said who, and it is not valid).
   */
  async candidate(
    clickId: string | null,
    referralCode: string | null,
    occurredAtMs: number,
  ): Promise<EventRow['cand']> {
    const none = (note: string | null): EventRow['cand'] => ({
      method: 'none',
      partnerId: null,
      linkId: null,
      linkCode: null,
      programmeId: null,
      clickId: null,
      note,
    });
    if (clickId) {
      const parsed = this.codec.parse(clickId);
      if (!parsed.ok) return none('forged_click_id');
      const link = await this.links.get(String(parsed.linkSeq));
      if (!link) return none('unknown_link');
      const programmes = await this.programmes.get('all');
      const w = programmes.get(link.programmeId ?? '') ?? programmes.get('');
      if (w) {
        const age = occurredAtMs - parsed.time;
        if (age < w.minSeconds * 1000) return none('too_fast');
        if (age > w.maxDays * 86_400_000) return none('too_old');
      }
      return {
        method: 'click',
        partnerId: link.partnerId,
        linkId: link.id,
        linkCode: link.code,
        programmeId: link.programmeId,
        clickId,
        note: null,
      };
    }
    if (referralCode) {
      const p = await this.referrals.get(referralCode.toLowerCase());
      if (!p) return none('unknown_referral_code');
      return {
        method: 'referral',
        partnerId: p.partnerId,
        linkId: null,
        linkCode: null,
        programmeId: null,
        clickId: null,
        note: null,
      };
    }
    return none('no_click_id');
  }
}
