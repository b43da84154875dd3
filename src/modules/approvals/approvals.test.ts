import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, todayUtc } from '../../platform/time.ts';
import { ensureDefaultAuthority } from '../terms/index.ts';
import { ageLabel } from './index.ts';

type Session = Awaited<ReturnType<TestApp['userSession']>>;
interface Item {
  kind: string;
  id: string;
  partner: { id: string; displayName: string };
  requiredRole?: string;
  proposedBy?: { id: string };
  waitingSince: string;
  ageSeconds: number;
  age: string;
  summary: string;
}

describe('approvals inbox', () => {
  let t: TestApp;
  let owner: Session;
  let otherBdm: Session;
  let teamLead: Session;
  let leader: Session;
  let compliance: Session;
  let admin: Session;
  let partnerA: string;
  let partnerB: string;
  let small: { id: string };
  let large: { id: string };
  let pendingDoc: string;

  async function insertPartner(name: string, ownerId: string): Promise<string> {
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
        stage: 'intake',
        parent_id: null,
        country: 'DE',
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

  async function insertDocument(
    partnerId: string,
    status: string,
    createdAt: string,
    uploadedBy: string,
  ): Promise<string> {
    const id = newId('document');
    await t.store.db
      .insertInto('documents')
      .values({
        id,
        partner_id: partnerId,
        type: 'company_registration',
        file_name: 'certificate.pdf',
        content_type: 'application/pdf',
        size_bytes: 1234,
        sha256: 'a'.repeat(64),
        storage_key: `test/${id}`,
        expires_on: null,
        status,
        review_reason: null,
        reviewed_by: null,
        reviewed_at: null,
        uploaded_by: uploadedBy,
        created_at: createdAt,
        archived_at: null,
        note: null,
        archived_by: null,
        archive_reason: null,
      })
      .execute();
    return id;
  }

  const inbox = async (who: Session) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/approvals', headers: who.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { data: Item[]; counts: { terms: number; documents: number } };
  };

  const propose = async (partnerId: string, amountMinor: number) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/terms`,
      headers: owner.headers,
      payload: {
        plan: {
          model: 'cpa',
          cpa: { amountMinor, qualification: { minFtdMinor: 10_000, minLots: 100, withinDays: 30 } },
        },
        currency: 'USD',
        effectiveFrom: todayUtc(),
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };

  beforeAll(async () => {
    t = await createTestApp();
    await ensureDefaultAuthority(t.store);
    owner = await t.userSession('bdm');
    otherBdm = await t.userSession('bdm');
    teamLead = await t.userSession('team_lead');
    leader = await t.userSession('leadership');
    compliance = await t.userSession('compliance');
    admin = await t.userSession('admin');
    partnerA = await insertPartner('Alpha IB', owner.id);
    partnerB = await insertPartner('Bravo Media', owner.id);
    // The documents are older than the terms, so they come first for someone who sees both.
    pendingDoc = await insertDocument(partnerA, 'pending', '2020-01-01T00:00:00.000Z', owner.id);
    await insertDocument(partnerB, 'approved', '2020-01-02T00:00:00.000Z', owner.id);
    small = await propose(partnerA, 25_000);
    large = await propose(partnerB, 45_000);
  });
  afterAll(async () => t.close());

  it('shows the proposer nothing of their own', async () => {
    const mine = await inbox(owner);
    expect(mine.data).toEqual([]);
    expect(mine.counts).toEqual({ terms: 0, documents: 0 });
  });

  it('shows a BDM only what is within BDM authority', async () => {
    const res = await inbox(otherBdm);
    expect(res.data.map((i) => i.id)).toEqual([small.id]);
    expect(res.data[0]).toMatchObject({
      kind: 'terms_approval',
      partner: { id: partnerA, displayName: 'Alpha IB' },
      requiredRole: 'bdm',
      proposedBy: { id: owner.id },
    });
    expect(res.data[0]?.summary).toContain('CPA 250.00 USD');
    expect(res.data[0]?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(res.counts).toEqual({ terms: 1, documents: 0 });
  });

  it('shows Team Leads and Leadership both, oldest first, and document reviewers the pending documents', async () => {
    expect((await inbox(teamLead)).data.map((i) => i.id)).toEqual([small.id, large.id]);
    expect((await inbox(leader)).data.map((i) => i.id)).toEqual([small.id, large.id]);

    const review = await inbox(compliance);
    expect(review.counts).toEqual({ terms: 0, documents: 1 });
    expect(review.data).toHaveLength(1);
    expect(review.data[0]).toMatchObject({
      kind: 'document_review',
      id: pendingDoc,
      partner: { id: partnerA },
    });
    expect(review.data[0]?.age).toMatch(/days$/);

    const all = await inbox(admin);
    expect(all.data.map((i) => i.kind)).toEqual(['document_review', 'terms_approval', 'terms_approval']);
    expect(all.data.map((i) => i.id)).toEqual([pendingDoc, small.id, large.id]);
    expect(all.counts).toEqual({ terms: 2, documents: 1 });
    const limited = await t.app.inject({
      method: 'GET',
      url: '/api/v1/approvals?limit=1',
      headers: admin.headers,
    });
    expect(limited.json().data).toHaveLength(1);
    expect(limited.json().counts).toEqual({ terms: 2, documents: 1 });
  });

  it('drops an item once it is decided, and is closed to partner users', async () => {
    const ok = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerA}/terms/${small.id}/approve`,
      headers: otherBdm.headers,
      payload: {},
    });
    expect(ok.statusCode).toBe(200);
    expect((await inbox(otherBdm)).data).toEqual([]);
    expect((await inbox(teamLead)).data.map((i) => i.id)).toEqual([large.id]);

    const portal = await t.userSession('partner', { partnerId: partnerA });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/approvals', headers: portal.headers });
    expect(res.statusCode).toBe(403);
  });

  it('labels ages for people', () => {
    expect(ageLabel(5)).toBe('just now');
    expect(ageLabel(60)).toBe('1 minute');
    expect(ageLabel(7200)).toBe('2 hours');
    expect(ageLabel(86_400 * 3 + 5)).toBe('3 days');
  });
});
