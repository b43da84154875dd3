// Request and response shapes of due-diligence cases, documentation requests and restricted countries.
import { z } from 'zod';
import { COUNTRY_CODES, TRAFFIC_SOURCES } from '../partners/index.ts';

export const CASE_KINDS = ['kyc', 'kyb'] as const;
export const CASE_STATUSES = ['open', 'more_requested', 'approved', 'rejected'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const PARTY_KINDS = ['person', 'entity'] as const;
export const PARTY_ROLES = ['director', 'shareholder', 'ubo'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];
export const SCREENING_RESULTS = ['clear', 'possible_match', 'true_match'] as const;
export type ScreeningResult = (typeof SCREENING_RESULTS)[number];
export const SCREENING_LISTS = ['sanctions', 'pep', 'adverse_media'] as const;
export const WEBSITE_OUTCOMES = ['pass', 'issues', 'fail'] as const;
export const DECISIONS = ['approve', 'reject', 'request_more'] as const;
export const ADDRESSEES = ['bdm', 'partner'] as const;
export const REQUEST_STATUSES = ['open', 'answered', 'withdrawn'] as const;
/** A UBO at or above this share (basis points) must be identified with identity and address documents. */
export const UBO_THRESHOLD_BPS = 2500;

export const dateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');
export const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as CY')
  .refine((c) => COUNTRY_CODES.has(c), 'is not an ISO 3166-1 country code');
const idString = z.string().trim().min(1).max(64);
const bps = z
  .number()
  .int('must be whole basis points (1% = 100)')
  .min(0)
  .max(10_000, 'cannot exceed 10000 (100%)');

export const partnerParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const partyParamsSchema = z.object({
  id: z.string().min(1).max(64),
  partyId: z.string().min(1).max(64),
});
export const requestParamsSchema = z.object({
  id: z.string().min(1).max(64),
  requestId: z.string().min(1).max(64),
});

export const registrationSchema = z
  .object({
    number: z.string().trim().min(1).max(100).describe('Company registration number'),
    country: countryCode.describe('Country of incorporation'),
    registry: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('The registry, e.g. "Registrar of Companies, Cyprus"'),
    incorporatedOn: dateString.describe('Date of incorporation'),
  })
  .strict()
  .meta({ id: 'CompanyRegistration' });

export const openCaseBodySchema = z
  .object({
    regulatedEntity: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .nullish()
      .describe(
        "The firm's regulated entity the partner works with, when the partner's regulated_entity field is empty",
      ),
  })
  .strict();

export const patchCaseBodySchema = z
  .object({
    regulatedEntity: z.string().trim().min(1).max(100).nullable().optional(),
    registration: registrationSchema.nullable().optional().describe('KYB only'),
    identityDocumentId: idString
      .nullable()
      .optional()
      .describe("KYC only: the individual's identity document"),
    addressDocumentId: idString.nullable().optional().describe("KYC only: the individual's proof of address"),
    marketingMethods: z
      .array(z.enum(TRAFFIC_SOURCES))
      .max(TRAFFIC_SOURCES.length)
      .optional()
      .describe('How the partner markets'),
    targetCountries: z.array(countryCode).max(250).optional().describe('Countries the partner targets'),
  })
  .strict();

export const partyBodySchema = z
  .object({
    kind: z.enum(PARTY_KINDS),
    name: z.string().trim().min(1).max(200),
    roles: z.array(z.enum(PARTY_ROLES)).min(1, 'give at least one role').max(3),
    country: countryCode.nullish().describe('Nationality (person) or country of incorporation (entity)'),
    shareholdingBps: bps.nullish().describe('Direct shareholding in basis points (shareholders)'),
    beneficialBps: bps
      .nullish()
      .describe('Ultimate beneficial ownership in basis points (beneficial owners)'),
    identityDocumentId: idString.nullish(),
    addressDocumentId: idString.nullish(),
  })
  .strict();
export const partyPatchSchema = partyBodySchema.partial().strict();

export const screeningBodySchema = z
  .object({
    partyId: idString
      .nullish()
      .describe('The party screened; omit for the partner itself (the individual or company)'),
    result: z.enum(SCREENING_RESULTS),
    listTypes: z.array(z.enum(SCREENING_LISTS)).min(1, 'name the lists screened against').max(3),
    provider: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('The screening provider or source, e.g. "World-Check One"'),
    screenedOn: dateString.describe('When the screening ran (not in the future)'),
    reference: z.string().trim().max(200).nullish().describe("The provider's case or report reference"),
    note: z.string().trim().max(2000).nullish(),
  })
  .strict();

export const websiteReviewBodySchema = z
  .object({
    url: z
      .string()
      .trim()
      .max(2000)
      .regex(/^https?:\/\/[^\s/$.?#][^\s]*$/i, 'must be an http(s) URL'),
    reviewedOn: dateString,
    outcome: z.enum(WEBSITE_OUTCOMES),
    notes: z.string().trim().max(4000).nullish(),
  })
  .strict();

export const decisionBodySchema = z
  .object({
    decision: z.enum(DECISIONS),
    reason: z.string().trim().min(1, 'say why').max(4000),
    requestedItems: z
      .array(z.string().trim().min(1).max(500))
      .min(1)
      .max(50)
      .optional()
      .describe('request_more only: what is needed'),
    addressedTo: z
      .enum(ADDRESSEES)
      .optional()
      .describe('request_more only: who must answer (default the BDM)'),
  })
  .strict();

export const answerBodySchema = z
  .object({
    note: z.string().trim().min(1, 'say what is provided').max(4000),
    documentIds: z.array(idString).max(50).optional(),
  })
  .strict();

/** Who did something (a user, or an API key shown by its name). */
export const personRef = z.object({ id: z.string(), name: z.string() });

export const partySchema = z
  .object({
    id: z.string(),
    kind: z.enum(PARTY_KINDS),
    name: z.string(),
    roles: z.array(z.enum(PARTY_ROLES)),
    country: z.string().nullable(),
    shareholdingBps: z.number().int().nullable(),
    beneficialBps: z.number().int().nullable(),
    identityDocumentId: z.string().nullable(),
    addressDocumentId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'DueDiligenceParty' });

export const screeningSchema = z
  .object({
    id: z.string(),
    partyId: z.string().nullable(),
    subject: z.string().describe('Who was screened (the party name, or the partner)'),
    result: z.enum(SCREENING_RESULTS),
    listTypes: z.array(z.enum(SCREENING_LISTS)),
    provider: z.string(),
    screenedOn: z.string(),
    reference: z.string().nullable(),
    note: z.string().nullable(),
    recordedBy: personRef,
    recordedAt: z.string(),
  })
  .meta({ id: 'ScreeningResult' });

export const websiteReviewSchema = z
  .object({
    url: z.string(),
    reviewedOn: z.string(),
    outcome: z.enum(WEBSITE_OUTCOMES),
    notes: z.string().nullable(),
    reviewedBy: z.string(),
    recordedAt: z.string(),
  })
  .meta({ id: 'WebsiteReview' });

export const docRequestSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    partnerId: z.string(),
    addressedTo: z.enum(ADDRESSEES),
    items: z.array(z.string()),
    status: z.enum(REQUEST_STATUSES),
    createdAt: z.string(),
    answeredAt: z.string().nullable(),
    answerNote: z.string().nullable(),
    answerDocumentIds: z.array(z.string()),
  })
  .meta({ id: 'DocumentationRequest' });

export const approvalProblemSchema = z
  .object({ code: z.string(), message: z.string() })
  .meta({ id: 'DueDiligenceProblem' });

export const countryConflictSchema = z
  .object({ country: z.string(), entity: z.string(), reason: z.string() })
  .meta({ id: 'RestrictedCountryConflict' });

export const caseSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    kind: z.enum(CASE_KINDS),
    status: z.enum(CASE_STATUSES),
    regulatedEntity: z.string().nullable().describe('The entity whose restricted-country list applies'),
    regulatedEntitySource: z.enum(['partner_field', 'case']).nullable(),
    registration: registrationSchema.nullable(),
    identityDocumentId: z.string().nullable(),
    addressDocumentId: z.string().nullable(),
    marketingMethods: z.array(z.string()),
    targetCountries: z.array(z.string()),
    websiteReviews: z.array(websiteReviewSchema),
    parties: z.array(partySchema),
    screenings: z.array(screeningSchema),
    requests: z.array(docRequestSchema),
    conflicts: z
      .array(countryConflictSchema)
      .describe('Target countries restricted for the regulated entity'),
    approvalProblems: z
      .array(approvalProblemSchema)
      .describe('What stops approval now (empty: it may be approved)'),
    clock: z.object({
      waitingSince: z.string().nullable().describe('Set while a documentation request is open (SLA paused)'),
      waitingMsTotal: z.number().int().describe('Time spent waiting on answers, finished periods only'),
    }),
    decision: z.enum(['approve', 'reject']).nullable(),
    decisionReason: z.string().nullable(),
    decidedBy: personRef.nullable(),
    decidedAt: z.string().nullable(),
    openedBy: personRef,
    openedAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'DueDiligenceCase' });

