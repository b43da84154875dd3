// The partner view carries the mandatory-field counts, in lists and on one partner, and they follow the data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';

describe('missing mandatory fields on the partner view', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
  });
  afterAll(async () => t.close());

  it('counts what is missing now and for the next stage, and shrinks as fields arrive', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/partners', headers: ops, payload: { displayName: 'Gap Partner', kind: 'individual', type: 'affiliate' } });
    expect(created.statusCode).toBe(201);
    const p = created.json();
    // Intake asks for email, country, owner and a primary contact; the next stage adds more.
    expect(p.missingFields.now).toBe(4);
    expect(p.missingFields.next).toBeGreaterThan(4);

    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/partners/${p.id}`, headers: ops, payload: { email: 'gap@example.test', country: 'CY' } });
    expect(patched.json().missingFields.now).toBe(2);
    await t.app.inject({ method: 'POST', url: `/api/v1/partners/${p.id}/contacts`, headers: ops, payload: { name: 'Gap Owner', role: 'primary', isPrimary: true } });

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/partners?q=gap%20partner', headers: ops });
    const row = list.json().data.find((x: { id: string }) => x.id === p.id);
    expect(row.missingFields.now).toBe(1); // the owner is still missing

    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/partners/${p.id}/mandatory-fields`, headers: ops });
    expect(detail.json().stage.missing.map((f: { field: string }) => f.field)).toEqual(['ownerId']);
  });
});

describe('partner owners list', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('lets a BDM (without users.read) pick an owner, and shows only active owner roles', async () => {
    const bdm = await t.userSession('bdm');
    await t.userSession('compliance');
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/partner-owners', headers: bdm.headers });
    expect(res.statusCode).toBe(200);
    const owners = res.json().data as { id: string; role: string }[];
    expect(owners.map((o) => o.id)).toContain(bdm.id);
    expect(owners.every((o) => ['bdm', 'team_lead', 'leadership', 'admin'].includes(o.role))).toBe(true);
  });
});
