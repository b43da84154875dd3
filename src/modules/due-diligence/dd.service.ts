// Due-diligence cases: open (KYC for individuals, KYB for companies; one undecided case per partner), record
// registration, parties, documents, screening results, marketing and target countries, website reviews, then
// decide. "Request more" opens a documentation request and stops the clock (the case's own waiting clock and
// the dd_review task's SLA) until it is answered. A decided case is never edited; re-opening makes a new case.
import type { Kysely, Transaction } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { DdCasesTable, DdPartiesTable, DocRequestsTable } from '../../platform/db/schema.ts';
import {
  conflict,
  type FieldError,
  forbidden,
  invalid,
  invalidField,
  notFound,
} from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { isValidIsoDate, nowIso, todayUtc } from '../../platform/time.ts';
import { type Store, type WriteScope, writeTransaction } from '../../platform/tx.ts';
import { canChangePartner, canSeePartner, loadPartnerFor, type PartnerRow } from '../partners/index.ts';
import { pauseTaskSla, resumeTaskSla } from '../tasks/index.ts';
import { approvalProblems, type CaseRuleInput, countryConflicts } from './approval-rules.ts';
import type { CaseStatus, PartyRole, ScreeningResult } from './dd.schemas.ts';
import { loadRestrictedFor } from './restricted-countries.service.ts';

type Db = Kysely<DB> | Transaction<DB>;
type CaseRow = DdCasesTable;

/** The onboarding task whose SLA clock stops while Compliance waits for documents. */
export const DD_REVIEW_TASK_KEY = 'dd_review';

export interface PersonRef {
  id: string;
  name: string;
}

interface WebsiteReviewStored {
  url: string;
  reviewedOn: string;
  outcome: 'pass' | 'issues' | 'fail';
  notes: string | null;
  reviewedBy: string;
  recordedAt: string;
}

const UNDECIDED: CaseStatus[] = ['open', 'more_requested'];

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

async function peopleByIds(db: Db, ids: Iterable<string | null>): Promise<Map<string, PersonRef>> {
  const wanted = [...new Set([...ids].filter((x): x is string => !!x))];
  const out = new Map<string, PersonRef>();
  if (wanted.length === 0) return out;
  const users = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', wanted).execute();
  for (const u of users) out.set(u.id, { id: u.id, name: u.name });
  const missing = wanted.filter((id) => !out.has(id));
  if (missing.length > 0) {
    const keys = await db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', missing).execute();
    for (const k of keys) out.set(k.id, { id: k.id, name: `API key ${k.name}` });
  }
  for (const id of wanted) if (!out.has(id)) out.set(id, { id, name: id === 'system' ? 'System' : id });
  return out;
}

