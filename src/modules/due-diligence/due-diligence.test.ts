import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, systemCtx, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, todayUtc } from '../../platform/time.ts';
import { writeTransaction } from '../../platform/tx.ts';
import { createStageTasks } from '../tasks/index.ts';
import { dueDiligenceFacts, payoutFacts, riskFacts } from './index.ts';

type Session = Awaited<ReturnType<TestApp['userSession']>>;
type Who = Session | Record<string, string>;

const GOOD_IBAN = 'DE89 3704 0044 0532 0130 00';
const BAD_IBAN = 'DE89 3704 0044 0532 0130 01';

describe('due diligence, payout details and risk flags', () => {
  let t: TestApp;
  let compliance: Session;
  let ownerBdm: Session;
  let otherBdm: Session;
  let finance: Session;
  let finance2: Session;
  let admin: Record<string, string>;
  const today = todayUtc();

  async function insertPartner(opts: {
    kind: 'company' | 'individual';
    ownerId?: string | null;
    customFields?: Record<string, unknown>;
    websites?: string[];
  }): Promise<string> {
    const id = newId('partner');
    const now = nowIso();
    await t.store.db
      .insertInto('partners')
      .values({
        id,
        display_name: `DD ${opts.kind} ${id.slice(-6)}`,
        legal_name: null,
        kind: opts.kind,
        type: 'ib',
        stage: 'due_diligence',
        parent_id: null,
        country: 'CY',
        languages: '[]',
        websites: JSON.stringify(opts.websites ?? []),
        traffic_sources: '[]',
        email: null,
        phone: null,
        owner_id: opts.ownerId ?? null,
        tier: null,
        referral_code: `DD${id.slice(-10)}`,
        tags: '[]',
        custom_fields: JSON.stringify(opts.customFields ?? {}),
        search_text: id.toLowerCase(),
        archived_at: null,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    return id;
  }

  async function insertDocument(partnerId: string, type: string, status = 'approved'): Promise<string> {
    const id = newId('document');
    await t.store.db
      .insertInto('documents')
      .values({
        id,
        partner_id: partnerId,
        type,
        file_name: `${type}.pdf`,
        content_type: 'application/pdf',
        size_bytes: 100,
        sha256: '0'.repeat(64),
        storage_key: `test/${id}`,
        expires_on: null,
        status,
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
    return id;
  }

  const headersOf = (who: Who) => ('headers' in who ? (who.headers as Record<string, string>) : who);
  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    who: Who,
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      headers: headersOf(who),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const dd = (partnerId: string) => `/api/v1/partners/${partnerId}/due-diligence`;

  function ok(res: LightMyRequestResponse, status = 200) {
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  }

  async function auditRows(entityId: string) {
    return t.store.db
      .selectFrom('audit_log')
      .select(['action', 'partner_id', 'actor_id', 'data'])
      .where('entity_id', '=', entityId)
      .orderBy('seq')
      .execute();
  }

  async function countRows(
    table: 'dd_cases' | 'dd_parties' | 'dd_screenings' | 'doc_requests' | 'payout_details' | 'audit_log',
  ) {
    const r = await t.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  const clear = (partyId: string | null = null) => ({
    ...(partyId ? { partyId } : {}),
    result: 'clear',
    listTypes: ['sanctions', 'pep', 'adverse_media'],
    provider: 'World-Check One',
    screenedOn: today,
    reference: 'WC1-0001',
  });

  /** A KYB case with everything in order except what a test changes. */
  async function readyKybCase(opts: { entity?: string; targetCountries?: string[] } = {}) {
    const partnerId = await insertPartner({
      kind: 'company',
      ownerId: ownerBdm.id,
      customFields: { regulated_entity: opts.entity ?? 'CySEC' },
    });
    ok(await call('POST', dd(partnerId), compliance, {}), 201);
    ok(
      await call('PATCH', dd(partnerId), compliance, {
        registration: {
          number: 'HE 123456',
          country: 'CY',
          registry: 'Registrar of Companies, Cyprus',
          incorporatedOn: '2019-05-02',
        },
        marketingMethods: ['seo', 'social'],
        targetCountries: opts.targetCountries ?? ['DE', 'AE'],
      }),
    );
    const id1 = await insertDocument(partnerId, 'passport');
    const addr1 = await insertDocument(partnerId, 'proof_of_address');
    const withDirector = ok(
      await call('POST', `${dd(partnerId)}/parties`, compliance, {
        kind: 'person',
        name: 'Maria Georgiou',
        roles: ['director', 'shareholder', 'ubo'],
        country: 'CY',
        shareholdingBps: 6000,
        beneficialBps: 6000,
        identityDocumentId: id1,
        addressDocumentId: addr1,
      }),
      201,
    );
    const maria = withDirector.parties[0].id as string;
    ok(await call('POST', `${dd(partnerId)}/screenings`, compliance, clear()), 201);
    ok(await call('POST', `${dd(partnerId)}/screenings`, compliance, clear(maria)), 201);
    return { partnerId, maria };
  }

  beforeAll(async () => {
    t = await createTestApp();
    compliance = await t.userSession('compliance');
    ownerBdm = await t.userSession('bdm');
    otherBdm = await t.userSession('bdm');
    finance = await t.userSession('finance');
    finance2 = await t.userSession('finance');
    admin = await t.keyFor('admin');
  }, 60_000);
  afterAll(async () => t?.close());

  it('reports none before a case, opens KYB for a company and KYC for an individual, one open case at a time', async () => {
    const company = await insertPartner({ kind: 'company', ownerId: ownerBdm.id });
    const person = await insertPartner({ kind: 'individual', ownerId: ownerBdm.id });
    const none = ok(await call('GET', dd(company), compliance));
    expect(none).toMatchObject({ status: 'none', case: null, previousCases: [] });
    expect(await dueDiligenceFacts(t.store.db, company)).toEqual({ status: 'none', decidedAt: null });

    const kyb = ok(await call('POST', dd(company), compliance, { regulatedEntity: 'FSCA' }), 201);
    expect(kyb).toMatchObject({
      kind: 'kyb',
      status: 'open',
      regulatedEntity: 'FSCA',
      regulatedEntitySource: 'case',
    });
    const kyc = ok(await call('POST', dd(person), compliance, {}), 201);
    expect(kyc.kind).toBe('kyc');
    expect(kyc.approvalProblems.map((p: { code: string }) => p.code)).toEqual(
      expect.arrayContaining(['identity_missing', 'address_missing', 'screening_missing', 'entity_missing']),
    );

    const again = await call('POST', dd(company), compliance, {});
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).detail).toContain(kyb.id);
    expect(await dueDiligenceFacts(t.store.db, company)).toEqual({ status: 'open', decidedAt: null });

    // Only Compliance runs cases; a BDM reads them.
    expect((await call('POST', dd(person), ownerBdm, {})).statusCode).toBe(403);
    expect(ok(await call('GET', dd(company), ownerBdm)).case.id).toBe(kyb.id);

    // An unknown entity is named, not silently accepted.
    const unknown = await call('PATCH', dd(company), compliance, { regulatedEntity: 'Cysec Ltd' });
    expect(unknown.statusCode).toBe(422);
    expect(problemOf(unknown).errors?.[0]?.field).toBe('body.regulatedEntity');

    // KYC documents must be this partner's.
    const foreignDoc = await insertDocument(company, 'passport');
    const foreign = await call('PATCH', dd(person), compliance, { identityDocumentId: foreignDoc });
    expect(foreign.statusCode).toBe(422);
    expect(problemOf(foreign).errors?.[0]).toMatchObject({ field: 'body.identityDocumentId' });
    const wrongKind = await call('PATCH', dd(company), compliance, { identityDocumentId: foreignDoc });
    expect(problemOf(wrongKind).errors?.[0]?.field).toBe('body.identityDocumentId');

    const audit = await auditRows(kyb.id);
    expect(audit[0]).toMatchObject({ action: 'dd.opened', partner_id: company, actor_id: compliance.id });
  });

  it('refuses approval while a 30% beneficial owner lacks identity and address documents, naming the owner', async () => {
    const { partnerId } = await readyKybCase();
    const added = await call('POST', `${dd(partnerId)}/parties`, compliance, {
      kind: 'person',
      name: 'Andreas Petrou',
      roles: ['shareholder', 'ubo'],
      shareholdingBps: 3000,
      beneficialBps: 3000,
    });
    const andreas = ok(added, 201).parties.find((p: { name: string }) => p.name === 'Andreas Petrou')
      .id as string;
    ok(await call('POST', `${dd(partnerId)}/screenings`, compliance, clear(andreas)), 201);
    const before = await countRows('audit_log');
    const res = await call('POST', `${dd(partnerId)}/decision`, compliance, {
      decision: 'approve',
      reason: 'All checks done',
    });
    expect(res.statusCode).toBe(409);
    const problem = res.json() as { detail: string; problems: { code: string; message: string }[] };
    expect(problem.problems.map((p) => p.code).sort()).toEqual([
      'ubo_address_missing',
      'ubo_identity_missing',
    ]);
    expect(problem.detail).toContain('Andreas Petrou (30.00%)');
    expect(await countRows('audit_log')).toBe(before);
    expect((await dueDiligenceFacts(t.store.db, partnerId)).status).toBe('open');

    // Shareholdings can't exceed 100%: 60% + 30% + 20% is refused and names the field.
    const over = await call('POST', `${dd(partnerId)}/parties`, compliance, {
      kind: 'entity',
      name: 'Holdco Ltd',
      roles: ['shareholder'],
      shareholdingBps: 2000,
    });
    expect(over.statusCode).toBe(422);
    expect(problemOf(over).errors?.[0]?.field).toBe('body.shareholdingBps');

    // With both documents the case is approved; the decision is audited with the reason and partner.
    const idDoc = await insertDocument(partnerId, 'passport');
    const addrDoc = await insertDocument(partnerId, 'utility_bill');
    ok(
      await call('PATCH', `${dd(partnerId)}/parties/${andreas}`, compliance, {
        identityDocumentId: idDoc,
        addressDocumentId: addrDoc,
      }),
    );
    const approved = ok(
      await call('POST', `${dd(partnerId)}/decision`, compliance, {
        decision: 'approve',
        reason: 'KYB complete, screening clear',
      }),
    );
    expect(approved).toMatchObject({
      status: 'approved',
      decision: 'approve',
      decisionReason: 'KYB complete, screening clear',
    });
    const facts = await dueDiligenceFacts(t.store.db, partnerId);
    expect(facts.status).toBe('approved');
    expect(facts.decidedAt).toBe(approved.decidedAt);
    const decided = (await auditRows(approved.id)).find((r) => r.action === 'dd.decided');
    expect(decided).toMatchObject({ partner_id: partnerId, actor_id: compliance.id });
    expect(JSON.parse(decided?.data ?? '{}')).toMatchObject({
      reason: 'KYB complete, screening clear',
      after: { status: 'approved', decision: 'approve' },
    });

    // A decided case is not edited; re-opening creates a new case and keeps the old one.
    expect((await call('PATCH', dd(partnerId), compliance, { targetCountries: ['FR'] })).statusCode).toBe(
      409,
    );
    const reopened = ok(await call('POST', dd(partnerId), compliance, {}), 201);
    expect(reopened.id).not.toBe(approved.id);
    const state = ok(await call('GET', dd(partnerId), compliance));
    expect(state.case.id).toBe(reopened.id);
    expect(state.previousCases).toEqual([expect.objectContaining({ id: approved.id, status: 'approved' })]);
    expect(await dueDiligenceFacts(t.store.db, partnerId)).toEqual({ status: 'open', decidedAt: null });
  });

  it('a true match blocks approval; a possible match blocks until a reviewed result is recorded', async () => {
    const { partnerId, maria } = await readyKybCase();
    const future = await call('POST', `${dd(partnerId)}/screenings`, compliance, {
      ...clear(maria),
      screenedOn: '2999-01-01',
    });
    expect(problemOf(future).errors?.[0]?.field).toBe('body.screenedOn');

    ok(
      await call('POST', `${dd(partnerId)}/screenings`, compliance, {
        ...clear(maria),
        result: 'possible_match',
        listTypes: ['pep'],
      }),
      201,
    );
    let res = await call('POST', `${dd(partnerId)}/decision`, compliance, {
      decision: 'approve',
      reason: 'ok',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().problems.map((p: { code: string }) => p.code)).toEqual(['screening_possible_match']);
    ok(
      await call('POST', `${dd(partnerId)}/screenings`, compliance, {
        ...clear(maria),
        note: 'False positive: different date of birth',
      }),
      201,
    );
    ok(
      await call('POST', `${dd(partnerId)}/screenings`, compliance, {
        ...clear(),
        result: 'true_match',
        listTypes: ['sanctions'],
      }),
      201,
    );
    res = await call('POST', `${dd(partnerId)}/decision`, compliance, { decision: 'approve', reason: 'ok' });
    expect(res.statusCode).toBe(409);
    expect(res.json().problems.map((p: { code: string }) => p.code)).toEqual(['screening_true_match']);
    expect(problemOf(res).detail).toContain('true match (World-Check One');
    const screening = (
      await t.store.db
        .selectFrom('dd_screenings')
        .select('id')
        .where('partner_id', '=', partnerId)
        .orderBy('recorded_at', 'desc')
        .executeTakeFirstOrThrow()
    ).id;
    expect((await auditRows(screening))[0]).toMatchObject({
      action: 'dd.screening_recorded',
      partner_id: partnerId,
    });

    const rejected = ok(
      await call('POST', `${dd(partnerId)}/decision`, compliance, {
        decision: 'reject',
        reason: 'Sanctions list match',
      }),
    );
    expect(rejected.status).toBe('rejected');
    expect((await dueDiligenceFacts(t.store.db, partnerId)).status).toBe('rejected');
    // A reason is required for every decision.
    const noReason = await call('POST', `${dd(partnerId)}/decision`, compliance, {
      decision: 'reject',
      reason: ' ',
    });
    expect(problemOf(noReason).errors?.[0]?.field).toBe('body.reason');
  });

  it('names each restricted target country and the entity; the partner field decides the entity', async () => {
    const { partnerId } = await readyKybCase({ entity: 'CySEC', targetCountries: ['DE', 'US', 'BE'] });
    const state = ok(await call('GET', dd(partnerId), compliance));
    expect(state.case.regulatedEntitySource).toBe('partner_field');
    expect(state.case.conflicts.map((c: { country: string }) => c.country)).toEqual(['US', 'BE']);
    const res = await call('POST', `${dd(partnerId)}/decision`, compliance, {
      decision: 'approve',
      reason: 'ok',
    });
    expect(res.statusCode).toBe(409);
    const detail = problemOf(res).detail;
    expect(detail).toContain('Target country US is restricted for CySEC');
    expect(detail).toContain('Target country BE is restricted for CySEC');

    // FSA Seychelles restricts France; CySEC does not.
    const sey = await readyKybCase({ entity: 'FSA Seychelles', targetCountries: ['FR'] });
    const seyState = ok(await call('GET', dd(sey.partnerId), compliance));
    expect(seyState.case.conflicts).toEqual([
      expect.objectContaining({ country: 'FR', entity: 'FSA Seychelles' }),
    ]);
    const cy = await readyKybCase({ entity: 'CySEC', targetCountries: ['FR'] });
    expect(ok(await call('GET', dd(cy.partnerId), compliance)).case.approvalProblems).toEqual([]);

    // A failed website review blocks too.
    ok(
      await call('POST', `${dd(cy.partnerId)}/website-reviews`, compliance, {
        url: 'https://fx-signals.example',
        reviewedOn: today,
        outcome: 'fail',
        notes: 'Promises guaranteed profits',
      }),
      201,
    );
    const web = await call('POST', `${dd(cy.partnerId)}/decision`, compliance, {
      decision: 'approve',
      reason: 'ok',
    });
    expect(web.json().problems).toEqual([expect.objectContaining({ code: 'website_failed' })]);
  });

  it('restricted countries are edited by administrators and audited', async () => {
    const list = ok(await call('GET', '/api/v1/restricted-countries', admin));
    expect(list.entities).toEqual(expect.arrayContaining(['CySEC', 'FSCA', 'FSA Seychelles']));
    expect((await call('GET', '/api/v1/restricted-countries', compliance)).statusCode).toBe(403);
    const entries = list.entries.map((e: { entity: string; country: string; reason: string }) => ({
      entity: e.entity,
      country: e.country,
      reason: e.reason,
    }));
    const dup = await call('PUT', '/api/v1/restricted-countries', admin, {
      entries: [...entries, entries[0]],
    });
    expect(dup.statusCode).toBe(422);
    expect(problemOf(dup).errors?.[0]?.field).toBe(`body.entries.${entries.length}.country`);
    const next = ok(
      await call('PUT', '/api/v1/restricted-countries', admin, {
        entries: [...entries, { entity: 'CySEC', country: 'TR', reason: 'Local licence required' }],
      }),
    );
    expect(next.entries).toContainEqual(expect.objectContaining({ entity: 'CySEC', country: 'TR' }));
    const audit = await auditRows('restricted_countries');
    expect(JSON.parse(audit.at(-1)?.data ?? '{}').meta.added).toEqual(['CySEC: TR']);
    ok(await call('PUT', '/api/v1/restricted-countries', admin, { entries }));
  });

  it('request more opens a documentation request and stops the clock until the owner BDM answers', async () => {
    const { partnerId } = await readyKybCase();
    const taskIds = await writeTransaction(t.store, systemCtx, (w) =>
      createStageTasks(w, {
        partnerId,
        stage: 'due_diligence',
        tasks: [{ key: 'dd_review', team: 'compliance', title: 'Due-diligence review' }],
      }),
    );
    const missingItems = await call('POST', `${dd(partnerId)}/decision`, compliance, {
      decision: 'request_more',
      reason: 'Need more',
    });
    expect(problemOf(missingItems).errors?.[0]?.field).toBe('body.requestedItems');

    const waiting = ok(
      await call('POST', `${dd(partnerId)}/decision`, compliance, {
        decision: 'request_more',
        reason: 'Shareholder register is missing',
        requestedItems: ['Certified register of shareholders', 'Memorandum and articles'],
        addressedTo: 'bdm',
      }),
    );
    expect(waiting.status).toBe('more_requested');
    expect(waiting.clock.waitingSince).not.toBeNull();
    const request = waiting.requests[0];
    expect(request).toMatchObject({ status: 'open', addressedTo: 'bdm', partnerId, caseId: waiting.id });
    expect(await dueDiligenceFacts(t.store.db, partnerId)).toEqual({
      status: 'more_requested',
      decidedAt: null,
    });
    const task = await t.store.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', taskIds[0] as string)
      .executeTakeFirstOrThrow();
    expect(task.paused_at).not.toBeNull();
    expect((await auditRows(request.id))[0]).toMatchObject({
      action: 'dd.more_requested',
      partner_id: partnerId,
    });

    // Approval waits for the answer.
    const early = await call('POST', `${dd(partnerId)}/decision`, compliance, {
      decision: 'approve',
      reason: 'ok',
    });
    expect(early.json().problems).toEqual([expect.objectContaining({ code: 'request_open' })]);
    expect(problemOf(early).detail).toContain(request.id);

    // Another BDM may not answer; the owner BDM can, with this partner's documents only.
    const answerUrl = `${dd(partnerId)}/requests/${request.id}/answer`;
    expect((await call('POST', answerUrl, otherBdm, { note: 'here' })).statusCode).toBe(403);
    const otherPartner = await insertPartner({ kind: 'company' });
    const foreignDoc = await insertDocument(otherPartner, 'register');
    const foreign = await call('POST', answerUrl, ownerBdm, { note: 'Attached', documentIds: [foreignDoc] });
    expect(problemOf(foreign).errors?.[0]?.field).toBe('body.documentIds.0');
    expect(
      (
        await t.store.db
          .selectFrom('doc_requests')
          .select('status')
          .where('id', '=', request.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('open');

    const register = await insertDocument(partnerId, 'shareholder_register');
    const answered = ok(
      await call('POST', answerUrl, ownerBdm, { note: 'Register attached', documentIds: [register] }),
    );
    expect(answered).toMatchObject({ status: 'answered', answerDocumentIds: [register] });
    expect((await call('POST', answerUrl, ownerBdm, { note: 'again' })).statusCode).toBe(409);

    const resumed = ok(await call('GET', dd(partnerId), compliance)).case;
    expect(resumed.status).toBe('open');
    expect(resumed.clock.waitingSince).toBeNull();
    expect(resumed.clock.waitingMsTotal).toBeGreaterThanOrEqual(0);
    const row = await t.store.db
      .selectFrom('dd_cases')
      .select(['waiting_since'])
      .where('id', '=', resumed.id)
      .executeTakeFirstOrThrow();
    expect(row.waiting_since).toBeNull();
    const taskAfter = await t.store.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', taskIds[0] as string)
      .executeTakeFirstOrThrow();
    expect(taskAfter.paused_at).toBeNull();
    expect((await auditRows(request.id)).map((r) => r.action)).toEqual([
      'dd.more_requested',
      'dd.request_answered',
    ]);
    ok(
      await call('POST', `${dd(partnerId)}/decision`, compliance, {
        decision: 'approve',
        reason: 'Register received',
      }),
    );
  });

  it('a partner user answers a request addressed to the partner, and sees only its own requests', async () => {
    const { partnerId } = await readyKybCase();
    const partnerUser = await t.userSession('partner', { partnerId });
    const other = await insertPartner({ kind: 'company' });
    const otherUser = await t.userSession('partner', { partnerId: other });
    const waiting = ok(
      await call('POST', `${dd(partnerId)}/decision`, compliance, {
        decision: 'request_more',
        reason: 'Proof of address is older than 3 months',
        requestedItems: ['Recent proof of address of Maria Georgiou'],
        addressedTo: 'partner',
      }),
    );
    const requestId = waiting.requests[0].id as string;
    expect(
      ok(await call('GET', `${dd(partnerId)}/requests`, partnerUser)).data.map((r: { id: string }) => r.id),
    ).toEqual([requestId]);
    expect((await call('GET', `${dd(partnerId)}/requests`, otherUser)).statusCode).toBe(404);
    expect(
      (await call('POST', `${dd(partnerId)}/requests/${requestId}/answer`, otherUser, { note: 'x' }))
        .statusCode,
    ).toBe(404);
    // Partner users do not read the compliance case itself.
    expect((await call('GET', dd(partnerId), partnerUser)).statusCode).toBe(403);
    const doc = await insertDocument(partnerId, 'proof_of_address');
    ok(
      await call('POST', `${dd(partnerId)}/requests/${requestId}/answer`, partnerUser, {
        note: 'New bill',
        documentIds: [doc],
      }),
    );
    expect((await dueDiligenceFacts(t.store.db, partnerId)).status).toBe('open');
  });

  describe('payout details', () => {
    const pd = (partnerId: string) => `/api/v1/partners/${partnerId}/payout-details`;
    const bank = (iban: string) => ({
      method: 'bank_transfer',
      currency: 'EUR',
      accountHolder: 'Alpha Media Ltd',
      details: { iban, swiftBic: 'COBADEFFXXX', bankName: 'Commerzbank', bankCountry: 'DE' },
    });

    it('validates the IBAN checksum and the format of each method, naming the field', async () => {
      const partnerId = await insertPartner({ kind: 'company', ownerId: ownerBdm.id });
      const before = await countRows('payout_details');
      const bad = await call('PUT', pd(partnerId), ownerBdm, bank(BAD_IBAN));
      expect(bad.statusCode).toBe(422);
      expect(problemOf(bad).errors).toEqual([
        expect.objectContaining({ field: 'body.details.iban', message: expect.stringContaining('mod 97') }),
      ]);
      const badBic = await call('PUT', pd(partnerId), ownerBdm, {
        ...bank(GOOD_IBAN),
        details: { ...bank(GOOD_IBAN).details, swiftBic: 'COBA12' },
      });
      expect(problemOf(badBic).errors?.[0]?.field).toBe('body.details.swiftBic');
      const badMail = await call('PUT', pd(partnerId), ownerBdm, {
        method: 'skrill',
        currency: 'USD',
        accountHolder: 'A',
        details: { email: 'nope' },
      });
      expect(problemOf(badMail).errors?.[0]?.field).toBe('body.details.email');
      const badTron = await call('PUT', pd(partnerId), ownerBdm, {
        method: 'usdt_trc20',
        currency: 'USDT',
        accountHolder: 'A',
        details: { address: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u' },
      });
      expect(problemOf(badTron).errors?.[0]?.field).toBe('body.details.address');
      expect(await countRows('payout_details')).toBe(before);
      expect(await payoutFacts(t.store.db, partnerId)).toEqual({
        hasDetails: false,
        verified: false,
        verifiedAt: null,
      });

      const good = ok(await call('PUT', pd(partnerId), ownerBdm, bank(GOOD_IBAN)));
      expect(good.current).toMatchObject({ version: 1, verified: false });
      expect(good.current.details.iban).not.toContain('0532');
      expect(await payoutFacts(t.store.db, partnerId)).toEqual({
        hasDetails: true,
        verified: false,
        verifiedAt: null,
      });
      const tron = ok(
        await call('PUT', pd(partnerId), ownerBdm, {
          method: 'usdt_trc20',
          currency: 'USDT',
          accountHolder: 'Alpha Media Ltd',
          details: { address: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' },
        }),
      );
      expect(tron.current.version).toBe(2);
    });

    it('four eyes on verification, any change resets it, verified versions are kept unchanged', async () => {
      const partnerId = await insertPartner({ kind: 'company', ownerId: ownerBdm.id });
      const partnerUser = await t.userSession('partner', { partnerId });
      // Another BDM may not change a partner they do not own.
      expect((await call('PUT', pd(partnerId), otherBdm, bank(GOOD_IBAN))).statusCode).toBe(403);
      ok(await call('PUT', pd(partnerId), finance, bank(GOOD_IBAN)));
      const own = await call('POST', `${pd(partnerId)}/verify`, finance, { note: 'Checked' });
      expect(own.statusCode).toBe(403);
      expect(problemOf(own).detail).toContain('four eyes');
      expect((await call('POST', `${pd(partnerId)}/verify`, ownerBdm, {})).statusCode).toBe(403);
      const stale = await call('POST', `${pd(partnerId)}/verify`, finance2, { version: 7 });
      expect(stale.statusCode).toBe(409);
      const verified = ok(
        await call('POST', `${pd(partnerId)}/verify`, finance2, { note: 'Called the bank', version: 1 }),
      );
      expect(verified.current).toMatchObject({
        verified: true,
        verifiedBy: { id: finance2.id },
        verifyNote: 'Called the bank',
      });
      const facts = await payoutFacts(t.store.db, partnerId);
      expect(facts).toEqual({ hasDetails: true, verified: true, verifiedAt: verified.current.verifiedAt });
      expect((await call('POST', `${pd(partnerId)}/verify`, finance, {})).statusCode).toBe(409);

      // The partner changes its details: a new version, verification starts again, v1 stays as verified.
      const changed = ok(
        await call('PUT', pd(partnerId), partnerUser, {
          method: 'wise',
          currency: 'GBP',
          accountHolder: 'Alpha Media Ltd',
          details: { email: 'payments@alpha.example' },
        }),
      );
      expect(changed.current).toMatchObject({ version: 2, verified: false, method: 'wise' });
      expect(changed.history[1]).toMatchObject({ version: 1, verified: true });
      expect(await payoutFacts(t.store.db, partnerId)).toEqual({
        hasDetails: true,
        verified: false,
        verifiedAt: null,
      });
      // The person who made v1 (finance) may verify v2, made by the partner.
      ok(await call('POST', `${pd(partnerId)}/verify`, finance, {}));
      const audit = await t.store.db
        .selectFrom('audit_log')
        .select(['action'])
        .where('partner_id', '=', partnerId)
        .where('action', 'like', 'payout_details.%')
        .orderBy('seq')
        .execute();
      expect(audit.map((a) => a.action)).toEqual([
        'payout_details.changed',
        'payout_details.verified',
        'payout_details.changed',
        'payout_details.verified',
      ]);
    });

    it('masks account numbers for every role but Finance and admin', async () => {
      const partnerId = await insertPartner({ kind: 'company', ownerId: ownerBdm.id });
      const partnerUser = await t.userSession('partner', { partnerId });
      ok(await call('PUT', pd(partnerId), ownerBdm, bank(GOOD_IBAN)));
      const full = ok(await call('GET', pd(partnerId), finance));
      expect(full.current.details.iban).toBe('DE89370400440532013000');
      expect(full.current.masked).toBe(false);
      expect(ok(await call('GET', pd(partnerId), admin)).current.details.iban).toBe('DE89370400440532013000');
      for (const who of [
        await t.keyFor('ops'),
        await t.keyFor('team_lead'),
        await t.keyFor('leadership'),
        ownerBdm,
        partnerUser,
      ]) {
        const view = ok(await call('GET', pd(partnerId), who));
        expect(view.current.masked).toBe(true);
        expect(view.current.details.iban).toBe('DE89••••3000');
        expect(view.current.details.swiftBic).toBe('COBADEFFXXX');
      }
      // The owner BDM sees them masked (above); another partner's user sees nothing.
      const other = await insertPartner({ kind: 'company' });
      const otherUser = await t.userSession('partner', { partnerId: other });
      expect((await call('GET', pd(partnerId), otherUser)).statusCode).toBe(404);
    });
  });

  it('risk flags are raised, listed with filters and resolved, and feed riskFacts', async () => {
    const partnerId = await insertPartner({ kind: 'company', ownerId: ownerBdm.id });
    const ops = await t.keyFor('ops');
    const raise = (body: Record<string, unknown>) =>
      call('POST', '/api/v1/risk-flags', compliance, {
        partnerId,
        category: 'fraud',
        severity: 'high',
        blocking: true,
        title: 'Self-referral',
        ...body,
      });
    const blocking = ok(await raise({ details: 'Same device as two referred clients' }), 201);
    ok(await raise({ severity: 'low', blocking: false, title: 'Late postback setup' }), 201);
    expect(await riskFacts(t.store.db, partnerId)).toEqual({ openBlocking: 1, open: 2 });
    expect(
      (
        await call('POST', '/api/v1/risk-flags', ownerBdm, {
          partnerId,
          category: 'other',
          severity: 'low',
          blocking: false,
          title: 'x',
        })
      ).statusCode,
    ).toBe(403);
    const unknown = await raise({ partnerId: newId('partner') });
    expect(problemOf(unknown).errors?.[0]?.field).toBe('body.partnerId');

    const high = ok(await call('GET', `/api/v1/risk-flags?partnerId=${partnerId}&severity=high`, ownerBdm));
    expect(high.data.map((f: { id: string }) => f.id)).toEqual([blocking.id]);
    const page = ok(await call('GET', `/api/v1/risk-flags?partnerId=${partnerId}&limit=1`, ownerBdm));
    expect(page.data).toHaveLength(1);
    const page2 = ok(
      await call(
        'GET',
        `/api/v1/risk-flags?partnerId=${partnerId}&limit=1&cursor=${page.nextCursor}`,
        ownerBdm,
      ),
    );
    expect(page2.data[0].id).toBe(blocking.id);
    expect(page2.nextCursor).toBeNull();

    const resolved = ok(
      await call('POST', `/api/v1/risk-flags/${blocking.id}/resolve`, ops, {
        resolution: 'Clients are unrelated; verified IPs',
      }),
    );
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'Clients are unrelated; verified IPs' });
    expect(
      (await call('POST', `/api/v1/risk-flags/${blocking.id}/resolve`, ops, { resolution: 'again' }))
        .statusCode,
    ).toBe(409);
    expect(await riskFacts(t.store.db, partnerId)).toEqual({ openBlocking: 0, open: 1 });
    expect(
      ok(await call('GET', `/api/v1/risk-flags?partnerId=${partnerId}&status=open`, ownerBdm)).data,
    ).toHaveLength(1);
    expect((await auditRows(blocking.id)).map((r) => [r.action, r.partner_id])).toEqual([
      ['risk_flag.raised', partnerId],
      ['risk_flag.resolved', partnerId],
    ]);
  });
});
