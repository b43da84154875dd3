import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { verifyAuditChain } from '../../platform/audit/verify.ts';
import { ROLES } from '../../platform/auth/permissions.ts';
import { prepareWorkspace } from '../workspace.ts';
import { ALL_DEMO_STAGES, demoJourneys, demoPartners, prng } from './demo-data.ts';
import { DEMO_PASSWORD, demoSummary, seedDemo } from './index.ts';
import { demoIban } from './journey.ts';

const DAY = 86_400_000;

describe('demo data', () => {
  it('spreads 240 partners over every type and stage, with IB hierarchies three levels deep', () => {
    const specs = demoPartners(240, 3);
    expect(new Set(specs.map((s) => s.type))).toEqual(
      new Set(['ib', 'affiliate', 'white_label', 'network', 'influencer']),
    );
    expect(new Set(specs.map((s) => s.stage)).size).toBe(9);
    const depth = (i: number): number => {
      const p = specs[i]?.parentIndex;
      return p === null || p === undefined ? 1 : 1 + depth(p);
    };
    expect(Math.max(...specs.map((s) => depth(s.index)))).toBeGreaterThanOrEqual(3);
    for (const s of specs) if (s.parentIndex !== null) expect(specs[s.parentIndex]?.type).toBe('ib');
    expect(demoPartners(240, 3)).toEqual(specs); // deterministic
  });

  it('covers every stage and every story even in a small workspace', () => {
    for (const n of [20, 60, 240]) {
      const specs = demoPartners(n, 3);
      expect(new Set(specs.map((s) => s.stage))).toEqual(new Set(ALL_DEMO_STAGES));
      const journeys = demoJourneys(specs);
      expect(journeys.some((j) => j.stalled)).toBe(true);
      expect(journeys.some((j) => j.dd === 'request_open')).toBe(true);
      expect(journeys.some((j) => j.blockingRisk)).toBe(true);
      if (n >= 60) expect(journeys.some((j) => j.pendingTerms)).toBe(true);
      for (const j of journeys) {
        const spec = specs[j.index];
        expect(j.visits.at(-1)?.stage).toBe(spec?.stage);
        expect(j.visits[0]?.stage).toBe('intake');
        // Visits go forward in time (days ago shrink) and a sub-IB starts after its parent.
        for (let i = 1; i < j.visits.length; i++)
          expect(j.visits[i]?.enteredDaysAgo).toBeLessThan(j.visits[i - 1]?.enteredDaysAgo as number);
        if (spec?.parentIndex != null) {
          expect(j.visits[0]?.enteredDaysAgo).toBeLessThan(
            journeys[spec.parentIndex]?.visits[0]?.enteredDaysAgo as number,
          );
        }
      }
    }
  });

  it('makes IBANs that pass the ISO 13616 check', () => {
    const r = prng(1);
    for (const country of ['CY', 'GB', 'DE', 'PL', 'AE', 'TR', 'EG']) {
      const iban = demoIban(country, r);
      const moved = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (c) =>
        String(c.charCodeAt(0) - 55),
      );
      let rem = 0;
      for (const ch of moved) rem = (rem * 10 + Number(ch)) % 97;
      expect(rem).toBe(1);
    }
  });
});