/** The regulated entity from the partner's custom field `regulated_entity`, when it holds one. */
export function entityFromPartner(partner: Pick<PartnerRow, 'custom_fields'>): string | null {
  const fields = parseJson<Record<string, unknown>>(partner.custom_fields, {});
  const v = fields?.regulated_entity;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

function effectiveEntity(
  partner: PartnerRow,
  row: CaseRow,
): { entity: string | null; source: 'partner_field' | 'case' | null } {
  const fromPartner = entityFromPartner(partner);
  if (fromPartner) return { entity: fromPartner, source: 'partner_field' };
  if (row.regulated_entity) return { entity: row.regulated_entity, source: 'case' };
  return { entity: null, source: null };
}

function presentParty(p: DdPartiesTable) {
  return {
    id: p.id,
    kind: p.kind as 'person' | 'entity',
    name: p.name,
    roles: parseJson<PartyRole[]>(p.roles, []),
    country: p.country,
    shareholdingBps: p.shareholding_bps === null ? null : Number(p.shareholding_bps),
    beneficialBps: p.beneficial_bps === null ? null : Number(p.beneficial_bps),
    identityDocumentId: p.identity_document_id,
    addressDocumentId: p.address_document_id,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
  };
}

export function presentRequest(r: DocRequestsTable) {
  return {
    id: r.id,
    caseId: r.case_id,
    partnerId: r.partner_id,
    addressedTo: r.addressed_to as 'bdm' | 'partner',
    items: parseJson<string[]>(r.items, []),
    status: r.status as 'open' | 'answered' | 'withdrawn',
    createdAt: r.created_at,
    answeredAt: r.answered_at,
    answerNote: r.answer_note,
    answerDocumentIds: parseJson<string[]>(r.answer_document_ids, []),
  };
}

async function loadCaseParts(db: Db, row: CaseRow) {
  const [parties, screenings, requests] = await Promise.all([
    db
      .selectFrom('dd_parties')
      .selectAll()
      .where('case_id', '=', row.id)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('dd_screenings')
      .selectAll()
      .where('case_id', '=', row.id)
      .orderBy('recorded_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('doc_requests')
      .selectAll()
      .where('case_id', '=', row.id)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ]);
  return { parties, screenings, requests };
}

/** Everything the approval rules need, read from the database. */
async function ruleInput(
  db: Db,
  partner: PartnerRow,
  row: CaseRow,
  parts: Awaited<ReturnType<typeof loadCaseParts>>,
): Promise<CaseRuleInput> {
  const { entity } = effectiveEntity(partner, row);
  const parties = parts.parties.map(presentParty);
  const docIds = new Set<string>();
  for (const id of [row.identity_document_id, row.address_document_id]) if (id) docIds.add(id);
  for (const p of parties)
    for (const id of [p.identityDocumentId, p.addressDocumentId]) if (id) docIds.add(id);
  const docs =
    docIds.size === 0
      ? []
      : await db
          .selectFrom('documents')
          .select(['id', 'status', 'archived_at', 'expires_on'])
          .where('id', 'in', [...docIds])
          .where('partner_id', '=', partner.id)
          .execute();
  return {
    kind: row.kind as 'kyc' | 'kyb',
    today: todayUtc(),
    registration: parseJson<unknown>(row.registration, null),
    identityDocumentId: row.identity_document_id,
    addressDocumentId: row.address_document_id,
    parties,
    screenings: parts.screenings.map((s) => ({
      partyId: s.party_id,
      result: s.result as ScreeningResult,
      provider: s.provider,
      screenedOn: s.screened_on,
    })),
    entity,
    restricted: entity ? await loadRestrictedFor(db, entity) : null,
    marketingMethods: parseJson<string[]>(row.marketing_methods, []),
    targetCountries: parseJson<string[]>(row.target_countries, []),
    partnerWebsites: parseJson<string[]>(partner.websites, []),
    websiteReviews: parseJson<WebsiteReviewStored[]>(row.website_reviews, []),
    openRequestIds: parts.requests.filter((r) => r.status === 'open').map((r) => r.id),
    documents: new Map(
      docs.map((d) => [
        d.id,
        { status: d.status, archived: d.archived_at !== null, expiresOn: d.expires_on },
      ]),
    ),
  };
}

export async function presentCase(db: Db, partner: PartnerRow, row: CaseRow) {
  const parts = await loadCaseParts(db, row);
  const input = await ruleInput(db, partner, row, parts);
  const { entity, source } = effectiveEntity(partner, row);
  const people = await peopleByIds(db, [
    row.opened_by,
    row.decided_by,
    ...parts.screenings.map((s) => s.recorded_by),
  ]);
  const partyName = new Map(parts.parties.map((p) => [p.id, p.name]));
  const decided = !UNDECIDED.includes(row.status as CaseStatus);
  return {
    id: row.id,
    partnerId: row.partner_id,
    kind: row.kind as 'kyc' | 'kyb',
    status: row.status as CaseStatus,
    regulatedEntity: entity,
    regulatedEntitySource: source,
    registration: parseJson<{
      number: string;
      country: string;
      registry: string;
      incorporatedOn: string;
    } | null>(row.registration, null),
    identityDocumentId: row.identity_document_id,
    addressDocumentId: row.address_document_id,
    marketingMethods: input.marketingMethods,
    targetCountries: input.targetCountries,
    websiteReviews: parseJson<WebsiteReviewStored[]>(row.website_reviews, []),
    parties: parts.parties.map(presentParty),
    screenings: parts.screenings.map((s) => ({
      id: s.id,
      partyId: s.party_id,
      subject: s.party_id === null ? partner.display_name : (partyName.get(s.party_id) ?? s.party_id),
      result: s.result as ScreeningResult,
      listTypes: parseJson<('sanctions' | 'pep' | 'adverse_media')[]>(s.list_types, []),
      provider: s.provider,
      screenedOn: s.screened_on,
      reference: s.reference,
      note: s.note,
      recordedBy: people.get(s.recorded_by) as PersonRef,
      recordedAt: s.recorded_at,
    })),
    requests: parts.requests.map(presentRequest),
    conflicts: countryConflicts(input),
    approvalProblems: decided ? [] : approvalProblems(input),
    clock: { waitingSince: row.waiting_since, waitingMsTotal: Number(row.waiting_ms_total) },
    decision: (row.decision as 'approve' | 'reject' | null) ?? null,
    decisionReason: row.decision_reason,
    decidedBy: row.decided_by ? (people.get(row.decided_by) ?? null) : null,
    decidedAt: row.decided_at,
    openedBy: people.get(row.opened_by) as PersonRef,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
  };
}
export type CaseView = Awaited<ReturnType<typeof presentCase>>;

async function latestCase(db: Db, partnerId: string): Promise<CaseRow | undefined> {
  return db
    .selectFrom('dd_cases')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('opened_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The undecided case of the partner, or 409 (none open / already decided). */
async function undecidedCase(db: Db, partnerId: string): Promise<CaseRow> {
  const row = await latestCase(db, partnerId);
  if (!row) throw conflict('This partner has no due-diligence case; open one first.');
  if (!UNDECIDED.includes(row.status as CaseStatus)) {
    throw conflict(
      `The latest case was ${row.status} on ${row.decided_at}; open a new case to change anything.`,
    );
  }
  return row;
}

export async function getDueDiligence(store: Store, ctx: RequestContext, partnerId: string) {
  assertCan(ctx.actor, 'dd.read');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  const rows = await store.db
    .selectFrom('dd_cases')
    .selectAll()
    .where('partner_id', '=', partner.id)
    .orderBy('opened_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const [latest, ...previous] = rows;
  return {
    status: (latest?.status ?? 'none') as CaseStatus | 'none',
    case: latest ? await presentCase(store.db, partner, latest) : null,
    previousCases: previous.map((r) => ({
      id: r.id,
      kind: r.kind as 'kyc' | 'kyb',
      status: r.status as CaseStatus,
      decisionReason: r.decision_reason,
      openedAt: r.opened_at,
      decidedAt: r.decided_at,
    })),
  };
}

async function knownEntity(db: Db, entity: string, field: string): Promise<void> {
  const hit = await db
    .selectFrom('restricted_countries')
    .select('entity')
    .where('entity', '=', entity)
    .limit(1)
    .executeTakeFirst();
  if (!hit) {
    const all = await db
      .selectFrom('restricted_countries')
      .select('entity')
      .distinct()
      .orderBy('entity')
      .execute();
    throw invalidField(
      field,
      `is not a regulated entity with a restricted-country list (known: ${all.map((e) => e.entity).join(', ') || 'none'}).`,
    );
  }
}

/** Each id must be a document of this partner that is not archived. */
async function checkDocuments(
  db: Db,
  partnerId: string,
  refs: { field: string; id: string }[],
): Promise<void> {
  if (refs.length === 0) return;
  const rows = await db
    .selectFrom('documents')
    .select(['id', 'archived_at'])
    .where('partner_id', '=', partnerId)
    .where(
      'id',
      'in',
      refs.map((r) => r.id),
    )
    .execute();
  const found = new Map(rows.map((r) => [r.id, r]));
  const errors: FieldError[] = [];
  for (const r of refs) {
    const doc = found.get(r.id);
    if (!doc) errors.push({ field: r.field, message: `${r.id} is not a document of this partner.` });
    else if (doc.archived_at !== null) errors.push({ field: r.field, message: `${r.id} is archived.` });
  }
  if (errors.length > 0) throw invalid(errors);
}

export async function openCase(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  body: { regulatedEntity?: string | null },
) {
  assertCan(ctx.actor, 'dd.manage');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  if (partner.archived_at !== null)
    throw conflict('The partner is archived; restore it before opening a case.');
  if (body.regulatedEntity) await knownEntity(store.db, body.regulatedEntity, 'body.regulatedEntity');
  try {
    const id = await writeTransaction(store, ctx, async (w) => {
      const existing = await w.trx
        .selectFrom('dd_cases')
        .select(['id', 'status'])
        .where('open_partner_id', '=', partner.id)
        .executeTakeFirst();
      if (existing)
        throw conflict(`Case ${existing.id} is still ${existing.status}; decide it before opening another.`);
      const now = nowIso();
      const id = newId('ddCase');
      const kind = partner.kind === 'company' ? 'kyb' : 'kyc';
      await w.trx
        .insertInto('dd_cases')
        .values({
          id,
          partner_id: partner.id,
          open_partner_id: partner.id,
          kind,
          status: 'open',
          regulated_entity: body.regulatedEntity ?? null,
          registration: null,
          identity_document_id: null,
          address_document_id: null,
          marketing_methods: '[]',
          target_countries: '[]',
          website_reviews: '[]',
          waiting_since: null,
          waiting_ms_total: 0,
          decision: null,
          decision_reason: null,
          decided_by: null,
          decided_at: null,
          opened_by: ctx.actor.id,
          opened_at: now,
          updated_at: now,
        })
        .execute();
      w.audit({
        action: 'dd.opened',
        entityType: 'dd_case',
        entityId: id,
        partnerId: partner.id,
        after: { kind, status: 'open', regulatedEntity: body.regulatedEntity ?? null },
      });
      return id;
    });
    const row = await store.db
      .selectFrom('dd_cases')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return presentCase(store.db, partner, row);
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('Another case for this partner was opened at the same moment.');
    throw err;
  }
}

/** Runs a change to the undecided case of a partner, audited as dd.updated unless fn audits itself. */
async function changeCase(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  fn: (w: WriteScope, row: CaseRow, partner: PartnerRow) => Promise<void>,
) {
  assertCan(ctx.actor, 'dd.manage');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  const caseId = await writeTransaction(store, ctx, async (w) => {
    const row = await undecidedCase(w.trx, partner.id);
    await fn(w, row, partner);
    await w.trx.updateTable('dd_cases').set({ updated_at: nowIso() }).where('id', '=', row.id).execute();
    return row.id;
  });
  const row = await store.db
    .selectFrom('dd_cases')
    .selectAll()
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  return presentCase(store.db, partner, row);
}

export interface CasePatch {
  regulatedEntity?: string | null;
  registration?: { number: string; country: string; registry: string; incorporatedOn: string } | null;
  identityDocumentId?: string | null;
  addressDocumentId?: string | null;
  marketingMethods?: string[];
  targetCountries?: string[];
}

export async function updateCase(store: Store, ctx: RequestContext, partnerId: string, body: CasePatch) {
  return changeCase(store, ctx, partnerId, async (w, row) => {
    const errors: FieldError[] = [];
    if (row.kind === 'kyc' && body.registration !== undefined && body.registration !== null) {
      errors.push({ field: 'body.registration', message: 'is recorded on KYB (company) cases only.' });
    }
    if (row.kind === 'kyb') {
      for (const f of ['identityDocumentId', 'addressDocumentId'] as const) {
        if (body[f] !== undefined && body[f] !== null) {
          errors.push({
            field: `body.${f}`,
            message:
              'is recorded on KYC (individual) cases only; on a KYB case give each person their documents.',
          });
        }
      }
    }
    if (body.registration) {
      const d = body.registration.incorporatedOn;
      if (!isValidIsoDate(d))
        errors.push({ field: 'body.registration.incorporatedOn', message: 'is not a real date.' });
      else if (d > todayUtc())
        errors.push({ field: 'body.registration.incorporatedOn', message: 'cannot be in the future.' });
    }
    if (errors.length > 0) throw invalid(errors);
    if (body.regulatedEntity) await knownEntity(w.trx, body.regulatedEntity, 'body.regulatedEntity');
    const refs: { field: string; id: string }[] = [];
    if (body.identityDocumentId) refs.push({ field: 'body.identityDocumentId', id: body.identityDocumentId });
    if (body.addressDocumentId) refs.push({ field: 'body.addressDocumentId', id: body.addressDocumentId });
    await checkDocuments(w.trx, row.partner_id, refs);

    const before = {
      regulatedEntity: row.regulated_entity,
      registration: parseJson<unknown>(row.registration, null),
      identityDocumentId: row.identity_document_id,
      addressDocumentId: row.address_document_id,
      marketingMethods: parseJson<string[]>(row.marketing_methods, []),
      targetCountries: parseJson<string[]>(row.target_countries, []),
    };
    const after = {
      regulatedEntity: body.regulatedEntity !== undefined ? body.regulatedEntity : before.regulatedEntity,
      registration: body.registration !== undefined ? body.registration : before.registration,
      identityDocumentId:
        body.identityDocumentId !== undefined ? body.identityDocumentId : before.identityDocumentId,
      addressDocumentId:
        body.addressDocumentId !== undefined ? body.addressDocumentId : before.addressDocumentId,
      marketingMethods:
        body.marketingMethods !== undefined ? [...new Set(body.marketingMethods)] : before.marketingMethods,
      targetCountries:
        body.targetCountries !== undefined ? [...new Set(body.targetCountries)] : before.targetCountries,
    };
    await w.trx
      .updateTable('dd_cases')
      .set({
        regulated_entity: after.regulatedEntity,
        registration: after.registration === null ? null : JSON.stringify(after.registration),
        identity_document_id: after.identityDocumentId,
        address_document_id: after.addressDocumentId,
        marketing_methods: JSON.stringify(after.marketingMethods),
        target_countries: JSON.stringify(after.targetCountries),
      })
      .where('id', '=', row.id)
      .execute();
    const changes = diffObjects(before, after);
    w.audit({
      action: 'dd.updated',
      entityType: 'dd_case',
      entityId: row.id,
      partnerId: row.partner_id,
      before: changes.before,
      after: changes.after,
    });
  });
}

function diffObjects(before: Record<string, unknown>, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      b[k] = before[k] ?? null;
      a[k] = after[k] ?? null;
    }
  }
  return { before: b, after: a };
}

export interface PartyInput {
  kind: 'person' | 'entity';
  name: string;
  roles: PartyRole[];
  country?: string | null;
  shareholdingBps?: number | null;
  beneficialBps?: number | null;
  identityDocumentId?: string | null;
  addressDocumentId?: string | null;
}

/** Cross-field rules of a party, and the case-wide ownership totals (each at most 100%). */
async function validateParty(w: WriteScope, row: CaseRow, party: PartyInput, exceptPartyId: string | null) {
  const errors: FieldError[] = [];
  if (row.kind !== 'kyb')
    throw conflict('Directors, shareholders and beneficial owners are recorded on KYB (company) cases only.');
  const roles = new Set(party.roles);
  if (roles.size !== party.roles.length) errors.push({ field: 'body.roles', message: 'lists a role twice.' });
  if (roles.has('shareholder') && (party.shareholdingBps === null || party.shareholdingBps === undefined)) {
    errors.push({
      field: 'body.shareholdingBps',
      message: 'is required for a shareholder (basis points, 1% = 100).',
    });
  }
  if (!roles.has('shareholder') && party.shareholdingBps !== null && party.shareholdingBps !== undefined) {
    errors.push({ field: 'body.shareholdingBps', message: 'is given only for shareholders.' });
  }
  if (roles.has('ubo') && (party.beneficialBps === null || party.beneficialBps === undefined)) {
    errors.push({
      field: 'body.beneficialBps',
      message: 'is required for a beneficial owner (basis points, 1% = 100).',
    });
  }
  if (!roles.has('ubo') && party.beneficialBps !== null && party.beneficialBps !== undefined) {
    errors.push({ field: 'body.beneficialBps', message: 'is given only for beneficial owners.' });
  }
  if (roles.has('ubo') && party.kind !== 'person') {
    errors.push({ field: 'body.roles', message: 'a beneficial owner is a natural person (kind person).' });
  }
  if (errors.length > 0) throw invalid(errors);
  const others = await w.trx
    .selectFrom('dd_parties')
    .select(['id', 'shareholding_bps', 'beneficial_bps'])
    .where('case_id', '=', row.id)
    .execute();
  let shares = party.shareholdingBps ?? 0;
  let beneficial = party.beneficialBps ?? 0;
  for (const o of others) {
    if (o.id === exceptPartyId) continue;
    shares += Number(o.shareholding_bps ?? 0);
    beneficial += Number(o.beneficial_bps ?? 0);
  }
  if (shares > 10_000) {
    errors.push({
      field: 'body.shareholdingBps',
      message: `would bring the recorded shareholdings to ${(shares / 100).toFixed(2)}%, over 100%.`,
    });
  }
  if (beneficial > 10_000) {
    errors.push({
      field: 'body.beneficialBps',
      message: `would bring the recorded beneficial ownership to ${(beneficial / 100).toFixed(2)}%, over 100%.`,
    });
  }
  if (errors.length > 0) throw invalid(errors);
  const refs: { field: string; id: string }[] = [];
  if (party.identityDocumentId) refs.push({ field: 'body.identityDocumentId', id: party.identityDocumentId });
  if (party.addressDocumentId) refs.push({ field: 'body.addressDocumentId', id: party.addressDocumentId });
  await checkDocuments(w.trx, row.partner_id, refs);
}

function partyAuditView(p: PartyInput) {
  return {
    kind: p.kind,
    name: p.name,
    roles: p.roles,
    country: p.country ?? null,
    shareholdingBps: p.shareholdingBps ?? null,
    beneficialBps: p.beneficialBps ?? null,
    identityDocumentId: p.identityDocumentId ?? null,
    addressDocumentId: p.addressDocumentId ?? null,
  };
}

export async function addParty(store: Store, ctx: RequestContext, partnerId: string, body: PartyInput) {
  return changeCase(store, ctx, partnerId, async (w, row) => {
    await validateParty(w, row, body, null);
    const now = nowIso();
    const id = newId('ddParty');
    const v = partyAuditView(body);
    await w.trx
      .insertInto('dd_parties')
      .values({
        id,
        case_id: row.id,
        partner_id: row.partner_id,
        kind: v.kind,
        name: v.name,
        roles: JSON.stringify(v.roles),
        country: v.country,
        shareholding_bps: v.shareholdingBps,
        beneficial_bps: v.beneficialBps,
        identity_document_id: v.identityDocumentId,
        address_document_id: v.addressDocumentId,
        created_at: now,
        updated_at: now,
      })
      .execute();
    w.audit({
      action: 'dd.party_added',
      entityType: 'dd_party',
      entityId: id,
      partnerId: row.partner_id,
      after: v,
      meta: { caseId: row.id },
    });
  });
}

async function loadParty(w: WriteScope, row: CaseRow, partyId: string): Promise<DdPartiesTable> {
  const p = await w.trx
    .selectFrom('dd_parties')
    .selectAll()
    .where('id', '=', partyId)
    .where('case_id', '=', row.id)
    .executeTakeFirst();
  if (!p) throw notFound(`Party ${partyId} of the open case`);
  return p;
}

export async function updateParty(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  partyId: string,
  body: Partial<PartyInput>,
) {
  return changeCase(store, ctx, partnerId, async (w, row) => {
    const current = await loadParty(w, row, partyId);
    const cv = presentParty(current);
    const before = partyAuditView(cv);
    const merged: PartyInput = {
      kind: body.kind ?? cv.kind,
      name: body.name ?? cv.name,
      roles: body.roles ?? cv.roles,
      country: body.country !== undefined ? body.country : cv.country,
      shareholdingBps: body.shareholdingBps !== undefined ? body.shareholdingBps : cv.shareholdingBps,
      beneficialBps: body.beneficialBps !== undefined ? body.beneficialBps : cv.beneficialBps,
      identityDocumentId:
        body.identityDocumentId !== undefined ? body.identityDocumentId : cv.identityDocumentId,
      addressDocumentId: body.addressDocumentId !== undefined ? body.addressDocumentId : cv.addressDocumentId,
    };
    await validateParty(w, row, merged, partyId);
    const after = partyAuditView(merged);
    await w.trx
      .updateTable('dd_parties')
      .set({
        kind: after.kind,
        name: after.name,
        roles: JSON.stringify(after.roles),
        country: after.country,
        shareholding_bps: after.shareholdingBps,
        beneficial_bps: after.beneficialBps,
        identity_document_id: after.identityDocumentId,
        address_document_id: after.addressDocumentId,
        updated_at: nowIso(),
      })
      .where('id', '=', partyId)
      .execute();
    const changes = diffObjects(before, after);
    w.audit({
      action: 'dd.party_updated',
      entityType: 'dd_party',
      entityId: partyId,
      partnerId: row.partner_id,
      before: changes.before,
      after: changes.after,
      meta: { caseId: row.id },
    });
  });
}

export async function removeParty(store: Store, ctx: RequestContext, partnerId: string, partyId: string) {
  return changeCase(store, ctx, partnerId, async (w, row) => {
    const current = await loadParty(w, row, partyId);
    const screened = await w.trx
      .selectFrom('dd_screenings')
      .select('id')
      .where('party_id', '=', partyId)
      .limit(1)
      .executeTakeFirst();
    if (screened) {
      throw conflict(
        `${current.name} has screening results on this case; they stay on record, so the party cannot be removed.`,
      );
    }
    await w.trx.deleteFrom('dd_parties').where('id', '=', partyId).execute();
    w.audit({
      action: 'dd.party_removed',
      entityType: 'dd_party',
      entityId: partyId,
      partnerId: row.partner_id,
      before: partyAuditView(presentParty(current)),
      meta: { caseId: row.id },
    });
  });
}

export interface ScreeningInput {
  partyId?: string | null;
  result: ScreeningResult;
  listTypes: ('sanctions' | 'pep' | 'adverse_media')[];
  provider: string;
  screenedOn: string;
  reference?: string | null;
  note?: string | null;
}

export async function recordScreening(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  body: ScreeningInput,
) {
  const errors: FieldError[] = [];
  if (!isValidIsoDate(body.screenedOn))
    errors.push({ field: 'body.screenedOn', message: 'is not a real date.' });
  else if (body.screenedOn > todayUtc())
    errors.push({ field: 'body.screenedOn', message: 'cannot be in the future.' });
  if (new Set(body.listTypes).size !== body.listTypes.length) {
    errors.push({ field: 'body.listTypes', message: 'lists a list type twice.' });
  }
  if (errors.length > 0) throw invalid(errors);
  return changeCase(store, ctx, partnerId, async (w, row) => {
    if (body.partyId) {
      const p = await w.trx
        .selectFrom('dd_parties')
        .select('id')
        .where('id', '=', body.partyId)
        .where('case_id', '=', row.id)
        .executeTakeFirst();
      if (!p) throw invalidField('body.partyId', `${body.partyId} is not a party of the open case.`);
    }
    const id = newId('screening');
    const v = {
      partyId: body.partyId ?? null,
      result: body.result,
      listTypes: body.listTypes,
      provider: body.provider,
      screenedOn: body.screenedOn,
      reference: body.reference ?? null,
      note: body.note ?? null,
    };
    await w.trx
      .insertInto('dd_screenings')
      .values({
        id,
        case_id: row.id,
        partner_id: row.partner_id,
        party_id: v.partyId,
        result: v.result,
        list_types: JSON.stringify(v.listTypes),
        provider: v.provider,
        screened_on: v.screenedOn,
        reference: v.reference,
        note: v.note,
        recorded_by: ctx.actor.id,
        recorded_at: nowIso(),
      })
      .execute();
    w.audit({
      action: 'dd.screening_recorded',
      entityType: 'dd_screening',
      entityId: id,
      partnerId: row.partner_id,
      after: v,
      meta: { caseId: row.id },
    });
  });
}

export async function addWebsiteReview(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  body: { url: string; reviewedOn: string; outcome: 'pass' | 'issues' | 'fail'; notes?: string | null },
) {
  if (!isValidIsoDate(body.reviewedOn)) throw invalidField('body.reviewedOn', 'is not a real date.');
  if (body.reviewedOn > todayUtc()) throw invalidField('body.reviewedOn', 'cannot be in the future.');
  return changeCase(store, ctx, partnerId, async (w, row) => {
    const reviews = parseJson<WebsiteReviewStored[]>(row.website_reviews, []);
    const review: WebsiteReviewStored = {
      url: body.url,
      reviewedOn: body.reviewedOn,
      outcome: body.outcome,
      notes: body.notes ?? null,
      reviewedBy: ctx.actor.id,
      recordedAt: nowIso(),
    };
    await w.trx
      .updateTable('dd_cases')
      .set({ website_reviews: JSON.stringify([...reviews, review]) })
      .where('id', '=', row.id)
      .execute();
    w.audit({
      action: 'dd.updated',
      entityType: 'dd_case',
      entityId: row.id,
      partnerId: row.partner_id,
      after: {
        websiteReview: {
          url: review.url,
          reviewedOn: review.reviewedOn,
          outcome: review.outcome,
          notes: review.notes,
        },
      },
    });
  });
}

export interface DecisionInput {
  decision: 'approve' | 'reject' | 'request_more';
  reason: string;
  requestedItems?: string[];
  addressedTo?: 'bdm' | 'partner';
}

/** Ends a waiting period: adds it to the case's total and resumes the dd_review task's SLA. */
async function stopWaiting(w: WriteScope, row: CaseRow, now: string): Promise<number> {
  if (!row.waiting_since) return Number(row.waiting_ms_total);
  const total = Number(row.waiting_ms_total) + Math.max(0, Date.parse(now) - Date.parse(row.waiting_since));
  await resumeTaskSla(w, { partnerId: row.partner_id, key: DD_REVIEW_TASK_KEY });
  return total;
}

export async function decide(store: Store, ctx: RequestContext, partnerId: string, body: DecisionInput) {
  const errors: FieldError[] = [];
  if (body.decision === 'request_more' && !body.requestedItems?.length) {
    errors.push({ field: 'body.requestedItems', message: 'list what is needed when requesting more.' });
  }
  if (body.decision !== 'request_more' && body.requestedItems !== undefined) {
    errors.push({ field: 'body.requestedItems', message: 'is given only with request_more.' });
  }
  if (body.decision !== 'request_more' && body.addressedTo !== undefined) {
    errors.push({ field: 'body.addressedTo', message: 'is given only with request_more.' });
  }
  if (errors.length > 0) throw invalid(errors);
  return changeCase(store, ctx, partnerId, async (w, row, partner) => {
    const now = nowIso();
    if (body.decision === 'request_more') {
      const requestId = newId('docRequest');
      const addressedTo = body.addressedTo ?? 'bdm';
      await w.trx
        .insertInto('doc_requests')
        .values({
          id: requestId,
          case_id: row.id,
          partner_id: row.partner_id,
          addressed_to: addressedTo,
          items: JSON.stringify(body.requestedItems),
          status: 'open',
          requested_by: ctx.actor.id,
          created_at: now,
          answered_at: null,
          answered_by: null,
          answer_note: null,
          answer_document_ids: null,
        })
        .execute();
      const startsWaiting = row.waiting_since === null;
      await w.trx
        .updateTable('dd_cases')
        .set({ status: 'more_requested', waiting_since: row.waiting_since ?? now })
        .where('id', '=', row.id)
        .execute();
      const taskPaused = startsWaiting
        ? await pauseTaskSla(w, {
            partnerId: row.partner_id,
            key: DD_REVIEW_TASK_KEY,
            reason: `Waiting for documents (${requestId})`,
          })
        : null;
      w.audit({
        action: 'dd.more_requested',
        entityType: 'doc_request',
        entityId: requestId,
        partnerId: row.partner_id,
        before: { status: row.status },
        after: { status: 'more_requested', addressedTo, items: body.requestedItems },
        reason: body.reason,
        meta: { caseId: row.id, taskPaused },
      });
      return;
    }

    if (body.decision === 'approve') {
      // A case still waiting for documents is refused too: the rules name each open request.
      const parts = await loadCaseParts(w.trx, row);
      const problems = approvalProblems(await ruleInput(w.trx, partner, row, parts));
      if (problems.length > 0) {
        throw conflict(`The case cannot be approved: ${problems.map((p) => p.message).join(' ')}`, {
          problems,
        });
      }
    }

    const status = body.decision === 'approve' ? 'approved' : 'rejected';
    const withdrawn =
      body.decision === 'reject'
        ? await w.trx
            .updateTable('doc_requests')
            .set({ status: 'withdrawn' })
            .where('case_id', '=', row.id)
            .where('status', '=', 'open')
            .executeTakeFirst()
        : null;
    const waitingTotal = await stopWaiting(w, row, now);
    await w.trx
      .updateTable('dd_cases')
      .set({
        status,
        open_partner_id: null,
        decision: body.decision,
        decision_reason: body.reason,
        decided_by: ctx.actor.id,
        decided_at: now,
        waiting_since: null,
        waiting_ms_total: waitingTotal,
      })
      .where('id', '=', row.id)
      .execute();
    w.audit({
      action: 'dd.decided',
      entityType: 'dd_case',
      entityId: row.id,
      partnerId: row.partner_id,
      before: { status: row.status },
      after: { status, decision: body.decision },
      reason: body.reason,
      meta: withdrawn ? { requestsWithdrawn: Number(withdrawn.numUpdatedRows) } : undefined,
    });
  });
}

/** Who may answer a documentation request: the partner's own users, or staff who may change the partner. */
function mayAnswer(ctx: RequestContext, partner: PartnerRow): boolean {
  if (ctx.actor.role === 'partner' || ctx.actor.partnerId) return ctx.actor.partnerId === partner.id;
  return canChangePartner(ctx.actor, partner);
}

export async function listRequests(store: Store, ctx: RequestContext, partnerId: string) {
  assertCan(ctx.actor, 'dd.respond');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  const rows = await store.db
    .selectFrom('doc_requests')
    .selectAll()
    .where('partner_id', '=', partner.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return { data: rows.map(presentRequest) };
}

export async function answerRequest(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  requestId: string,
  body: { note: string; documentIds?: string[] },
) {
  assertCan(ctx.actor, 'dd.respond');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  if (!canSeePartner(ctx.actor, partner)) throw notFound(`Partner ${partnerId}`);
  if (!mayAnswer(ctx, partner)) {
    throw forbidden(
      "Only the partner's owner BDM (or someone who may change the partner) or the partner itself can answer.",
    );
  }
  const docIds = [...new Set(body.documentIds ?? [])];
  return writeTransaction(store, ctx, async (w) => {
    const request = await w.trx
      .selectFrom('doc_requests')
      .selectAll()
      .where('id', '=', requestId)
      .where('partner_id', '=', partner.id)
      .executeTakeFirst();
    if (!request) throw notFound(`Documentation request ${requestId}`);
    if (request.status !== 'open') throw conflict(`The request is already ${request.status}.`);
    await checkDocuments(
      w.trx,
      partner.id,
      docIds.map((id, i) => ({ field: `body.documentIds.${i}`, id })),
    );
    const now = nowIso();
    const answered = await w.trx
      .updateTable('doc_requests')
      .set({
        status: 'answered',
        answered_at: now,
        answered_by: ctx.actor.id,
        answer_note: body.note,
        answer_document_ids: JSON.stringify(docIds),
      })
      .where('id', '=', request.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(answered.numUpdatedRows) !== 1) throw conflict('The request was answered at the same moment.');
    const row = await w.trx
      .selectFrom('dd_cases')
      .selectAll()
      .where('id', '=', request.case_id)
      .executeTakeFirstOrThrow();
    const stillOpen = await w.trx
      .selectFrom('doc_requests')
      .select('id')
      .where('case_id', '=', row.id)
      .where('status', '=', 'open')
      .limit(1)
      .executeTakeFirst();
    let resumed = false;
    if (!stillOpen && row.status === 'more_requested') {
      const total = await stopWaiting(w, row, now);
      await w.trx
        .updateTable('dd_cases')
        .set({ status: 'open', waiting_since: null, waiting_ms_total: total, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      resumed = true;
    }
    w.audit({
      action: 'dd.request_answered',
      entityType: 'doc_request',
      entityId: request.id,
      partnerId: partner.id,
      before: { status: 'open' },
      after: { status: 'answered', documentIds: docIds },
      reason: body.note,
      meta: { caseId: row.id, clockResumed: resumed },
    });
    const fresh = await w.trx
      .selectFrom('doc_requests')
      .selectAll()
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    return presentRequest(fresh);
  });
}
