// The partner record as the API speaks it: request bodies (create, patch), the list query, and the view.
// One zod schema per shape: it validates the request, types the handler and documents the OpenAPI operation;
// the service re-runs the same schema, so CSV import and the demo seed meet exactly the same rules.
import { z } from 'zod';
import {
  COUNTRY_CODES,
  LANGUAGE_CODES,
  PARTNER_KINDS,
  PARTNER_STAGES,
  PARTNER_TIERS,
  PARTNER_TYPES,
  TRAFFIC_SOURCES,
} from './reference-data.ts';

export const EMAIL_RE = z.regexes.email;
/** Loose international phone: optional +, digits and the usual separators, 5–30 characters. */
export const PHONE_RE = /^\+?[0-9][0-9 ().-]{3,28}[0-9]$/;
export const REFERRAL_CODE_RE = /^[A-Za-z0-9_-]{4,32}$/;
export const TAG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export const emailSchema = z.string().trim().max(254).regex(EMAIL_RE, 'is not a valid email address');
export const phoneSchema = z
  .string()
  .trim()
  .regex(PHONE_RE, 'is not a phone number (digits, spaces, + ( ) . - only)');

export const countrySchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => COUNTRY_CODES.has(c), 'is not an ISO 3166-1 alpha-2 country code');

export const languageSchema = z
  .string()
  .trim()
  .toLowerCase()
  .refine((c) => LANGUAGE_CODES.has(c), 'is not an ISO 639-1 language code');

export const websiteSchema = z.string().trim().max(500).refine(isHttpUrl, 'must be an http or https URL');
export const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(40)
  .regex(TAG_RE, 'must be a lower-case slug (a-z, 0-9 and single hyphens)');
export const referralCodeSchema = z
  .string()
  .trim()
  .regex(REFERRAL_CODE_RE, 'must be 4–32 characters of A–Z, a–z, 0–9, _ and -');

export const customFieldValueSchema = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);

const partnerFields = {
  displayName: z.string().trim().min(1).max(200),
  legalName: z.string().trim().min(1).max(300).nullable(),
  kind: z.enum(PARTNER_KINDS).describe('Defaults to company.'),
  type: z.enum(PARTNER_TYPES).describe('Defaults to affiliate.'),
  parentId: z.string().min(1).max(64).nullable().describe('The parent IB (must be a partner of type ib).'),
  country: countrySchema.nullable(),
  languages: z.array(languageSchema).max(20),
  websites: z.array(websiteSchema).max(20),
  trafficSources: z.array(z.enum(TRAFFIC_SOURCES)).max(TRAFFIC_SOURCES.length),
  email: emailSchema.nullable(),
  phone: phoneSchema.nullable(),
  ownerId: z
    .string()
    .min(1)
    .max(64)
    .nullable()
    .describe('The owning BDM (an active bdm, team_lead, leadership or admin user).'),
  tier: z
    .enum(PARTNER_TIERS)
    .nullable()
    .describe('Commercial tier, a closed list; use a custom field for other groupings.'),
  referralCode: referralCodeSchema.describe('Unique regardless of case; generated when absent.'),
  tags: z.array(tagSchema).max(20),
  customFields: z
    .record(z.string(), customFieldValueSchema)
    .describe('Values for the custom field definitions (GET /api/v1/custom-fields); null removes a value.'),
};

const stageNotHere = z
  .never({ error: 'stage cannot be set here; it moves through onboarding' })
  .optional()
  .describe('Not accepted: the stage moves through onboarding.');

/** What a caller gives to create a partner (the service's input). */
export const partnerInputSchema = z.strictObject({
  displayName: partnerFields.displayName,
  legalName: partnerFields.legalName.optional(),
  kind: partnerFields.kind.optional(),
  type: partnerFields.type.optional(),
  parentId: partnerFields.parentId.optional(),
  country: partnerFields.country.optional(),
  languages: partnerFields.languages.optional(),
  websites: partnerFields.websites.optional(),
  trafficSources: partnerFields.trafficSources.optional(),
  email: partnerFields.email.optional(),
  phone: partnerFields.phone.optional(),
  ownerId: partnerFields.ownerId.optional(),
  tier: partnerFields.tier.optional(),
  referralCode: partnerFields.referralCode.optional(),
  tags: partnerFields.tags.optional(),
  customFields: partnerFields.customFields.optional(),
});
export type PartnerInput = z.input<typeof partnerInputSchema>;
export type ParsedPartnerInput = z.output<typeof partnerInputSchema>;

