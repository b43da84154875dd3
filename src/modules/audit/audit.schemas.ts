import { z } from 'zod';
import { AUDIT_ACTIONS } from '../../platform/audit/actions.ts';

const timeSchema = z
  .string()
  .trim()
  .max(40)
  .describe('An ISO-8601 UTC time (2026-01-31T12:00:00Z) or a date (2026-01-31, meaning its midnight UTC).');

export const auditListQuerySchema = z.object({
  entityType: z.string().trim().min(1).max(100).optional(),
  entityId: z.string().trim().min(1).max(200).optional(),
  partnerId: z.string().trim().min(1).max(100).optional(),
  actorId: z.string().trim().min(1).max(100).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  from: timeSchema.optional().describe('Entries at or after this time.'),
  to: timeSchema.optional().describe('Entries before this time.'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('Opaque cursor from the previous page (nextCursor).'),
});

export const auditEntrySchema = z
  .object({
    seq: z.number().int(),
    id: z.string(),
    at: z.string(),
    actorType: z.string(),
    actorId: z.string(),
    actorName: z
      .string()
      .describe('The user\'s name, the API key\'s name, or "system" (not hashed; for display)'),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    partnerId: z.string().nullable(),
    requestId: z.string().nullable(),
    data: z
      .object({
        before: z.record(z.string(), z.unknown()).nullable(),
        after: z.record(z.string(), z.unknown()).nullable(),
        reason: z.string().nullable(),
        meta: z.record(z.string(), z.unknown()).optional(),
      })
      .nullable()
      .describe('What changed; null once the personal data of the entry was erased.'),
    erasedAt: z.string().nullable(),
    hash: z.string(),
    prevHash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export const auditListSchema = z
  .object({ data: z.array(auditEntrySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditEntryList' });

export const auditVerifySchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    headSeq: z.number().int(),
    headHash: z.string(),
    firstBad: z.object({ seq: z.number().int(), id: z.string(), problem: z.string() }).optional(),
  })
  .meta({ id: 'AuditVerifyResult' });

export const erasureBodySchema = z.object({
  entityType: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .describe('The kind of record the personal data is about (user, contact, partner, ...).'),
  entityId: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(3).max(1000).describe('Why (for example the erasure request reference).'),
});

export const erasureResultSchema = z
  .object({ entityType: z.string(), entityId: z.string(), erasedEntries: z.number().int() })
  .meta({ id: 'AuditErasureResult' });
