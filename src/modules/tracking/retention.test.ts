import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { refillPartnerDay } from '../../../test/support/rollup-check.ts';
import { verifyAuditChain } from '../../platform/audit/verify.ts';
import { clickIdCodec } from './click-id.ts';
import { pruneClicks, startClickRetention, timeBound } from './retention.ts';

const DAY = 86_400_000;
const codec = clickIdCodec('a-test-secret-that-is-long-enough-000000');

describe('timeBound', () => {
  it('an id sorts below the bound of t exactly when it was minted before t', () => {
    const time = fc.integer({ min: 0, max: 2 ** 48 - 1 });
    fc.assert(
      fc.property(time, time, fc.integer({ min: 0, max: 0xffffffff }), (t1, t2, seq) => {
        const id = codec.mint(seq, t1);
        expect(id < timeBound(t2)).toBe(t1 < t2);
      }),
      { numRuns: 3000 },
    );
    // Neighbours: one millisecond either side of the bound, with the largest and smallest seq.
    fc.assert(
      fc.property(time, (t) => {
        fc.pre(t > 0);
        expect(codec.mint(0xffffffff, t - 1) < timeBound(t)).toBe(true);
        expect(codec.mint(0, t) < timeBound(t)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('raw click retention', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  let linkId: string;
  let code: string;
  let seq: number;
  let partnerId: string;
  // The first test runs at a moment long ago, so its retention run covers nothing the later tests insert.
  const NOW = Date.now() - 1000 * DAY;

  async function insertClicks(times: number[]): Promise<string[]> {
    const local = clickIdCodec(t.config.secret);
    const ids = times.map((ms) => local.mint(seq, ms));
    const rows = ids.map((id, i) => ({
      id,
      link_id: linkId,
      partner_id: partnerId,
      ts: new Date(times[i] as number).toISOString(),
      ip: '203.0.113.9',
      user_agent: 'Mozilla/5.0',
      referrer: null,
      country: null,
      geo_allowed: null,
      sub1: 'old',
      sub2: null,
      sub3: null,
      sub4: null,
      sub5: null,
      is_bot: 0,
      is_duplicate: 0,
      is_test: 0,
    }));
    for (let i = 0; i < rows.length; i += 200)
      await t.store.db
        .insertInto('clicks')
        .values(rows.slice(i, i + 200))
        .execute();
    return ids;
  }
  const stored = async (ids: string[]) =>
    (await t.store.db.selectFrom('clicks').select('id').where('id', 'in', ids).execute()).length;
  const rollups = async () => ({
    perLink: await t.store.db
      .selectFrom('click_rollups')
      .selectAll()
      .orderBy('day')
      .orderBy('link_id')
      .orderBy('sub1')
      .execute(),
    partnerDay: await t.store.db
      .selectFrom('partner_day_click_rollups')
      .selectAll()
      .orderBy('day')
      .orderBy('partner_id')
      .execute(),
  });

  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
    const partner = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: ops,
      payload: { displayName: 'Retention Partner', kind: 'company', type: 'affiliate', country: 'CY' },
    });
    expect(partner.statusCode, partner.body).toBe(201);
    partnerId = partner.json().id;
    const link = await t.app.inject({
      method: 'POST',
      url: '/api/v1/links',
      headers: ops,
      payload: { partnerId, name: 'Retention', landingUrl: 'https://b.example/?c={click_id}' },
    });
    expect(link.statusCode, link.body).toBe(201);
    linkId = link.json().id;
    code = link.json().code;
    seq = Number(
      (await t.store.db.selectFrom('links').select('seq').where('id', '=', linkId).executeTakeFirstOrThrow())
        .seq,
    );
    // Rollups of old days (the raw clicks' stats) must outlive the raw clicks.
    await t.store.db
      .insertInto('click_rollups')
      .values([
        {
          day: '2025-06-01',
          link_id: linkId,
          sub1: 'old',
          partner_id: partnerId,
          clicks: 40,
          unique_clicks: 30,
          bots: 2,
        },
        {
          day: '2025-12-01',
          link_id: linkId,
          sub1: 'old',
          partner_id: partnerId,
          clicks: 7,
          unique_clicks: 7,
          bots: 0,
        },
      ])
      .execute();
    await refillPartnerDay(t.store.db);
  });
  afterAll(async () => t?.close());

  it('deletes clicks older than the cutoff in bounded chunks, keeps newer ones and every rollup, and audits one summary', async () => {
    const cutoff = NOW - 180 * DAY;
    // 23 old clicks spread over a year before the cutoff, including 1 ms before it; 6 at or after it.
    const oldTimes = [
      cutoff - 1,
      cutoff - 2,
      ...Array.from({ length: 21 }, (_, i) => cutoff - (i + 1) * 17 * DAY - i * 7919),
    ];
    const keepTimes = [cutoff, cutoff + 1, cutoff + DAY, NOW - DAY, NOW, NOW + 1000];
    const oldIds = await insertClicks(oldTimes);
    const keepIds = await insertClicks(keepTimes);
    const rollupsBefore = await rollups();
    const auditBefore = await t.store.db.selectFrom('audit_log').select('seq').execute();

    const progress: [number, number][] = [];
    const r = await pruneClicks(t.store, {
      olderThanDays: 180,
      now: NOW,
      chunkSize: 5,
      onChunk: (d, c) => progress.push([d, c]),
    });
    expect(r).toMatchObject({
      cutoff: new Date(cutoff).toISOString(),
      deleted: 23,
      chunks: 5,
      stopped: false,
    });
    expect(progress).toEqual([
      [5, 1],
      [10, 2],
      [15, 3],
      [20, 4],
      [23, 5],
    ]);
    expect(await stored(oldIds)).toBe(0);
    expect(await stored(keepIds)).toBe(6);
    expect(await rollups()).toEqual(rollupsBefore);
    expect(rollupsBefore.partnerDay.length).toBeGreaterThan(0);

    const entries = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'entity_type', 'entity_id', 'actor_type', 'data'])
      .where('seq', '>', auditBefore.length)
      .execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'clicks.pruned',
      entity_type: 'click_retention',
      entity_id: new Date(cutoff).toISOString(),
      actor_type: 'system',
    });
    expect(JSON.parse(entries[0]?.data ?? '{}').after).toEqual({
      cutoff: new Date(cutoff).toISOString(),
      olderThanDays: 180,
      deleted: 23,
      chunks: 5,
    });
    expect((await verifyAuditChain(t.store.db)).ok).toBe(true);

    // Nothing left to delete: no write, no audit entry.
    const again = await pruneClicks(t.store, { olderThanDays: 180, now: NOW, chunkSize: 5 });
    expect(again).toMatchObject({ deleted: 0, chunks: 0 });
    expect(await t.store.db.selectFrom('audit_log').select('seq').execute()).toHaveLength(
      auditBefore.length + 1,
    );
    await expect(pruneClicks(t.store, { olderThanDays: 0 })).rejects.toThrow(RangeError);
  });

  it('compares ids the way the database orders them (byte order; on PostgreSQL also under ICU/glibc collations)', async () => {
    // Times whose ids differ in digits and in letters at every position of the time part.
    const times = fc.sample(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { numRuns: 400, seed: 42 });
    const ids = times.map((ms, i) => codec.mint(i, ms));
    const bounds = fc
      .sample(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { numRuns: 100, seed: 7 })
      .map(timeBound);
    const all = [...ids, ...bounds];
    const expected = [...all].sort();
    const values = sql.join(all.map((v) => sql`(${v})`));
    const table =
      t.store.dialect === 'postgres'
        ? sql`(values ${values}) as x(v)`
        : sql`(select column1 as v from (values ${values}))`;
    const collations: (string | null)[] = [null];
    if (t.store.dialect === 'postgres') {
      const found = await sql<{ collname: string }>`select collname from pg_collation
        where collname in ('en-x-icu', 'und-x-icu', 'en_US.utf8', 'en_US', 'C.utf8') order by collname`.execute(
        t.store.db,
      );
      collations.push(...found.rows.map((r) => r.collname));
      expect(collations.length).toBeGreaterThan(1);
    }
    for (const coll of collations) {
      const order = coll ? sql`v collate ${sql.id(coll)}` : sql`v`;
      const got = await sql<{ v: string }>`select v from ${table} order by ${order}`.execute(t.store.db);
      expect(
        got.rows.map((r) => r.v),
        `collation ${coll ?? 'default'}`,
      ).toEqual(expected);
    }
  });

  it('the click story answers a pruned click from its verified id and says retention pruned it', async () => {
    const now = Date.now();
    const [oldId] = await insertClicks([now - 200 * DAY]);
    const auditBefore = (await t.store.db.selectFrom('audit_log').select('seq').execute()).length;
    const r = await pruneClicks(t.store, { olderThanDays: 190 });
    expect(r.deleted).toBeGreaterThanOrEqual(1); // with the first test's clicks, now also past this cutoff
    expect(await stored([oldId as string])).toBe(0);
    const runAt = (
      await t.store.db
        .selectFrom('audit_log')
        .select('at')
        .where('seq', '=', auditBefore + 1)
        .executeTakeFirstOrThrow()
    ).at;

    const res = await t.app.inject({ method: 'GET', url: `/api/v1/clicks/${oldId}`, headers: ops });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: oldId,
      verified: true,
      stored: false,
      raw: 'pruned',
      pruned: { at: runAt, cutoff: r.cutoff },
      time: new Date(now - 200 * DAY).toISOString(),
      link: { id: linkId, code, seq },
      partnerId,
    });
    expect(res.json().note).toMatch(/deleted by click retention/);
    expect(res.json().userAgent).toBeUndefined();

    // A partner user sees the same for its own click.
    const own = await t.app.inject({
      method: 'GET',
      url: `/api/v1/clicks/${oldId}`,
      headers: await t.keyFor('partner', partnerId),
    });
    expect(own.json()).toMatchObject({ raw: 'pruned', partnerId });

    // A recent id that was never stored is not blamed on retention.
    const never = clickIdCodec(t.config.secret).mint(seq, now - 1000);
    const n = (await t.app.inject({ method: 'GET', url: `/api/v1/clicks/${never}`, headers: ops })).json();
    expect(n).toMatchObject({ stored: false, raw: 'not_stored', pruned: null });
    expect(n.note).toMatch(/not committed/);

    // A stored click says so.
    const loc = String(
      (await t.app.inject({ method: 'GET', url: `/c/${code}`, headers: { 'user-agent': 'Mozilla/5.0' } }))
        .headers.location,
    );
    const live = loc.slice(loc.indexOf('c=') + 2);
    const s = (await t.app.inject({ method: 'GET', url: `/api/v1/clicks/${live}`, headers: ops })).json();
    expect(s).toMatchObject({
      stored: true,
      raw: 'stored',
      pruned: null,
      note: null,
      userAgent: 'Mozilla/5.0',
    });
  });

  it('the in-process job prunes on its schedule and stops cleanly', async () => {
    const now = Date.now();
    const ids = await insertClicks(Array.from({ length: 12 }, (_, i) => now - (40 + i) * DAY));
    const logged: string[] = [];
    const job = startClickRetention(t.store, {
      days: 30,
      firstDelayMs: 20,
      intervalMs: 60_000,
      pauseMs: 0,
      log: { info: (_o, m) => logged.push(m), error: (_o, m) => logged.push(`error: ${m}`) },
    });
    try {
      const until = Date.now() + 10_000;
      while ((await stored(ids)) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(await stored(ids)).toBe(0);
      while (logged.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(logged).toEqual(['click retention: raw clicks pruned']);
    } finally {
      await job.stop();
    }
    // Stopped: a later old click stays until someone prunes.
    const [late] = await insertClicks([now - 50 * DAY]);
    await new Promise((r) => setTimeout(r, 100));
    expect(await stored([late as string])).toBe(1);
  });
});
