// Turns partner rows into the API's Partner view. Related facts (owner name, parent, number of children) are
// loaded for a whole page at once, so a list of 200 costs three extra queries, not 600. To add a property:
// add it to partnerViewSchema, load what it needs in loadRelated, and set it in toPartnerView.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/index.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import { missingCountsFor } from '../policy/index.ts';
import type { CustomFieldValue } from './custom-fields.service.ts';
import type { PartnerView } from './partner.schemas.ts';
import type { PartnerKind, PartnerStage, PartnerType } from './reference-data.ts';

type Db = Kysely<DB> | Transaction<DB>;

interface Related {
  ownerNames: Map<string, string>;
  parents: Map<string, { id: string; displayName: string }>;
  childrenCounts: Map<string, number>;
  missing: Map<string, { missingNow: number; missingNext: number | null }>;
}

const unique = (values: (string | null)[]): string[] => [
  ...new Set(values.filter((v): v is string => v !== null)),
];

async function loadRelated(db: Db, rows: PartnersTable[]): Promise<Related> {
  const ownerIds = unique(rows.map((r) => r.owner_id));
  const parentIds = unique(rows.map((r) => r.parent_id));
  const ids = rows.map((r) => r.id);
  const owners = ownerIds.length
    ? await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ownerIds).execute()
    : [];
  const parents = parentIds.length
    ? await db.selectFrom('partners').select(['id', 'display_name']).where('id', 'in', parentIds).execute()
    : [];
  const counts = await db
    .selectFrom('partners')
    .select(['parent_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('parent_id', 'in', ids)
    .groupBy('parent_id')
    .execute();
  const missing = await missingCountsFor(db, rows);
  return {
    missing,
    ownerNames: new Map(owners.map((o) => [o.id, o.name])),
    parents: new Map(parents.map((p) => [p.id, { id: p.id, displayName: p.display_name }])),
    childrenCounts: new Map(counts.map((c) => [c.parent_id as string, Number(c.n)])),
  };
}

/** The stored fields of a partner in API names: what audit entries record and what the view starts from. */
export function partnerRecord(r: PartnersTable) {
  return {
    displayName: r.display_name,
    legalName: r.legal_name,
    kind: r.kind as PartnerKind,
    type: r.type as PartnerType,
    stage: r.stage as PartnerStage,
    parentId: r.parent_id,
    country: r.country,
    languages: JSON.parse(r.languages) as string[],
    websites: JSON.parse(r.websites) as string[],
    trafficSources: JSON.parse(r.traffic_sources) as string[],
    email: r.email,
    phone: r.phone,
    ownerId: r.owner_id,
    tier: r.tier,
    referralCode: r.referral_code,
    tags: JSON.parse(r.tags) as string[],
    customFields: JSON.parse(r.custom_fields) as Record<string, CustomFieldValue>,
  };
}

function toPartnerView(r: PartnersTable, related: Related): PartnerView {
  return {
    id: r.id,
    ...partnerRecord(r),
    parent: r.parent_id ? (related.parents.get(r.parent_id) ?? null) : null,
    childrenCount: related.childrenCounts.get(r.id) ?? 0,
    ownerName: r.owner_id ? (related.ownerNames.get(r.owner_id) ?? null) : null,
    missingFields: {
      now: related.missing.get(r.id)?.missingNow ?? 0,
      next: related.missing.get(r.id)?.missingNext ?? null,
    },
    archivedAt: r.archived_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

export async function presentPartners(db: Db, rows: PartnersTable[]): Promise<PartnerView[]> {
  if (rows.length === 0) return [];
  const related = await loadRelated(db, rows);
  return rows.map((r) => toPartnerView(r, related));
}

export async function presentPartner(db: Db, row: PartnersTable): Promise<PartnerView> {
  const [view] = await presentPartners(db, [row]);
  return view as PartnerView;
}
