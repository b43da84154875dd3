// Request and response shapes of the terms and approval-authority API.
import { z } from 'zod';
import { currencySchema } from '../../platform/money.ts';
import { AUTHORITY_METRICS, LIMITED_ROLES } from './authority-matrix.ts';
import { planSchema } from './plan.schemas.ts';

export const TERMS_STATUSES = ['pending_approval', 'approved', 'rejected', 'withdrawn'] as const;
export type TermsStatus = (typeof TERMS_STATUSES)[number];

const dateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .describe('A calendar date, YYYY-MM-DD (UTC)');

export const partnerParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const termsParamsSchema = z.object({
  id: z.string().min(1).max(64),
  termsId: z.string().min(1).max(64),
});

export const proposeTermsBodySchema = z
  .object({
    plan: planSchema,
    currency: currencySchema.describe("The terms' currency; every amount in the plan is in its minor units"),
    effectiveFrom: dateString.describe('First day the terms apply; today or later, never retroactive'),
    note: z.string().trim().max(2000).nullish().describe('Why these terms, for the approver'),
  })
  .strict();

export const decisionBodySchema = z.object({ reason: z.string().trim().max(2000).nullish() }).strict();
export const rejectBodySchema = z
  .object({ reason: z.string().trim().min(1, 'say why the terms are rejected').max(2000) })
  .strict();

export const acceptBodySchema = z
  .object({
    note: z
      .string()
      .trim()
      .max(2000)
      .nullish()
      .describe('How the acceptance was received (required when staff record it)'),
    acceptedAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO-8601 date-time such as 2026-03-01T10:00:00Z' })
      .nullish()
      .describe('When the partner accepted (staff recording a signed document); defaults to now'),
  })
  .strict();

export const listTermsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const currentTermsQuerySchema = z.object({
  at: dateString.optional().describe('The date to look at; defaults to today (UTC)'),
});

const personSchema = z.object({ id: z.string(), name: z.string() }).meta({ id: 'PersonRef' });

export const planChangeSchema = z.object({
  path: z
    .string()
    .describe('e.g. cpa.qualification.minFtdMinor, rebates[metals].amountPerLotMinor, currency'),
  before: z.unknown(),
  after: z.unknown(),
});

export const termsVersionSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    version: z.number().int(),
    status: z.enum(TERMS_STATUSES),
    model: z.enum(['cpa', 'rebate', 'revshare', 'hybrid']),
    plan: planSchema,
    currency: z.string(),
    effectiveFrom: z.string(),
    summary: z.string(),
    requiredRole: z.enum(['bdm', 'team_lead', 'leadership']),
    note: z.string().nullable(),
    proposedBy: personSchema,
    proposedAt: z.string(),
    decidedBy: personSchema.nullable(),
    decidedAt: z.string().nullable(),
    decisionReason: z.string().nullable(),
    acceptedAt: z.string().nullable(),
    acceptedBy: personSchema.nullable(),
    acceptedVia: z.enum(['partner', 'on_behalf']).nullable(),
    acceptanceNote: z.string().nullable(),
    diffFromPrevious: z.object({
      previousVersion: z.number().int().nullable(),
      changes: z.array(planChangeSchema),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'TermsVersion' });

export const termsListSchema = z.object({
  data: z.array(termsVersionSchema),
  nextCursor: z.string().nullable(),
});

export const authorityRowSchema = z
  .object({
    role: z.enum(LIMITED_ROLES).describe('Leadership is unlimited and has no rows'),
    currency: currencySchema,
    metric: z.enum(AUTHORITY_METRICS),
    maxValue: z
      .number()
      .int('must be a whole number (minor units, or basis points for *_bps)')
      .min(0, 'cannot be negative')
      .max(1_000_000_000_000),
  })
  .strict()
  .meta({ id: 'AuthorityRow' });

export const authorityBodySchema = z
  .object({
    rows: z.array(authorityRowSchema).max(2000),
    reason: z.string().trim().max(2000).nullish(),
  })
  .strict();

export const authorityViewSchema = z
  .object({
    rows: z.array(authorityRowSchema),
    ladder: z.array(z.string()),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'ApprovalAuthority' });
