import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, systemCtx, type TestApp } from '../../../test/support/app.ts';
import { createPartner } from './index.ts';

describe('partners API', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  let n = 0;
  const code = () => `T${Date.now().toString(36)}${(n++).toString(36)}`.slice(-12);

  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
  });
  afterAll(async () => t.close());

  async function create(body: Record<string, unknown>, headers = ops) {
    return t.app.inject({ method: 'POST', url: '/api/v1/partners', headers, payload: body });
  }
  async function createOk(body: Record<string, unknown>, headers = ops) {
    const res = await create(body, headers);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  const patch = (id: string, body: Record<string, unknown>, headers = ops) =>
    t.app.inject({ method: 'PATCH', url: `/api/v1/partners/${id}`, headers, payload: body });

  it('creates, reads, changes, archives and restores a partner', async () => {
    const created = await createOk({
      displayName: 'Alpha Trading',
      legalName: 'Alpha Trading Ltd',
      kind: 'company',
      type: 'ib',
      country: 'gb',
      languages: ['EN', 'de'],
      websites: ['https://alpha.example.com'],
      trafficSources: ['seo', 'telegram'],
      email: 'desk@alpha.example.com',
      phone: '+44 20 7946 0000',
      tier: 'gold',
      referralCode: 'ALPHA-01',
      tags: ['London', 'vip'],
    });
    expect(created).toMatchObject({
      displayName: 'Alpha Trading',
      stage: 'intake',
      country: 'GB',
      languages: ['en', 'de'],
      tags: ['london', 'vip'],
      referralCode: 'ALPHA-01',
      version: 1,
      childrenCount: 0,
      parent: null,
      archivedAt: null,
      ownerId: null,
    });
    expect(created.id).toMatch(/^ptr_/);

    const got = await t.app.inject({ method: 'GET', url: `/api/v1/partners/${created.id}`, headers: ops });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);

    const changed = await patch(created.id, { displayName: 'Alpha Markets', tags: ['vip'], version: 1 });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ displayName: 'Alpha Markets', tags: ['vip'], version: 2 });

    const row = await t.store.db
      .selectFrom('partners')
      .select('search_text')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.search_text).toContain('alpha markets');
    expect(row.search_text).toContain('alpha-01');
    const tags = await t.store.db
      .selectFrom('partner_tags')
      .select('tag')
      .where('partner_id', '=', created.id)
      .execute();
    expect(tags.map((r) => r.tag)).toEqual(['vip']);

    const archived = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${created.id}/archive`,
      headers: ops,
      payload: { reason: 'Duplicate record' },
    });
    expect(archived.statusCode, archived.body).toBe(200);
    expect(archived.json().archivedAt).not.toBeNull();
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${created.id}/archive`,
      headers: ops,
    });
    expect(again.statusCode).toBe(409);
    const restored = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${created.id}/restore`,
      headers: ops,
    });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ archivedAt: null, version: 4 });

    const audit = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'data'])
      .where('partner_id', '=', created.id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'partner.created',
      'partner.updated',
      'partner.archived',
      'partner.restored',
    ]);
    const update = JSON.parse(audit[1]?.data as string);
    expect(update.before).toEqual({ displayName: 'Alpha Trading', tags: ['london', 'vip'] });
    expect(update.after).toEqual({ displayName: 'Alpha Markets', tags: ['vip'] });
    expect(JSON.parse(audit[2]?.data as string).reason).toBe('Duplicate record');
  });

  it('names the invalid fields and writes nothing', async () => {
    const before = await t.store.db
      .selectFrom('partners')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await create({
      displayName: 'Bad Input',
      country: 'XX',
      languages: ['english'],
      websites: ['ftp://files.example.com'],
      trafficSources: ['billboards'],
      email: 'not-an-email',
      referralCode: 'a b',
      tags: ['Not A Slug!'],
      tier: 'diamond',
    });
    expect(res.statusCode).toBe(422);
    const fields = problemOf(res).errors?.map((e) => e.field) ?? [];
    for (const f of [
      'body.country',
      'body.languages.0',
      'body.websites.0',
      'body.trafficSources.0',
      'body.email',
      'body.referralCode',
      'body.tags.0',
      'body.tier',
    ]) {
      expect(fields).toContain(f);
    }
    const missing = await create({ legalName: 'No display name' });
    expect(problemOf(missing).errors?.map((e) => e.field)).toContain('body.displayName');
    const stage = await create({ displayName: 'Jump the queue', stage: 'active' });
    expect(stage.statusCode).toBe(422);
    expect(problemOf(stage).errors?.map((e) => e.field)).toContain('body.stage');
    const after = await t.store.db
      .selectFrom('partners')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('keeps referral codes unique regardless of case and generates one when absent', async () => {
    const c = code();
    await createOk({ displayName: 'Code Owner', referralCode: c.toUpperCase() });
    const dup = await create({ displayName: 'Code Thief', referralCode: c.toLowerCase() });
    expect(dup.statusCode).toBe(422);
    expect(problemOf(dup).errors).toContainEqual({
      field: 'body.referralCode',
      message: 'is already used by another partner',
    });
    const generated = await createOk({ displayName: 'No Code' });
    expect(generated.referralCode).toMatch(/^[A-Za-z0-9_-]{4,32}$/);
  });

  it('refuses a parent that is not an IB, a cycle, and a hierarchy deeper than five levels', async () => {
    const affiliate = await createOk({ displayName: 'Plain Affiliate', type: 'affiliate' });
    const notIb = await create({ displayName: 'Child', parentId: affiliate.id });
    expect(problemOf(notIb).errors?.[0]).toMatchObject({ field: 'body.parentId' });
    const unknown = await create({ displayName: 'Orphan', parentId: 'ptr_01J0000000000000000000000' });
    expect(problemOf(unknown).errors?.[0]?.field).toBe('body.parentId');

    const a = await createOk({ displayName: 'IB A', type: 'ib' });
    const b = await createOk({ displayName: 'IB B', type: 'ib', parentId: a.id });
    expect(b.parent).toEqual({ id: a.id, displayName: 'IB A' });
    const aNow = await t.app.inject({ method: 'GET', url: `/api/v1/partners/${a.id}`, headers: ops });
    expect(aNow.json().childrenCount).toBe(1);

    const cycle = await patch(a.id, { parentId: b.id });
    expect(cycle.statusCode).toBe(422);
    expect(problemOf(cycle).errors?.[0]).toMatchObject({
      field: 'body.parentId',
      message: expect.stringContaining('cycle'),
    });
    const self = await patch(a.id, { parentId: a.id });
    expect(problemOf(self).errors?.[0]?.field).toBe('body.parentId');

    const demote = await patch(a.id, { type: 'affiliate' });
    expect(problemOf(demote).errors?.[0]?.field).toBe('body.type');

    let parent = b.id;
    for (let level = 3; level <= 5; level++) {
      parent = (await createOk({ displayName: `IB level ${level}`, type: 'ib', parentId: parent })).id;
    }
    const tooDeep = await create({ displayName: 'IB level 6', type: 'ib', parentId: parent });
    expect(tooDeep.statusCode).toBe(422);
    expect(problemOf(tooDeep).errors?.[0]?.message).toContain('deeper than 5');

    // Moving a two-level subtree under level 4 would make it six deep.
    const top = await createOk({ displayName: 'Other top', type: 'ib' });
    await createOk({ displayName: 'Other child', type: 'ib', parentId: top.id });
    const level4 = (
      await t.store.db
        .selectFrom('partners')
        .select('id')
        .where('display_name', '=', 'IB level 4')
        .executeTakeFirstOrThrow()
    ).id;
    const move = await patch(top.id, { parentId: level4 });
    expect(problemOf(move).errors?.[0]?.message).toContain('deeper than 5');
  });

  it('lets a BDM change only their own partners and own only themselves', async () => {
    const bdmA = await t.userSession('bdm');
    const bdmB = await t.userSession('bdm');
    const mine = await createOk({ displayName: 'BDM A partner' }, bdmA.headers);
    expect(mine.ownerId).toBe(bdmA.id);
    expect(mine.ownerName).toMatch(/^Test bdm/);

    const other = await patch(mine.id, { displayName: 'Taken over' }, bdmB.headers);
    expect(other.statusCode).toBe(403);
    const own = await patch(mine.id, { displayName: 'Still mine' }, bdmA.headers);
    expect(own.statusCode).toBe(200);

    const giveAway = await patch(mine.id, { ownerId: bdmB.id }, bdmA.headers);
    expect(giveAway.statusCode).toBe(403);
    const assignOther = await create({ displayName: 'For B', ownerId: bdmB.id }, bdmA.headers);
    expect(assignOther.statusCode).toBe(403);

    const reassigned = await patch(mine.id, { ownerId: bdmB.id });
    expect(reassigned.statusCode).toBe(200);
    expect(reassigned.json().ownerId).toBe(bdmB.id);

    const finance = await t.userSession('finance');
    const badOwner = await patch(mine.id, { ownerId: finance.id });
    expect(badOwner.statusCode).toBe(422);
    expect(problemOf(badOwner).errors?.[0]?.field).toBe('body.ownerId');
  });

  it('shows a partner user only their own partner', async () => {
    const p1 = await createOk({ displayName: 'Portal Partner One' });
    const p2 = await createOk({ displayName: 'Portal Partner Two' });
    const key = await t.keyFor('partner', p1.id);
    const own = await t.app.inject({ method: 'GET', url: `/api/v1/partners/${p1.id}`, headers: key });
    expect(own.statusCode).toBe(200);
    const other = await t.app.inject({ method: 'GET', url: `/api/v1/partners/${p2.id}`, headers: key });
    expect(other.statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/partners?limit=200', headers: key });
    expect(list.json().data.map((p: { id: string }) => p.id)).toEqual([p1.id]);
    const edit = await patch(p1.id, { displayName: 'Self-edit' }, key);
    expect(edit.statusCode).toBe(403);
  });

  it('refuses a change made against a stale version', async () => {
    const p = await createOk({ displayName: 'Versioned' });
    const [r1, r2] = await Promise.all([
      patch(p.id, { displayName: 'Writer one', version: 1 }),
      patch(p.id, { displayName: 'Writer two', version: 1 }),
    ]);
    expect([r1?.statusCode, r2?.statusCode].sort()).toEqual([200, 409]);
    const stale = await patch(p.id, { phone: '+1 555 0100', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(problemOf(stale).code).toBe('conflict');
    const noop = await patch(p.id, { displayName: (r1?.statusCode === 200 ? r1 : r2)?.json().displayName });
    expect(noop.json().version).toBe(2);
    const stageChange = await patch(p.id, { stage: 'active' });
    expect(problemOf(stageChange).errors?.map((e) => e.field)).toContain('body.stage');
  });

  it('lets the system create at a given stage and nobody else', async () => {
    const seeded = await createPartner(
      t.store,
      systemCtx,
      { displayName: 'Seeded Active', type: 'ib' },
      { stage: 'active' },
    );
    expect(seeded.stage).toBe('active');
    const actor = { ...systemCtx.actor, type: 'api_key' as const, id: 'key_x' };
    await expect(
      createPartner(t.store, { actor, requestId: null }, { displayName: 'x' }, { stage: 'active' }),
    ).rejects.toThrow(/Only the system/);
  });

  it('shows the timeline newest first with actor names, paged by seq', async () => {
    const user = await t.userSession('ops');
    const p = await createOk({ displayName: 'Timeline Partner' }, user.headers);
    for (const name of ['Second', 'Third', 'Fourth'])
      expect((await patch(p.id, { displayName: name }, user.headers)).statusCode).toBe(200);
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${p.id}/archive`,
      headers: ops,
      payload: { reason: 'done' },
    });

    const first = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${p.id}/timeline?limit=3`,
      headers: ops,
    });
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json();
    expect(page1.data.map((i: { action: string }) => i.action)).toEqual([
      'partner.archived',
      'partner.updated',
      'partner.updated',
    ]);
    expect(page1.data[0].actor).toMatchObject({ type: 'api_key', name: 'test ops' });
    expect(page1.data[0].reason).toBe('done');
    expect(page1.data[1].actor).toEqual({
      type: 'user',
      id: user.id,
      name: expect.stringMatching(/^Test ops/),
    });
    expect(page1.data[1].changes).toEqual({
      before: { displayName: 'Third' },
      after: { displayName: 'Fourth' },
    });
    const second = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${p.id}/timeline?limit=3&cursor=${page1.nextCursor}`,
      headers: ops,
    });
    const page2 = second.json();
    expect(page2.data.map((i: { action: string }) => i.action)).toEqual([
      'partner.updated',
      'partner.created',
    ]);
    expect(page2.nextCursor).toBeNull();
    expect(page2.data[0].seq).toBeLessThan(page1.data[2].seq);

    // An erased entry shows that it was erased and nothing else.
    await t.store.db
      .updateTable('audit_log')
      .set({ redacted_at: new Date().toISOString(), data: '{}', data_salt: null })
      .where('partner_id', '=', p.id)
      .where('action', '=', 'partner.created')
      .execute();
    const erased = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${p.id}/timeline`,
      headers: ops,
    });
    const created = erased.json().data.find((i: { action: string }) => i.action === 'partner.created');
    expect(created).toMatchObject({ erased: true, changes: null, reason: null });

    const partnerKey = await t.keyFor('partner', p.id);
    const denied = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${p.id}/timeline`,
      headers: partnerKey,
    });
    expect(denied.statusCode).toBe(403);
    const badCursor = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${p.id}/timeline?cursor=nope`,
      headers: ops,
    });
    expect(problemOf(badCursor).errors?.[0]?.field).toBe('query.cursor');
  });
});
