import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, todayUtc } from '../../platform/time.ts';
import { defaultAuthorityRows, ensureDefaultAuthority } from './index.ts';

describe('approval authority matrix', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const matrixAudits = () =>
    t.store.db
      .selectFrom('audit_log')
      .select(['action', 'data', 'actor_id'])
      .where('entity_id', '=', 'matrix')
      .orderBy('seq')
      .execute();

  it('seeds the defaults once, audited', async () => {
    expect(await ensureDefaultAuthority(t.store)).toBe(true);
    expect(await ensureDefaultAuthority(t.store)).toBe(false);
    const audits = await matrixAudits();
    expect(audits.map((a) => a.action)).toEqual(['authority.updated']);
    expect(JSON.parse(audits[0]?.data ?? '{}').after.rows).toHaveLength(20);

    const bdm = await t.keyFor('bdm');
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/approval-authority', headers: bdm });
    expect(res.statusCode).toBe(200);
    expect(res.json().ladder).toEqual(['bdm', 'team_lead', 'leadership']);
    expect(res.json().rows).toHaveLength(defaultAuthorityRows().length);
    expect(res.json().rows).toContainEqual({
      role: 'bdm',
      currency: 'USD',
      metric: 'cpa_amount',
      maxValue: 30_000,
    });
    expect(res.json().rows).toContainEqual({
      role: 'team_lead',
      currency: 'EUR',
      metric: 'subib_override_bps',
      maxValue: 1000,
    });
  });

  it('is replaced only with policy.manage, as a whole, consistently, and audited', async () => {
    const bdm = await t.keyFor('bdm');
    const admin = await t.userSession('admin');
    const rows = [
      { role: 'bdm', currency: 'GBP', metric: 'cpa_amount', maxValue: 20_000 },
      { role: 'team_lead', currency: 'GBP', metric: 'cpa_amount', maxValue: 50_000 },
    ];
    const denied = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/approval-authority',
      headers: bdm,
      payload: { rows },
    });
    expect(denied.statusCode).toBe(403);

    const inconsistent = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/approval-authority',
      headers: admin.headers,
      payload: { rows: [rows[0], { ...rows[1], maxValue: 10_000 }] },
    });
    expect(inconsistent.statusCode).toBe(422);
    expect(problemOf(inconsistent).errors?.map((e) => e.field)).toEqual(['body.rows.0.maxValue']);
    const badMetric = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/approval-authority',
      headers: admin.headers,
      payload: { rows: [{ ...rows[0], metric: 'cpa' }] },
    });
    expect(badMetric.statusCode).toBe(422);
    expect(problemOf(badMetric).errors?.[0]?.field).toBe('body.rows.0.metric');
    const leadershipRow = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/approval-authority',
      headers: admin.headers,
      payload: { rows: [{ ...rows[0], role: 'leadership' }] },
    });
    expect(problemOf(leadershipRow).errors?.[0]?.field).toBe('body.rows.0.role');

    const ok = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/approval-authority',
      headers: admin.headers,
      payload: { rows, reason: 'UK desk opens; USD/EUR limits move to Leadership for now' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().rows).toEqual(rows);

    const audits = await matrixAudits();
    expect(audits.map((a) => a.action)).toEqual(['authority.updated', 'authority.updated']);
    const last = JSON.parse(audits[1]?.data ?? '{}');
    expect(last.before.rows).toHaveLength(20);
    expect(last.after.rows).toEqual(rows);
    expect(last.reason).toMatch(/UK desk/);
    expect(audits[1]?.actor_id).toBe(admin.id);

    // The new matrix decides the required role of new proposals; the old defaults do not come back.
    const owner = await t.userSession('bdm');
    const partnerId = newId('partner');
    const now = nowIso();
    await t.store.db
      .insertInto('partners')
      .values({
        id: partnerId,
        display_name: 'UK Partner',
        legal_name: null,
        kind: 'individual',
        type: 'ib',
        stage: 'intake',
        parent_id: null,
        country: 'GB',
        languages: '[]',
        websites: '[]',
        traffic_sources: '[]',
        email: null,
        phone: null,
        owner_id: owner.id,
        tier: null,
        referral_code: `R${partnerId.slice(-10)}`,
        tags: '[]',
        custom_fields: '{}',
        search_text: 'uk partner',
        archived_at: null,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    const propose = (currency: string, amountMinor: number) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/partners/${partnerId}/terms`,
        headers: owner.headers,
        payload: {
          plan: {
            model: 'cpa',
            cpa: { amountMinor, qualification: { minFtdMinor: 0, minLots: 0, withinDays: 1 } },
          },
          currency,
          effectiveFrom: todayUtc(),
        },
      });
    expect((await propose('GBP', 15_000)).json().requiredRole).toBe('bdm');
    expect((await propose('GBP', 40_000)).json().requiredRole).toBe('team_lead');
    expect((await propose('USD', 100)).json().requiredRole).toBe('leadership');
    expect(await ensureDefaultAuthority(t.store)).toBe(false);
  });
});
