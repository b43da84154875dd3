import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { verifyAuditChain } from '../../platform/audit/verify.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { defaultRules } from './default-policy.ts';
import { ensureDefaultPolicy } from './index.ts';

const URL = '/api/v1/policy/mandatory-fields';

const withKinds = (rules: ReturnType<typeof defaultRules>) =>
  rules.map((r) => ({ ...r, partnerKind: r.partnerKind ?? null }));

async function auditOf(t: TestApp, action: string) {
  const rows = await t.store.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .orderBy('seq', 'asc')
    .execute();
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) }));
}

describe('mandatory-field policy versions', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.keyFor('admin');
    await t.store.db
      .insertInto('custom_field_defs')
      .values([
        {
          id: newId('customField'),
          key: 'licence_no',
          label: 'Licence number',
          type: 'text',
          options: '[]',
          partner_types: '["ib"]',
          created_at: nowIso(),
          archived_at: null,
        },
        {
          id: newId('customField'),
          key: 'retired',
          label: 'Retired field',
          type: 'text',
          options: '[]',
          partner_types: '[]',
          created_at: nowIso(),
          archived_at: nowIso(),
        },
      ])
      .execute();
  });
  afterAll(async () => t.close());

  it('answers the built-in default as version 1 with the catalogue before anything is stored', async () => {
    const res = await t.app.inject({ method: 'GET', url: URL, headers: await t.keyFor('bdm') });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.version).toBe(1);
    expect(body.stored).toBe(false);
    expect(body.rules).toEqual(withKinds(defaultRules()));
    expect(body.stages).toEqual([
      'intake',
      'due_diligence',
      'tracking_setup',
      'activation_readiness',
      'handover',
      'active',
    ]);
    expect(body.sideStages).toEqual(['rejected', 'suspended', 'offboarded']);
    const fields = body.catalogue.map((c: { field: string }) => c.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'legalName',
        'parentId',
        'contact.signatory',
        'document.ubo_declaration',
        'custom.licence_no',
      ]),
    );
    expect(fields).not.toContain('custom.retired');
    expect(body.catalogue.find((c: { field: string }) => c.field === 'custom.licence_no')).toMatchObject({
      label: 'Licence number',
      group: 'custom',
      partnerTypes: ['ib'],
    });
    expect(body.catalogue.find((c: { field: string }) => c.field === 'email')).toMatchObject({
      label: 'Email',
      group: 'partner',
      partnerTypes: null,
    });
  });

  it('refuses to publish or list versions without policy.manage (403)', async () => {
    const rules = [{ partnerType: 'ib', stage: 'intake', fields: ['email'] }];
    for (const role of ['bdm', 'ops', 'team_lead', 'compliance', 'leadership'] as const) {
      const res = await t.app.inject({
        method: 'PUT',
        url: URL,
        headers: await t.keyFor(role),
        payload: { rules },
      });
      expect(res.statusCode, role).toBe(403);
      expect(problemOf(res).code).toBe('forbidden');
    }
    const list = await t.app.inject({
      method: 'GET',
      url: `${URL}/versions`,
      headers: await t.keyFor('ops'),
    });
    expect(list.statusCode).toBe(403);
    expect(await t.store.db.selectFrom('field_policies').select('id').execute()).toEqual([]);
  });

  it('rejects an unknown field naming its exact path, and stores nothing', async () => {
    const rules = [
      { partnerType: 'ib', stage: 'intake', fields: ['email'] },
      {
        partnerType: 'ib',
        stage: 'due_diligence',
        partnerKind: 'company',
        fields: ['document.incorporation'],
      },
      { partnerType: 'affiliate', stage: 'intake', fields: ['country'] },
      { partnerType: 'affiliate', stage: 'due_diligence', fields: ['legalName', 'shoeSize'] },
    ];
    const res = await t.app.inject({
      method: 'PUT',
      url: URL,
      headers: admin,
      payload: { rules, note: 'typo' },
    });
    expect(res.statusCode).toBe(422);
    const problem = problemOf(res);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors).toEqual([
      { field: 'body.rules[3].fields[1]', message: expect.stringContaining('"shoeSize"') },
    ]);

    const archived = await t.app.inject({
      method: 'PUT',
      url: URL,
      headers: admin,
      payload: {
        rules: [
          { partnerType: 'affiliate', stage: 'intake', fields: ['custom.retired', 'custom.licence_no'] },
        ],
      },
    });
    expect(archived.statusCode).toBe(422);
    expect(problemOf(archived).errors?.map((e) => e.field)).toEqual([
      'body.rules[0].fields[0]',
      'body.rules[0].fields[1]',
    ]);

    const shape = await t.app.inject({
      method: 'PUT',
      url: URL,
      headers: admin,
      payload: { rules: [{ partnerType: 'ib', stage: 'intake', fields: 'email' }] },
    });
    expect(shape.statusCode).toBe(422);
    expect(problemOf(shape).errors?.[0]?.field).toMatch(/^body\.rules/);
    const notJson = await t.app.inject({
      method: 'PUT',
      url: URL,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"rules": [',
    });
    expect(notJson.statusCode).toBe(400);
    expect(await t.store.db.selectFrom('field_policies').select('id').execute()).toEqual([]);
  });

  it('publishes new versions, keeps old ones unchanged, and audits each with a diff', async () => {
    const v2Rules = [
      { partnerType: 'ib', stage: 'intake', fields: ['email', 'country', 'custom.licence_no'] },
      {
        partnerType: 'ib',
        stage: 'due_diligence',
        partnerKind: 'company',
        fields: ['document.incorporation'],
      },
    ];
    const res = await t.app.inject({
      method: 'PUT',
      url: URL,
      headers: admin,
      payload: { rules: v2Rules, note: 'Lean policy for the pilot' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: 2, note: 'Lean policy for the pilot', stored: true });
    expect(res.json().rules).toEqual(v2Rules.map((r) => ({ partnerKind: null, ...r })));

    // The default that was in force is stored as version 1 first, so the history has no gap.
    const v1 = await t.app.inject({ method: 'GET', url: `${URL}/versions/1`, headers: admin });
    expect(v1.statusCode).toBe(200);
    expect(v1.json()).toMatchObject({ version: 1, stored: true });
    expect(v1.json().rules).toEqual(withKinds(defaultRules()));

    const current = await t.app.inject({ method: 'GET', url: URL, headers: await t.keyFor('read_only') });
    expect(current.json()).toMatchObject({ version: 2, note: 'Lean policy for the pilot', stored: true });

    const audits = await auditOf(t, 'policy.published');
    expect(audits).toHaveLength(2);
    const [seed, publish] = audits;
    expect(seed?.data.after).toMatchObject({ version: 1 });
    expect(publish?.entity_type).toBe('field_policy');
    expect(publish?.data.before).toEqual({ version: 1 });
    expect(publish?.data.after).toEqual({ version: 2, note: 'Lean policy for the pilot', ruleCount: 2 });
    expect(publish?.data.meta.version).toBe(2);
    const changes = publish?.data.meta.changes as {
      partnerType: string;
      stage: string;
      partnerKind: string | null;
      added: string[];
      removed: string[];
    }[];
    expect(
      changes.find((c) => c.partnerType === 'ib' && c.stage === 'intake' && c.partnerKind === null),
    ).toEqual({
      partnerType: 'ib',
      stage: 'intake',
      partnerKind: null,
      added: ['custom.licence_no'],
      removed: ['ownerId', 'contact.primary'],
    });
    expect(changes.find((c) => c.partnerType === 'affiliate' && c.stage === 'intake')?.removed).toEqual([
      'email',
      'country',
      'ownerId',
      'contact.primary',
    ]);

    // A third version; version 2 stays exactly as published.
    const v3 = await t.app.inject({
      method: 'PUT',
      url: URL,
      headers: admin,
      payload: { rules: [{ partnerType: 'affiliate', stage: 'intake', fields: ['email'] }], baseVersion: 2 },
    });
    expect(v3.statusCode).toBe(200);
    expect(v3.json()).toMatchObject({ version: 3, note: null });
    const v2Again = await t.app.inject({ method: 'GET', url: `${URL}/versions/2`, headers: admin });
    expect(v2Again.json().rules).toEqual(res.json().rules);
    expect(v2Again.json().note).toBe('Lean policy for the pilot');

    expect((await verifyAuditChain(t.store.db)).ok).toBe(true);
  });

  it('answers 409 when the edit started from an older version', async () => {
    const head = (await t.app.inject({ method: 'GET', url: URL, headers: admin })).json().version as number;
    const res = await t.app.inject({
      method: 'PUT',
      url: URL,
      headers: admin,
      payload: { rules: [], baseVersion: head - 1 },
    });
    expect(res.statusCode).toBe(409);
    expect(problemOf(res).code).toBe('conflict');
    expect((await t.app.inject({ method: 'GET', url: URL, headers: admin })).json().version).toBe(head);
  });

  it('lists versions newest first, in pages', async () => {
    const all = await t.app.inject({ method: 'GET', url: `${URL}/versions`, headers: admin });
    expect(all.statusCode).toBe(200);
    expect(all.json().data.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(all.json().nextCursor).toBeNull();
    expect(all.json().data[1]).toMatchObject({
      version: 2,
      ruleCount: 2,
      note: 'Lean policy for the pilot',
      stored: true,
    });

    const p1 = await t.app.inject({ method: 'GET', url: `${URL}/versions?limit=2`, headers: admin });
    expect(p1.json().data.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    const p2 = await t.app.inject({
      method: 'GET',
      url: `${URL}/versions?limit=2&cursor=${p1.json().nextCursor}`,
      headers: admin,
    });
    expect(p2.json()).toMatchObject({ data: [{ version: 1 }], nextCursor: null });

    const badCursor = await t.app.inject({
      method: 'GET',
      url: `${URL}/versions?cursor=abc`,
      headers: admin,
    });
    expect(badCursor.statusCode).toBe(422);
    expect(problemOf(badCursor).errors?.[0]?.field).toBe('query.cursor');
    const badLimit = await t.app.inject({ method: 'GET', url: `${URL}/versions?limit=0`, headers: admin });
    expect(badLimit.statusCode).toBe(422);
    expect(problemOf(badLimit).errors?.[0]?.field).toBe('query.limit');
  });

  it('answers 404 for a version that does not exist and 422 for one that is not a number', async () => {
    const missing = await t.app.inject({ method: 'GET', url: `${URL}/versions/99`, headers: admin });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'GET', url: `${URL}/versions/first`, headers: admin });
    expect(bad.statusCode).toBe(422);
    expect(problemOf(bad).errors?.[0]?.field).toBe('path.version');
  });
});

describe('ensureDefaultPolicy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('stores the default as version 1 once, audited, and does nothing afterwards', async () => {
    // Several instances starting at once: exactly one of them seeds.
    const first = await Promise.all([
      ensureDefaultPolicy(t.store),
      ensureDefaultPolicy(t.store),
      ensureDefaultPolicy(t.store),
    ]);
    expect(first.filter((r) => r.created)).toHaveLength(1);
    expect(first.map((r) => r.version)).toEqual([1, 1, 1]);
    expect(await ensureDefaultPolicy(t.store)).toEqual({ created: false, version: 1 });
    const rows = await t.store.db.selectFrom('field_policies').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.created_by).toBe('system');
    expect(await auditOf(t, 'policy.published')).toHaveLength(1);
    const res = await t.app.inject({ method: 'GET', url: URL, headers: await t.keyFor('admin') });
    expect(res.json()).toMatchObject({ version: 1, stored: true });
    expect(res.json().rules).toEqual(withKinds(defaultRules()));
  });
});
