import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  problemOf,
  systemCtx,
  TEST_PASSWORD,
  type TestApp,
} from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, setClockForTests } from '../../platform/time.ts';
import { writeTransaction } from '../../platform/tx.ts';
import {
  cancelStageTasks,
  createStageTasks,
  ensureDefaultSlaPolicies,
  pauseTaskSla,
  resumeTaskSla,
  type StageTaskTemplate,
  taskFacts,
} from './index.ts';

type Session = Awaited<ReturnType<TestApp['userSession']>>;
interface TaskJson {
  id: string;
  key: string;
  team: string;
  status: string;
  dueAt: string | null;
  slaBusinessHours: number | null;
  slaState: string;
  businessHoursLeft: number | null;
  assignee: { id: string; name: string } | null;
  partner: { id: string; displayName: string };
  pausedAt: string | null;
  version: number;
  reason?: string;
}

// Tuesday 10 June 2025, 10:00 in Nicosia (EEST, UTC+3). The default calendar is Mon–Fri 09:00–18:00 there.
const T0 = Date.parse('2025-06-10T07:00:00.000Z');
let clock = T0;
const at = (iso: string) => {
  clock = Date.parse(iso);
};

const TEMPLATES: StageTaskTemplate[] = [
  { key: 'dd_review', team: 'compliance', title: 'Review due diligence' },
  { key: 'website_review', team: 'compliance', title: 'Review the website' },
  { key: 'payout_verify', team: 'finance', title: 'Verify payout details' },
  { key: 'handover', team: 'support', title: 'Handover briefing', slaBusinessHours: 4 },
  { key: 'tracking_setup', team: 'ops', title: 'Set up tracking', description: 'Links and postbacks' },
];

