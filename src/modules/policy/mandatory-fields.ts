// The database side of the mandatory-field check: gathers a partner's facts (its row, contact roles, live
// documents, custom values) and the policy in force, and hands them to the pure evaluation.
import type { Kysely, Transaction } from 'kysely';
import type { RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import type { Store } from '../../platform/tx.ts';
import { loadPartnerFor } from '../partners/index.ts';
import type { PartnerFacts } from './catalogue.ts';
import { evaluateMandatoryFields, type MandatoryFieldsEvaluation } from './evaluate.ts';
import { currentPolicy, loadActiveCustomFields } from './policy.service.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** The partner columns the policy reads. A full partners row fits. */
export type PartnerRowForPolicy = Pick<
  PartnersTable,
  | 'id'
  | 'type'
  | 'kind'
  | 'stage'
  | 'legal_name'
  | 'country'
  | 'languages'
  | 'websites'
  | 'traffic_sources'
  | 'email'
  | 'phone'
  | 'owner_id'
  | 'tier'
  | 'parent_id'
  | 'custom_fields'
>;

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The facts the catalogue's checks read, from a partner row and the roles / document types it has. */
export function factsFromRows(
  partner: PartnerRowForPolicy,
  contactRoles: Iterable<string>,
  documentTypes: Iterable<string>,
): PartnerFacts {
  const custom = parseJson(partner.custom_fields);
  return {
    id: partner.id,
    type: partner.type,
    kind: partner.kind,
    stage: partner.stage,
    legalName: partner.legal_name,
    country: partner.country,
    languages: parseJson(partner.languages),
    websites: parseJson(partner.websites),
    trafficSources: parseJson(partner.traffic_sources),
    email: partner.email,
    phone: partner.phone,
    ownerId: partner.owner_id,
    tier: partner.tier,
    parentId: partner.parent_id,
    customValues:
      custom !== null && typeof custom === 'object' && !Array.isArray(custom)
        ? (custom as Record<string, unknown>)
        : {},
    contactRoles: new Set(contactRoles),
    documentTypes: new Set(documentTypes),
  };
}

const CHUNK = 500;

/** Contact roles and live document types (neither archived nor rejected) of each partner. */
async function loadRecordFacts(
  db: Db,
  partnerIds: readonly string[],
): Promise<{ roles: Map<string, Set<string>>; docs: Map<string, Set<string>> }> {
  const roles = new Map<string, Set<string>>();
  const docs = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, id: string, v: string) => {
    const set = m.get(id) ?? new Set<string>();
    set.add(v);
    m.set(id, set);
  };
  for (let i = 0; i < partnerIds.length; i += CHUNK) {
    const ids = partnerIds.slice(i, i + CHUNK);
    const contactRows = await db
      .selectFrom('contacts')
      .select(['partner_id', 'role'])
      .distinct()
      .where('partner_id', 'in', ids)
      .execute();
    for (const r of contactRows) add(roles, r.partner_id, r.role);
    const documentRows = await db
      .selectFrom('documents')
      .select(['partner_id', 'type'])
      .distinct()
      .where('partner_id', 'in', ids)
      .where('archived_at', 'is', null)
      .where('status', '<>', 'rejected')
      .execute();
    for (const r of documentRows) add(docs, r.partner_id, r.type);
  }
  return { roles, docs };
}

/** The mandatory fields the partner's current and next stage require, and which are missing, under the policy in force. */
export async function missingFieldsFor(
  db: Db,
  partner: PartnerRowForPolicy,
): Promise<MandatoryFieldsEvaluation> {
  const [policy, customFields, facts] = await Promise.all([
    currentPolicy(db),
    loadActiveCustomFields(db),
    loadRecordFacts(db, [partner.id]),
  ]);
  const partnerFacts = factsFromRows(
    partner,
    facts.roles.get(partner.id) ?? [],
    facts.docs.get(partner.id) ?? [],
  );
  return evaluateMandatoryFields(policy, { partner: partnerFacts, customFields });
}

export interface MissingCounts {
  missingNow: number;
  /** Null when there is no next stage (active, side states). */
  missingNext: number | null;
}

/** Missing-field counts for a page of partners, with a fixed number of queries whatever the page size. */
export async function missingCountsFor(
  db: Db,
  partners: readonly PartnerRowForPolicy[],
): Promise<Map<string, MissingCounts>> {
  const out = new Map<string, MissingCounts>();
  if (partners.length === 0) return out;
  const [policy, customFields, facts] = await Promise.all([
    currentPolicy(db),
    loadActiveCustomFields(db),
    loadRecordFacts(
      db,
      partners.map((p) => p.id),
    ),
  ]);
  for (const partner of partners) {
    const partnerFacts = factsFromRows(
      partner,
      facts.roles.get(partner.id) ?? [],
      facts.docs.get(partner.id) ?? [],
    );
    const e = evaluateMandatoryFields(policy, { partner: partnerFacts, customFields });
    out.set(partner.id, {
      missingNow: e.stage.missing.length,
      missingNext: e.next ? e.next.missing.length : null,
    });
  }
  return out;
}

/** The evaluation for one partner the actor may see (404 otherwise). */
export async function partnerMandatoryFields(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
): Promise<MandatoryFieldsEvaluation & { partnerId: string }> {
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  return { partnerId: partner.id, ...(await missingFieldsFor(store.db, partner)) };
}
