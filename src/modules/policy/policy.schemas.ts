import { z } from 'zod';
import { ALL_STAGES, PARTNER_KINDS, PARTNER_TYPES } from './catalogue.ts';

// Rule contents (type, stage, kind, field names) are checked by the service, not here, so that every problem
// in a published policy is reported with the same path form: `body.rules[3].fields[1]`.
export const ruleInputSchema = z.object({
  partnerType: z
    .string()
    .max(40)
    .describe(`One of: ${PARTNER_TYPES.join(', ')}.`),
  stage: z
    .string()
    .max(40)
    .describe(`One of: ${ALL_STAGES.join(', ')}.`),
  partnerKind: z
    .string()
    .max(40)
    .nullish()
    .describe(`One of: ${PARTNER_KINDS.join(', ')}; absent or null = individuals and companies alike.`),
  fields: z.array(z.string().max(200)).max(200).describe('Field names from the catalogue.'),
});

export const publishBodySchema = z.object({
  rules: z.array(ruleInputSchema).max(500),
  note: z
    .string()
    .trim()
    .max(2000)
    .nullish()
    .describe('Why this version is published (shown in the version list).'),
  baseVersion: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'The version this edit started from; when another version was published since, the answer is 409.',
    ),
});

export const ruleSchema = z
  .object({
    partnerType: z.enum(PARTNER_TYPES),
    stage: z.enum(ALL_STAGES),
    partnerKind: z.enum(PARTNER_KINDS).nullable(),
    fields: z.array(z.string()),
  })
  .meta({ id: 'MandatoryFieldRule' });

export const policySchema = z
  .object({
    version: z.number().int(),
    note: z.string().nullable(),
    publishedAt: z
      .string()
      .nullable()
      .describe('Null for the built-in default when no version is stored yet.'),
    publishedBy: z.string().nullable(),
    stored: z
      .boolean()
      .describe('False when no version has been stored yet and the built-in default (version 1) applies.'),
    rules: z.array(ruleSchema),
  })
  .meta({ id: 'MandatoryFieldPolicy' });

export const catalogueEntrySchema = z
  .object({
    field: z.string(),
    label: z.string(),
    group: z.enum(['partner', 'custom', 'contact', 'document']),
    check: z.string().describe('How the field is judged present.'),
    partnerTypes: z
      .array(z.enum(PARTNER_TYPES))
      .nullable()
      .describe('The partner types the field applies to; null = all.'),
  })
  .meta({ id: 'MandatoryFieldCatalogueEntry' });

export const currentPolicySchema = policySchema
  .extend({
    catalogue: z.array(catalogueEntrySchema),
    partnerTypes: z.array(z.enum(PARTNER_TYPES)),
    partnerKinds: z.array(z.enum(PARTNER_KINDS)),
    stages: z
      .array(z.enum(ALL_STAGES))
      .describe('The onboarding path in order; requirements accumulate along it.'),
    sideStages: z
      .array(z.enum(ALL_STAGES))
      .describe('States off the path; each is evaluated with its own rules only.'),
  })
  .meta({ id: 'MandatoryFieldPolicyWithCatalogue' });

export const versionSummarySchema = z
  .object({
    version: z.number().int(),
    note: z.string().nullable(),
    publishedAt: z.string().nullable(),
    publishedBy: z.string().nullable(),
    stored: z.boolean(),
    ruleCount: z.number().int(),
  })
  .meta({ id: 'MandatoryFieldPolicyVersion' });

export const versionListSchema = z.object({
  data: z.array(versionSummarySchema),
  nextCursor: z.string().nullable(),
});

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional(),
});

export const versionParamsSchema = z.object({
  version: z.coerce.number().int().positive().max(1_000_000_000),
});
export const partnerParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const fieldRefSchema = z.object({ field: z.string(), label: z.string() }).meta({ id: 'FieldRef' });

const stageRequirementsSchema = z
  .object({ stage: z.string(), required: z.array(fieldRefSchema), missing: z.array(fieldRefSchema) })
  .meta({ id: 'StageRequirements' });

export const evaluationSchema = z
  .object({
    partnerId: z.string(),
    policyVersion: z.number().int(),
    stage: stageRequirementsSchema,
    next: stageRequirementsSchema.nullable().describe('Null at the last stage and in side states.'),
  })
  .meta({ id: 'MandatoryFieldsEvaluation' });
