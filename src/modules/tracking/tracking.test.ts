import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { partnerDayDiff } from '../../../test/support/rollup-check.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { clickIdCodec } from './click-id.ts';
import { trackingRuntimeOf } from './tracking.routes.ts';
import type { ClickRow } from './writer/kinds.ts';
import {
  PostgresBackend,
  SqliteWorkerBackend,
  TrackingWriter,
  WriterUnavailableError,
} from './writer/writer.ts';

async function insertPartner(
  t: TestApp,
  ownerId: string | null = null,
  name = 'Tracking Partner',
): Promise<string> {
  const id = newId('partner');
  const now = nowIso();
  await t.store.db
    .insertInto('partners')
    .values({
      id,
      display_name: name,
      legal_name: null,
      kind: 'company',
      type: 'affiliate',
      stage: 'tracking_setup',
      parent_id: null,
      country: 'CY',
      languages: '[]',
      websites: '[]',
      traffic_sources: '[]',
      email: null,
      phone: null,
      owner_id: ownerId,
      tier: null,
      referral_code: `R${id.slice(-10)}`,
      tags: '[]',
      custom_fields: '{}',
      search_text: name.toLowerCase(),
      archived_at: null,
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  return id;
}

const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

describe('tracking links and clicks', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  let partnerId: string;
  let otherPartnerId: string;

  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
    partnerId = await insertPartner(t);
    otherPartnerId = await insertPartner(t, null, 'Other Partner');
  });
  afterAll(async () => t?.close());

  const api = (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const click = (
    url: string,
    headers: Record<string, string> = { 'user-agent': BROWSER },
    remoteAddress = '203.0.113.7',
  ) => t.app.inject({ method: 'GET', url, headers, remoteAddress });

  async function createLink(body: Record<string, unknown>, headers = ops) {
    const res = await api('POST', '/api/v1/links', headers, { partnerId, name: 'Main', ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; code: string; trackingUrl: string; version: number; status: string };
  }

  it('creates a link with a generated code and a tracking URL, audited', async () => {
    const link = await createLink({
      landingUrl: 'https://broker.example/open?cid={click_id}&s1={sub1}',
      campaign: 'spring',
      allowedCountries: ['cy', 'GR'],
    });
    expect(link.code).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(link.trackingUrl).toBe(`http://localhost:80/c/${link.code}`);
    const got = (await api('GET', `/api/v1/links/${link.id}`, ops)).json();
    expect(got).toMatchObject({
      partnerId,
      campaign: 'spring',
      allowedCountries: ['CY', 'GR'],
      status: 'active',
      version: 1,
    });
    const audit = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'partner_id'])
      .where('entity_id', '=', link.id)
      .execute();
    expect(audit).toEqual([{ action: 'link.created', partner_id: partnerId }]);
  });

  it('refuses bad landing URLs, naming the field, and taken codes', async () => {
    for (const [landingUrl, msg] of [
      ['https://b.example/?c={CLICK_ID}', /lower case/],
      ['https://b.example/?c={clickid}', /Unknown placeholder/],
      ['https://b.example/?c={click_id', /never closed/],
      ['ftp://b.example/', /http/],
    ] as const) {
      const res = await api('POST', '/api/v1/links', ops, { partnerId, name: 'x', landingUrl });
      expect(res.statusCode).toBe(422);
      const p = problemOf(res);
      expect(p.errors?.[0]?.field).toBe('body.landingUrl');
      expect(p.errors?.[0]?.message).toMatch(msg);
    }
    await createLink({ code: 'Taken-1', landingUrl: 'https://b.example/' });
    const dup = await api('POST', '/api/v1/links', ops, {
      partnerId,
      name: 'x',
      code: 'Taken-1',
      landingUrl: 'https://b.example/',
    });
    expect(dup.statusCode).toBe(409);
    // Codes are case-sensitive.
    await createLink({ code: 'taken-1', landingUrl: 'https://b.example/' });
    const badCode = await api('POST', '/api/v1/links', ops, {
      partnerId,
      name: 'x',
      code: 'a b',
      landingUrl: 'https://b.example/',
    });
    expect(problemOf(badCode).errors?.[0]?.field).toBe('body.code');
    const noPartner = await api('POST', '/api/v1/links', ops, {
      partnerId: newId('partner'),
      name: 'x',
      landingUrl: 'https://b.example/',
    });
    expect(problemOf(noPartner).errors?.[0]?.field).toBe('body.partnerId');
  });

  it('lets a BDM manage links of partners they own only; partner users see their own links', async () => {
    const bdm = await t.userSession('bdm');
    const own = await insertPartner(t, bdm.id, 'BDM Own');
    const ok = await api('POST', '/api/v1/links', bdm.headers, {
      partnerId: own,
      name: 'x',
      landingUrl: 'https://b.example/',
    });
    expect(ok.statusCode).toBe(201);
    const denied = await api('POST', '/api/v1/links', bdm.headers, {
      partnerId: otherPartnerId,
      name: 'x',
      landingUrl: 'https://b.example/',
    });
    expect(denied.statusCode).toBe(403);

    const foreign = await createLink({ landingUrl: 'https://b.example/' });
    const pUser = await t.keyFor('partner', own);
    const list = (await api('GET', '/api/v1/links', pUser)).json() as { data: { partnerId: string }[] };
    expect(list.data.length).toBe(1);
    expect(list.data.every((l) => l.partnerId === own)).toBe(true);
    expect((await api('GET', `/api/v1/links/${foreign.id}`, pUser)).statusCode).toBe(404);
    expect((await api('POST', `/api/v1/links/${ok.json().id}/pause`, pUser)).statusCode).toBe(403);
    const support = await t.keyFor('support');
    expect(
      (
        await api('POST', '/api/v1/links', support, {
          partnerId,
          name: 'x',
          landingUrl: 'https://b.example/',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('redirects with placeholders filled, sub-IDs and other parameters passed on, after the click is committed', async () => {
    const link = await createLink({ landingUrl: 'https://broker.example/open?cid={click_id}&s1={sub1}' });
    const res = await click(`/c/${link.code}?sub1=fb%20ads&sub2=x&utm_source=news&click_id=spoof`, {
      'user-agent': BROWSER,
      referer: 'https://blog.example/post',
    });
    expect(res.statusCode).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer-when-downgrade');
    const location = String(res.headers.location);
    const m =
      /^https:\/\/broker\.example\/open\?cid=(c[0-9A-Z]{29})&s1=fb%20ads&sub2=x&utm_source=news$/.exec(
        location,
      );
    expect(m, location).not.toBeNull();
    const clickId = m?.[1] as string;
    // Committed before the 302: the row is there now.
    const row = await t.store.db
      .selectFrom('clicks')
      .selectAll()
      .where('id', '=', clickId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      link_id: link.id,
      partner_id: partnerId,
      ip: '203.0.113.7',
      user_agent: BROWSER,
      referrer: 'https://blog.example/post',
      sub1: 'fb ads',
      sub2: 'x',
      sub3: null,
      country: null,
      geo_allowed: null,
    });
    expect(Number(row.is_bot)).toBe(0);
    expect(Number(row.is_duplicate)).toBe(0);

    const story = await api('GET', `/api/v1/clicks/${clickId}`, ops);
    expect(story.statusCode, story.body).toBe(200);
    expect(story.json()).toMatchObject({
      id: clickId,
      verified: true,
      stored: true,
      partnerId,
      link: { id: link.id, code: link.code },
      subs: { sub1: 'fb ads' },
      isBot: false,
    });
  });

  it('appends click_id when the template has no placeholder', async () => {
    const link = await createLink({ landingUrl: 'https://b.example/lp#top' });
    const res = await click(`/c/${link.code}?sub3=z`);
    expect(String(res.headers.location)).toMatch(
      /^https:\/\/b\.example\/lp\?click_id=c[0-9A-Z]{29}&sub3=z#top$/,
    );
  });

  it('marks bots and duplicates, and keeps rollups equal to the raw clicks', async () => {
    const link = await createLink({ landingUrl: 'https://b.example/' });
    const codes: number[] = [];
    codes.push((await click(`/c/${link.code}?sub1=a`)).statusCode); // unique
    codes.push((await click(`/c/${link.code}?sub1=a`)).statusCode); // duplicate (same ip + ua + link)
    codes.push((await click(`/c/${link.code}?sub1=b`, { 'user-agent': BROWSER }, '198.51.100.1')).statusCode); // unique
    codes.push(
      (await click(`/c/${link.code}`, { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' }))
        .statusCode,
    ); // bot
    codes.push((await click(`/c/${link.code}`, { 'user-agent': '' })).statusCode); // no user agent: bot
    expect(codes).toEqual([302, 302, 302, 302, 302]);
    const rows = await t.store.db
      .selectFrom('clicks')
      .select(['is_bot', 'is_duplicate', 'sub1'])
      .where('link_id', '=', link.id)
      .execute();
    expect(rows.map((r) => [Number(r.is_bot), Number(r.is_duplicate)]).sort()).toEqual(
      [
        [0, 0],
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 0],
      ].sort(),
    );

    const stats = (await api('GET', `/api/v1/links/${link.id}/stats`, ops)).json();
    expect(stats.totals).toEqual({ clicks: 5, uniqueClicks: 2, bots: 2 });
    expect(stats.days).toHaveLength(30);
    expect(stats.days.at(-1)).toMatchObject({ day: nowIso().slice(0, 10), clicks: 5 });
    expect(stats.bySub1).toEqual([
      { sub1: '', clicks: 2, uniqueClicks: 0, bots: 2 },
      { sub1: 'a', clicks: 2, uniqueClicks: 1, bots: 0 },
      { sub1: 'b', clicks: 1, uniqueClicks: 1, bots: 0 },
    ]);
    // The partner-day rollups, written in the same batches, hold the same clicks summed per partner and day.
    const partnerDay = await t.store.db
      .selectFrom('partner_day_click_rollups')
      .selectAll()
      .where('partner_id', '=', partnerId)
      .where('day', '=', nowIso().slice(0, 10))
      .executeTakeFirst();
    expect(partnerDay).toBeDefined();
    expect(Number(partnerDay?.clicks)).toBeGreaterThanOrEqual(5);
    expect((await partnerDayDiff(t.store.db)).diffs).toEqual([]);
    const bad = await api('GET', `/api/v1/links/${link.id}/stats?from=2026-02-30`, ops);
    expect(problemOf(bad).errors?.[0]?.field).toBe('query.from');
  });

  it('answers clear 404 and 410 pages; pause, activate and archive are audited', async () => {
    const unknown = await click('/c/NoSuchCode');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/text\/html/);
    expect(unknown.body).toMatch(/Link not found/);
    expect((await click('/c/x')).statusCode).toBe(404);
    expect((await click(`/c/${'%00'.repeat(5)}`)).statusCode).toBe(404);

    const link = await createLink({ landingUrl: 'https://b.example/' });
    expect((await click(`/c/${link.code}`)).statusCode).toBe(302);
    expect(
      (await api('POST', `/api/v1/links/${link.id}/pause`, ops, { reason: 'landing page broken' })).json()
        .status,
    ).toBe('paused');
    const paused = await click(`/c/${link.code}`);
    expect(paused.statusCode).toBe(410);
    expect(paused.body).toMatch(/no longer active/);
    expect((await api('POST', `/api/v1/links/${link.id}/pause`, ops)).statusCode).toBe(409);
    expect((await api('POST', `/api/v1/links/${link.id}/activate`, ops)).json().status).toBe('active');
    expect((await click(`/c/${link.code}`)).statusCode).toBe(302);
    expect((await api('POST', `/api/v1/links/${link.id}/archive`, ops)).json().status).toBe('archived');
    expect((await click(`/c/${link.code}`)).statusCode).toBe(410);
    expect((await api('POST', `/api/v1/links/${link.id}/activate`, ops)).statusCode).toBe(409);
    const actions = await t.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', link.id)
      .orderBy('seq')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'link.created',
      'link.paused',
      'link.activated',
      'link.archived',
    ]);
  });

  it('changes a link (optimistic version) and the click path follows at once', async () => {
    const link = await createLink({ landingUrl: 'https://old.example/' });
    expect(String((await click(`/c/${link.code}`)).headers.location)).toMatch(/^https:\/\/old\.example\//);
    const stale = await api('PATCH', `/api/v1/links/${link.id}`, ops, {
      landingUrl: 'https://new.example/',
      version: 99,
    });
    expect(stale.statusCode).toBe(409);
    const res = await api('PATCH', `/api/v1/links/${link.id}`, ops, {
      landingUrl: 'https://new.example/?c={click_id}',
      version: 1,
    });
    expect(res.json()).toMatchObject({ version: 2, landingUrl: 'https://new.example/?c={click_id}' });
    expect(String((await click(`/c/${link.code}`)).headers.location)).toMatch(
      /^https:\/\/new\.example\/\?c=c[0-9A-Z]{29}$/,
    );
    const bad = await api('PATCH', `/api/v1/links/${link.id}`, ops, {
      landingUrl: 'https://x.example/{sub9}',
    });
    expect(bad.statusCode).toBe(422);
    expect(
      (
        await t.store.db.selectFrom('audit_log').select('action').where('entity_id', '=', link.id).execute()
      ).map((a) => a.action),
    ).toEqual(['link.created', 'link.updated']);
  });

  it('tells what a verified id proves when the raw click is gone, and recognises forged and malformed ids', async () => {
    const link = await createLink({ landingUrl: 'https://b.example/?c={click_id}' });
    const loc = String((await click(`/c/${link.code}`)).headers.location);
    const clickId = loc.slice(loc.indexOf('c=') + 2);
    await t.store.db.deleteFrom('clicks').where('id', '=', clickId).execute();
    const res = (await api('GET', `/api/v1/clicks/${clickId}`, ops)).json();
    expect(res).toMatchObject({
      id: clickId,
      verified: true,
      stored: false,
      link: { id: link.id },
      partnerId,
    });
    expect(Math.abs(Date.parse(res.time) - Date.now())).toBeLessThan(60_000);
    expect(res.ip).toBeUndefined();

    const forged = clickIdCodec('some-other-secret-of-enough-length-0000').mint(1);
    const f = await api('GET', `/api/v1/clicks/${forged}`, ops);
    expect(f.statusCode).toBe(404);
    expect(problemOf(f).detail).toMatch(/does not verify/);
    const malformed = await api('GET', '/api/v1/clicks/not-a-click', ops);
    expect(problemOf(malformed).errors?.[0]?.field).toBe('path.clickId');

    // A partner user sees its own clicks (IP masked) and nobody else's.
    const loc2 = String((await click(`/c/${link.code}`)).headers.location);
    const id2 = loc2.slice(loc2.indexOf('c=') + 2);
    const own = (await api('GET', `/api/v1/clicks/${id2}`, await t.keyFor('partner', partnerId))).json();
    expect(own.ip).toBe('203.0.113.0');
    expect(
      (await api('GET', `/api/v1/clicks/${id2}`, await t.keyFor('partner', otherPartnerId))).statusCode,
    ).toBe(404);
  });

  it('answers 503 (never a hang or a 500) when the writer cannot commit', async () => {
    const rt = trackingRuntimeOf(t.app);
    if (!rt) throw new Error('no tracking runtime');
    const link = await createLink({ landingUrl: 'https://b.example/' });
    const real = rt.writer;
    rt.writer = new TrackingWriter(
      {
        run: () => Promise.reject(new WriterUnavailableError('test')),
        start: async () => {},
        close: async () => {},
      },
      { flushDelayMs: 0, maxBatch: 10, maxInFlight: 1, maxQueue: 10 },
    );
    try {
      const res = await click(`/c/${link.code}`);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toMatch(/try again/);
    } finally {
      rt.writer = real;
    }
    expect((await click(`/c/${link.code}`)).statusCode).toBe(302);
  });

  it('a writer that loses its database fails waiting rows with 503 and recovers (SQLite: the thread is restarted)', async () => {
    const link = await createLink({ landingUrl: 'https://b.example/' });
    const codec = clickIdCodec(t.config.secret);
    const row = (): ClickRow => [
      codec.mint(1),
      link.id,
      partnerId,
      nowIso(),
      null,
      'ua',
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      0,
      0,
      0,
    ];
    if (t.store.dialect === 'postgres') {
      // PostgreSQL: a pool that cannot connect makes the batch unavailable (503), not an error 500.
      const { Kysely, PostgresDialect } = await import('kysely');
      const pg = (await import('pg')).default;
      const dead = new Kysely<DB>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', max: 1 }),
        }),
      });
      const writer = new TrackingWriter(new PostgresBackend(dead), {
        flushDelayMs: 0,
        maxBatch: 100,
        maxInFlight: 1,
        maxQueue: 1000,
      });
      const err = await writer.submit('click', row()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WriterUnavailableError);
      expect((err as AppError).status).toBe(503);
      await dead.destroy();
      const ok = new TrackingWriter(new PostgresBackend(t.store.db), {
        flushDelayMs: 0,
        maxBatch: 100,
        maxInFlight: 1,
        maxQueue: 1000,
      });
      const next = row();
      await ok.submit('click', next);
      expect(
        await t.store.db.selectFrom('clicks').select('id').where('id', '=', next[0]).executeTakeFirst(),
      ).toEqual({ id: next[0] });
      await ok.close();
      return;
    }
    const restarts: string[] = [];
    const backend = new SqliteWorkerBackend(path.join(t.dataDir, 'partnerdesk.sqlite'), {
      testDelayMs: 400,
      onRestart: (w) => restarts.push(w),
    });
    const writer = new TrackingWriter(backend, {
      flushDelayMs: 0,
      maxBatch: 100,
      maxInFlight: 1,
      maxQueue: 1000,
    });
    await writer.start();
    const lost = row();
    const pending = writer.submit('click', lost);
    await new Promise((r) => setTimeout(r, 150)); // the batch is now inside the worker's transaction
    await backend.currentWorker?.terminate();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(503);
    expect(restarts.length).toBe(1);
    // Not committed (the worker died before COMMIT), and the restarted worker takes new rows.
    expect(
      await t.store.db.selectFrom('clicks').select('id').where('id', '=', lost[0]).executeTakeFirst(),
    ).toBeUndefined();
    const next = row();
    await writer.submit('click', next);
    expect(
      await t.store.db.selectFrom('clicks').select('id').where('id', '=', next[0]).executeTakeFirst(),
    ).toEqual({ id: next[0] });
    await writer.close();
    await expect(writer.submit('click', row())).rejects.toBeInstanceOf(WriterUnavailableError);
  });
});

