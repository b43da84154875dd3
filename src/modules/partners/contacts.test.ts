import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';

describe('partner contacts', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  let partnerId: string;

  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: ops,
      payload: { displayName: 'Contact Co' },
    });
    partnerId = res.json().id;
  });
  afterAll(async () => t.close());

  const url = (suffix = '') => `/api/v1/partners/${partnerId}/contacts${suffix}`;
  const add = (payload: Record<string, unknown>, headers = ops) =>
    t.app.inject({ method: 'POST', url: url(), headers, payload });

  it('keeps at most one primary contact, auditing the switch', async () => {
    const first = await add({
      name: 'Ann Primary',
      email: 'ann@example.com',
      role: 'primary',
      isPrimary: true,
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ name: 'Ann Primary', isPrimary: true, partnerId });
    const second = await add({ name: 'Bob Billing', role: 'billing', isPrimary: true });
    expect(second.statusCode).toBe(201);

    const list = await t.app.inject({ method: 'GET', url: url(), headers: ops });
    const primaries = list.json().data.filter((c: { isPrimary: boolean }) => c.isPrimary);
    expect(primaries.map((c: { name: string }) => c.name)).toEqual(['Bob Billing']);

    const back = await t.app.inject({
      method: 'PATCH',
      url: url(`/${first.json().id}`),
      headers: ops,
      payload: { isPrimary: true },
    });
    expect(back.statusCode, back.body).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: url(), headers: ops });
    expect(
      after
        .json()
        .data.filter((c: { isPrimary: boolean }) => c.isPrimary)
        .map((c: { id: string }) => c.id),
    ).toEqual([first.json().id]);

    const audit = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id', 'data'])
      .where('partner_id', '=', partnerId)
      .where('entity_type', '=', 'contact')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'contact.created',
      'contact.updated', // Ann demoted when Bob became primary
      'contact.created',
      'contact.updated', // Bob demoted
      'contact.updated', // Ann promoted
    ]);
    expect(audit[1]?.entity_id).toBe(first.json().id);
    expect(JSON.parse(audit[1]?.data as string).after).toEqual({ isPrimary: false });
  });

  it('validates fields, deletes, and answers 404 for a contact of another partner', async () => {
    const bad = await add({ name: '', email: 'nope', role: 'boss' });
    expect(bad.statusCode).toBe(422);
    expect(
      problemOf(bad)
        .errors?.map((e) => e.field)
        .sort(),
    ).toEqual(['body.email', 'body.name', 'body.role']);

    const c = (await add({ name: 'Temp Contact' })).json();
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: ops,
      payload: { displayName: 'Other Co' },
    });
    const wrongParent = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/partners/${other.json().id}/contacts/${c.id}`,
      headers: ops,
    });
    expect(wrongParent.statusCode).toBe(404);
    const del = await t.app.inject({ method: 'DELETE', url: url(`/${c.id}`), headers: ops });
    expect(del.statusCode).toBe(204);
    const again = await t.app.inject({ method: 'DELETE', url: url(`/${c.id}`), headers: ops });
    expect(again.statusCode).toBe(404);
  });

  it('needs contacts.write and the right to change the partner', async () => {
    const bdm = await t.userSession('bdm');
    const notOwner = await add({ name: 'Sneaky' }, bdm.headers);
    expect(notOwner.statusCode).toBe(403);
    const support = await t.keyFor('support');
    expect((await add({ name: 'Support' }, support)).statusCode).toBe(403);
    const own = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: bdm.headers,
      payload: { displayName: 'BDM Co' },
    });
    const mine = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${own.json().id}/contacts`,
      headers: bdm.headers,
      payload: { name: 'Own Contact' },
    });
    expect(mine.statusCode).toBe(201);
    const partnerKey = await t.keyFor('partner', own.json().id);
    const stranger = await t.app.inject({ method: 'GET', url: url(), headers: partnerKey });
    expect(stranger.statusCode).toBe(404);
  });
});