export const caseSummarySchema = z.object({
  id: z.string(),
  kind: z.enum(CASE_KINDS),
  status: z.enum(CASE_STATUSES),
  decisionReason: z.string().nullable(),
  openedAt: z.string(),
  decidedAt: z.string().nullable(),
});

export const dueDiligenceStateSchema = z
  .object({
    status: z.enum(['none', ...CASE_STATUSES]).describe('Status of the latest case, or none'),
    case: caseSchema.nullable().describe('The latest case'),
    previousCases: z.array(caseSummarySchema),
  })
  .meta({ id: 'DueDiligenceState' });

export const docRequestListSchema = z.object({ data: z.array(docRequestSchema) });

export const restrictedEntrySchema = z
  .object({
    entity: z.string().trim().min(1).max(100),
    country: countryCode,
    reason: z.string().trim().min(1, 'say why the country is restricted').max(500),
  })
  .strict();
export const restrictedBodySchema = z.object({ entries: z.array(restrictedEntrySchema).max(5000) }).strict();
export const restrictedListSchema = z
  .object({
    entities: z.array(z.string()),
    entries: z.array(
      z.object({ entity: z.string(), country: z.string(), reason: z.string(), updatedAt: z.string() }),
    ),
  })
  .meta({ id: 'RestrictedCountries' });
