import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  problemOf,
  systemCtx,
  TEST_PASSWORD,
  type TestApp,
} from '../../../test/support/app.ts';
import { REDACTED_DATA, verifyAuditChain } from '../../platform/audit/verify.ts';
import { setClockForTests } from '../../platform/time.ts';
import { createUser } from '../access/index.ts';
import { erasePersonalData } from './index.ts';

type Entry = {
  seq: number;
  action: string;
  entityType: string;
  entityId: string;
  actorId: string;
  at: string;
  data: {
    before: unknown;
    after: Record<string, unknown> | null;
    reason: string | null;
    meta?: Record<string, unknown>;
  } | null;
  erasedAt: string | null;
};

describe('audit API', () => {
  let t: TestApp;
  let reader: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    reader = await t.keyFor('compliance');
  });
  afterAll(async () => t.close());

  it('lists entries newest first with decoded data, pages by cursor and filters', async () => {
    const user = await createUser(t.store, systemCtx, {
      email: 'listed@example.test',
      name: 'Listed Person',
      role: 'ops',
      password: TEST_PASSWORD,
    });
    for (let i = 0; i < 7; i++) await t.keyFor('support');

    const first = await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=3', headers: reader });
    expect(first.statusCode).toBe(200);
    const page1 = first.json() as { data: Entry[]; nextCursor: string };
    expect(page1.data).toHaveLength(3);
    expect(page1.data[0]?.seq ?? 0).toBeGreaterThan(page1.data[1]?.seq ?? Number.POSITIVE_INFINITY);
    const all: Entry[] = [...page1.data];
    let cursor: string | null = page1.nextCursor;
    while (cursor) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/audit?limit=3&cursor=${cursor}`,
        headers: reader,
      });
      const body = res.json() as { data: Entry[]; nextCursor: string | null };
      all.push(...body.data);
      cursor = body.nextCursor;
    }
    const total = await t.store.db.selectFrom('audit_log').select('seq').execute();
    expect(all.map((e) => e.seq)).toEqual(total.map((r) => Number(r.seq)).sort((a, b) => b - a));

    const about = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit?entityType=user&entityId=${user.id}`,
      headers: reader,
    });
    const entries = about.json().data as Entry[];
    expect(entries.map((e) => e.action)).toEqual(['user.created']);
    expect(entries[0]?.data?.after).toMatchObject({
      email: 'listed@example.test',
      name: 'Listed Person',
      role: 'ops',
    });
    expect(entries[0]?.erasedAt).toBeNull();

    const byAction = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=apikey.created&limit=200',
      headers: reader,
    });
    const keys = byAction.json().data as Entry[];
    expect(keys.length).toBeGreaterThanOrEqual(8);
    expect(keys.every((e) => e.action === 'apikey.created')).toBe(true);
    const byActor = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?actorId=system&limit=200',
      headers: reader,
    });
    expect((byActor.json().data as Entry[]).length).toBe(total.length);
    const byNobody = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?actorId=usr_nobody',
      headers: reader,
    });
    expect(byNobody.json().data).toEqual([]);
  });

  it('names the actor of each entry for display', async () => {
    const ops = await t.userSession('ops');
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: ops.headers });
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit?actorId=${ops.id}`,
      headers: reader,
    });
    const entries = res.json().data as { actorName: string; action: string }[];
    expect(entries.map((e) => e.action)).toEqual(['user.logged_out', 'user.logged_in']);
    expect(new Set(entries.map((e) => e.actorName)).size).toBe(1);
    expect(entries[0]?.actorName).toMatch(/^Test ops/);
    const system = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?actorId=system&limit=1',
      headers: reader,
    });
    expect(system.json().data[0].actorName).toBe('system');
  });

  it('filters by time range and partner, and names bad filters', async () => {
    setClockForTests(() => Date.parse('2031-03-01T10:00:00.000Z'));
    try {
      await t.keyFor('finance');
    } finally {
      setClockForTests(null);
    }
    const inRange = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?from=2031-03-01&to=2031-03-02',
      headers: reader,
    });
    const list = inRange.json().data as Entry[];
    expect(list).toHaveLength(1);
    expect(list[0]?.at).toBe('2031-03-01T10:00:00.000Z');
    const before = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?to=2031-03-01T10:00:00Z&from=2031-01-01T00:00:00Z',
      headers: reader,
    });
    expect(before.json().data).toEqual([]);
    const partner = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit?partnerId=ptr_01J00000000000000000000000',
      headers: reader,
    });
    expect(partner.json().data).toEqual([]);

    for (const [query, field] of [
      ['from=yesterday', 'query.from'],
      ['to=2031-02-30T00:00:00Z', 'query.to'],
      ['to=2031-13-45', 'query.to'],
      ['from=2031-01-01T25:00:00Z', 'query.from'],
      ['from=2031-03-02&to=2031-03-01', 'query.to'],
      ['action=partner.exploded', 'query.action'],
      ['cursor=abc', 'query.cursor'],
      ['limit=0', 'query.limit'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/audit?${query}`, headers: reader });
      expect(res.statusCode, query).toBe(422);
      expect(
        problemOf(res).errors?.map((e) => e.field),
        query,
      ).toContain(field);
    }
  });

  it('verifies the chain over the API, and only for audit.read holders', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: reader });
    expect(res.statusCode).toBe(200);
    const count = await t.store.db.selectFrom('audit_log').select('seq').execute();
    expect(res.json()).toMatchObject({ ok: true, checked: count.length, headSeq: count.length });
    const ops = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit/verify',
      headers: await t.keyFor('ops'),
    });
    expect(ops.statusCode).toBe(403);
  });

  it('erases the personal data about one entity, records the erasure, and the chain still verifies', async () => {
    const person = await t.userSession('bdm', { email: 'erase.me@example.test' });
    const other = await createUser(t.store, systemCtx, {
      email: 'keep.me@example.test',
      name: 'Keep Me',
      role: 'ops',
      password: TEST_PASSWORD,
    });
    const admin = await t.keyFor('admin');

    const denied = await t.app.inject({
      method: 'POST',
      url: '/api/v1/audit/erasure',
      headers: reader,
      payload: { entityType: 'user', entityId: person.id, reason: 'GDPR request 42' },
    });
    expect(denied.statusCode).toBe(403);
    const noReason = await t.app.inject({
      method: 'POST',
      url: '/api/v1/audit/erasure',
      headers: admin,
      payload: { entityType: 'user', entityId: person.id },
    });
    expect(problemOf(noReason).errors?.[0]?.field).toBe('body.reason');
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/audit/erasure',
      headers: admin,
      payload: { entityType: 'user', entityId: 'usr_01J00000000000000000000000', reason: 'GDPR request 43' },
    });
    expect(unknown.statusCode).toBe(404);

    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/audit/erasure',
      headers: admin,
      payload: { entityType: 'user', entityId: person.id, reason: 'GDPR request 42' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ entityType: 'user', entityId: person.id, erasedEntries: 2 }); // created + logged in

    const rows = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', person.id)
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.action)).toEqual([
      'user.created',
      'user.logged_in',
      'audit.personal_data_erased',
    ]);
    for (const r of rows.slice(0, 2)) {
      expect(r.data).toBe(REDACTED_DATA);
      expect(r.data_salt).toBeNull();
      expect(r.redacted_at).not.toBeNull();
    }
    expect(rows.map((r) => r.data).join()).not.toContain('erase.me@example.test');
    const keep = await t.store.db
      .selectFrom('audit_log')
      .select('data')
      .where('entity_id', '=', other.id)
      .executeTakeFirstOrThrow();
    expect(keep.data).toContain('keep.me@example.test');

    const api = await t.app.inject({
      method: 'GET',
      url: `/api/v1/audit?entityId=${person.id}`,
      headers: reader,
    });
    const entries = api.json().data as Entry[];
    expect(entries[0]).toMatchObject({ action: 'audit.personal_data_erased', erasedAt: null });
    expect(entries[0]?.data?.reason).toBe('GDPR request 42');
    expect(entries[0]?.data?.meta).toMatchObject({ erasedEntries: 2 });
    expect(entries.slice(1).every((e) => e.data === null && e.erasedAt !== null)).toBe(true);

    expect((await verifyAuditChain(t.store.db)).ok).toBe(true);
    const verify = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: reader });
    expect(verify.json().ok).toBe(true);

    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/audit/erasure',
      headers: admin,
      payload: { entityType: 'user', entityId: person.id, reason: 'GDPR request 42' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('the service refuses actors without audit.erase', async () => {
    const compliance = {
      actor: {
        ...systemCtx.actor,
        role: 'compliance' as const,
        permissions: new Set(['audit.read' as const]),
      },
      requestId: null,
    };
    await expect(
      erasePersonalData(t.store, compliance, { entityType: 'user', entityId: 'x', reason: 'because' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
