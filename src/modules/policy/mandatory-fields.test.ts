import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, systemCtx, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { missingCountsFor, missingFieldsFor } from './index.ts';
import { publishPolicy } from './policy.service.ts';

// The partners API is built alongside this module, so partners, contacts and documents are written directly.
let seq = 0;
async function insertPartner(t: TestApp, over: Record<string, unknown> = {}) {
  seq += 1;
  const now = nowIso();
  const row = {
    id: newId('partner'),
    display_name: `Partner ${seq}`,
    legal_name: null,
    kind: 'individual',
    type: 'affiliate',
    stage: 'intake',
    parent_id: null,
    country: null,
    languages: '[]',
    websites: '[]',
    traffic_sources: '[]',
    email: null,
    phone: null,
    owner_id: null,
    tier: null,
    referral_code: `REF${seq}${Date.now()}`,
    tags: '[]',
    custom_fields: '{}',
    search_text: `partner ${seq}`,
    archived_at: null,
    created_at: now,
    updated_at: now,
    version: 1,
    ...over,
  };
  await t.store.db.insertInto('partners').values(row).execute();
  return row;
}

async function addContact(t: TestApp, partnerId: string, role: string) {
  const now = nowIso();
  await t.store.db
    .insertInto('contacts')
    .values({
      id: newId('contact'),
      partner_id: partnerId,
      name: `${role} person`,
      email: null,
      phone: null,
      role,
      is_primary: 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

async function addDocument(
  t: TestApp,
  partnerId: string,
  type: string,
  over: { status?: string; archived_at?: string | null } = {},
) {
  const id = newId('document');
  await t.store.db
    .insertInto('documents')
    .values({
      id,
      partner_id: partnerId,
      type,
      file_name: `${type}.pdf`,
      content_type: 'application/pdf',
      size_bytes: 1234,
      sha256: 'a'.repeat(64),
      storage_key: `test/${id}`,
      expires_on: null,
      status: over.status ?? 'pending',
      review_reason: null,
      reviewed_by: null,
      reviewed_at: null,
      uploaded_by: 'system',
      created_at: nowIso(),
      archived_at: over.archived_at ?? null,
    })
    .execute();
  return id;
}

type Evaluation = {
  partnerId: string;
  policyVersion: number;
  stage: {
    stage: string;
    required: { field: string; label: string }[];
    missing: { field: string; label: string }[];
  };
  next: { stage: string; required: { field: string }[]; missing: { field: string }[] } | null;
};
const fields = (refs: { field: string }[]) => refs.map((r) => r.field);

describe('GET /api/v1/partners/{id}/mandatory-fields', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
  });
  afterAll(async () => t.close());

  const get = async (id: string, headers: Record<string, string> = ops) =>
    t.app.inject({ method: 'GET', url: `/api/v1/partners/${id}/mandatory-fields`, headers });

  it('lists what is missing now and for the next stage, and shrinks as contacts and documents arrive', async () => {
    const owner = await t.userSession('bdm');
    const p = await insertPartner(t, { email: 'aff@example.test', country: 'DE', owner_id: owner.id });

    const first = await get(p.id);
    expect(first.statusCode).toBe(200);
    const e1 = first.json() as Evaluation;
    expect(e1.partnerId).toBe(p.id);
    expect(e1.policyVersion).toBe(1);
    expect(e1.stage.stage).toBe('intake');
    expect(fields(e1.stage.required)).toEqual(['email', 'country', 'ownerId', 'contact.primary']);
    expect(e1.stage.missing).toEqual([{ field: 'contact.primary', label: 'Primary contact' }]);
    expect(e1.next?.stage).toBe('due_diligence');
    expect(fields(e1.next?.missing ?? [])).toEqual([
      'contact.primary',
      'legalName',
      'phone',
      'document.identity',
      'document.proof_of_address',
    ]);

    await addContact(t, p.id, 'primary');
    const e2 = (await get(p.id)).json() as Evaluation;
    expect(e2.stage.missing).toEqual([]);
    expect(fields(e2.next?.missing ?? [])).toEqual([
      'legalName',
      'phone',
      'document.identity',
      'document.proof_of_address',
    ]);

    // A rejected or archived document does not count; a pending or approved one does.
    await addDocument(t, p.id, 'identity', { status: 'rejected' });
    await addDocument(t, p.id, 'proof_of_address', { status: 'approved', archived_at: nowIso() });
    const e3 = (await get(p.id)).json() as Evaluation;
    expect(fields(e3.next?.missing ?? [])).toEqual([
      'legalName',
      'phone',
      'document.identity',
      'document.proof_of_address',
    ]);
    await addDocument(t, p.id, 'identity', { status: 'pending' });
    await addDocument(t, p.id, 'proof_of_address', { status: 'approved' });
    await t.store.db
      .updateTable('partners')
      .set({ legal_name: 'Anna Schmidt', phone: '+49 30 1234567' })
      .where('id', '=', p.id)
      .execute();
    const e4 = (await get(p.id)).json() as Evaluation;
    expect(e4.next?.missing).toEqual([]);
  });

  it('evaluates a company at due diligence against the KYB documents', async () => {
    const p = await insertPartner(t, {
      kind: 'company',
      type: 'network',
      stage: 'due_diligence',
      legal_name: 'Traffic Network Ltd',
      websites: '["https://tn.example"]',
      languages: 'not json',
    });
    await addDocument(t, p.id, 'incorporation');
    const e = (await get(p.id)).json() as Evaluation;
    const missing = fields(e.stage.missing);
    expect(missing).toEqual(
      expect.arrayContaining([
        'document.ubo_declaration',
        'document.proof_of_address',
        'contact.signatory',
        'contact.compliance',
      ]),
    );
    expect(missing).not.toContain('document.incorporation');
    expect(missing).not.toContain('legalName');
    expect(fields(e.stage.required)).not.toContain('document.identity');
    expect(e.next?.stage).toBe('tracking_setup');
    expect(fields(e.next?.missing ?? [])).toEqual(
      expect.arrayContaining(['trafficSources', 'languages', 'contact.technical']),
    );
    expect(fields(e.next?.missing ?? [])).not.toContain('websites');
  });

  it('gives side states no next stage', async () => {
    const p = await insertPartner(t, { stage: 'suspended' });
    const e = (await get(p.id)).json() as Evaluation;
    expect(e.stage).toEqual({ stage: 'suspended', required: [], missing: [] });
    expect(e.next).toBeNull();
  });

  it('answers 404 for an unknown partner and for a partner user asking about another partner', async () => {
    const unknown = await get(newId('partner'));
    expect(unknown.statusCode).toBe(404);
    expect(problemOf(unknown).code).toBe('not_found');

    const mine = await insertPartner(t);
    const theirs = await insertPartner(t);
    const partnerKey = await t.keyFor('partner', mine.id);
    expect((await get(mine.id, partnerKey)).statusCode).toBe(200);
    const other = await get(theirs.id, partnerKey);
    expect(other.statusCode).toBe(404);
    expect((await get(mine.id, {})).statusCode).toBe(401);
  });

  it('uses a newly published version at once, including custom fields', async () => {
    await t.store.db
      .insertInto('custom_field_defs')
      .values({
        id: newId('customField'),
        key: 'mt5_group',
        label: 'MT5 group',
        type: 'text',
        options: '[]',
        partner_types: '[]',
        created_at: nowIso(),
        archived_at: null,
      })
      .execute();
    const p = await insertPartner(t, { type: 'ib', custom_fields: '{"mt5_group": "  "}' });
    const before = await missingFieldsFor(t.store.db, p);
    const publishedVersion = (
      await publishPolicy(t.store, systemCtx, {
        rules: [{ partnerType: 'ib', stage: 'intake', fields: ['custom.mt5_group', 'email'] }],
        note: 'IBs need their MT5 group',
      })
    ).version;
    expect(publishedVersion).toBe(before.policyVersion + 1);
    const after = await missingFieldsFor(t.store.db, p);
    expect(after.policyVersion).toBe(publishedVersion);
    expect(after.stage.missing).toEqual([
      { field: 'custom.mt5_group', label: 'MT5 group' },
      { field: 'email', label: 'Email' },
    ]);

    await t.store.db
      .updateTable('partners')
      .set({ custom_fields: '{"mt5_group": "real\\\\IB-A"}' })
      .where('id', '=', p.id)
      .execute();
    const filled = (await get(p.id)).json() as Evaluation;
    expect(filled.policyVersion).toBe(publishedVersion);
    expect(fields(filled.stage.missing)).toEqual(['email']);

    // Archiving the custom field takes it out of every evaluation (it can no longer be filled in).
    await t.store.db
      .updateTable('custom_field_defs')
      .set({ archived_at: nowIso() })
      .where('key', '=', 'mt5_group')
      .execute();
    await t.store.db.updateTable('partners').set({ custom_fields: '{}' }).where('id', '=', p.id).execute();
    const archived = (await get(p.id)).json() as Evaluation;
    expect(fields(archived.stage.required)).toEqual(['email']);
  });

  it('counts missing fields for a page of partners in one go', async () => {
    await publishPolicy(t.store, systemCtx, {
      rules: [
        { partnerType: 'affiliate', stage: 'intake', fields: ['email', 'contact.primary'] },
        { partnerType: 'affiliate', stage: 'due_diligence', fields: ['document.identity'] },
      ],
    });
    const a = await insertPartner(t, { email: 'a@example.test' });
    const b = await insertPartner(t, { stage: 'due_diligence' });
    const c = await insertPartner(t, { stage: 'active' });
    await addContact(t, a.id, 'primary');
    await addDocument(t, b.id, 'identity');
    const counts = await missingCountsFor(t.store.db, [a, b, c]);
    expect(counts.get(a.id)).toEqual({ missingNow: 0, missingNext: 1 });
    expect(counts.get(b.id)).toEqual({ missingNow: 2, missingNext: 2 });
    expect(counts.get(c.id)).toEqual({ missingNow: 3, missingNext: null });
    for (const p of [a, b, c]) {
      const single = await missingFieldsFor(t.store.db, p);
      expect(counts.get(p.id)).toEqual({
        missingNow: single.stage.missing.length,
        missingNext: single.next ? single.next.missing.length : null,
      });
    }
    expect(await missingCountsFor(t.store.db, [])).toEqual(new Map());
  });
});
