// The closed catalogue of fields a mandatory-field policy may require, with the label the UI shows and the
// rule that decides whether a partner has filled it. Everything here is pure: the DB-facing code gathers a
// PartnerFacts snapshot and these functions judge it.

export const PARTNER_TYPES = ['ib', 'affiliate', 'white_label', 'network', 'influencer'] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];

export const PARTNER_KINDS = ['individual', 'company'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** The onboarding path, in order. A field required at one of these stages stays required at every later one. */
export const MAIN_STAGES = [
  'intake',
  'due_diligence',
  'tracking_setup',
  'activation_readiness',
  'handover',
  'active',
] as const;
/** States off the main path: evaluated with their own rules only, and with no "next" stage. */
export const SIDE_STAGES = ['rejected', 'suspended', 'offboarded'] as const;
export const ALL_STAGES = [...MAIN_STAGES, ...SIDE_STAGES] as const;
export type MainStage = (typeof MAIN_STAGES)[number];
export type SideStage = (typeof SIDE_STAGES)[number];
export type PartnerStage = MainStage | SideStage;

export const CONTACT_ROLES = [
  'primary',
  'billing',
  'technical',
  'compliance',
  'marketing',
  'signatory',
] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export const DOCUMENT_TYPES = [
  'identity',
  'proof_of_address',
  'incorporation',
  'ubo_declaration',
  'agreement',
  'tax_form',
  'other',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const PARTNER_FIELDS = [
  'legalName',
  'country',
  'languages',
  'websites',
  'trafficSources',
  'email',
  'phone',
  'ownerId',
  'tier',
  'parentId',
] as const;
export type PartnerField = (typeof PARTNER_FIELDS)[number];

export type FieldGroup = 'partner' | 'custom' | 'contact' | 'document';

export interface CatalogueEntry {
  /** The name used in rules: `email`, `custom.<key>`, `contact.<role>`, `document.<type>`. */
  field: string;
  label: string;
  group: FieldGroup;
  /** How the field is judged present, in words (shown in the policy editor). */
  check: string;
  /** Custom fields may apply to some partner types only; null = every type. */
  partnerTypes: PartnerType[] | null;
}

/** An active (not archived) custom field definition, as far as the policy cares. */
export interface CustomFieldInfo {
  key: string;
  label: string;
  /** Empty = applies to every partner type. */
  partnerTypes: string[];
}

const PARTNER_FIELD_INFO: Record<PartnerField, { label: string; check: string }> = {
  legalName: { label: 'Legal name', check: 'The legal name is filled in.' },
  country: { label: 'Country', check: 'The country is set.' },
  languages: { label: 'Languages', check: 'At least one language is listed.' },
  websites: { label: 'Websites', check: 'At least one website is listed.' },
  trafficSources: { label: 'Traffic sources', check: 'At least one traffic source is listed.' },
  email: { label: 'Email', check: 'The email address is filled in.' },
  phone: { label: 'Phone', check: 'The phone number is filled in.' },
  ownerId: { label: 'Owner (BDM)', check: 'An owner BDM is assigned.' },
  tier: { label: 'Tier', check: 'The tier is set.' },
  parentId: { label: 'Parent partner', check: 'A parent partner (master IB or network) is set.' },
};

const CONTACT_LABELS: Record<ContactRole, string> = {
  primary: 'Primary contact',
  billing: 'Billing contact',
  technical: 'Technical contact',
  compliance: 'Compliance contact',
  marketing: 'Marketing contact',
  signatory: 'Authorised signatory',
};

const DOCUMENT_LABELS: Record<DocumentType, string> = {
  identity: 'Identity document',
  proof_of_address: 'Proof of address',
  incorporation: 'Certificate of incorporation',
  ubo_declaration: 'UBO declaration',
  agreement: 'Signed partner agreement',
  tax_form: 'Tax form',
  other: 'Other document',
};

/** The fields that exist whatever custom fields are defined, in the order the editor shows them. */
export const STATIC_CATALOGUE: readonly CatalogueEntry[] = [
  ...PARTNER_FIELDS.map((field) => ({
    field,
    label: PARTNER_FIELD_INFO[field].label,
    group: 'partner' as const,
    check: PARTNER_FIELD_INFO[field].check,
    partnerTypes: null,
  })),
  ...CONTACT_ROLES.map((role) => ({
    field: `contact.${role}`,
    label: CONTACT_LABELS[role],
    group: 'contact' as const,
    check: `A contact with the role "${role}" exists.`,
    partnerTypes: null,
  })),
  ...DOCUMENT_TYPES.map((type) => ({
    field: `document.${type}`,
    label: DOCUMENT_LABELS[type],
    group: 'document' as const,
    check: `A document of type "${type}" exists that is neither archived nor rejected.`,
    partnerTypes: null,
  })),
];

const STATIC_BY_FIELD = new Map(STATIC_CATALOGUE.map((e) => [e.field, e]));

function isPartnerType(v: string): v is PartnerType {
  return (PARTNER_TYPES as readonly string[]).includes(v);
}

/** The full catalogue: the static fields, then one `custom.<key>` per active custom field (by key). */
export function buildCatalogue(customFields: readonly CustomFieldInfo[]): CatalogueEntry[] {
  const custom = [...customFields]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((c) => {
      const types = c.partnerTypes.filter(isPartnerType);
      return {
        field: `custom.${c.key}`,
        label: c.label,
        group: 'custom' as const,
        check: `The custom field "${c.key}" has a value.`,
        partnerTypes: c.partnerTypes.length === 0 ? null : types,
      };
    });
  return [...STATIC_CATALOGUE, ...custom];
}

/**
 * Why `field` cannot be required of `partnerType` partners, or null when it can. With a null type only the
 * name is checked (a custom field's applicability depends on the type).
 */
export function fieldProblem(
  field: string,
  partnerType: string | null,
  customFields: readonly CustomFieldInfo[],
): string | null {
  if (STATIC_BY_FIELD.has(field)) return null;
  if (field.startsWith('custom.')) {
    const key = field.slice('custom.'.length);
    const def = customFields.find((c) => c.key === key);
    if (!def) return `There is no active custom field "${key}".`;
    if (partnerType !== null && def.partnerTypes.length > 0 && !def.partnerTypes.includes(partnerType)) {
      return `The custom field "${key}" does not apply to ${partnerType} partners (it applies to ${def.partnerTypes.join(', ')}).`;
    }
    return null;
  }
  return `Unknown field "${field}"; use a field from the catalogue (GET /api/v1/policy/mandatory-fields).`;
}

/**
 * What is known about one partner, as the catalogue's checks need it. Arrays and the custom-field object are
 * already parsed (see `factsFromRows`).
 */
export interface PartnerFacts {
  id: string;
  type: string;
  kind: string;
  stage: string;
  legalName: string | null;
  country: string | null;
  languages: unknown;
  websites: unknown;
  trafficSources: unknown;
  email: string | null;
  phone: string | null;
  ownerId: string | null;
  tier: string | null;
  parentId: string | null;
  customValues: Record<string, unknown>;
  /** Roles of the partner's contacts. */
  contactRoles: ReadonlySet<string>;
  /** Types of the partner's documents that are neither archived nor rejected. */
  documentTypes: ReadonlySet<string>;
}

function hasText(v: unknown): boolean {
  return typeof v === 'string' && v.trim() !== '';
}

function hasListEntry(v: unknown): boolean {
  return Array.isArray(v) && v.some((x) => hasText(x));
}

/** A custom value counts when it is an answer: not missing, null, blank text or an empty list (false and 0 count). */
export function customValuePresent(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'number') return Number.isFinite(v);
  return true;
}

/** True when the partner has filled `field`. Unknown fields are never filled. */
export function isFieldFilled(field: string, facts: PartnerFacts): boolean {
  switch (field) {
    case 'legalName':
      return hasText(facts.legalName);
    case 'country':
      return hasText(facts.country);
    case 'languages':
      return hasListEntry(facts.languages);
    case 'websites':
      return hasListEntry(facts.websites);
    case 'trafficSources':
      return hasListEntry(facts.trafficSources);
    case 'email':
      return hasText(facts.email);
    case 'phone':
      return hasText(facts.phone);
    case 'ownerId':
      return hasText(facts.ownerId);
    case 'tier':
      return hasText(facts.tier);
    case 'parentId':
      return hasText(facts.parentId);
  }
  if (field.startsWith('contact.')) return facts.contactRoles.has(field.slice('contact.'.length));
  if (field.startsWith('document.')) return facts.documentTypes.has(field.slice('document.'.length));
  if (field.startsWith('custom.')) {
    const key = field.slice('custom.'.length);
    return Object.hasOwn(facts.customValues, key) && customValuePresent(facts.customValues[key]);
  }
  return false;
}

/** The label of a field: from the static catalogue, the custom field definition, or the name itself. */
export function labelOf(field: string, customFields: readonly CustomFieldInfo[]): string {
  const known = STATIC_BY_FIELD.get(field);
  if (known) return known.label;
  if (field.startsWith('custom.')) {
    const key = field.slice('custom.'.length);
    const def = customFields.find((c) => c.key === key);
    if (def) return def.label;
  }
  return field;
}
