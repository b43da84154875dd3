import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { ensureDefaultTemplates } from './index.ts';
import { prepareWorkspace } from '../workspace.ts';

type Session = Awaited<ReturnType<TestApp['userSession']>>;
type Headers = Record<string, string>;

const DAY = 86_400_000;

/** A short template (manual items, one stage with tasks) so a partner can be walked from intake to active. */
const WALK_TEMPLATE = {
  note: 'test walk',
  stages: {
    intake: {
      items: [
        { key: 'call', label: 'Qualification call held', kind: 'manual', role: 'bdm', blocking: true },
        { key: 'fyi', label: 'Optional note', kind: 'manual', role: 'compliance', blocking: false },
      ],
      tasks: [],
    },
    due_diligence: {
      items: [
        {
          key: 'kyc',
          label: 'KYC reviewed',
          kind: 'manual',
          role: 'compliance',
          blocking: true,
          evidence: 'required',
        },
        { key: 'tasks', label: 'Tasks done', kind: 'system', check: 'stage_tasks_done', blocking: true },
      ],
      tasks: [
        { key: 'kyc_review', team: 'compliance', title: 'Run the KYC review', slaBusinessHours: 16 },
        { key: 'web_review', team: 'compliance', title: 'Review the website' },
      ],
    },
    tracking_setup: {
      items: [
        { key: 'links', label: 'Links configured', kind: 'manual', role: 'ops', blocking: true },
        {
          key: 'qa',
          label: 'Tracking QA',
          kind: 'system',
          check: 'tracking_qa_passed',
          blocking: false,
          params: { withinDays: 14 },
        },
      ],
      tasks: [],
    },
    activation_readiness: {
      items: [
        { key: 'money', label: 'Payout schedule set', kind: 'manual', role: 'finance', blocking: true },
      ],
      tasks: [],
    },
    handover: {
      items: [
        {
          key: 'escalation',
          label: 'Escalation contacts agreed',
          kind: 'manual',
          role: 'support',
          blocking: true,
        },
        {
          key: 'ack',
          label: 'Handover acknowledged',
          kind: 'system',
          check: 'handover_acknowledged',
          blocking: true,
        },
      ],
      tasks: [{ key: 'briefing', team: 'support', title: 'Handover briefing' }],
    },
  },
};

