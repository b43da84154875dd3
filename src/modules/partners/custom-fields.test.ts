import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';

describe('custom fields', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let ops: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.keyFor('admin');
    ops = await t.keyFor('ops');
  });
  afterAll(async () => t.close());

  const define = (payload: Record<string, unknown>, headers = admin) =>
    t.app.inject({ method: 'POST', url: '/api/v1/custom-fields', headers, payload });

  it('defines fields with checked keys, types and options', async () => {
    expect((await define({ key: 'broker_account', label: 'Broker account', type: 'text' })).statusCode).toBe(
      201,
    );
    expect((await define({ key: 'monthly_ftds', label: 'Monthly FTDs', type: 'number' })).statusCode).toBe(
      201,
    );
    expect((await define({ key: 'signed_on', label: 'Signed on', type: 'date' })).statusCode).toBe(201);
    expect((await define({ key: 'exclusive', label: 'Exclusive', type: 'boolean' })).statusCode).toBe(201);
    const select = await define({
      key: 'ib_segment',
      label: 'IB segment',
      type: 'select',
      options: ['retail', 'pro'],
      partnerTypes: ['ib'],
    });
    expect(select.statusCode, select.body).toBe(201);
    expect(select.json()).toMatchObject({
      key: 'ib_segment',
      options: ['retail', 'pro'],
      partnerTypes: ['ib'],
      archivedAt: null,
    });

    const badKey = await define({ key: 'Bad Key', label: 'x', type: 'text' });
    expect(problemOf(badKey).errors?.[0]?.field).toBe('body.key');
    const noOptions = await define({ key: 'empty_select', label: 'x', type: 'select' });
    expect(problemOf(noOptions).errors?.[0]?.field).toBe('body.options');
    const dup = await define({ key: 'exclusive', label: 'again', type: 'boolean' });
    expect(dup.statusCode).toBe(409);
    expect((await define({ key: 'by_ops', label: 'x', type: 'text' }, ops)).statusCode).toBe(403);

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/custom-fields', headers: ops });
    expect(list.json().data.map((d: { key: string }) => d.key)).toEqual([
      'broker_account',
      'exclusive',
      'ib_segment',
      'monthly_ftds',
      'signed_on',
    ]);
    const relabel = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/custom-fields/${select.json().id}`,
      headers: admin,
      payload: { label: 'Segment', options: ['retail', 'pro', 'institutional'] },
    });
    expect(relabel.statusCode, relabel.body).toBe(200);
    const retype = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/custom-fields/${select.json().id}`,
      headers: admin,
      payload: { type: 'text' },
    });
    expect(problemOf(retype).errors?.[0]?.field).toBe('body.type');
  });

  it('checks partner values against the definitions', async () => {
    const create = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/partners', headers: ops, payload });
    const bad = await create({
      displayName: 'Custom Co',
      type: 'affiliate',
      customFields: {
        unknown_key: 'x',
        monthly_ftds: 'ten',
        signed_on: '2026-02-30',
        exclusive: 'yes',
        ib_segment: 'retail',
      },
    });
    expect(bad.statusCode).toBe(422);
    const errs = Object.fromEntries((problemOf(bad).errors ?? []).map((e) => [e.field, e.message]));
    expect(Object.keys(errs).sort()).toEqual([
      'body.customFields.exclusive',
      'body.customFields.ib_segment',
      'body.customFields.monthly_ftds',
      'body.customFields.signed_on',
      'body.customFields.unknown_key',
    ]);
    expect(errs['body.customFields.ib_segment']).toContain('applies only to partners of type ib');

    const wrongOption = await create({
      displayName: 'IB Co',
      type: 'ib',
      customFields: { ib_segment: 'whale' },
    });
    expect(problemOf(wrongOption).errors?.[0]).toMatchObject({
      field: 'body.customFields.ib_segment',
      message: expect.stringContaining('one of'),
    });

    const ok = await create({
      displayName: 'IB Co',
      type: 'ib',
      customFields: {
        ib_segment: 'institutional',
        monthly_ftds: 12,
        signed_on: '2026-02-28',
        exclusive: true,
      },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json().id;

    // Patch merges; null removes; changing the type must leave no value that no longer applies.
    const merged = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/partners/${id}`,
      headers: ops,
      payload: { customFields: { monthly_ftds: null, broker_account: 'MT5-1' } },
    });
    expect(merged.json().customFields).toEqual({
      ib_segment: 'institutional',
      signed_on: '2026-02-28',
      exclusive: true,
      broker_account: 'MT5-1',
    });
    const retype = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/partners/${id}`,
      headers: ops,
      payload: { type: 'affiliate' },
    });
    expect(problemOf(retype).errors?.[0]?.field).toBe('body.customFields.ib_segment');
    const retypeOk = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/partners/${id}`,
      headers: ops,
      payload: { type: 'affiliate', customFields: { ib_segment: null } },
    });
    expect(retypeOk.statusCode, retypeOk.body).toBe(200);

    // An archived field takes no new values.
    const defs = await t.app.inject({ method: 'GET', url: '/api/v1/custom-fields', headers: ops });
    const exclusive = defs.json().data.find((d: { key: string }) => d.key === 'exclusive');
    const archived = await t.app.inject({
      method: 'POST',
      url: `/api/v1/custom-fields/${exclusive.id}/archive`,
      headers: admin,
    });
    expect(archived.statusCode).toBe(200);
    const late = await create({ displayName: 'Late Co', customFields: { exclusive: false } });
    expect(problemOf(late).errors?.[0]?.field).toBe('body.customFields.exclusive');
  });
});