describe('seed --demo (60 partners)', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  const messages: string[] = [];
  beforeAll(async () => {
    t = await createTestApp();
    await prepareWorkspace(t.store, t.config);
    await seedDemo(t.store, t.config, { partners: 60, onProgress: (m) => messages.push(m) });
    admin = await t.keyFor('admin');
  }, 300_000);
  afterAll(async () => t.close());

  it('creates a user of every role who can sign in with the demo password', async () => {
    const users = await t.store.db.selectFrom('users').select(['email', 'role']).execute();
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(ROLES));
    for (const role of ['bdm', 'compliance', 'admin'] as const) {
      const user = users.find((u) => u.role === role && u.email.endsWith('@demo.partnerdesk.local'));
      const session = await t.sessionFor(user?.email as string, DEMO_PASSWORD);
      const list = await t.app.inject({
        method: 'GET',
        url: '/api/v1/partners?limit=5',
        headers: session.headers,
      });
      expect(list.statusCode).toBe(200);
      expect(list.json().data.length).toBe(5);
    }
  });

  it('gives every active partner an active tracking link, created by Ops', async () => {
    const active = await t.store.db
      .selectFrom('partners')
      .select(['id', 'type'])
      .where('stage', '=', 'active')
      .execute();
    expect(active.length).toBeGreaterThan(0);
    const links = await t.store.db.selectFrom('links').select(['partner_id', 'status']).execute();
    for (const p of active) {
      const own = links.filter((l) => l.partner_id === p.id);
      expect(own.length, p.id).toBe(p.type === 'ib' ? 1 : 2);
      expect(own.every((l) => l.status === 'active')).toBe(true);
    }
    expect(new Set(links.map((l) => l.partner_id))).toEqual(new Set(active.map((p) => p.id)));
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/links?status=active&limit=200',
      headers: admin,
    });
    expect(listed.json().data.length).toBe(links.length);
    expect(messages.some((m) => /Created \d+ tracking links for the \d+ active partners/.test(m))).toBe(true);
  });

  it('prints progress every 20 partners and a summary', () => {
    expect(messages.filter((m) => /partners \d+\/60/.test(m)).length).toBe(3);
    expect(messages.some((m) => m.startsWith('Partners by stage:'))).toBe(true);
    expect(messages.some((m) => /Tasks: \d+ open, \d+ overdue/.test(m))).toBe(true);
  });

  it('has partners in every stage, overdue tasks, a stalled partner and a waiting documentation request', async () => {
    const s = await demoSummary(t.store);
    for (const stage of ALL_DEMO_STAGES) expect(s.stages[stage] ?? 0, stage).toBeGreaterThan(0);
    expect(s.overdueTasks).toBeGreaterThan(0);
    expect(s.ddCases.approved).toBeGreaterThan(0);
    expect(s.ddCases.more_requested).toBeGreaterThan(0);
    expect(s.ddCases.rejected).toBeGreaterThan(0);
    expect(s.openDocRequests).toBeGreaterThan(0);

    const overdue = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tasks?overdue=true&limit=5',
      headers: admin,
    });
    expect(overdue.json().data.length).toBeGreaterThan(0);
    const stalled = await t.app.inject({
      method: 'GET',
      url: '/api/v1/onboarding/stalled?days=14',
      headers: admin,
    });
    expect(stalled.statusCode).toBe(200);
    expect(stalled.json().data.length).toBeGreaterThan(0);
    for (const card of stalled.json().data) expect(card.daysInStage).toBeGreaterThanOrEqual(14);
  });

  it('walked every partner from intake through the real transitions, with history in the past', async () => {
    const partners = await t.store.db.selectFrom('partners').select(['id', 'stage', 'created_at']).execute();
    const history = await t.store.db
      .selectFrom('stage_history')
      .selectAll()
      .orderBy('entered_at')
      .orderBy('id')
      .execute();
    const now = Date.now();
    for (const p of partners) {
      const mine = history.filter((h) => h.partner_id === p.id);
      expect(mine[0]?.stage).toBe('intake');
      expect(mine.every((h) => h.backfilled === 0)).toBe(true);
      expect(mine.at(-1)?.stage).toBe(p.stage);
      expect(mine.at(-1)?.exited_at).toBeNull();
      expect(Date.parse(p.created_at)).toBeLessThan(now - 3_600_000);
      expect(Date.parse(p.created_at)).toBeGreaterThan(now - 120 * DAY);
    }
    // Active partners went through every gate; the handover was acknowledged by Support.
    const active = partners.filter((p) => p.stage === 'active');
    for (const p of active) {
      expect(history.filter((h) => h.partner_id === p.id).map((h) => h.stage)).toEqual([
        'intake',
        'due_diligence',
        'tracking_setup',
        'activation_readiness',
        'handover',
        'active',
      ]);
    }
    const handovers = await t.store.db
      .selectFrom('handovers')
      .innerJoin('users', 'users.id', 'handovers.acknowledged_by')
      .select(['users.role'])
      .where('handovers.acknowledged_at', 'is not', null)
      .execute();
    expect(handovers.length).toBeGreaterThanOrEqual(active.length);
    expect(new Set(handovers.map((h) => h.role))).toEqual(new Set(['support']));
  });

  it('rejects with a reason, suspends and offboards through the onboarding moves', async () => {
    const rejected = await t.store.db
      .selectFrom('stage_history')
      .select(['reason', 'entered_by'])
      .where('stage', '=', 'rejected')
      .execute();
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) expect(r.reason?.length).toBeGreaterThan(10);
    const terminated = await t.app.inject({
      method: 'GET',
      url: '/api/v1/onboarding/terminated?everActive=true',
      headers: admin,
    });
    expect(terminated.statusCode).toBe(200);
    expect(terminated.json().data.length).toBeGreaterThan(0);
    for (const p of terminated.json().data) {
      expect(p.wasActive).toBe(true);
      expect(p.reason).toBeTruthy();
    }
  });

  it('holds a partner in activation readiness on a blocking risk flag, and terms wait for approval', async () => {
    const flagged = await t.store.db
      .selectFrom('risk_flags')
      .innerJoin('partners', 'partners.id', 'risk_flags.partner_id')
      .select(['partners.id'])
      .where('risk_flags.status', '=', 'open')
      .where('risk_flags.blocking', '=', 1)
      .where('partners.stage', '=', 'activation_readiness')
      .execute();
    expect(flagged.length).toBeGreaterThan(0);
    const gate = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${flagged[0]?.id}/onboarding`,
      headers: admin,
    });
    expect(gate.json().gate.blockers.map((b: { key: string }) => b.key)).toContain('no_blocking_risk');
    const pending = await t.store.db
      .selectFrom('terms_versions')
      .select(['required_role'])
      .where('status', '=', 'pending_approval')
      .execute();
    expect(pending.length).toBeGreaterThan(0);
    // Leadership may decide any version, so its approvals inbox holds every one of them.
    const leadership = await t.sessionFor('leadership@demo.partnerdesk.local', DEMO_PASSWORD);
    const inbox = await t.app.inject({
      method: 'GET',
      url: '/api/v1/approvals',
      headers: leadership.headers,
    });
    expect(inbox.statusCode).toBe(200);
    expect(inbox.json().counts.terms).toBe(pending.length);
  });

  it('keeps IB hierarchies three levels deep, documents, contacts and custom fields', async () => {
    const rows = await t.store.db
      .selectFrom('partners')
      .select(['id', 'parent_id', 'custom_fields'])
      .execute();
    const parent = new Map(rows.map((r) => [r.id, r.parent_id]));
    const depth = (id: string): number => {
      const p = parent.get(id);
      return p ? 1 + depth(p) : 1;
    };
    expect(Math.max(...rows.map((r) => depth(r.id)))).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => 'regulated_entity' in JSON.parse(r.custom_fields))).toBe(true);
    const count = async (table: 'documents' | 'contacts' | 'payout_details' | 'gate_ticks') =>
      Number(
        (
          await t.store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count('contacts')).toBeGreaterThan(60);
    expect(await count('documents')).toBeGreaterThan(200);
    expect(await count('payout_details')).toBeGreaterThan(10);
    expect(await count('gate_ticks')).toBeGreaterThan(60);
  });

  it('leaves an intact audit chain whose times follow its order', async () => {
    const chain = await verifyAuditChain(t.store.db);
    expect(chain.ok).toBe(true);
    expect(chain.checked).toBeGreaterThan(1000);
    // The workspace itself was prepared "now"; the demo's story, from its first user on, runs in time order.
    const rows = await t.store.db
      .selectFrom('audit_log')
      .select(['seq', 'at', 'action'])
      .orderBy('seq')
      .execute();
    const first = rows.findIndex((r) => Date.parse(r.at) < Date.now() - 30 * DAY);
    expect(first).toBeGreaterThan(0);
    for (let i = first + 1; i < rows.length; i++)
      expect((rows[i]?.at as string) >= (rows[i - 1]?.at as string)).toBe(true);
  });

  it('refuses to load into a workspace that already has partners', async () => {
    await expect(seedDemo(t.store, t.config, { partners: 10 })).rejects.toThrow(/already has partners/);
  });
});