describe('onboarding API', () => {
  let t: TestApp;
  let owner: Session;
  let otherBdm: Session;
  let admin: Headers;
  let ops: Headers;
  let compliance: Headers;
  let finance: Headers;
  let support: Headers;

  async function insertPartner(
    opts: { type?: string; ownerId?: string | null; stage?: string; createdAt?: string; name?: string } = {},
  ) {
    const id = newId('partner');
    const now = opts.createdAt ?? nowIso();
    const name = opts.name ?? `Partner ${id.slice(-6)}`;
    await t.store.db
      .insertInto('partners')
      .values({
        id,
        display_name: name,
        legal_name: null,
        kind: 'company',
        type: opts.type ?? 'network',
        stage: opts.stage ?? 'intake',
        parent_id: null,
        country: 'CY',
        languages: '[]',
        websites: '[]',
        traffic_sources: '[]',
        email: null,
        phone: null,
        owner_id: opts.ownerId === undefined ? owner.id : opts.ownerId,
        tier: null,
        referral_code: `R${id.slice(-12)}`,
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

  const post = (url: string, who: Headers | Session, payload?: unknown) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: 'headers' in who ? (who.headers as Headers) : (who as Headers),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const get = (url: string, who: Headers | Session) =>
    t.app.inject({
      method: 'GET',
      url,
      headers: 'headers' in who ? (who.headers as Headers) : (who as Headers),
    });
  const ok = (res: LightMyRequestResponse, status = 200) => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };
  const stageOf = async (id: string) =>
    await t.store.db
      .selectFrom('partners')
      .select(['stage', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const auditCount = async (partnerId: string) =>
    Number(
      (
        await t.store.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('partner_id', '=', partnerId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const tick = (id: string, key: string, who: Headers | Session, body: unknown = {}) =>
    post(`/api/v1/partners/${id}/onboarding/items/${key}/tick`, who, body);
  const advance = (id: string, who: Headers | Session = ops, body: unknown = {}) =>
    post(`/api/v1/partners/${id}/onboarding/advance`, who, body);

  async function completeTasks(partnerId: string, stage: string, who: Headers) {
    const rows = await t.store.db
      .selectFrom('tasks')
      .select(['id'])
      .where('partner_id', '=', partnerId)
      .where('stage', '=', stage)
      .where('status', 'in', ['open', 'in_progress'])
      .execute();
    for (const r of rows) ok(await post(`/api/v1/tasks/${r.id}/complete`, who, {}));
  }

  /** Walks a network partner (under WALK_TEMPLATE) from intake into `until`. */
  async function walk(id: string, until: string) {
    const order = ['intake', 'due_diligence', 'tracking_setup', 'activation_readiness', 'handover'];
    for (const stage of order) {
      if (stage === until) return;
      if (stage === 'intake') ok(await tick(id, 'call', owner));
      if (stage === 'due_diligence') {
        ok(await tick(id, 'kyc', compliance, { evidence: { url: 'https://screening.example/case/1' } }));
        await completeTasks(id, 'due_diligence', compliance);
      }
      if (stage === 'tracking_setup') ok(await tick(id, 'links', ops));
      if (stage === 'activation_readiness') ok(await tick(id, 'money', finance));
      ok(await advance(id));
    }
  }

  beforeAll(async () => {
    t = await createTestApp();
    await ensureDefaultTemplates(t.store);
    owner = await t.userSession('bdm');
    otherBdm = await t.userSession('bdm');
    admin = await t.keyFor('admin');
    ops = await t.keyFor('ops');
    compliance = await t.keyFor('compliance');
    finance = await t.keyFor('finance');
    support = await t.keyFor('support');
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/onboarding/templates/network',
      headers: ops,
      payload: WALK_TEMPLATE,
    });
    expect(res.statusCode, res.body).toBe(201);
  }, 60_000);
  afterAll(async () => t?.close());

  describe('templates', () => {
    it('lists the current template of every type; versions keep the old ones', async () => {
      const list = ok(await get('/api/v1/onboarding/templates', admin));
      expect(list.data.map((x: { partnerType: string }) => x.partnerType)).toEqual([
        'ib',
        'affiliate',
        'white_label',
        'network',
        'influencer',
      ]);
      expect(list.data.find((x: { partnerType: string }) => x.partnerType === 'network').version).toBe(2);
      const versions = ok(await get('/api/v1/onboarding/templates/network/versions', ops));
      expect(versions.data.map((v: { version: number }) => v.version)).toEqual([2, 1]);
      const v1 = ok(await get('/api/v1/onboarding/templates/network/versions/1', ops));
      expect(v1.stages.intake.items.some((i: { key: string }) => i.key === 'commercial_fit')).toBe(true);
      expect((await get('/api/v1/onboarding/templates/network/versions/9', ops)).statusCode).toBe(404);
      expect(problemOf(await get('/api/v1/onboarding/templates/bank/versions', ops)).errors?.[0]?.field).toBe(
        'path.type',
      );
    });

    it('refuses a bad template naming every field path, and stores nothing', async () => {
      const bad = JSON.parse(JSON.stringify(WALK_TEMPLATE));
      bad.stages.intake.items.push({
        key: 'call',
        label: 'Again',
        kind: 'manual',
        role: 'bdm',
        blocking: true,
      });
      bad.stages.due_diligence.items.push({
        key: 'who',
        label: 'Who',
        kind: 'manual',
        role: 'partner',
        blocking: true,
      });
      bad.stages.tracking_setup.items.push({
        key: 'docs',
        label: 'Docs',
        kind: 'system',
        check: 'documents_approved',
        blocking: true,
      });
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/onboarding/templates/affiliate',
        headers: admin,
        payload: bad,
      });
      expect(res.statusCode).toBe(422);
      const fields = problemOf(res).errors?.map((e) => e.field) ?? [];
      expect(fields).toEqual(expect.arrayContaining(['body.stages.due_diligence.items.2.role']));
      const fixedRole = JSON.parse(JSON.stringify(bad));
      fixedRole.stages.due_diligence.items[2].role = 'compliance';
      const res2 = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/onboarding/templates/affiliate',
        headers: admin,
        payload: fixedRole,
      });
      expect(res2.statusCode).toBe(422);
      expect(problemOf(res2).errors?.map((e) => e.field)).toEqual(
        expect.arrayContaining([
          'body.stages.intake.items.2.key',
          'body.stages.tracking_setup.items.2.params.types',
        ]),
      );
      const versions = ok(await get('/api/v1/onboarding/templates/affiliate/versions', admin));
      expect(versions.data).toHaveLength(1);
    });

    it('only admin and ops manage templates', async () => {
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/onboarding/templates/ib',
        headers: owner.headers,
        payload: WALK_TEMPLATE,
      });
      expect(res.statusCode).toBe(403);
    });
  });

  describe('reading and advancing', () => {
    it('shows a partner created before history: intake since creation, the gate and why each item is unmet', async () => {
      const created = new Date(Date.now() - 3 * DAY).toISOString();
      const id = await insertPartner({ type: 'ib', createdAt: created });
      const view = ok(await get(`/api/v1/partners/${id}/onboarding`, owner));
      expect(view.stage).toBe('intake');
      expect(view.enteredAt).toBe(created);
      expect(view.enteredAtExact).toBe(true);
      expect(view.daysInStage).toBe(3);
      expect(view.template.version).toBe(1);
      expect(view.next).toEqual({ stage: 'due_diligence', label: 'Due diligence' });
      const fields = view.gate.items.find((i: { key: string }) => i.key === 'mandatory_fields');
      expect(fields.state).toBe('unmet');
      expect(fields.reason).toMatch(/^Missing for this stage: Email, .*Primary contact/);
      expect(view.gate.canAdvance).toBe(false);
      expect(view.history).toHaveLength(1);
      expect(view.history[0].move).toBe('recorded');
    });

    it('a blocked advance answers 409 naming every unmet blocking item and changes nothing', async () => {
      const id = await insertPartner({ type: 'ib' });
      ok(await get(`/api/v1/partners/${id}/onboarding`, ops));
      const before = await stageOf(id);
      const audits = await auditCount(id);
      const res = await advance(id, owner);
      expect(res.statusCode).toBe(409);
      const p = problemOf(res) as ReturnType<typeof problemOf> & {
        unmetItems: { key: string; reason: string }[];
      };
      expect(p.errors?.map((e) => e.field).sort()).toEqual([
        'gate.duplicate_check',
        'gate.mandatory_fields',
        'gate.qualification_call',
      ]);
      expect(p.unmetItems.map((u) => u.key).sort()).toEqual([
        'duplicate_check',
        'mandatory_fields',
        'qualification_call',
      ]);
      expect(p.errors?.find((e) => e.field === 'gate.qualification_call')?.message).toBe(
        'Waiting for the BDM to tick this',
      );
      expect(await stageOf(id)).toEqual(before);
      expect(await auditCount(id)).toBe(audits);
    });

    it('ticks: wrong role 403, not-owner BDM 403, system item 409, unknown item 404, bad evidence 422; then advance succeeds', async () => {
      const id = await insertPartner();
      expect((await tick(id, 'call', finance)).statusCode).toBe(403);
      expect((await tick(id, 'call', otherBdm)).statusCode).toBe(403);
      expect((await tick(id, 'nope', owner)).statusCode).toBe(404);
      const badUrl = await tick(id, 'call', owner, { evidence: { url: 'ftp://x.example/a' } });
      expect(badUrl.statusCode).toBe(422);
      expect(problemOf(badUrl).errors?.[0]?.field).toBe('body.evidence.url');
      const other = await insertPartner();
      const docId = newId('document');
      await t.store.db
        .insertInto('documents')
        .values({
          id: docId,
          partner_id: other,
          type: 'other',
          file_name: 'x.pdf',
          content_type: 'application/pdf',
          size_bytes: 1,
          sha256: 'x',
          storage_key: 'x',
          expires_on: null,
          status: 'pending',
          review_reason: null,
          reviewed_by: null,
          reviewed_at: null,
          uploaded_by: 'system',
          created_at: nowIso(),
          archived_at: null,
          note: null,
          archived_by: null,
          archive_reason: null,
        })
        .execute();
      const badDoc = await tick(id, 'call', owner, { evidence: { documentId: docId } });
      expect(badDoc.statusCode).toBe(422);
      expect(problemOf(badDoc).errors?.[0]?.field).toBe('body.evidence.documentId');

      const ticked = ok(await tick(id, 'call', owner, { comment: 'Spoke for an hour' }));
      const item = ticked.gate.items.find((i: { key: string }) => i.key === 'call');
      expect(item).toMatchObject({ state: 'met', comment: 'Spoke for an hour', tickedBy: { id: owner.id } });
      expect(ticked.gate.canAdvance).toBe(true);
      expect((await tick(id, 'call', owner)).statusCode).toBe(409);

      const moved = ok(await advance(id, owner));
      expect(moved.stage).toBe('due_diligence');
      expect(moved.history.map((h: { stage: string }) => h.stage)).toEqual(['intake', 'due_diligence']);
      expect(moved.history[1]).toMatchObject({
        move: 'advanced',
        fromStage: 'intake',
        templateVersion: 2,
        enteredBy: { id: owner.id },
      });
      // entering a stage created its template tasks in the same transaction
      const tasks = await t.store.db.selectFrom('tasks').selectAll().where('partner_id', '=', id).execute();
      expect(tasks.map((x) => `${x.stage}:${x.key}:${x.status}`).sort()).toEqual([
        'due_diligence:kyc_review:open',
        'due_diligence:web_review:open',
      ]);
      expect(moved.tasks).toEqual({ total: 2, open: 2, overdue: 0 });
      const tasksItem = moved.gate.items.find((i: { key: string }) => i.key === 'tasks');
      expect(tasksItem).toMatchObject({ state: 'unmet', reason: '2 of 2 tasks of this stage still open' });
      // a system item cannot be ticked
      expect((await tick(id, 'tasks', admin)).statusCode).toBe(409);
      // evidence is required for kyc
      const noEvidence = await tick(id, 'kyc', compliance, { comment: 'done' });
      expect(noEvidence.statusCode).toBe(422);
      expect(problemOf(noEvidence).errors?.[0]?.field).toBe('body.evidence');
      const audit = await t.store.db
        .selectFrom('audit_log')
        .select(['action'])
        .where('partner_id', '=', id)
        .orderBy('seq')
        .execute();
      expect(audit.map((a) => a.action)).toEqual([
        'onboarding.item_ticked',
        'onboarding.advanced',
        'task.created',
        'task.created',
      ]);
    });

    it('untick needs a reason and a live tick', async () => {
      const id = await insertPartner();
      ok(await tick(id, 'call', owner));
      const noReason = await post(`/api/v1/partners/${id}/onboarding/items/call/untick`, owner, {});
      expect(noReason.statusCode).toBe(422);
      expect(problemOf(noReason).errors?.[0]?.field).toBe('body.reason');
      const un = ok(
        await post(`/api/v1/partners/${id}/onboarding/items/call/untick`, owner, {
          reason: 'Call was with the wrong person',
        }),
      );
      expect(un.gate.items.find((i: { key: string }) => i.key === 'call').state).toBe('unmet');
      expect(
        (await post(`/api/v1/partners/${id}/onboarding/items/call/untick`, owner, { reason: 'again' }))
          .statusCode,
      ).toBe(409);
      // admin may tick any role's item
      ok(await tick(id, 'call', admin));
    });

    it('two concurrent advances: exactly one succeeds, the other gets 409', async () => {
      for (let round = 0; round < 3; round++) {
        const id = await insertPartner();
        ok(await tick(id, 'call', owner));
        const [a, b] = await Promise.all([advance(id, ops), advance(id, admin)]);
        const codes = [a.statusCode, b.statusCode].sort();
        expect(codes, `${a.body} ${b.body}`).toEqual([200, 409]);
        const s = await stageOf(id);
        expect(s).toEqual({ stage: 'due_diligence', version: 2 });
        const open = await t.store.db
          .selectFrom('stage_history')
          .select('stage')
          .where('partner_id', '=', id)
          .where('exited_at', 'is', null)
          .execute();
        expect(open).toEqual([{ stage: 'due_diligence' }]);
        const tasks = await t.store.db
          .selectFrom('tasks')
          .select('id')
          .where('partner_id', '=', id)
          .execute();
        expect(tasks).toHaveLength(2);
      }
    });

    it('expectedStage guards a stale advance', async () => {
      const id = await insertPartner();
      ok(await tick(id, 'call', owner));
      const res = await advance(id, ops, { expectedStage: 'due_diligence' });
      expect(res.statusCode).toBe(409);
      expect(problemOf(res).detail).toMatch(/is in Intake, not Due diligence/);
      ok(await advance(id, ops, { expectedStage: 'intake' }));
    });
  });

  describe('moves back and to side states', () => {
    it('back with a reason cancels the open tasks of the stage left; a bad target is 409, no reason 422', async () => {
      const id = await insertPartner();
      await walk(id, 'due_diligence');
      const noReason = await post(`/api/v1/partners/${id}/onboarding/back`, ops, { toStage: 'intake' });
      expect(noReason.statusCode).toBe(422);
      expect(problemOf(noReason).errors?.[0]?.field).toBe('body.reason');
      const forward = await post(`/api/v1/partners/${id}/onboarding/back`, ops, {
        toStage: 'handover',
        reason: 'x',
      });
      expect(forward.statusCode).toBe(409);
      expect(problemOf(forward).detail).toMatch(
        /is in Due diligence; moving back to Handover is not allowed.*Allowed: advance to Tracking setup; back to Intake; reject; offboard/,
      );
      const back = ok(
        await post(`/api/v1/partners/${id}/onboarding/back`, owner, {
          toStage: 'intake',
          reason: 'Wrong legal entity',
        }),
      );
      expect(back.stage).toBe('intake');
      expect(back.history.at(-1)).toMatchObject({
        move: 'moved_back',
        reason: 'Wrong legal entity',
        fromStage: 'due_diligence',
      });
      const tasks = await t.store.db
        .selectFrom('tasks')
        .select(['status'])
        .where('partner_id', '=', id)
        .execute();
      expect(tasks.map((x) => x.status)).toEqual(['cancelled', 'cancelled']);
      // the intake gate is a new visit: the earlier tick does not carry over
      expect(back.gate.items.find((i: { key: string }) => i.key === 'call').state).toBe('unmet');
      // a BDM who does not own the partner cannot move it
      expect(
        (await post(`/api/v1/partners/${id}/onboarding/back`, otherBdm, { toStage: 'intake', reason: 'x' }))
          .statusCode,
      ).toBe(403);
    });

    it('reject, then only offboarding is allowed; offboarded partners are listed as terminated', async () => {
      const id = await insertPartner({ name: 'Rejected Ltd' });
      expect(
        (await post(`/api/v1/partners/${id}/onboarding/reject`, owner, { reason: 'x' })).statusCode,
      ).toBe(403);
      expect((await post(`/api/v1/partners/${id}/onboarding/reject`, compliance, {})).statusCode).toBe(422);
      const rejected = ok(
        await post(`/api/v1/partners/${id}/onboarding/reject`, compliance, { reason: 'Sanctions hit' }),
      );
      expect(rejected.stage).toBe('rejected');
      expect(rejected.allowedMoves).toEqual([{ move: 'offboard', to: 'offboarded' }]);
      const adv = await advance(id);
      expect(adv.statusCode).toBe(409);
      expect(problemOf(adv).detail).toMatch(
        /is in Rejected; advancing is not allowed from there\. Allowed: offboard\./,
      );
      expect((problemOf(adv) as { currentStage?: string }).currentStage).toBe('rejected');
      expect((await post(`/api/v1/partners/${id}/onboarding/suspend`, ops, { reason: 'x' })).statusCode).toBe(
        409,
      );
      ok(await post(`/api/v1/partners/${id}/onboarding/offboard`, ops, { reason: 'Closed after rejection' }));
      const again = await post(`/api/v1/partners/${id}/onboarding/offboard`, ops, { reason: 'again' });
      expect(again.statusCode).toBe(409);
      expect(problemOf(again).detail).toMatch(/nothing \(this state is final\)/);
      const list = ok(await get('/api/v1/onboarding/terminated?everActive=false&limit=200', ops));
      const mine = list.data.find((x: { id: string }) => x.id === id);
      expect(mine).toMatchObject({
        displayName: 'Rejected Ltd',
        reason: 'Closed after rejection',
        wasActive: false,
        activeFrom: null,
      });
      expect(mine.offboardedAt).toEqual(expect.any(String));
    });

    it('walks to active with four roles through handover; suspend, resume and offboard an active partner', async () => {
      const id = await insertPartner({ name: 'Walker Network' });
      await walk(id, 'handover');
      const view = ok(await get(`/api/v1/partners/${id}/onboarding`, ops));
      expect(view.stage).toBe('handover');
      const handover = ok(await get(`/api/v1/partners/${id}/handover`, support));
      expect(handover.current).toBe(true);
      expect(handover.snapshot.tracking).toEqual({
        status: 'not_available',
        note: expect.stringMatching(/not available yet/),
      });
      expect(handover.snapshot.partner.displayName).toBe('Walker Network');
      expect(handover.acknowledgedAt).toBeNull();
      // partners do not see handover records
      const partnerKey = await t.keyFor('partner', id);
      expect((await get(`/api/v1/partners/${id}/handover`, partnerKey)).statusCode).toBe(404);

      // finance may not acknowledge; support may, but not while escalation contacts are missing
      expect((await post(`/api/v1/partners/${id}/handover/acknowledge`, finance, {})).statusCode).toBe(403);
      const early = await post(`/api/v1/partners/${id}/handover/acknowledge`, support, { note: 'Read it' });
      expect(early.statusCode).toBe(409);
      expect(
        problemOf(early)
          .errors?.map((e) => e.field)
          .sort(),
      ).toEqual(['gate.escalation']);
      expect(ok(await get(`/api/v1/partners/${id}/handover`, support)).acknowledgedAt).toBeNull();

      ok(await tick(id, 'escalation', support));
      // the briefing task is open; the handover template has no stage_tasks_done item, so it does not block
      const acked = ok(
        await post(`/api/v1/partners/${id}/handover/acknowledge`, support, { note: 'Briefed the desk' }),
      );
      expect(acked.onboarding.stage).toBe('active');
      expect(acked.handover.acknowledgedAt).toEqual(expect.any(String));
      expect(acked.onboarding.history.map((h: { stage: string }) => h.stage)).toEqual([
        'intake',
        'due_diligence',
        'tracking_setup',
        'activation_readiness',
        'handover',
        'active',
      ]);
      expect((await post(`/api/v1/partners/${id}/handover/acknowledge`, support, {})).statusCode).toBe(409);
      expect((await advance(id)).statusCode).toBe(409);

      ok(
        await post(`/api/v1/partners/${id}/onboarding/suspend`, compliance, {
          reason: 'Complaint under review',
        }),
      );
      expect(
        (await post(`/api/v1/partners/${id}/onboarding/back`, ops, { toStage: 'intake', reason: 'x' }))
          .statusCode,
      ).toBe(409);
      const resumed = ok(
        await post(`/api/v1/partners/${id}/onboarding/resume`, compliance, { reason: 'Complaint closed' }),
      );
      expect(resumed.stage).toBe('active');
      ok(await post(`/api/v1/partners/${id}/onboarding/offboard`, ops, { reason: 'Contract ended' }));
      const list = ok(await get('/api/v1/onboarding/terminated?everActive=true&limit=200', ops));
      expect(list.data.find((x: { id: string }) => x.id === id)).toMatchObject({
        wasActive: true,
        reason: 'Contract ended',
      });

      const actions = (
        await t.store.db
          .selectFrom('audit_log')
          .select('action')
          .where('partner_id', '=', id)
          .orderBy('seq')
          .execute()
      ).map((a) => a.action);
      for (const a of [
        'onboarding.item_ticked',
        'onboarding.advanced',
        'handover.created',
        'handover.acknowledged',
        'onboarding.suspended',
        'onboarding.resumed',
        'onboarding.offboarded',
      ]) {
        expect(actions).toContain(a);
      }
      // the partner's own view: no internal reasons, no staff names
      const own = ok(await get(`/api/v1/partners/${id}/onboarding`, partnerKey));
      expect(own.history.every((h: { reason: string | null }) => h.reason === null)).toBe(true);
    });

    it('a partner user sees only its own onboarding, and no staff views', async () => {
      const mine = await insertPartner();
      const theirs = await insertPartner();
      const key = await t.keyFor('partner', mine);
      ok(await get(`/api/v1/partners/${mine}/onboarding`, key));
      expect((await get(`/api/v1/partners/${theirs}/onboarding`, key)).statusCode).toBe(404);
      // staff views show a partner user nothing but itself
      const board = ok(await get('/api/v1/onboarding/pipeline', key));
      expect(
        board.columns.flatMap((c: { partners: { id: string }[] }) => c.partners.map((p) => p.id)),
      ).toEqual([mine]);
      const tl = ok(await get('/api/v1/onboarding/timelines', key));
      expect(tl.partners.map((p: { partnerId: string }) => p.partnerId)).toEqual([mine]);
      const stuck = ok(await get('/api/v1/onboarding/stalled?days=0', key)).data.map(
        (p: { id: string }) => p.id,
      );
      expect(stuck.filter((x: string) => x !== mine)).toEqual([]);
    });
  });

  describe('reports', () => {
    it('stalled: partners over N days in their stage, with owner and blocking count', async () => {
      const old = await insertPartner({
        createdAt: new Date(Date.now() - 20 * DAY).toISOString(),
        name: 'Old Stuck',
      });
      const fresh = await insertPartner({ name: 'Fresh' });
      const res = ok(await get('/api/v1/onboarding/stalled', ops));
      expect(res.days).toBe(14);
      const row = res.data.find((x: { id: string }) => x.id === old);
      expect(row).toMatchObject({
        stage: 'intake',
        daysInStage: 20,
        blockingCount: 1,
        owner: { id: owner.id },
      });
      expect(res.data.some((x: { id: string }) => x.id === fresh)).toBe(false);
      const stricter = ok(await get('/api/v1/onboarding/stalled?days=30', ops));
      expect(stricter.data.some((x: { id: string }) => x.id === old)).toBe(false);
      expect((await get('/api/v1/onboarding/stalled?days=-1', ops)).statusCode).toBe(422);
    });

    it('pipeline: columns per stage with cards; filters by owner, type and team', async () => {
      const other = await t.userSession('bdm');
      const id = await insertPartner({ ownerId: other.id, name: 'Pipe Card' });
      const res = ok(await get(`/api/v1/onboarding/pipeline?ownerId=${other.id}`, ops));
      expect(res.columns.map((c: { stage: string }) => c.stage)).toEqual([
        'intake',
        'due_diligence',
        'tracking_setup',
        'activation_readiness',
        'handover',
        'active',
        'rejected',
        'suspended',
        'offboarded',
      ]);
      const intake = res.columns[0];
      expect(intake.partners).toEqual([
        expect.objectContaining({
          id,
          displayName: 'Pipe Card',
          owner: { id: other.id, name: expect.any(String) },
          blockingCount: 1,
          openTasks: 0,
        }),
      ]);
      // the only blocker is the BDM's tick: no team owes anything, ops filter is empty for this owner
      const team = ok(await get(`/api/v1/onboarding/pipeline?ownerId=${other.id}&team=ops`, ops));
      expect(team.columns[0].partners).toEqual([]);
      const byType = ok(await get(`/api/v1/onboarding/pipeline?ownerId=${other.id}&type=ib`, ops));
      expect(byType.columns[0].partners).toEqual([]);
    });

    it('timelines are exact on a crafted history, and as of a past instant', async () => {
      const tl = await t.userSession('bdm');
      const id = await insertPartner({ ownerId: tl.id, stage: 'active', name: 'Timeline Ltd' });
      const t0 = Date.parse('2026-01-05T09:00:00.000Z');
      const at = (d: number) => new Date(t0 + d * DAY).toISOString();
      const stages: [string, number, number | null][] = [
        ['intake', 0, 2],
        ['due_diligence', 2, 5],
        ['tracking_setup', 5, 6],
        ['activation_readiness', 6, 10],
        ['handover', 10, 10.5],
        ['active', 10.5, null],
      ];
      for (const [stage, from, to] of stages) {
        await t.store.db
          .insertInto('stage_history')
          .values({
            id: newId('stageEntry'),
            partner_id: id,
            stage,
            from_stage: null,
            move: 'advanced',
            entered_at: at(from),
            exited_at: to === null ? null : at(to),
            entered_by: 'system',
            reason: null,
            template_id: null,
            template_version: null,
            backfilled: 0,
          })
          .execute();
      }
      const res = ok(
        await get(`/api/v1/onboarding/timelines?ownerId=${tl.id}&asOf=${encodeURIComponent(at(30))}`, ops),
      );
      expect(res.partners).toHaveLength(1);
      const p = res.partners[0];
      expect(p).toMatchObject({
        partnerId: id,
        currentStage: 'active',
        intakeAt: at(0),
        activatedAt: at(10.5),
        intakeToActiveMs: 10.5 * DAY,
        intakeToActiveDays: 10.5,
      });
      expect(p.stages.find((s: { stage: string }) => s.stage === 'due_diligence')).toMatchObject({
        durationMs: 3 * DAY,
        days: 3,
        visits: 1,
      });
      expect(p.stages.find((s: { stage: string }) => s.stage === 'active')).toMatchObject({
        durationMs: 19.5 * DAY,
        open: true,
      });
      expect(res.summary.intakeToActive).toEqual({ activations: 1, medianMs: 10.5 * DAY, medianDays: 10.5 });
      expect(res.summary.byOwner).toEqual([
        expect.objectContaining({ owner: { id: tl.id, name: expect.any(String) }, activations: 1 }),
      ]);

      const past = ok(await get(`/api/v1/onboarding/timelines?ownerId=${tl.id}&asOf=2026-01-10`, ops));
      expect(past.partners[0]).toMatchObject({
        currentStage: 'due_diligence',
        activatedAt: null,
        intakeToActiveMs: null,
      });
      expect(
        past.partners[0].stages.find((s: { stage: string }) => s.stage === 'due_diligence').durationMs,
      ).toBe(Date.parse('2026-01-10T00:00:00.000Z') - (t0 + 2 * DAY));
      const bad = await get('/api/v1/onboarding/timelines?asOf=yesterday', ops);
      expect(bad.statusCode).toBe(422);
      expect(problemOf(bad).errors?.[0]?.field).toBe('query.asOf');
    });
  });
});

