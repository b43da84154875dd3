import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, setClockForTests, todayUtc } from '../../platform/time.ts';
import { ensureDefaultAuthority, termsFacts } from './index.ts';

type Session = Awaited<ReturnType<TestApp['userSession']>>;

const qualification = { minFtdMinor: 10_000, minLots: 100, withinDays: 30 };
const cpaPlan = (amountMinor: number, extra: Record<string, unknown> = {}) => ({
  model: 'cpa',
  cpa: { amountMinor, qualification },
  ...extra,
});

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

describe('commercial terms', () => {
  let t: TestApp;
  let ownerBdm: Session;
  let otherBdm: Session;
  let teamLead: Session;
  let leader: Session;
  let ops: Session;
  const today = todayUtc();

  async function insertPartner(ownerId: string | null, name = 'Alpha Partners'): Promise<string> {
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
        stage: 'intake',
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

  async function auditActions(entityId: string): Promise<string[]> {
    const rows = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'seq'])
      .where('entity_id', '=', entityId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => r.action);
  }

  const post = (url: string, who: Session | Record<string, string>, payload?: unknown) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: 'headers' in who ? (who.headers as Record<string, string>) : who,
      payload: payload as object,
    });
  const get = (url: string, who: Session | Record<string, string>) =>
    t.app.inject({
      method: 'GET',
      url,
      headers: 'headers' in who ? (who.headers as Record<string, string>) : who,
    });

  async function propose(
    partnerId: string,
    who: Session,
    body: Record<string, unknown>,
  ): Promise<LightMyRequestResponse> {
    return post(`/api/v1/partners/${partnerId}/terms`, who, {
      currency: 'USD',
      effectiveFrom: today,
      ...body,
    });
  }
  async function proposeOk(
    partnerId: string,
    who: Session,
    body: Record<string, unknown>,
  ): Promise<{ id: string; version: number }> {
    const res = await propose(partnerId, who, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  async function decide(
    partnerId: string,
    termsId: string,
    who: Session | Record<string, string>,
    action = 'approve',
    payload: unknown = {},
  ) {
    return post(`/api/v1/partners/${partnerId}/terms/${termsId}/${action}`, who, payload);
  }
  async function approveAndAccept(partnerId: string, termsId: string): Promise<void> {
    expect((await decide(partnerId, termsId, leader)).statusCode).toBe(200);
    const acc = await decide(partnerId, termsId, ops, 'accept', { note: 'Signed PDF received by e-mail' });
    expect(acc.statusCode, acc.body).toBe(200);
  }

  beforeAll(async () => {
    t = await createTestApp();
    expect(await ensureDefaultAuthority(t.store)).toBe(true);
    ownerBdm = await t.userSession('bdm');
    otherBdm = await t.userSession('bdm');
    teamLead = await t.userSession('team_lead');
    leader = await t.userSession('leadership');
    ops = await t.userSession('ops');
  });
  afterAll(async () => t.close());

  it('proposes as the owner BDM, refuses the proposer, and lets another BDM approve within BDM authority', async () => {
    const partnerId = await insertPartner(ownerBdm.id);
    const res = await propose(partnerId, ownerBdm, {
      plan: cpaPlan(25_000, { subIbOverride: { shareBps: 500 } }),
      note: 'Standard affiliate deal',
    });
    expect(res.statusCode, res.body).toBe(201);
    const v1 = res.json();
    expect(v1).toMatchObject({
      partnerId,
      version: 1,
      status: 'pending_approval',
      requiredRole: 'bdm',
      model: 'cpa',
      currency: 'USD',
      effectiveFrom: today,
      summary: 'CPA 250.00 USD (FTD ≥ 100.00 USD, 1.00 lot in 30 days) + 5% sub-IB override',
      proposedBy: { id: ownerBdm.id },
      decidedBy: null,
      acceptedAt: null,
      diffFromPrevious: { previousVersion: null, changes: [] },
    });
    expect(v1.proposedBy.name).toMatch(/Test bdm/);

    const own = await decide(partnerId, v1.id, ownerBdm);
    expect(own.statusCode).toBe(403);
    expect(problemOf(own).detail).toMatch(/Four eyes/);
    const ownReject = await decide(partnerId, v1.id, ownerBdm, 'reject', { reason: 'changed my mind' });
    expect(ownReject.statusCode).toBe(403);

    const ok = await decide(partnerId, v1.id, otherBdm, 'approve', { reason: 'Within standard grid' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      status: 'approved',
      decidedBy: { id: otherBdm.id },
      decisionReason: 'Within standard grid',
    });
    expect(ok.json().decidedAt).toBeTruthy();

    const again = await decide(partnerId, v1.id, teamLead);
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).code).toBe('conflict');

    expect(await auditActions(v1.id)).toEqual(['terms.proposed', 'terms.approved']);
    const proposed = await t.store.db
      .selectFrom('audit_log')
      .select(['partner_id', 'actor_id'])
      .where('entity_id', '=', v1.id)
      .where('action', '=', 'terms.proposed')
      .executeTakeFirstOrThrow();
    expect(proposed).toEqual({ partner_id: partnerId, actor_id: ownerBdm.id });
  });

  it('has no edit path for a version: changes are new versions with a diff', async () => {
    const partnerId = await insertPartner(ownerBdm.id);
    const v1 = await proposeOk(partnerId, ownerBdm, { plan: cpaPlan(20_000) });
    expect((await decide(partnerId, v1.id, otherBdm)).statusCode).toBe(200);
    for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
      const res = await t.app.inject({
        method,
        url: `/api/v1/partners/${partnerId}/terms/${v1.id}`,
        headers: ownerBdm.headers,
        payload: { plan: cpaPlan(99_999) },
      });
      expect(res.statusCode).toBe(404);
    }
    const stored = await get(`/api/v1/partners/${partnerId}/terms/${v1.id}`, ownerBdm);
    expect(stored.json().plan.cpa.amountMinor).toBe(20_000);
    expect(stored.json().status).toBe('approved');

    const v2 = await proposeOk(partnerId, ownerBdm, {
      plan: cpaPlan(22_000, { holdingDays: 14 }),
      effectiveFrom: addDays(today, 7),
    });
    expect(v2.version).toBe(2);
    const view = (await get(`/api/v1/partners/${partnerId}/terms/${v2.id}`, ownerBdm)).json();
    expect(view.diffFromPrevious).toEqual({
      previousVersion: 1,
      changes: [
        { path: 'cpa.amountMinor', before: 20_000, after: 22_000 },
        { path: 'holdingDays', before: null, after: 14 },
      ],
    });

    const list = await get(`/api/v1/partners/${partnerId}/terms?limit=1`, ownerBdm);
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((v: { version: number }) => v.version)).toEqual([2]);
    expect(list.json().data[0].diffFromPrevious.previousVersion).toBe(1);
    const page2 = await get(
      `/api/v1/partners/${partnerId}/terms?limit=1&cursor=${list.json().nextCursor}`,
      ownerBdm,
    );
    expect(page2.json().data.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(page2.json().nextCursor).toBeNull();
    const badCursor = await get(`/api/v1/partners/${partnerId}/terms?cursor=nonsense`, ownerBdm);
    expect(badCursor.statusCode).toBe(422);
    expect(problemOf(badCursor).errors?.[0]?.field).toBe('query.cursor');
  });

  it('asks for a Team Lead above BDM authority and Leadership above that', async () => {
    const partnerId = await insertPartner(ownerBdm.id);
    const mid = await proposeOk(partnerId, ownerBdm, { plan: cpaPlan(45_000) });
    expect(mid).toMatchObject({ requiredRole: 'team_lead' });
    const byBdm = await decide(partnerId, mid.id, otherBdm);
    expect(byBdm.statusCode).toBe(403);
    const problem = problemOf(byBdm);
    expect(problem.detail).toMatch(/team_lead/);
    expect((problem as unknown as { requiredRole: string }).requiredRole).toBe('team_lead');
    expect((await decide(partnerId, mid.id, teamLead)).json()).toMatchObject({
      status: 'approved',
      decidedBy: { id: teamLead.id },
    });

    const big = await proposeOk(partnerId, ownerBdm, {
      plan: {
        model: 'hybrid',
        cpa: { amountMinor: 20_000, qualification },
        rebates: [
          { group: 'fx_majors', amountPerLotMinor: 500 },
          { group: 'metals', amountPerLotMinor: 1_600 },
        ],
      },
    });
    expect(big).toMatchObject({ requiredRole: 'leadership' });
    const byLead = await decide(partnerId, big.id, teamLead);
    expect(byLead.statusCode).toBe(403);
    expect(problemOf(byLead).detail).toMatch(/leadership/);
    expect((await decide(partnerId, big.id, leader)).json()).toMatchObject({
      status: 'approved',
      decidedBy: { id: leader.id },
    });

    // A currency without rows in the matrix can only be approved by Leadership.
    const gbp = await proposeOk(partnerId, ownerBdm, { plan: cpaPlan(100), currency: 'GBP' });
    expect(gbp).toMatchObject({ requiredRole: 'leadership' });

    // An API key cannot stand in for a person on the approval.
    const key = await t.keyFor('admin');
    const byKey = await decide(partnerId, gbp.id, key);
    expect(byKey.statusCode).toBe(403);
    expect(problemOf(byKey).detail).toMatch(/API key/);
    // Roles without terms.approve are stopped at the door.
    expect((await decide(partnerId, gbp.id, ops)).statusCode).toBe(403);
  });

  it('needs a reason to reject, and decides only pending versions', async () => {
    const partnerId = await insertPartner(ownerBdm.id);
    const v = await proposeOk(partnerId, ownerBdm, { plan: cpaPlan(10_000) });
    const noReason = await decide(partnerId, v.id, otherBdm, 'reject', {});
    expect(noReason.statusCode).toBe(422);
    expect(problemOf(noReason).errors?.map((e) => e.field)).toEqual(['body.reason']);
    const blank = await decide(partnerId, v.id, otherBdm, 'reject', { reason: '   ' });
    expect(blank.statusCode).toBe(422);
    expect(problemOf(blank).errors?.map((e) => e.field)).toEqual(['body.reason']);

    const rejected = await decide(partnerId, v.id, otherBdm, 'reject', {
      reason: 'CPA too high for this GEO',
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({
      status: 'rejected',
      decisionReason: 'CPA too high for this GEO',
    });
    expect((await decide(partnerId, v.id, leader)).statusCode).toBe(409);
    expect((await decide(partnerId, v.id, ownerBdm, 'accept', { note: 'x' })).statusCode).toBe(409);
    expect(await auditActions(v.id)).toEqual(['terms.proposed', 'terms.rejected']);
  });

  it('refuses bad proposals with the field named and writes nothing', async () => {
    const partnerId = await insertPartner(ownerBdm.id);
    const expectInvalid = async (body: Record<string, unknown>, fields: string[]) => {
      const res = await propose(partnerId, ownerBdm, body);
      expect(res.statusCode, res.body).toBe(422);
      expect(problemOf(res).errors?.map((e) => e.field)).toEqual(fields);
    };
    await expectInvalid({ plan: cpaPlan(10_000), effectiveFrom: addDays(today, -1) }, ['body.effectiveFrom']);
    await expectInvalid({ plan: cpaPlan(10_000), effectiveFrom: '2031-02-30' }, ['body.effectiveFrom']);
    await expectInvalid({ plan: cpaPlan(10_000), effectiveFrom: '1 March' }, ['body.effectiveFrom']);
    await expectInvalid({ plan: cpaPlan(10_000), currency: 'XXX' }, ['body.currency']);
    await expectInvalid(
      {
        plan: {
          model: 'rebate',
          rebates: [
            { group: 'fx_majors', amountPerLotMinor: 500 },
            { group: 'metals', amountPerLotMinor: 700 },
            { group: 'crypto', amountPerLotMinor: -1 },
          ],
        },
      },
      ['body.plan.rebates.2.amountPerLotMinor'],
    );
    await expectInvalid(
      { plan: { model: 'revshare', revshare: { shareBps: 20_000, basis: 'net_revenue' } } },
      ['body.plan.revshare.shareBps'],
    );
    await expectInvalid({ plan: { model: 'cpa', cpa: { qualification } } }, ['body.plan.cpa.amountMinor']);
    const past = await propose(partnerId, ownerBdm, {
      plan: cpaPlan(10_000),
      effectiveFrom: addDays(today, -1),
    });
    expect(problemOf(past).errors?.[0]?.message).toMatch(/retroactive/);

    const count = await t.store.db
      .selectFrom('terms_versions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('partner_id', '=', partnerId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    expect(await auditActions(partnerId)).toEqual([]);

    // Only the owner (or someone who may change any partner) proposes; unknown partners are not found.
    expect((await propose(partnerId, otherBdm, { plan: cpaPlan(10_000) })).statusCode).toBe(403);
    expect((await propose(newId('partner'), ownerBdm, { plan: cpaPlan(10_000) })).statusCode).toBe(404);
    expect((await propose(partnerId, leader, { plan: cpaPlan(10_000) })).statusCode).toBe(403);
  });

  it('answers the terms in force on a date: approved, accepted, effective, newest version', async () => {
    const partnerId = await insertPartner(ownerBdm.id);
    const current = (at?: string) =>
      get(`/api/v1/partners/${partnerId}/terms/current${at ? `?at=${at}` : ''}`, ownerBdm);

    const none = await current();
    expect(none.statusCode).toBe(404);
    expect(problemOf(none).detail).toMatch(/no terms in force on/);

    const v1 = await proposeOk(partnerId, ownerBdm, { plan: cpaPlan(10_000) });
    expect((await current()).statusCode).toBe(404); // pending is never in force
    await approveAndAccept(partnerId, v1.id);
    const v2 = await proposeOk(partnerId, ownerBdm, {
      plan: cpaPlan(12_000),
      effectiveFrom: addDays(today, 10),
    });
    await approveAndAccept(partnerId, v2.id);
    const v3 = await proposeOk(partnerId, ownerBdm, {
      plan: cpaPlan(13_000),
      effectiveFrom: addDays(today, 10),
    });
    await approveAndAccept(partnerId, v3.id);
    const v4 = await proposeOk(partnerId, ownerBdm, {
      plan: cpaPlan(14_000),
      effectiveFrom: addDays(today, 5),
    });
    expect((await decide(partnerId, v4.id, leader)).statusCode).toBe(200); // approved, never accepted

    const versionAt = async (at?: string) => {
      const res = await current(at);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().version;
    };
    expect(await versionAt()).toBe(1);
    expect(await versionAt(today)).toBe(1);
    expect(await versionAt(addDays(today, 5))).toBe(1); // v4 is not accepted
    expect(await versionAt(addDays(today, 9))).toBe(1); // v2/v3 not yet effective
    expect(await versionAt(addDays(today, 10))).toBe(3); // same date: highest version
    expect(await versionAt(addDays(today, 400))).toBe(3);
    const before = await current(addDays(today, -1));
    expect(before.statusCode).toBe(404);
    expect(problemOf(before).detail).toContain(addDays(today, -1));

    // A newer version with an earlier effective date replaces the older ones from its date on.
    const v5 = await proposeOk(partnerId, ownerBdm, {
      plan: cpaPlan(9_000),
      effectiveFrom: addDays(today, 3),
    });
    await approveAndAccept(partnerId, v5.id);
    expect(await versionAt(addDays(today, 2))).toBe(1);
    expect(await versionAt(addDays(today, 3))).toBe(5);
    expect(await versionAt(addDays(today, 30))).toBe(5);

    const bad = await current('2031-13-01');
    expect(bad.statusCode).toBe(422);
    expect(problemOf(bad).errors?.[0]?.field).toBe('query.at');

    const facts = await termsFacts(t.store.db, partnerId);
    expect(facts).toMatchObject({
      hasTermsInForce: true,
      inForce: { version: 1 },
      pendingApproval: 0,
      awaitingAcceptance: 1,
    });
    const emptyFacts = await termsFacts(t.store.db, await insertPartner(ownerBdm.id));
    expect(emptyFacts).toEqual({
      hasTermsInForce: false,
      inForce: null,
      pendingApproval: 0,
      awaitingAcceptance: 0,
    });
  });

  it('lets a partner user accept its own approved terms and nobody else’s', async () => {
    const p1 = await insertPartner(ownerBdm.id, 'Own Partner');
    const p2 = await insertPartner(ownerBdm.id, 'Other Partner');
    const portal = await t.userSession('partner', { partnerId: p1 });
    const v1 = await proposeOk(p1, ownerBdm, { plan: cpaPlan(10_000) });
    const other = await proposeOk(p2, ownerBdm, { plan: cpaPlan(10_000) });

    const early = await decide(p1, v1.id, portal, 'accept', {});
    expect(early.statusCode).toBe(409); // not approved yet
    expect((await decide(p1, v1.id, otherBdm)).statusCode).toBe(200);
    expect((await decide(p2, other.id, otherBdm)).statusCode).toBe(200);

    const withTime = await decide(p1, v1.id, portal, 'accept', { acceptedAt: '2020-01-01T00:00:00Z' });
    expect(withTime.statusCode).toBe(422);
    expect(problemOf(withTime).errors?.[0]?.field).toBe('body.acceptedAt');

    const ok = await decide(p1, v1.id, portal, 'accept', { note: 'Read and agreed' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      acceptedBy: { id: portal.id },
      acceptedVia: 'partner',
      acceptanceNote: 'Read and agreed',
    });
    expect(ok.json().acceptedAt).toBeTruthy();
    expect((await decide(p1, v1.id, portal, 'accept', {})).statusCode).toBe(409);
    expect(await auditActions(v1.id)).toEqual(['terms.proposed', 'terms.approved', 'terms.accepted']);

    // Another partner's terms do not exist for this user.
    const foreign = await decide(p2, other.id, portal, 'accept', {});
    expect(foreign.statusCode).toBe(404);
    expect((await get(`/api/v1/partners/${p2}/terms`, portal)).statusCode).toBe(404);
    expect((await get(`/api/v1/partners/${p2}/terms/${other.id}`, portal)).statusCode).toBe(404);
    const mine = await get(`/api/v1/partners/${p1}/terms/current`, portal);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().id).toBe(v1.id);
    // Partner users cannot propose or approve.
    expect((await propose(p1, portal, { plan: cpaPlan(1) })).statusCode).toBe(403);

    // Staff record an acceptance on the partner's behalf, with a note saying how it arrived.
    const noNote = await decide(p2, other.id, ops, 'accept', {});
    expect(noNote.statusCode).toBe(422);
    expect(problemOf(noNote).errors?.[0]?.field).toBe('body.note');
    const future = await decide(p2, other.id, ops, 'accept', {
      note: 'PDF',
      acceptedAt: '2999-01-01T00:00:00Z',
    });
    expect(future.statusCode).toBe(422);
    const beforeApproval = await decide(p2, other.id, ops, 'accept', {
      note: 'PDF',
      acceptedAt: '2001-01-01T00:00:00Z',
    });
    expect(problemOf(beforeApproval).errors?.[0]?.field).toBe('body.acceptedAt');
    const onBehalf = await decide(p2, other.id, ops, 'accept', { note: 'Signed PDF received' });
    expect(onBehalf.statusCode, onBehalf.body).toBe(200);
    expect(onBehalf.json()).toMatchObject({
      acceptedBy: { id: ops.id },
      acceptedVia: 'on_behalf',
      acceptanceNote: 'Signed PDF received',
    });
    expect(await auditActions(other.id)).toEqual(['terms.proposed', 'terms.approved', 'terms.accepted']);
  });

  it('lets the proposer (or someone who may change any partner) withdraw a pending version', async () => {
    const partnerId = await insertPartner(ownerBdm.id);
    const v1 = await proposeOk(partnerId, ownerBdm, { plan: cpaPlan(10_000) });
    expect((await decide(partnerId, v1.id, otherBdm, 'withdraw')).statusCode).toBe(403);
    const w = await decide(partnerId, v1.id, ownerBdm, 'withdraw', { reason: 'Wrong currency' });
    expect(w.statusCode, w.body).toBe(200);
    expect(w.json()).toMatchObject({ status: 'withdrawn', decisionReason: 'Wrong currency' });
    expect((await decide(partnerId, v1.id, ownerBdm, 'withdraw')).statusCode).toBe(409);
    expect((await decide(partnerId, v1.id, otherBdm)).statusCode).toBe(409);
    expect(await auditActions(v1.id)).toEqual(['terms.proposed', 'terms.withdrawn']);

    const v2 = await proposeOk(partnerId, ownerBdm, { plan: cpaPlan(10_000) });
    expect(v2.version).toBe(2);
    expect((await decide(partnerId, v2.id, ops, 'withdraw')).statusCode).toBe(200);
  });

  it('never approves a version whose effective date has passed', async () => {
    const partnerId = await insertPartner(null);
    // An API key proposes (a pinned clock would expire cookie sessions): "yesterday" was today then.
    const admin = await t.keyFor('admin');
    setClockForTests(() => Date.now() - 86_400_000);
    let v: { id: string };
    try {
      const res = await post(`/api/v1/partners/${partnerId}/terms`, admin, {
        plan: cpaPlan(10_000),
        currency: 'USD',
        effectiveFrom: addDays(today, -1),
      });
      expect(res.statusCode, res.body).toBe(201);
      v = res.json();
    } finally {
      setClockForTests(null);
    }
    const late = await decide(partnerId, v.id, leader);
    expect(late.statusCode).toBe(409);
    expect(problemOf(late).detail).toMatch(/retroactive/);
    // It can still be rejected, and a new version proposed with a current date.
    expect((await decide(partnerId, v.id, leader, 'reject', { reason: 'Date passed' })).statusCode).toBe(200);
  });
});