describe('the SQLite writer and the write-ahead log', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('checkpoints off the writer thread, and truncates a WAL that passes its limit itself, losing nothing', async () => {
    if (t.store.dialect !== 'sqlite') return; // PostgreSQL has no WAL file of ours
    const partnerId = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/partners',
        headers: await t.keyFor('admin'),
        payload: { displayName: 'WAL Partner' },
      })
    ).json().id as string;
    const link = await t.app.inject({
      method: 'POST',
      url: '/api/v1/links',
      headers: await t.keyFor('admin'),
      payload: { partnerId, name: 'WAL', landingUrl: 'https://b.example/' },
    });
    const linkId = link.json().id as string;
    const codec = clickIdCodec(t.config.secret);
    const file = path.join(t.dataDir, 'partnerdesk.sqlite');
    const walSize = () => {
      try {
        return statSync(`${file}-wal`).size;
      } catch {
        return 0;
      }
    };
    const writeBatches = async (writer: TrackingWriter) => {
      const ids: string[] = [];
      for (let b = 0; b < 20; b++) {
        const rows: ClickRow[] = Array.from({ length: 200 }, () => {
          const id = codec.mint(1);
          ids.push(id);
          return [
            id,
            linkId,
            partnerId,
            nowIso(),
            '203.0.113.7',
            'Mozilla/5.0 '.repeat(20),
            null,
            null,
            null,
            's1',
            null,
            null,
            null,
            null,
            0,
            0,
            0,
          ];
        });
        await Promise.all(rows.map((r) => writer.submit('click', r)));
      }
      return ids;
    };
    const options = { flushDelayMs: 0, maxBatch: 200, maxInFlight: 1, maxQueue: 10_000 };
    // With a tiny limit the writer thread truncates the WAL itself (when the checkpointer is not busy with it).
    const backend = new SqliteWorkerBackend(file, { testWalLimitBytes: 1 });
    const small = new TrackingWriter(backend, options);
    await small.start();
    const ids = await writeBatches(small);
    expect(backend.walTruncations).toBeGreaterThan(0);
    await small.close();
    // The default limit (64 MB) is far away: this little traffic never makes the writer checkpoint itself.
    const big = new SqliteWorkerBackend(file);
    const normal = new TrackingWriter(big, options);
    await normal.start();
    const dbBefore = statSync(file).size;
    ids.push(...(await writeBatches(normal)));
    expect(big.walTruncations).toBe(0);
    // The checkpointer thread copies the WAL into the database file meanwhile (the writer never does).
    await expect.poll(() => statSync(file).size, { timeout: 5000 }).toBeGreaterThan(dbBefore);
    expect(walSize()).toBeLessThan(64 * 1024 * 1024);
    await normal.close();
    const stored = await t.store.db
      .selectFrom('clicks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('link_id', '=', linkId)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(ids.length);
  });
});