describe('templates and the modules they rely on', () => {
  it('name the due-diligence review task with the key the due-diligence module pauses', async () => {
    const { DD_REVIEW_TASK_KEY } = await import('../due-diligence/index.ts');
    const { defaultTemplates } = await import('./index.ts');
    for (const template of defaultTemplates()) {
      const keys = (template.stages.due_diligence?.tasks ?? []).map((t) => t.key);
      expect(keys).toContain(DD_REVIEW_TASK_KEY);
    }
  });
});

describe('a new partner enters its first stage at creation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await prepareWorkspace(t.store, t.config);
  });
  afterAll(async () => t.close());

  it('has an exact intake visit and the intake tasks from the moment it is created', async () => {
    const ops = await t.keyFor('ops');
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/partners', headers: ops, payload: { displayName: 'Fresh Start Ltd', type: 'affiliate' } });
    const id = created.json().id as string;
    const tasks = await t.app.inject({ method: 'GET', url: `/api/v1/tasks?partnerId=${id}`, headers: ops });
    expect(tasks.json().data.map((x: { stage: string }) => x.stage)).toContain('intake');
    const view = await t.app.inject({ method: 'GET', url: `/api/v1/partners/${id}/onboarding`, headers: ops });
    expect(view.json().history).toHaveLength(1);
    expect(view.json().history[0]).toMatchObject({ stage: 'intake', move: 'created' });
  });
});