describe('tasks', () => {
  let t: TestApp;
  let partnerA: string;
  let partnerB: string;
  let complianceUser: Session;
  let complianceOther: Session;
  let financeUser: Session;
  let teamLead: Session;
  const keys: Record<string, Record<string, string>> = {};
  const idsA: Record<string, string> = {};

  async function insertPartner(name: string): Promise<string> {
    const id = newId('partner');
    const now = nowIso();
    await t.store.db
      .insertInto('partners')
      .values({
        id,
        display_name: name,
        legal_name: null,
        kind: 'company',
        type: 'ib',
        stage: 'due_diligence',
        parent_id: null,
        country: 'CY',
        languages: '[]',
        websites: '[]',
        traffic_sources: '[]',
        email: null,
        phone: null,
        owner_id: null,
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

  const create = (partnerId: string, stage: string, tasks: StageTaskTemplate[], unaudited = false) =>
    writeTransaction(
      t.store,
      systemCtx,
      (w) => createStageTasks(w, { partnerId, stage, tasks }),
      unaudited ? { unauditedBecause: 'test: nothing new to create' } : {},
    );
  const get = async (id: string, headers = keys.admin as Record<string, string>) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/tasks/${id}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as TaskJson;
  };
  const post = (id: string, action: string, headers: Record<string, string>, payload: unknown = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${id}/${action}`,
      headers,
      payload: payload as object,
    });
  const list = async (query: string, headers = keys.admin as Record<string, string>) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/tasks?${query}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { data: TaskJson[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    setClockForTests(() => clock);
    t = await createTestApp();
    await ensureDefaultSlaPolicies(t.store);
    partnerA = await insertPartner('Alpha Markets');
    partnerB = await insertPartner('Beta Affiliates');
    for (const role of [
      'admin',
      'ops',
      'compliance',
      'finance',
      'support',
      'read_only',
      'leadership',
      'bdm',
    ] as const) {
      keys[role] = await t.keyFor(role);
    }
    keys.partner = await t.keyFor('partner', partnerA);
    complianceUser = await t.userSession('compliance');
    complianceOther = await t.userSession('compliance');
    financeUser = await t.userSession('finance');
    teamLead = await t.userSession('team_lead');
  }, 120_000);

  afterAll(async () => {
    setClockForTests(null);
    await t.close();
  });

  describe('createStageTasks', () => {
    it('creates one task per template, due after the SLA in business hours', async () => {
      at('2025-06-10T07:00:00.000Z');
      const ids = await create(partnerA, 'due_diligence', TEMPLATES);
      expect(ids).toHaveLength(5);
      for (const [i, tpl] of TEMPLATES.entries()) idsA[tpl.key] = ids[i] as string;
      expect(ids.every((id) => id.startsWith('tsk_'))).toBe(true);

      // compliance dd_review 16h: Tue 10–18 (8h) + Wed 09–17 (8h) → Wed 17:00 local.
      const dd = await get(idsA.dd_review as string);
      expect(dd).toMatchObject({
        status: 'open',
        team: 'compliance',
        slaBusinessHours: 16,
        dueAt: '2025-06-11T14:00:00.000Z',
      });
      expect(dd.partner).toEqual({ id: partnerA, displayName: 'Alpha Markets' });
      // compliance '*' 16h as well.
      expect((await get(idsA.website_review as string)).dueAt).toBe('2025-06-11T14:00:00.000Z');
      // finance payout_verify 8h → Tue 18:00 local.
      expect((await get(idsA.payout_verify as string)).dueAt).toBe('2025-06-10T15:00:00.000Z');
      // The template's 4h overrides the support policy → Tue 14:00 local.
      const ho = await get(idsA.handover as string);
      expect(ho).toMatchObject({
        slaBusinessHours: 4,
        dueAt: '2025-06-10T11:00:00.000Z',
        slaState: 'on_track',
        businessHoursLeft: 4,
      });
      // ops '*' 8h.
      expect((await get(idsA.tracking_setup as string)).dueAt).toBe('2025-06-10T15:00:00.000Z');

      const audits = await t.store.db
        .selectFrom('audit_log')
        .select(['entity_id', 'partner_id'])
        .where('action', '=', 'task.created')
        .where('partner_id', '=', partnerA)
        .execute();
      expect(audits.map((a) => a.entity_id).sort()).toEqual([...ids].sort());
    });

    it('is idempotent per partner, stage and key while a task is open', async () => {
      const before = await t.store.db.selectFrom('tasks').select('id').execute();
      const again = await create(partnerA, 'due_diligence', TEMPLATES, true);
      expect(again).toEqual(TEMPLATES.map((tpl) => idsA[tpl.key]));
      const after = await t.store.db.selectFrom('tasks').select('id').execute();
      expect(after).toHaveLength(before.length);
      // Only a new key creates a new task; the same key in another stage is another task.
      const more = await create(partnerA, 'due_diligence', [
        ...TEMPLATES,
        { key: 'sanctions', team: 'compliance', title: 'Screen' },
      ]);
      expect(more.slice(0, 5)).toEqual(again);
      expect(more[5]).toMatch(/^tsk_/);
      const other = await create(partnerA, 'handover', [
        { key: 'handover', team: 'support', title: 'Handover' },
      ]);
      expect(other[0]).not.toBe(idsA.handover);
    });

    it('refuses bad templates naming the field, and an unknown partner', async () => {
      await expect(
        create(partnerA, 'due_diligence', [
          { key: 'Bad Key', team: 'compliance', title: 'x' },
          { key: 'ok', team: 'legal' as 'ops', title: '' },
        ]),
      ).rejects.toMatchObject({
        status: 422,
        errors: [{ field: 'tasks.0.key' }, { field: 'tasks.1.team' }, { field: 'tasks.1.title' }],
      });
      await expect(create(newId('partner'), 'x', TEMPLATES)).rejects.toMatchObject({ status: 404 });
    });

    it('counts facts per stage', async () => {
      expect(await taskFacts(t.store.db, partnerA, 'due_diligence')).toEqual({
        total: 6,
        open: 6,
        overdue: 0,
      });
      expect(await taskFacts(t.store.db, partnerB, 'due_diligence')).toEqual({
        total: 0,
        open: 0,
        overdue: 0,
      });
    });
  });

  describe('SLA state', () => {
    it('is due soon with less than a quarter of the SLA left, then overdue once the clock passes due', async () => {
      at('2025-06-10T10:30:00.000Z'); // Tue 13:30 local: handover (4h, due 14:00) has 0.5h left
      const ho = await get(idsA.handover as string);
      expect(ho).toMatchObject({ slaState: 'due_soon', businessHoursLeft: 0.5 });
      expect((await get(idsA.payout_verify as string)).slaState).toBe('on_track');

      at('2025-06-11T06:00:00.000Z'); // Wed 09:00 local
      const overdue = await list(`partnerId=${partnerA}&stage=due_diligence&overdue=true`);
      expect(overdue.data.map((x) => x.key).sort()).toEqual(['handover', 'payout_verify', 'tracking_setup']);
      expect(overdue.data.every((x) => x.slaState === 'overdue')).toBe(true);
      expect((await get(idsA.handover as string)).businessHoursLeft).toBe(-4);
      expect(await taskFacts(t.store.db, partnerA, 'due_diligence')).toEqual({
        total: 6,
        open: 6,
        overdue: 3,
      });
      const notOverdue = await list(`partnerId=${partnerA}&stage=due_diligence&overdue=false`);
      expect(notOverdue.data.map((x) => x.key).sort()).toEqual(['dd_review', 'sanctions', 'website_review']);
    });

    it('pause stops the clock and resume moves the due time by the business time paused', async () => {
      at('2025-06-10T08:00:00.000Z'); // Tue 11:00 local
      const paused = await writeTransaction(t.store, systemCtx, (w) =>
        pauseTaskSla(w, {
          partnerId: partnerA,
          key: 'dd_review',
          reason: 'Waiting for documents from the partner',
        }),
      );
      expect(paused).toBe(true);
      at('2025-06-13T06:00:00.000Z'); // Fri 09:00 local: long past the original due time, but paused
      const p = await get(idsA.dd_review as string);
      expect(p).toMatchObject({
        slaState: 'paused',
        pausedAt: '2025-06-10T08:00:00.000Z',
        businessHoursLeft: 15,
      });
      expect((await list(`partnerId=${partnerA}&overdue=true`)).data.map((x) => x.key)).not.toContain(
        'dd_review',
      );

      at('2025-06-11T09:00:00.000Z'); // resumed Wed 12:00 local: paused 7h (Tue) + 3h (Wed) = 10 business hours
      const resumed = await writeTransaction(t.store, systemCtx, (w) =>
        resumeTaskSla(w, { partnerId: partnerA, key: 'dd_review' }),
      );
      expect(resumed).toBe(true);
      // Due Wed 17:00 local + 10h → Wed 17–18 (1h) + Thu 09–18 (9h) → Thu 18:00 local.
      const r = await get(idsA.dd_review as string);
      expect(r).toMatchObject({ slaState: 'on_track', pausedAt: null, dueAt: '2025-06-12T15:00:00.000Z' });
      const row = await t.store.db
        .selectFrom('tasks')
        .selectAll()
        .where('id', '=', idsA.dd_review as string)
        .executeTakeFirstOrThrow();
      expect(Number(row.paused_business_ms)).toBe(10 * 3_600_000);
      const actions = await t.store.db
        .selectFrom('audit_log')
        .select('action')
        .where('entity_id', '=', idsA.dd_review as string)
        .orderBy('seq')
        .execute();
      expect(actions.map((a) => a.action)).toEqual(['task.created', 'task.sla_paused', 'task.sla_resumed']);
    });

    it('pause and resume answer false when the partner has no open task with that key', async () => {
      const out = await writeTransaction(
        t.store,
        systemCtx,
        async (w) => [
          await pauseTaskSla(w, { partnerId: partnerB, key: 'dd_review', reason: 'x' }),
          await resumeTaskSla(w, { partnerId: partnerA, key: 'no_such_key' }),
        ],
        { unauditedBecause: 'test: nothing to change' },
      );
      expect(out).toEqual([false, false]);
    });
  });

  /** Sessions idle out on the pinned clock; sign the test users in again at the current test time. */
  async function refreshSessions(): Promise<void> {
    for (const s of [complianceUser, complianceOther, financeUser, teamLead]) {
      s.headers = (await t.sessionFor(s.email, TEST_PASSWORD)).headers;
    }
  }

  describe('routes', () => {
    it('assign refuses a user of another team (422) and takes a team member', async () => {
      at('2025-06-11T09:00:00.000Z');
      await refreshSessions();
      const id = idsA.website_review as string;
      const wrong = await post(id, 'assign', keys.compliance as Record<string, string>, {
        assigneeId: financeUser.id,
      });
      expect(wrong.statusCode).toBe(422);
      expect(problemOf(wrong).errors?.[0]?.field).toBe('body.assigneeId');
      const missing = await post(id, 'assign', keys.compliance as Record<string, string>, {
        assigneeId: newId('user'),
      });
      expect(missing.statusCode).toBe(422);
      const bad = await post(id, 'assign', keys.compliance as Record<string, string>, { assigneeId: 42 });
      expect(bad.statusCode).toBe(422);
      // Finance cannot assign a compliance task at all.
      const notTeam = await post(id, 'assign', keys.finance as Record<string, string>, {
        assigneeId: complianceUser.id,
      });
      expect(notTeam.statusCode).toBe(403);

      const ok = await post(id, 'assign', keys.compliance as Record<string, string>, {
        assigneeId: complianceUser.id,
        version: 1,
      });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ assignee: { id: complianceUser.id }, version: 2 });
      // A stale version is refused.
      const stale = await post(id, 'assign', keys.compliance as Record<string, string>, {
        assigneeId: null,
        version: 1,
      });
      expect(stale.statusCode).toBe(409);
      // A team lead may be assigned any team's task.
      const lead = await post(
        idsA.payout_verify as string,
        'assign',
        keys.finance as Record<string, string>,
        { assigneeId: teamLead.id },
      );
      expect(lead.statusCode, lead.body).toBe(200);
      const audit = await t.store.db
        .selectFrom('audit_log')
        .select(['partner_id'])
        .where('action', '=', 'task.assigned')
        .where('entity_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(audit.partner_id).toBe(partnerA);
    });

    it('start, complete and reopen: only the team (or a lead/admin) completes, with state checks', async () => {
      const id = idsA.website_review as string;
      const byFinance = await post(id, 'complete', financeUser.headers, {});
      expect(byFinance.statusCode).toBe(403);
      const byReadOnly = await post(id, 'complete', keys.read_only as Record<string, string>, {});
      expect(byReadOnly.statusCode).toBe(403);
      const started = await post(id, 'start', complianceOther.headers);
      expect(started.statusCode, started.body).toBe(200);
      expect(started.json()).toMatchObject({ status: 'in_progress', assignee: { id: complianceUser.id } });
      expect((await post(id, 'start', complianceUser.headers)).statusCode).toBe(409);
      const done = await post(id, 'complete', complianceUser.headers, { note: 'Site reviewed, no issues' });
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json()).toMatchObject({ status: 'done', slaState: 'done', businessHoursLeft: null });
      expect((await post(id, 'complete', complianceUser.headers, {})).statusCode).toBe(409);
      const noReason = await post(id, 'reopen', complianceUser.headers, {});
      expect(noReason.statusCode).toBe(422);
      expect(problemOf(noReason).errors?.[0]?.field).toBe('body.reason');
      const reopened = await post(id, 'reopen', teamLead.headers, {
        reason: 'Website changed since the review',
      });
      expect(reopened.statusCode, reopened.body).toBe(200);
      expect(reopened.json()).toMatchObject({ status: 'open' });
      expect(await taskFacts(t.store.db, partnerA, 'due_diligence')).toMatchObject({ total: 6, open: 6 });
      expect((await post(newId('task'), 'start', keys.admin as Record<string, string>)).statusCode).toBe(404);
    });

    it('starting an unassigned task takes it', async () => {
      const res = await post(
        idsA.sanctions ?? (await findKey('sanctions')),
        'start',
        complianceOther.headers,
        { version: 1 },
      );
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'in_progress', assignee: { id: complianceOther.id } });
    });

    async function findKey(key: string): Promise<string> {
      const row = await t.store.db
        .selectFrom('tasks')
        .select('id')
        .where('partner_id', '=', partnerA)
        .where('key', '=', key)
        .where('status', 'in', ['open', 'in_progress'])
        .executeTakeFirstOrThrow();
      idsA[key] = row.id;
      return row.id;
    }

    it('lists with filters and cursor paging in due order', async () => {
      const all = await list('limit=200');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: TaskJson[]; nextCursor: string | null } = await list(
          `limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.data.map((x) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.data.map((x) => x.id));
      expect(new Set(seen).size).toBe(seen.length);
      const dues = all.data.map((x) => x.dueAt ?? '9999');
      expect([...dues].sort()).toEqual(dues);

      expect((await list('team=finance')).data.every((x) => x.team === 'finance')).toBe(true);
      expect((await list(`assigneeId=${complianceUser.id}`)).data.map((x) => x.id)).toEqual([
        idsA.website_review,
      ]);
      expect((await list('status=in_progress')).data.every((x) => x.status === 'in_progress')).toBe(true);
      const badCursor = await t.app.inject({
        method: 'GET',
        url: '/api/v1/tasks?cursor=nope',
        headers: keys.admin,
      });
      expect(badCursor.statusCode).toBe(422);
      expect(problemOf(badCursor).errors?.[0]?.field).toBe('query.cursor');
      const badTeam = await t.app.inject({
        method: 'GET',
        url: '/api/v1/tasks?team=legal',
        headers: keys.admin,
      });
      expect(badTeam.statusCode).toBe(422);
    });

    it('my work: my tasks, then my team’s unassigned ones (overdue first), and my approvals', async () => {
      at('2025-06-11T09:00:00.000Z');
      // Partner B: a compliance task created days ago (overdue now) and a fresh one.
      at('2025-06-05T07:00:00.000Z');
      await create(partnerB, 'due_diligence', [{ key: 'kyb_check', team: 'compliance', title: 'KYB check' }]);
      at('2025-06-11T09:00:00.000Z');
      await create(partnerB, 'due_diligence', [
        { key: 'dd_review', team: 'compliance', title: 'Review due diligence' },
      ]);
      // A document waiting for review shows among the approvals of a compliance user.
      const docId = newId('document');
      await t.store.db
        .insertInto('documents')
        .values({
          id: docId,
          partner_id: partnerB,
          type: 'company_registration',
          file_name: 'certificate.pdf',
          content_type: 'application/pdf',
          size_bytes: 1234,
          sha256: 'a'.repeat(64),
          storage_key: `test/${docId}`,
          expires_on: null,
          status: 'pending',
          review_reason: null,
          reviewed_by: null,
          reviewed_at: null,
          uploaded_by: teamLead.id,
          created_at: nowIso(),
          archived_at: null,
          note: null,
          archived_by: null,
          archive_reason: null,
        })
        .execute();

      const res = await t.app.inject({
        method: 'GET',
        url: '/api/v1/my-work',
        headers: complianceUser.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as {
        tasks: TaskJson[];
        approvals: { id: string; kind: string }[];
        counts: Record<string, number>;
      };
      expect(body.tasks[0]).toMatchObject({ id: idsA.website_review, reason: 'assigned' });
      const team = body.tasks.slice(1);
      expect(team.every((x) => x.reason === 'team' && x.team === 'compliance' && x.assignee === null)).toBe(
        true,
      );
      expect(team[0]).toMatchObject({ key: 'kyb_check', slaState: 'overdue' });
      expect(team.map((x) => x.key)).toContain('dd_review');
      expect(team.map((x) => x.id)).not.toContain(idsA.sanctions); // taken by someone else
      expect(body.approvals.map((a) => a.id)).toContain(docId);
      expect(body.counts).toMatchObject({ open: body.tasks.length, approvals: 1 });
      expect(body.counts.overdue).toBe(body.tasks.filter((x) => x.slaState === 'overdue').length);
      expect(body.counts.overdue).toBeGreaterThanOrEqual(1);

      // Finance sees its own team's tasks and no approvals of documents.
      const fin = await t.app.inject({ method: 'GET', url: '/api/v1/my-work', headers: financeUser.headers });
      expect(fin.statusCode).toBe(200);
      const finBody = fin.json() as { tasks: TaskJson[]; approvals: unknown[] };
      expect(finBody.tasks.every((x) => x.team === 'finance')).toBe(true);
      expect(finBody.approvals).toEqual([]);
    });

    it('cancelStageTasks cancels every open task of the stage', async () => {
      const n = await writeTransaction(t.store, systemCtx, (w) =>
        cancelStageTasks(w, { partnerId: partnerB, stage: 'due_diligence', reason: 'Partner rejected' }),
      );
      expect(n).toBe(2);
      expect(await taskFacts(t.store.db, partnerB, 'due_diligence')).toEqual({
        total: 0,
        open: 0,
        overdue: 0,
      });
      const cancelled = await list(`partnerId=${partnerB}&status=cancelled`);
      expect(cancelled.data).toHaveLength(2);
      expect(cancelled.data.every((x) => x.slaState === 'done')).toBe(true);
      // Entering the stage again creates fresh tasks.
      const again = await create(partnerB, 'due_diligence', [
        { key: 'kyb_check', team: 'compliance', title: 'KYB check' },
      ]);
      expect(cancelled.data.map((x) => x.id)).not.toContain(again[0]);
      await expect(
        writeTransaction(t.store, systemCtx, (w) =>
          cancelStageTasks(w, { partnerId: partnerB, stage: 'x', reason: ' ' }),
        ),
      ).rejects.toMatchObject({ status: 422 });
    });
  });

  describe('permissions and settings', () => {
    it('read for staff, work for working roles, nothing for partners', async () => {
      for (const role of ['read_only', 'leadership', 'support', 'bdm']) {
        const res = await t.app.inject({ method: 'GET', url: '/api/v1/tasks', headers: keys[role] });
        expect(res.statusCode, role).toBe(200);
      }
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/tasks', headers: keys.partner })).statusCode,
      ).toBe(403);
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/my-work', headers: keys.partner })).statusCode,
      ).toBe(403);
      for (const role of ['read_only', 'leadership']) {
        const res = await post(idsA.tracking_setup as string, 'start', keys[role] as Record<string, string>);
        expect(res.statusCode, role).toBe(403);
      }
      // BDMs may work tasks but belong to no team.
      expect(
        (await post(idsA.tracking_setup as string, 'start', keys.bdm as Record<string, string>)).statusCode,
      ).toBe(403);
      expect(
        (await post(idsA.tracking_setup as string, 'start', keys.ops as Record<string, string>)).statusCode,
      ).toBe(200);
    });

    it('SLA policies and the calendar: admin and ops only, validated, and used for new tasks', async () => {
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/sla-policies', headers: keys.compliance }))
          .statusCode,
      ).toBe(403);
      const got = await t.app.inject({ method: 'GET', url: '/api/v1/sla-policies', headers: keys.ops });
      expect(got.statusCode).toBe(200);
      expect(got.json().data).toContainEqual({ team: 'compliance', taskKey: 'dd_review', businessHours: 16 });

      const missingDefault = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/sla-policies',
        headers: keys.admin,
        payload: { policies: [{ team: 'ops', taskKey: '*', businessHours: 8 }] },
      });
      expect(missingDefault.statusCode).toBe(422);
      expect(problemOf(missingDefault).errors?.[0]?.field).toBe('body.policies');
      const policies = [
        { team: 'compliance', taskKey: '*', businessHours: 2 },
        { team: 'finance', taskKey: '*', businessHours: 8 },
        { team: 'support', taskKey: '*', businessHours: 8 },
        { team: 'ops', taskKey: '*', businessHours: 8 },
      ];
      const put = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/sla-policies',
        headers: keys.ops,
        payload: { policies },
      });
      expect(put.statusCode, put.body).toBe(200);
      const dup = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/sla-policies',
        headers: keys.ops,
        payload: { policies: [...policies, policies[0]] },
      });
      expect(dup.statusCode).toBe(422);

      const badCal = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/business-calendar',
        headers: keys.admin,
        payload: { timeZone: 'Mars/Olympus', workingDays: [1], start: '09:00', end: '18:00', holidays: [] },
      });
      expect(badCal.statusCode).toBe(422);
      expect(problemOf(badCal).errors?.[0]?.field).toBe('body.timeZone');
      const cal = {
        timeZone: 'Asia/Dubai',
        workingDays: [1, 2, 3, 4, 5],
        start: '08:00',
        end: '17:00',
        holidays: ['2025-06-12'],
      };
      const putCal = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/business-calendar',
        headers: keys.admin,
        payload: cal,
      });
      expect(putCal.statusCode, putCal.body).toBe(200);
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/business-calendar', headers: keys.ops })).json(),
      ).toEqual(cal);

      // Wed 11 June 16:00 Dubai (12:00Z) + 2h compliance: 1h Wed, Thu is a holiday → Fri 09:00 Dubai (05:00Z).
      at('2025-06-11T12:00:00.000Z');
      const [id] = await create(partnerB, 'handover', [
        { key: 'final_check', team: 'compliance', title: 'Final check' },
      ]);
      expect((await get(id as string)).dueAt).toBe('2025-06-13T05:00:00.000Z');
    });
  });
});
