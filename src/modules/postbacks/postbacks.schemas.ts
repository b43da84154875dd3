// Request and response shapes of outbound postbacks, their deliveries and attempts.
import { z } from 'zod';
import { MACROS } from './macros.ts';

export const POSTBACK_EVENT_TYPES = [
  'registration',
  'kyc_approved',
  'ftd',
  'qualified_ftd',
  'deposit',
  'withdrawal',
  'trade',
  'chargeback',
] as const;
export type PostbackEventType = (typeof POSTBACK_EVENT_TYPES)[number];

export const POSTBACK_METHODS = ['GET', 'POST'] as const;
export const POSTBACK_STATUSES = ['active', 'disabled'] as const;
export const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'text/plain'] as const;
export type PostbackContentType = (typeof CONTENT_TYPES)[number];
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'dead', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const ATTEMPT_ERRORS = [
  'timeout',
  'refused_private',
  'dns',
  'connection',
  'redirect',
  'invalid_url',
  'http_status',
  'rejected_body',
] as const;

export const MAX_URL_LENGTH = 2048;
export const MAX_BODY_TEMPLATE_LENGTH = 8192;

/** The macro values an event carries (every one optional; a missing value renders as the empty string). */
export const macroValuesSchema = z
  .object(
    Object.fromEntries(MACROS.map((m) => [m, z.string().max(500).nullish()])) as Record<
      (typeof MACROS)[number],
      z.ZodOptional<z.ZodNullable<z.ZodString>>
    >,
  )
  .strict()
  .meta({ id: 'PostbackMacroValues' });

/** What ingestion writes to the outbox (topic `postback.event`) in the transaction that stores the event. */
export const postbackEventPayloadSchema = z.object({
  eventId: z.string().min(1).max(64),
  partnerId: z.string().min(1).max(64),
  eventType: z.enum(POSTBACK_EVENT_TYPES),
  /** A test event (tracking QA): its deliveries are marked as tests. */
  isTest: z.boolean().optional(),
  values: macroValuesSchema,
});
export type PostbackEventPayload = z.infer<typeof postbackEventPayloadSchema>;

export const partnerParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const postbackParamsSchema = z.object({
  id: z.string().min(1).max(64),
  postbackId: z.string().min(1).max(64),
});
export const deliveryParamsSchema = z.object({
  id: z.string().min(1).max(64),
  deliveryId: z.string().min(1).max(64),
});

const urlTemplate = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .describe(`The URL with macros: ${MACROS.map((m) => `{${m}}`).join(' ')}`);
const bodyTemplate = z
  .string()
  .max(MAX_BODY_TEMPLATE_LENGTH, `must be at most ${MAX_BODY_TEMPLATE_LENGTH} characters`)
  .describe(
    'POST only: the body with the same macros (values are JSON-escaped for application/json, form-encoded for forms)',
  );

export const createPostbackBodySchema = z
  .object({
    eventType: z.enum(POSTBACK_EVENT_TYPES),
    method: z.enum(POSTBACK_METHODS).default('GET'),
    urlTemplate,
    bodyTemplate: bodyTemplate.nullish(),
    contentType: z.enum(CONTENT_TYPES).nullish().describe('POST only; default application/json'),
    generateSigningSecret: z
      .boolean()
      .default(false)
      .describe(
        'Create a signing secret (shown once in the answer); deliveries then carry X-Partnerdesk-Signature',
      ),
  })
  .strict()
  .meta({ id: 'PostbackCreate' });
export type CreatePostbackInput = z.infer<typeof createPostbackBodySchema>;

export const patchPostbackBodySchema = z
  .object({
    eventType: z.enum(POSTBACK_EVENT_TYPES).optional(),
    method: z.enum(POSTBACK_METHODS).optional(),
    urlTemplate: urlTemplate.optional(),
    bodyTemplate: bodyTemplate.nullish(),
    contentType: z.enum(CONTENT_TYPES).nullish(),
    version: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('The version you read; a different current version answers 409'),
  })
  .strict()
  .meta({ id: 'PostbackPatch' });
export type PatchPostbackInput = z.infer<typeof patchPostbackBodySchema>;

export const disableBodySchema = z
  .object({ reason: z.string().trim().min(1, 'is required').max(1000) })
  .strict()
  .meta({ id: 'PostbackDisable' });

export const testBodySchema = z
  .object({ values: macroValuesSchema.optional().describe('Override the sample values') })
  .strict()
  .meta({ id: 'PostbackTest' });

export const postbackSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    eventType: z.enum(POSTBACK_EVENT_TYPES),
    method: z.enum(POSTBACK_METHODS),
    urlTemplate: z.string(),
    bodyTemplate: z.string().nullable(),
    contentType: z.enum(CONTENT_TYPES).nullable(),
    signed: z.boolean().describe('Deliveries carry X-Partnerdesk-Signature'),
    status: z.enum(POSTBACK_STATUSES),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    firstFailureAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Postback' });
export type PostbackView = z.infer<typeof postbackSchema>;

const lintProblemSchema = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  index: z.number().int(),
  length: z.number().int(),
  message: z.string(),
});

export const postbackSavedSchema = postbackSchema
  .extend({
    signingSecret: z.string().nullable().describe('Shown only in the answer that created or rotated it'),
    warnings: z.array(lintProblemSchema).describe('Linter warnings (the save went through)'),
  })
  .meta({ id: 'PostbackSaved' });

export const postbackListSchema = z
  .object({ data: z.array(postbackSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'PostbackList' });

export const listPostbacksQuerySchema = z.object({
  eventType: z.enum(POSTBACK_EVENT_TYPES).optional(),
  status: z.enum(POSTBACK_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const secretSchema = z
  .object({
    postbackId: z.string(),
    signingSecret: z.string().describe('Shown once; store it where your endpoint verifies signatures'),
  })
  .meta({ id: 'PostbackSecret' });

export const attemptSchema = z
  .object({
    id: z.string(),
    deliveryId: z.string(),
    attemptNo: z.number().int(),
    via: z.enum(['schedule', 'resend', 'test']),
    method: z.enum(POSTBACK_METHODS),
    url: z.string().describe('As sent, with secret-looking query values redacted'),
    startedAt: z.string(),
    latencyMs: z.number().int(),
    statusCode: z.number().int().nullable(),
    error: z.enum(ATTEMPT_ERRORS).nullable(),
    errorDetail: z.string().nullable(),
    responseStart: z.string().nullable().describe('The first 1 KB of the answer'),
    outcome: z.enum(['success', 'failure']),
  })
  .meta({ id: 'PostbackAttempt' });
export type AttemptView = z.infer<typeof attemptSchema>;

export const deliverySchema = z
  .object({
    id: z.string(),
    postbackId: z.string(),
    partnerId: z.string(),
    eventId: z.string().nullable(),
    eventType: z.enum(POSTBACK_EVENT_TYPES),
    test: z.boolean(),
    status: z.enum(DELIVERY_STATUSES),
    attemptCount: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    attempts: z.array(attemptSchema),
  })
  .meta({ id: 'PostbackDelivery' });
export type DeliveryView = z.infer<typeof deliverySchema>;

export const deliveryListSchema = z
  .object({ data: z.array(deliverySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'PostbackDeliveryList' });

export const listDeliveriesQuerySchema = z.object({
  postbackId: z.string().min(1).max(64).optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const attemptResultSchema = z
  .object({ delivery: deliverySchema, attempt: attemptSchema })
  .meta({ id: 'PostbackAttemptResult' });