/** The create request body: the input, and a clear answer when someone tries to set the stage. */
export const partnerCreateBodySchema = partnerInputSchema
  .extend({ stage: stageNotHere })
  .meta({ id: 'PartnerCreate' });

export const partnerPatchSchema = z
  .strictObject({
    displayName: partnerFields.displayName.optional(),
    legalName: partnerFields.legalName.optional(),
    kind: partnerFields.kind.optional(),
    type: partnerFields.type.optional(),
    parentId: partnerFields.parentId.optional(),
    country: partnerFields.country.optional(),
    languages: partnerFields.languages.optional(),
    websites: partnerFields.websites.optional(),
    trafficSources: partnerFields.trafficSources.optional(),
    email: partnerFields.email.optional(),
    phone: partnerFields.phone.optional(),
    ownerId: partnerFields.ownerId.optional(),
    tier: partnerFields.tier.optional(),
    referralCode: partnerFields.referralCode.optional(),
    tags: partnerFields.tags.optional(),
    customFields: partnerFields.customFields
      .optional()
      .describe('Merged into the current values: keys not sent are kept, null removes a value.'),
    version: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('The version you last read; when it is no longer current the change is refused with 409.'),
    stage: stageNotHere,
  })
  .meta({ id: 'PartnerPatch' });
export type PartnerPatch = z.output<typeof partnerPatchSchema>;

export const archiveBodySchema = z
  .strictObject({ reason: z.string().trim().min(1).max(1000).optional() })
  .optional()
  .nullable();

export const partnerViewSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    legalName: z.string().nullable(),
    kind: z.enum(PARTNER_KINDS),
    type: z.enum(PARTNER_TYPES),
    stage: z.enum(PARTNER_STAGES),
    parentId: z.string().nullable(),
    parent: z.object({ id: z.string(), displayName: z.string() }).nullable(),
    childrenCount: z.number().int(),
    country: z.string().nullable(),
    languages: z.array(z.string()),
    websites: z.array(z.string()),
    trafficSources: z.array(z.string()),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    ownerId: z.string().nullable(),
    ownerName: z.string().nullable(),
    tier: z.string().nullable(),
    referralCode: z.string(),
    tags: z.array(z.string()),
    customFields: z.record(z.string(), customFieldValueSchema),
    missingFields: z
      .object({
        now: z.number().int().describe('Mandatory fields missing for the current stage'),
        next: z.number().int().nullable().describe('Missing for the next stage (null when there is none)'),
      })
      .describe('Counts from the mandatory-field policy; GET /api/v1/partners/{id}/mandatory-fields names them'),
    archivedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Partner' });
export type PartnerView = z.infer<typeof partnerViewSchema>;

export const PARTNER_SORTS = [
  'createdAt',
  '-createdAt',
  'displayName',
  '-displayName',
  'updatedAt',
  '-updatedAt',
] as const;
export type PartnerSort = (typeof PARTNER_SORTS)[number];

/** Filters shared by the list and the CSV export. */
export const partnerFilterSchema = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Case-insensitive substring of name, legal name, email or referral code.'),
  type: z.enum(PARTNER_TYPES).optional(),
  stage: z.enum(PARTNER_STAGES).optional(),
  ownerId: z.string().min(1).max(64).optional(),
  country: countrySchema.optional(),
  tag: tagSchema.optional(),
  parentId: z.string().min(1).max(64).optional(),
  archived: z.enum(['false', 'true', 'all']).default('false'),
  sort: z.enum(PARTNER_SORTS).default('-createdAt'),
});
export type PartnerFilter = z.output<typeof partnerFilterSchema>;

export const partnerListQuerySchema = partnerFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(500).optional(),
});
export type PartnerListQuery = z.output<typeof partnerListQuerySchema>;

export const partnerListSchema = z
  .object({ data: z.array(partnerViewSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'PartnerList' });

export const partnerIdParamsSchema = z.object({ id: z.string().min(1).max(64) });
