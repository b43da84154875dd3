// One company IB from intake to active through the real routes, by the people who do each step: the owner BDM,
// Ops, Compliance, a Team Lead, Finance and Support, each signed in with their own session. The default
// checklist template of IBs is used as a fresh workspace has it; what each gate still needs is read from the
// gate itself. At the end the partner's timeline tells the whole story and the audit chain verifies.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWorkspace } from '../src/modules/workspace.ts';
import { type Receiver, startReceiver } from '../src/platform/net/testing/receiver.ts';
import { createTestApp, problemOf, type TestApp } from './support/app.ts';

type Session = Awaited<ReturnType<TestApp['userSession']>>;
type Headers = Record<string, string>;
type GateItem = {
  key: string;
  state: string;
  blocking: boolean;
  kind: string;
  check?: string;
  reason: string | null;
};

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);

/** A multipart body with text fields and one PDF file part. */
function form(fields: Record<string, string>, filename: string) {
  const boundary = `----pdjourney${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
        'utf8',
      ),
    );
  }
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
      'utf8',
    ),
  );
  chunks.push(PDF, Buffer.from(`\r\n--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const today = () => new Date().toISOString().slice(0, 10);
const inYears = (n: number) => `${new Date().getUTCFullYear() + n}-06-30`;

describe('onboarding journey: a company IB from intake to active, by six roles', () => {
  let t: TestApp;
  let bdm: Session;
  let ops: Session;
  let compliance: Session;
  let lead: Session;
  let finance: Session;
  let support: Session;
  let admin: Headers;
  let landing: Receiver; // the broker's landing page, on 127.0.0.1
  let id = '';
  const docs: Record<string, string> = {};

  async function call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    who: Headers,
    payload?: unknown,
    expected = 200,
  ) {
    const res = await t.app.inject({
      method,
      url,
      headers: who,
      ...(payload === undefined ? {} : { payload: payload as never }),
    });
    if (res.statusCode !== expected)
      throw new Error(
        `${method} ${url} → ${res.statusCode} (expected ${expected}): ${res.body.slice(0, 600)}`,
      );
    return res.json();
  }
  const gate = async (who: Headers = bdm.headers) => call('GET', `/api/v1/partners/${id}/onboarding`, who);
  const unmet = async () =>
    ((await gate()).gate.items as GateItem[])
      .filter((i) => i.blocking && i.state !== 'met')
      .map((i) => i.key);
  async function upload(type: string, filename: string, who: Headers, extra: Record<string, string> = {}) {
    const body = form({ type, ...extra }, filename);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${id}/documents`,
      headers: { ...who, ...body.headers },
      payload: body.payload,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }
  async function review(docId: string) {
    await call('POST', `/api/v1/partners/${id}/documents/${docId}/review`, compliance.headers, {
      decision: 'approve',
    });
  }
  async function tick(key: string, who: Session, comment: string) {
    await call('POST', `/api/v1/partners/${id}/onboarding/items/${key}/tick`, who.headers, { comment });
  }
  async function finishTasks(stage: string, who: Session) {
    const tasks = await call('GET', `/api/v1/tasks?partnerId=${id}&stage=${stage}`, who.headers);
    expect(tasks.data.length).toBeGreaterThan(0);
    for (const task of tasks.data)
      await call('POST', `/api/v1/tasks/${task.id}/complete`, who.headers, {
        note: 'Done in the journey test.',
      });
  }
  async function advance(who: Session, from: string) {
    return call('POST', `/api/v1/partners/${id}/onboarding/advance`, who.headers, { expectedStage: from });
  }

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true', PARTNERDESK_WORKERS: 'false' });
    landing = await startReceiver(() => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>Open an account</title></head><body><h1>Open your account</h1><p>Trade with Meridian.</p></body></html>',
    }));
    // A fresh workspace: default policy, authority matrix, SLA policies and checklist templates.
    await prepareWorkspace(t.store, t.config);
    bdm = await t.userSession('bdm');
    ops = await t.userSession('ops');
    compliance = await t.userSession('compliance');
    lead = await t.userSession('team_lead');
    finance = await t.userSession('finance');
    support = await t.userSession('support');
    admin = await t.keyFor('admin');
    // The firm's restricted countries for the entity the partner is onboarded to.
    await call('PUT', '/api/v1/restricted-countries', admin, {
      entries: [
        { entity: 'CySEC', country: 'US', reason: 'Not licensed for US persons' },
        { entity: 'CySEC', country: 'IR', reason: 'Sanctioned jurisdiction' },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await landing.close();
    await t.close();
  });

  it('intake: the BDM creates the partner; the gate says what is missing and advancing is refused with every unmet item', async () => {
    const created = await call(
      'POST',
      '/api/v1/partners',
      bdm.headers,
      {
        displayName: 'Meridian Traders Club',
        kind: 'company',
        type: 'ib',
        country: 'CY',
        email: 'desk@meridian-traders.example',
        languages: ['en', 'el'],
        websites: ['https://meridian-traders.example'],
      },
      201,
    );
    id = created.id;
    expect(created.ownerId).toBe(bdm.id);
    const view = await gate();
    expect(view.stage).toBe('intake');
    expect(await unmet()).toEqual(
      expect.arrayContaining(['mandatory_fields', 'qualification_call', 'duplicate_check']),
    );

    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${id}/onboarding/advance`,
      headers: bdm.headers,
      payload: {},
    });
    expect(refused.statusCode).toBe(409);
    const problem = problemOf(refused);
    expect(problem.errors?.map((e) => e.field)).toEqual(
      expect.arrayContaining(['gate.mandatory_fields', 'gate.qualification_call', 'gate.duplicate_check']),
    );
  });

  it('intake: contacts, the KYB documents and the missing fields from the BDM, ticks by the BDM and Ops, then the BDM advances', async () => {
    for (const c of [
      { name: 'Nikos Georgiou', email: 'nikos@meridian-traders.example', role: 'primary', isPrimary: true },
      { name: 'Elena Christou', email: 'elena@meridian-traders.example', role: 'signatory' },
    ]) {
      await call('POST', `/api/v1/partners/${id}/contacts`, bdm.headers, c, 201);
    }
    docs.incorporation = await upload('incorporation', 'certificate-of-incorporation.pdf', bdm.headers);
    docs.ubo_declaration = await upload('ubo_declaration', 'ubo-declaration.pdf', bdm.headers);
    docs.proof_of_address = await upload('proof_of_address', 'registered-address.pdf', bdm.headers);
    docs.ubo_identity = await upload('identity', 'passport-nikos-georgiou.pdf', bdm.headers, {
      expiresOn: inYears(4),
    });
    docs.ubo_address = await upload('proof_of_address', 'utility-bill-nikos-georgiou.pdf', bdm.headers);
    await call('PATCH', `/api/v1/partners/${id}`, bdm.headers, {
      legalName: 'Meridian Traders Club Ltd',
      phone: '+357 22 123456',
    });

    // A BDM cannot tick what Ops owes.
    const wrongRole = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${id}/onboarding/items/duplicate_check/tick`,
      headers: bdm.headers,
      payload: {},
    });
    expect(wrongRole.statusCode).toBe(403);
    await tick(
      'qualification_call',
      bdm,
      'Call held: education business, 300 active students, trades gold and FX majors.',
    );
    await tick('duplicate_check', ops, 'No match in the CRM or the back office.');
    expect(await unmet()).toEqual([]);
    const moved = await advance(bdm, 'intake');
    expect(moved.stage).toBe('due_diligence');
    expect(moved.tasks.open).toBeGreaterThan(0);
  });

  it('due diligence: Compliance reviews the documents and runs the KYB case to a positive decision', async () => {
    expect(await unmet()).toEqual(
      expect.arrayContaining(['due_diligence', 'address_approved', 'stage_tasks_done']),
    );
    for (const docId of Object.values(docs)) await review(docId);

    const base = `/api/v1/partners/${id}/due-diligence`;
    await call('POST', base, compliance.headers, { regulatedEntity: 'CySEC' }, 201);
    await call('PATCH', base, compliance.headers, {
      registration: {
        number: 'HE412345',
        country: 'CY',
        registry: 'Registrar of Companies, Cyprus',
        incorporatedOn: '2019-03-14',
      },
      marketingMethods: ['education', 'telegram'],
      targetCountries: ['CY', 'GR'],
    });
    const withParty = await call(
      'POST',
      `${base}/parties`,
      compliance.headers,
      {
        kind: 'person',
        name: 'Nikos Georgiou',
        roles: ['director', 'shareholder', 'ubo'],
        country: 'CY',
        shareholdingBps: 10000,
        beneficialBps: 10000,
        identityDocumentId: docs.ubo_identity,
        addressDocumentId: docs.ubo_address,
      },
      201,
    );
    const partyId = withParty.parties[0].id as string;
    // Approving too early names every problem.
    const early = await t.app.inject({
      method: 'POST',
      url: `${base}/decision`,
      headers: compliance.headers,
      payload: { decision: 'approve', reason: 'ok' },
    });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('screen');
    for (const subject of [null, partyId]) {
      await call(
        'POST',
        `${base}/screenings`,
        compliance.headers,
        {
          ...(subject ? { partyId: subject } : {}),
          result: 'clear',
          listTypes: ['sanctions', 'pep', 'adverse_media'],
          provider: 'World-Check One',
          screenedOn: today(),
          reference: 'WC1-48213377',
        },
        201,
      );
    }
    await call(
      'POST',
      `${base}/website-reviews`,
      compliance.headers,
      { url: 'https://meridian-traders.example', reviewedOn: today(), outcome: 'pass' },
      201,
    );
    const decided = await call('POST', `${base}/decision`, compliance.headers, {
      decision: 'approve',
      reason: 'KYB complete; screening clear (World-Check One); target countries allowed for CySEC.',
    });
    expect(decided.status).toBe('approved');

    await tick(
      'marketing_review',
      compliance,
      'Education and Telegram; target countries CY and GR are allowed for CySEC.',
    );
    await tick('ib_model_review', compliance, 'Refers clients only; no account management.');
    await finishTasks('due_diligence', compliance);
    expect(await unmet()).toEqual([]);
    expect((await advance(ops, 'due_diligence')).stage).toBe('tracking_setup');
  });

  it('tracking setup: Ops configures the link and proves it with a tracking test; the BDM supplies what activation readiness will need', async () => {
    // For IBs the default template treats tracking QA as informative; it is still judged from real tests.
    const qaItem = async () =>
      ((await gate()).gate.items as GateItem[]).find((i) => i.check === 'tracking_qa_passed');
    expect(await qaItem()).toMatchObject({
      state: 'unmet',
      blocking: false,
      reason: expect.stringMatching(/^No active tracking link yet/),
    });
    const link = await call(
      'POST',
      '/api/v1/links',
      ops.headers,
      {
        partnerId: id,
        name: 'Education site',
        landingUrl: `${landing.url}/open-account?cid={click_id}&ib=meridian`,
      },
      201,
    );
    const qa = await call('POST', '/api/v1/tracking-tests?wait=true', ops.headers, { linkId: link.id }, 201);
    expect(qa.status, JSON.stringify(qa.steps)).toBe('passed');
    expect(await qaItem()).toMatchObject({ state: 'met', reason: null });
    docs.agreement = await upload('agreement', 'signed-ib-agreement.pdf', bdm.headers);
    docs.tax_form = await upload('tax_form', 'w8-ben-e.pdf', bdm.headers);
    await call(
      'POST',
      `/api/v1/partners/${id}/contacts`,
      bdm.headers,
      { name: 'Maria Costa', email: 'accounts@meridian-traders.example', role: 'billing' },
      201,
    );
    await call('PATCH', `/api/v1/partners/${id}`, bdm.headers, { tier: 'gold' });
    await tick('links_configured', ops, 'Referral code and links set up; the partner confirmed they work.');
    await finishTasks('tracking_setup', ops);
    expect(await unmet()).toEqual([]);
    expect((await advance(ops, 'tracking_setup')).stage).toBe('activation_readiness');
  });

  it('activation readiness: terms approved by a Team Lead (four eyes) and accepted, payout details verified by Finance', async () => {
    expect(await unmet()).toEqual(
      expect.arrayContaining([
        'terms_accepted',
        'agreement_signed',
        'tax_form_approved',
        'payout_verified',
        'payout_schedule',
        'stage_tasks_done',
      ]),
    );
    await review(docs.agreement as string);
    await review(docs.tax_form as string);

    const proposal = await call(
      'POST',
      `/api/v1/partners/${id}/terms`,
      bdm.headers,
      {
        plan: {
          model: 'rebate',
          rebates: [
            { group: 'fx_majors', amountPerLotMinor: 1000 },
            { group: 'metals', amountPerLotMinor: 800 },
          ],
          holdingDays: 7,
        },
        currency: 'USD',
        effectiveFrom: today(),
        note: 'USD 10 per lot on FX majors: above the BDM limit.',
      },
      201,
    );
    expect(proposal.requiredRole).toBe('team_lead');
    const own = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${id}/terms/${proposal.id}/approve`,
      headers: bdm.headers,
      payload: {},
    });
    expect(own.statusCode).toBe(403);
    await call('POST', `/api/v1/partners/${id}/terms/${proposal.id}/approve`, lead.headers, {
      reason: 'Volume projection justifies it.',
    });
    await call('POST', `/api/v1/partners/${id}/terms/${proposal.id}/accept`, bdm.headers, {
      note: 'Signed agreement received by e-mail.',
    });

    await call('PUT', `/api/v1/partners/${id}/payout-details`, bdm.headers, {
      method: 'bank_transfer',
      currency: 'EUR',
      accountHolder: 'Meridian Traders Club Ltd',
      details: {
        iban: 'CY17002001280000001200527600',
        swiftBic: 'BCYPCY2N',
        bankName: 'Bank of Cyprus',
        bankCountry: 'CY',
      },
    });
    await call('POST', `/api/v1/partners/${id}/payout-details/verify`, finance.headers, {
      note: 'Checked against the bank letter.',
    });
    await tick('payout_schedule', finance, 'Monthly rebate payout on the 10th; self-billing invoices.');
    await finishTasks('activation_readiness', finance);
    expect(await unmet()).toEqual([]);
    expect((await advance(bdm, 'activation_readiness')).stage).toBe('handover');
  });

  it('handover: Support reads the record, agrees escalation contacts and acknowledges — the partner is active', async () => {
    const record = await call('GET', `/api/v1/partners/${id}/handover`, support.headers);
    expect(record.current).toBe(true);
    expect(record.acknowledgedAt).toBeNull();
    // Acknowledging before the rest of the gate holds is refused, and nothing is recorded.
    const early = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${id}/handover/acknowledge`,
      headers: support.headers,
      payload: {},
    });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('escalation_contacts');
    await tick('escalation_contacts', support, 'Escalation contacts agreed with the partner manager.');
    await finishTasks('handover', support);
    const done = await call('POST', `/api/v1/partners/${id}/handover/acknowledge`, support.headers, {
      note: 'Partner introduced to the support desk.',
    });
    expect(done.onboarding.stage).toBe('active');
    expect(done.handover.acknowledgedBy.id).toBe(support.id);
    const view = await gate();
    expect(view.history.map((h: { stage: string }) => h.stage)).toEqual([
      'intake',
      'due_diligence',
      'tracking_setup',
      'activation_readiness',
      'handover',
      'active',
    ]);
  });

  it('the timeline shows the whole story by every role, and the audit chain verifies', async () => {
    const timeline = await call('GET', `/api/v1/partners/${id}/timeline?limit=200`, bdm.headers);
    const items = timeline.data as { action: string; actor: { id: string } }[];
    const actions = new Set(items.map((i) => i.action));
    for (const action of [
      'partner.created',
      'contact.created',
      'document.uploaded',
      'document.reviewed',
      'onboarding.item_ticked',
      'onboarding.advanced',
      'task.created',
      'task.completed',
      'dd.opened',
      'dd.party_added',
      'dd.screening_recorded',
      'dd.decided',
      'terms.proposed',
      'terms.approved',
      'terms.accepted',
      'payout_details.changed',
      'payout_details.verified',
      'handover.created',
      'handover.acknowledged',
      'link.created',
      'tracking_test.started',
      'tracking_test.passed',
    ]) {
      expect(actions, action).toContain(action);
    }
    const actors = new Set(items.map((i) => i.actor.id));
    for (const s of [bdm, ops, compliance, lead, finance, support]) expect(actors).toContain(s.id);
    const advanced = items.filter((i) => i.action === 'onboarding.advanced');
    expect(advanced.length).toBe(5);

    const verify = await call('GET', '/api/v1/audit/verify', admin);
    expect(verify.ok).toBe(true);
  });
});