describe('tracking with a GeoIP table', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pd-geo-'));
    const csv = path.join(dir, 'geo.csv');
    writeFileSync(
      csv,
      'start,end,country\n# test ranges\n203.0.113.0,203.0.113.255,CY\n198.51.100.0,198.51.100.255,us\n',
    );
    t = await createTestApp({
      PARTNERDESK_GEOIP_CSV: csv,
      PARTNERDESK_PUBLIC_URL: 'https://track.example.com/',
    });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the country and whether the link allows it; the tracking URL uses the public URL', async () => {
    const partnerId = await insertPartner(t);
    const ops = await t.keyFor('ops');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/links',
      headers: ops,
      payload: {
        partnerId,
        name: 'geo',
        code: 'geo-link',
        landingUrl: 'https://b.example/',
        allowedCountries: ['CY'],
      },
    });
    expect(res.json().trackingUrl).toBe('https://track.example.com/c/geo-link');
    for (const ip of ['203.0.113.9', '198.51.100.9', '192.0.2.1']) {
      const r = await t.app.inject({
        method: 'GET',
        url: '/c/geo-link',
        headers: { 'user-agent': BROWSER },
        remoteAddress: ip,
      });
      expect(r.statusCode).toBe(302);
    }
    const rows = await t.store.db
      .selectFrom('clicks')
      .select(['ip', 'country', 'geo_allowed'])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.ip, r.country, r.geo_allowed === null ? null : Number(r.geo_allowed)])).toEqual(
      [
        ['203.0.113.9', 'CY', 1],
        ['198.51.100.9', 'US', 0],
        ['192.0.2.1', null, null],
      ],
    );
  });
});
