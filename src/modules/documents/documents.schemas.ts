import { z } from 'zod';
import { isValidIsoDate } from '../../platform/time.ts';
import { ALLOWED_CONTENT_TYPES } from './document-files.ts';

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

export const DOCUMENT_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const MAX_NOTE_LENGTH = 1000;
export const MAX_REASON_LENGTH = 1000;

/** The text fields of the multipart upload (the file part is checked separately, as it streams). */
export const uploadFieldsSchema = z.object({
  type: z.enum(DOCUMENT_TYPES, {
    error: (iss) => (iss.input === undefined ? 'is required' : `must be one of ${DOCUMENT_TYPES.join(', ')}`),
  }),
  expiresOn: z.string().trim().refine(isValidIsoDate, 'must be a real date as YYYY-MM-DD').optional(),
  note: z.string().trim().max(MAX_NOTE_LENGTH, `must be at most ${MAX_NOTE_LENGTH} characters`).optional(),
});
export type UploadFields = z.infer<typeof uploadFieldsSchema>;

export const partnerParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const documentParamsSchema = z.object({
  id: z.string().min(1).max(64),
  docId: z.string().min(1).max(64),
});

const limitSchema = z.coerce.number().int().min(1).max(200).default(50);

export const listQuerySchema = z.object({
  type: z.enum(DOCUMENT_TYPES).optional(),
  status: z.enum(DOCUMENT_STATUSES).optional(),
  archived: z.enum(['true', 'false']).optional().describe('true: include archived documents'),
  limit: limitSchema,
  cursor: z.string().max(200).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export const queueQuerySchema = z.object({
  status: z.enum(DOCUMENT_STATUSES).default('pending'),
  type: z.enum(DOCUMENT_TYPES).optional(),
  limit: limitSchema,
  cursor: z.string().max(200).optional(),
});
export type QueueQuery = z.infer<typeof queueQuerySchema>;

export const reviewBodySchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    reason: z.string().trim().max(MAX_REASON_LENGTH).optional(),
  })
  .meta({ id: 'DocumentReview' });
export type ReviewInput = z.infer<typeof reviewBodySchema>;

export const archiveBodySchema = z
  .object({ reason: z.string().trim().min(1, 'is required').max(MAX_REASON_LENGTH) })
  .meta({ id: 'DocumentArchive' });

const personSchema = z.object({ id: z.string(), name: z.string() });

export const documentSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    type: z.enum(DOCUMENT_TYPES),
    fileName: z.string(),
    contentType: z.enum(ALLOWED_CONTENT_TYPES),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    expiresOn: z.string().nullable(),
    expired: z.boolean().describe('expiresOn is before today (UTC)'),
    expiresSoon: z.boolean().describe('not expired, and expires within 30 days'),
    note: z.string().nullable(),
    status: z.enum(DOCUMENT_STATUSES),
    reviewedBy: personSchema.nullable(),
    reviewedAt: z.string().nullable(),
    reviewReason: z.string().nullable(),
    uploadedBy: personSchema.extend({
      kind: z
        .enum(['user', 'api_key', 'partner', 'system'])
        .describe('partner: a partner user or partner API key'),
    }),
    createdAt: z.string(),
    archivedAt: z.string().nullable(),
    archiveReason: z.string().nullable(),
  })
  .meta({ id: 'Document' });
export type DocumentView = z.infer<typeof documentSchema>;

export const documentListSchema = z
  .object({ data: z.array(documentSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'DocumentList' });

export const queueItemSchema = documentSchema
  .extend({ partner: z.object({ id: z.string(), displayName: z.string() }) })
  .meta({ id: 'DocumentQueueItem' });
export type QueueItemView = z.infer<typeof queueItemSchema>;

export const queueListSchema = z
  .object({ data: z.array(queueItemSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'DocumentQueue' });
